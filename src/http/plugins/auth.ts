import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../../errors.js';

export interface AuthOptions {
  /** Accepted keys; empty: any key starting with `sk_`. */
  apiKeys: readonly string[];
}

const CHALLENGE = { 'www-authenticate': 'Bearer' };
const USAGE = "Use 'Authorization: Bearer sk_...'";
/** Mixpeek's key shape (`sk_live_...`, `sk_test_...`): `sk_` then up to 256 ASCII letters, digits, `_` or `-`. */
const KEY_FORMAT = /^sk_[A-Za-z0-9_-]{1,256}$/;

/**
 * Whether a request is for the emulated API: by the route it matched, or, when none matched, by its
 * decoded path, so neither `/%761/...` nor an absolute-form target (`GET http://host/v1/...`) skips the
 * key check.
 */
function isEmulatedApi(route: string | undefined, rawUrl: string): boolean {
  if (route !== undefined) return route.startsWith('/v1/');
  let path = rawUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const q = path.indexOf('?');
  if (q >= 0) path = path.slice(0, q);
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed encoding: judge the raw path.
  }
  return path.startsWith('/v1/') || path === '/v1';
}

/**
 * Checks the key of the emulated API (every URL under /v1/), before routing, like Mixpeek: 401 in the
 * envelope when it is missing, malformed or not accepted. The key's value is never echoed.
 * CORS preflights (OPTIONS) pass unauthenticated.
 */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, opts) => {
    const keys = new Set(opts.apiKeys);
    // Callback-style: it runs on every request.
    app.addHook('onRequest', (request, _reply, done) => {
      try {
        check(request);
        done();
      } catch (e) {
        done(e as Error);
      }
    });
    function check(request: FastifyRequest): void {
      if (request.method === 'OPTIONS' || !isEmulatedApi(request.routeOptions.url, request.url)) return;
      const header = request.headers.authorization;
      if (header === undefined)
        throw new ApiError(401, `Missing Authorization header. ${USAGE}`, null, CHALLENGE);
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      const key = match?.[1];
      if (key === undefined)
        throw new ApiError(401, `Invalid Authorization header format. ${USAGE}`, null, CHALLENGE);
      const accepted = keys.size > 0 ? keys.has(key) : KEY_FORMAT.test(key);
      if (!accepted) throw new ApiError(401, 'Invalid API key', null, CHALLENGE);
    }
  },
  { name: 'auth' },
);
