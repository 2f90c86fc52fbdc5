import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../../errors.js';

export interface CorsOptions {
  /** MOCK_CORS_ORIGINS: `*` (any origin) or the exact origins allowed. */
  origins: readonly string[] | '*';
  /** Seconds a browser may cache a preflight answer (Chrome caps it at 7200). */
  maxAgeSeconds?: number;
}

/** Response headers a browser script may read besides the CORS-safelisted ones. */
const EXPOSED = 'Allow, Retry-After, WWW-Authenticate, Location, Content-Length, X-Poll-Interval';

/** Adds `field` to the response's `Vary` header, keeping whatever is there (`reply.header` would replace it). */
export function appendVary(reply: FastifyReply, field: string): void {
  const current = reply.getHeader('vary');
  if (current === undefined || current === '') {
    reply.header('vary', field); // the common case, on every request: no parsing
    return;
  }
  const fields = String(current ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (fields.includes('*') || fields.some((f) => f.toLowerCase() === field.toLowerCase())) return;
  reply.header('vary', [...fields, field].join(', '));
}

/**
 * The CORS handling of one request (see corsPlugin); also called for requests the router refuses before
 * any hook runs (a malformed URL), so that a preflight there is a 204 too.
 */
export function corsHook(opts: CorsOptions) {
  const allowAll = opts.origins === '*';
  const allowed = new Set(opts.origins === '*' ? [] : opts.origins);
  const maxAge = String(opts.maxAgeSeconds ?? 600);

  return async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    const requestedMethod = request.headers['access-control-request-method'];
    const preflight = request.method === 'OPTIONS' && requestedMethod !== undefined;
    // The answer depends on Origin whether or not it is allowed: caches must key on it.
    appendVary(reply, 'Origin');
    const ok = origin !== undefined && (allowAll || allowed.has(origin));
    if (origin !== undefined && !ok) {
      if (!preflight) return;
      throw new ApiError(
        403,
        `Origin '${origin}' is not allowed: add it to MOCK_CORS_ORIGINS (or set MOCK_CORS_ORIGINS=*)`,
        { origin, allowed_origins: [...allowed] },
      );
    }
    if (ok) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
    }
    if (!preflight) {
      if (ok) reply.header('access-control-expose-headers', EXPOSED);
      return;
    }
    appendVary(reply, 'Access-Control-Request-Method');
    appendVary(reply, 'Access-Control-Request-Headers');
    // Echoed as sent: browsers compare methods case-sensitively (`patch` is not normalised to PATCH).
    reply.header('access-control-allow-methods', requestedMethod);
    const requestedHeaders = request.headers['access-control-request-headers'];
    if (requestedHeaders !== undefined && requestedHeaders.trim() !== '')
      reply.header('access-control-allow-headers', requestedHeaders);
    // Chrome's Private Network Access: a page on a public origin calling the mock on localhost.
    if (request.headers['access-control-request-private-network'] === 'true')
      reply.header('access-control-allow-private-network', 'true');
    reply.header('access-control-max-age', maxAge);
    return reply.code(204).send();
  };
}

/**
 * CORS for every route (the emulated API, the control API, the dashboard, the docs), as an `onRequest`
 * hook registered before authentication and routing:
 *
 * - An allowed origin (any, with `*`) is always echoed, never `*`, with `Access-Control-Allow-Credentials:
 *   true`: a frontend may send `credentials: 'include'` and still read the answer.
 * - A preflight (OPTIONS with `Access-Control-Request-Method`) on any path, known route or not, with or
 *   without a trailing slash, is answered here with 204: the requested method and headers allowed
 *   (`authorization` included), a max-age. It never reaches routing, so it is never a 404, 405 or redirect.
 * - Actual responses get their headers here, before anything can fail; the error handler only adds to them,
 *   so 401, 404, 405, 422 and 500 carry exactly one `Access-Control-Allow-Origin` too.
 * - A disallowed origin gets no CORS header on actual responses (the browser then hides them), and its
 *   preflights a 403 in Mixpeek's envelope naming the origin and MOCK_CORS_ORIGINS, visible in the
 *   browser's network panel or with curl.
 *
 * Not @fastify/cors: it answers preflights on unknown paths with an `OPTIONS *` route, which would make the
 * error handler's 405 logic list OPTIONS as allowed on every path and turn every 404 into a 405.
 */
export const corsPlugin = fp<CorsOptions>(
  async (app: FastifyInstance, opts) => {
    app.addHook('onRequest', corsHook(opts));
  },
  { name: 'cors' },
);
