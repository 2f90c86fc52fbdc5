import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySerializerCompiler,
} from 'fastify';
import fastJson, { type Schema as FastJsonSchema } from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import { createEngine, type MockEngine } from '../engine.js';
import { ApiError } from '../errors.js';
import { authPlugin } from './plugins/auth.js';
import { registerJsonParser } from './json-body.js';
import { errorHandlerPlugin } from './plugins/error-handler.js';
import { openapiPlugin, PACKAGE } from './plugins/openapi.js';
import { controlRoutes } from './routes/control.js';
import { healthRoutes } from './routes/health.js';
import { mixpeekRoutes } from './routes/mixpeek.js';

declare module 'fastify' {
  interface FastifyInstance {
    engine: MockEngine;
    config: Config;
  }
}

export interface BuildAppOptions {
  config: Config;
}

/**
 * Response serialiser when responses are not validated: the route's zod schema, as JSON Schema
 * (output side), compiled by fast-json-stringify. It drops members the schema does not declare, as
 * zod would, at a fraction of the cost. Anything it cannot compile falls back to JSON.stringify.
 */
const fastSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  const zodSchema = schema instanceof z.core.$ZodType ? schema : undefined;
  try {
    const jsonSchema = zodSchema
      ? z.toJSONSchema(zodSchema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' })
      : schema;
    return fastJson(jsonSchema as FastJsonSchema);
  } catch {
    return (data) => JSON.stringify(data);
  }
};

/** Builds the whole HTTP application from a config. Never listens; `server.ts` does. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-mixpeek-secret"]', 'headers.authorization', 'headers["x-mixpeek-secret"]'],
        censor: '[redacted]',
      },
    },
    bodyLimit: config.bodyLimit,
    // POST /v1/namespaces/migrations/ creates; the path without the slash must not.
    routerOptions: { ignoreTrailingSlash: false },
    // Answered below with the envelope instead of Fastify's own 503 body.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(config.validateResponses ? zodSerializerCompiler : fastSerializerCompiler);

  // FastAPI's reading of JSON bodies (empty = no body, malformed = 422 json_invalid), for every route.
  registerJsonParser(app);

  // Built synchronously: a bad fixture makes buildApp throw, before anything listens.
  app.decorate('engine', createEngine({ config }));
  app.decorate('config', config);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new ApiError(503, 'The server is shutting down', null, { connection: 'close' });
  });
  app.addHook('onRequest', corsHook(config.corsOrigins));
  if (config.latencyMs.max > 0) app.addHook('onRequest', latencyHook(config.latencyMs));

  await app.register(errorHandlerPlugin);
  await app.register(openapiPlugin);
  await app.register(authPlugin, { apiKeys: config.apiKeys });
  await app.register(healthRoutes);
  app.get('/', { schema: { hide: true } }, async () => ({
    name: PACKAGE.name,
    docs: '/docs',
    openapi: '/openapi.json',
    dashboard: '/_mock/ui',
    health: '/healthz',
  }));
  await app.register(mixpeekRoutes, { prefix: '/v1/namespaces/migrations' });
  await app.register(controlRoutes, { prefix: '/_mock' });

  return app as unknown as FastifyInstance;
}

const EXPOSED = 'Allow, Retry-After, WWW-Authenticate, Location';

/** CORS per MOCK_CORS_ORIGINS, preflights included (answered before auth, which never sees OPTIONS). */
function corsHook(origins: readonly string[] | '*') {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin === undefined || (origins !== '*' && !origins.includes(origin))) return;
    reply.header('access-control-allow-origin', origins === '*' ? '*' : origin);
    if (origins !== '*') reply.header('vary', 'Origin');
    reply.header('access-control-expose-headers', EXPOSED);
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!preflight) return;
    reply
      .header('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS')
      .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? 'Authorization, Content-Type')
      .header('access-control-max-age', '600')
      .code(204)
      .send();
    return reply;
  };
}

/** MOCK_LATENCY_MS: an added delay, uniform in [min, max], on the emulated API only. */
function latencyHook({ min, max }: { min: number; max: number }) {
  return async (request: FastifyRequest) => {
    if (!request.url.startsWith('/v1/')) return;
    const ms = min + Math.floor(Math.random() * (max - min + 1));
    await new Promise((resolve) => setTimeout(resolve, ms));
  };
}
