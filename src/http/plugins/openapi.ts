import { readFileSync } from 'node:fs';
import fastifySwagger, { type SwaggerTransform } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** package.json sits three levels up from both src/http/plugins/ and dist/http/plugins/. */
export const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const TAG_MIXPEEK = 'Namespace Migrations';
export const TAG_CONTROL = 'Mock control';

/** Infrastructure and UI routes that are not part of either API. */
const isHidden = (url: string) =>
  url === '/' || url === '/healthz' || url === '/openapi.json' || url === '/_mock/ui' || url.startsWith('/_mock/ui/');

/**
 * zod → JSON Schema (fastify-type-provider-zod), then the document's conventions: routes under /v1 are
 * tagged "Namespace Migrations" and need the bearer key; routes under /_mock are tagged "Mock control"
 * and need nothing; a route's own tags and security win.
 */
const transform: SwaggerTransform = (input) => {
  const { url } = input;
  if (isHidden(url)) return { schema: { hide: true }, url };
  const out = jsonSchemaTransform(input) as { schema: Record<string, unknown>; url: string };
  const schema = out.schema;
  if (schema.hide) return out;
  if (url.startsWith('/v1/')) {
    schema.tags ??= [TAG_MIXPEEK];
    schema.security ??= [{ bearerAuth: [] }];
  } else if (url.startsWith('/_mock/')) {
    schema.tags ??= [TAG_CONTROL];
    schema.security ??= [];
  }
  return out;
};

/** The OpenAPI 3.1 document built from the routes' zod schemas, served at /openapi.json, with Swagger UI at /docs. */
export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Mixpeek namespace migrations — mock',
          version: PACKAGE.version,
          description:
            "A stateful, deterministic mock of Mixpeek's namespace-migrations API. The routes tagged " +
            `"${TAG_MIXPEEK}" emulate Mixpeek; the routes tagged "${TAG_CONTROL}" steer the mock (clock, scenarios, journal).`,
        },
        tags: [
          { name: TAG_MIXPEEK, description: "Mixpeek's namespace-migrations endpoints, emulated." },
          { name: TAG_CONTROL, description: 'Mock-only endpoints under /_mock: not part of Mixpeek.' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description: "Mixpeek API key, e.g. 'sk_test_...'. The mock accepts any key starting with sk_ unless MOCK_API_KEYS is set.",
            },
          },
        },
      },
      transform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: true },
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
