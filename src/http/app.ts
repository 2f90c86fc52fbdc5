import { createRequire } from 'node:module';
import type { default as FastJson, Schema as FastJsonSchema } from 'fast-json-stringify';
import Fastify, { type FastifyInstance, type FastifySerializerCompiler } from 'fastify';
import {
  validatorCompiler,
  type ZodTypeProvider,
  serializerCompiler as zodSerializerCompiler,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { createEngine, type MockEngine } from '../engine.js';
import { ApiError } from '../errors.js';
import { webhooksPlugin } from '../webhooks/plugin.js';
import {
  answerConnect,
  makeClientErrorHandler,
  makeFrameworkErrors,
  requestLineHook,
} from './client-errors.js';
import { registerJsonParser } from './json-body.js';
import { authPlugin } from './plugins/auth.js';
import { appendVary, corsHook, corsPlugin } from './plugins/cors.js';
import { errorHandlerPlugin } from './plugins/error-handler.js';
import { faultsPlugin } from './plugins/faults.js';
import { journalPlugin } from './plugins/journal.js';
import { openapiPlugin, PACKAGE } from './plugins/openapi.js';
import { controlRoutes } from './routes/control.js';
import { healthRoutes } from './routes/health.js';
import { mixpeekRoutes } from './routes/mixpeek.js';
import { mockObserveRoutes } from './routes/mock-observe.js';
import { stateRoutes } from './routes/state.js';
import { uiRoutes } from './routes/ui.js';

declare module 'fastify' {
  interface FastifyInstance {
    engine: MockEngine;
    config: Config;
  }
}

export interface BuildAppOptions {
  config: Config;
  /** Injected clock (the in-process API); otherwise built from config.clock. */
  clock?: Clock;
  /** Where log lines go instead of stdout (tests capture them). */
  logStream?: { write(line: string): void };
}

/**
 * Response serialiser when responses are not validated: the route's zod schema, as JSON Schema
 * (output side), compiled by fast-json-stringify. It drops members the schema does not declare, as
 * zod would, at a fraction of the cost. Compiled on first use and shared between routes (one error
 * schema serves every route), so start-up does not pay for it; anything it cannot compile falls back
 * to JSON.stringify.
 */
const compiledSerializers = new WeakMap<object, (data: unknown) => string>();
// fast-json-stringify (and the Ajv it brings) is loaded with the first serialiser, not at start-up.
const requireCjs = createRequire(import.meta.url);
let fastJson: typeof FastJson | undefined;
function compileSerializer(schema: unknown): (data: unknown) => string {
  const key = typeof schema === 'object' && schema !== null ? schema : undefined;
  const hit = key && compiledSerializers.get(key);
  if (hit) return hit;
  let serialize: (data: unknown) => string;
  try {
    const jsonSchema =
      schema instanceof z.core.$ZodType
        ? z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' })
        : schema;
    fastJson ??= requireCjs('fast-json-stringify') as typeof FastJson;
    serialize = fastJson(jsonSchema as FastJsonSchema);
  } catch {
    serialize = (data) => JSON.stringify(data);
  }
  if (key) compiledSerializers.set(key, serialize);
  return serialize;
}
const fastSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  let serialize: ((data: unknown) => string) | undefined;
  return (data) => {
    serialize ??= compileSerializer(schema);
    return serialize(data);
  };
};

/** Builds the whole HTTP application from a config. Never listens; `server.ts` does. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-mixpeek-secret"]',
          'headers.authorization',
          'headers["x-mixpeek-secret"]',
        ],
        censor: '[redacted]',
      },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    bodyLimit: config.bodyLimit,
    // POST /v1/namespaces/migrations/ creates; the path without the slash must not. A path parameter
    // may be as long as the URL (a long id is a 404 of that id, not a router error).
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: config.maxUrlLength },
    // Limits of Node's parser (431 past maxHeaderSize, 408 past requestTimeout), checked every second.
    requestTimeout: config.requestTimeoutMs,
    http: {
      maxHeaderSize: config.maxHeaderBytes,
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(60_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs),
      // Checked by requestLineHook, which answers with the envelope.
      requireHostHeader: false,
    },
    // Requests refused by Node's parser or Fastify's router get the envelope too.
    clientErrorHandler: makeClientErrorHandler(config),
    frameworkErrors: makeFrameworkErrors(config, corsHook({ origins: config.corsOrigins })),
    // Answered below with the envelope instead of Fastify's own 503 body.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.server.on('connect', answerConnect);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(config.validateResponses ? zodSerializerCompiler : fastSerializerCompiler);

  // FastAPI's reading of JSON bodies (empty = no body, malformed = 422 json_invalid), for every route.
  registerJsonParser(app);

  // Built synchronously: a bad fixture makes buildApp throw, before anything listens.
  app.decorate('engine', createEngine({ config, clock: opts.clock }));
  app.decorate('config', config);

  // First, so that every answer (preflights, 503 while closing, 401, 404...) carries the CORS headers.
  await app.register(corsPlugin, { origins: config.corsOrigins });
  // Next, so that the journal sees every request and its timing includes the injected latency.
  await app.register(journalPlugin);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // These two run on every request: callback-style, so that they cost no promise and no microtask.
  app.addHook('onRequest', (_request, _reply, done) => {
    if (closing) return done(new ApiError(503, 'The server is shutting down', null, { connection: 'close' }));
    done();
  });
  // Answers sent while closing close their connection: a keep-alive connection left idle after its
  // in-flight request would otherwise hold the shutdown until keepAliveTimeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onRequest', requestLineHook(config.maxUrlLength));
  // MOCK_LATENCY_MS and `Prefer: latency=` on every route; the GET's scheduled faults live there too.
  await app.register(faultsPlugin);
  await app.register(webhooksPlugin);

  await app.register(errorHandlerPlugin);
  await app.register(openapiPlugin);
  await app.register(authPlugin, { apiKeys: config.apiKeys });
  await app.register(healthRoutes);
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    // A browser (Accept: text/html) goes to the dashboard; API clients get the JSON index.
    appendVary(reply, 'Accept');
    if (request.headers.accept?.includes('text/html')) return reply.redirect('/_mock/ui', 302);
    return {
      name: PACKAGE.name,
      docs: '/docs',
      openapi: '/openapi.json',
      dashboard: '/_mock/ui',
      health: '/healthz',
    };
  });
  await app.register(mixpeekRoutes, { prefix: '/v1/namespaces/migrations' });
  await app.register(controlRoutes, { prefix: '/_mock' });
  await app.register(stateRoutes, { prefix: '/_mock' });
  await app.register(mockObserveRoutes, { prefix: '/_mock' });
  await app.register(uiRoutes, { prefix: '/_mock/ui' });

  return app as unknown as FastifyInstance;
}
