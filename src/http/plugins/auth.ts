import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../../errors.js';

export interface AuthOptions {
  /** Accepted keys; empty: any key starting with `sk_`. */
  apiKeys: readonly string[];
}

const CHALLENGE = { 'www-authenticate': 'Bearer' };
const USAGE = "Use 'Authorization: Bearer sk_...'";

/**
 * Checks the key of the emulated API (every URL under /v1/), before routing, like Mixpeek: 401 in the
 * envelope when it is missing, malformed or not accepted. The key's value is never echoed.
 * CORS preflights (OPTIONS) pass unauthenticated.
 */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, opts) => {
    const keys = new Set(opts.apiKeys);
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/v1/') || request.method === 'OPTIONS') return;
      const header = request.headers.authorization;
      if (header === undefined)
        throw new ApiError(401, `Missing Authorization header. ${USAGE}`, null, CHALLENGE);
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      const key = match?.[1];
      if (key === undefined)
        throw new ApiError(401, `Invalid Authorization header format. ${USAGE}`, null, CHALLENGE);
      const accepted = keys.size > 0 ? keys.has(key) : key.startsWith('sk_') && key.length > 3;
      if (!accepted) throw new ApiError(401, 'Invalid API key', null, CHALLENGE);
    });
  },
  { name: 'auth' },
);
