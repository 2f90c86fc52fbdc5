import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fastifySwagger, { type SwaggerTransform, type SwaggerTransformObject } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** package.json sits three levels up from both src/http/plugins/ and dist/http/plugins/. */
export const PACKAGE = JSON.parse(
  readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
) as {
  name: string;
  version: string;
};

export const TAG_MIXPEEK = 'Namespace Migrations';
export const TAG_CONTROL = 'Mock control';

/** Infrastructure and UI routes that are not part of either API. */
const isHidden = (url: string) =>
  url === '/' ||
  url === '/healthz' ||
  url === '/openapi.json' ||
  url === '/_mock/ui' ||
  url.startsWith('/_mock/ui/');

// fastify-type-provider-zod names the input variant of a schema `${id}Input`, which collides with a schema
// whose own id ends in "Input" (MigrationConfigInput vs the input side of MigrationConfig). It reads a view
// of zod's global registry in which every id carries a private marker; `tidyComponents` then keeps the
// components the document uses, under their own ids. (The registry's `_map`/`_idmap` are zod internals that
// fastify-type-provider-zod relies on too.)
const MARK = '__';
type Meta = { id?: string | undefined; [key: string]: unknown };

function markedRegistry(): z.core.$ZodRegistry<Meta> {
  const base = z.globalRegistry as unknown as z.core.$ZodRegistry<Meta>;
  const registry = new z.core.$ZodRegistry<Meta>();
  const own = registry._map;
  // Metadata without an id (descriptions of members) is read through to the global registry.
  registry._map = Object.assign(Object.create(WeakMap.prototype) as WeakMap<z.core.$ZodType, Meta>, {
    get: (k: z.core.$ZodType) => own.get(k) ?? base._map.get(k),
    has: (k: z.core.$ZodType) => own.has(k) || base._map.has(k),
    set(k: z.core.$ZodType, v: Meta) {
      own.set(k, v);
      return this;
    },
    delete: (k: z.core.$ZodType) => own.delete(k),
  });
  for (const [id, schema] of base._idmap)
    registry.add(schema, { ...base._map.get(schema), id: `${id}${MARK}` });
  return registry;
}

type Json = unknown;
const REF_PREFIX = '#/components/schemas/';

function collectRefs(value: Json, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectRefs(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX))
        out.add(v.slice(REF_PREFIX.length));
      else collectRefs(v, out);
    }
  }
}

function rewriteRefs(value: Json, rename: (name: string) => string): Json {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, rename));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)
        ? REF_PREFIX + rename(v.slice(REF_PREFIX.length))
        : rewriteRefs(v, rename),
    ]),
  );
}

/**
 * Keeps only the components reachable from the paths and names them by their schema id. The input and
 * output variants of one schema become one component when they are identical (no defaults or transforms
 * in between); otherwise the input variant is named `${id}Input`. Pure.
 */
export function tidyComponents<
  T extends { paths?: unknown; components?: { schemas?: Record<string, Json> } },
>(doc: T): T {
  const schemas = doc.components?.schemas ?? {};
  const reachable = new Set<string>();
  const queue = new Set<string>();
  collectRefs(doc.paths, queue);
  for (const name of queue) {
    if (reachable.has(name) || !(name in schemas)) continue;
    reachable.add(name);
    collectRefs(schemas[name], queue); // a Set iterates over members added while iterating
  }
  const parse = (name: string) => {
    const m = /^(.*)__(Input)?$/.exec(name);
    return m ? { id: m[1]!, input: m[2] !== undefined } : undefined;
  };
  // Variants are merged when equal up to the variant of what they reference; unmerge to a fixpoint.
  const merged = new Set<string>();
  const normal = (name: string) => (parse(name) ? `${parse(name)!.id}${MARK}` : name);
  for (const name of reachable) {
    const p = parse(name);
    if (!p || p.input || !reachable.has(`${p.id}${MARK}Input`)) continue;
    if (
      isDeepStrictEqual(
        rewriteRefs(schemas[name], normal),
        rewriteRefs(schemas[`${p.id}${MARK}Input`], normal),
      )
    ) {
      merged.add(p.id);
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of merged) {
      const refs = new Set<string>();
      collectRefs(schemas[`${id}${MARK}`], refs);
      collectRefs(schemas[`${id}${MARK}Input`], refs);
      const split = [...refs].some((r) => {
        const q = parse(r);
        return (
          q !== undefined &&
          reachable.has(`${q.id}${MARK}`) &&
          reachable.has(`${q.id}${MARK}Input`) &&
          !merged.has(q.id)
        );
      });
      if (split) {
        merged.delete(id);
        changed = true;
      }
    }
  }
  const taken = new Set<string>();
  const names = new Map<string, string>();
  for (const name of [...reachable].sort()) {
    const p = parse(name);
    if (!p) {
      names.set(name, name);
      taken.add(name);
      continue;
    }
    const both = reachable.has(`${p.id}${MARK}`) && reachable.has(`${p.id}${MARK}Input`);
    let final = p.input && both && !merged.has(p.id) ? `${p.id}Input` : p.id;
    if (!(p.input && both && merged.has(p.id))) {
      while (taken.has(final)) final = `${final}_`;
      taken.add(final);
    }
    names.set(name, final);
  }
  const rename = (name: string) => names.get(name) ?? name;
  const tidy: Record<string, Json> = {};
  for (const name of [...reachable].sort()) {
    const final = rename(name);
    if (!(final in tidy)) tidy[final] = rewriteRefs(schemas[name], rename);
  }
  return {
    ...doc,
    paths: rewriteRefs(doc.paths, rename),
    components: { ...doc.components, schemas: tidy },
  };
}

/** The OpenAPI 3.1 document built from the routes' zod schemas, served at /openapi.json, with Swagger UI at /docs. */
export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    // Built on first use, once every module has registered its schemas.
    let zodTransform: SwaggerTransform | undefined;
    let zodTransformObject: SwaggerTransformObject | undefined;
    const ensure = () => {
      if (!zodTransform || !zodTransformObject) {
        const schemaRegistry = markedRegistry();
        zodTransform = createJsonSchemaTransform({ schemaRegistry, skipList: [] }) as SwaggerTransform;
        zodTransformObject = createJsonSchemaTransformObject({ schemaRegistry });
      }
      return { zodTransform, zodTransformObject };
    };

    /**
     * zod → JSON Schema, then the document's conventions: routes under /v1 are tagged "Namespace
     * Migrations" and need the bearer key; routes under /_mock are tagged "Mock control" and need
     * nothing; a route's own tags and security win.
     */
    const transform: SwaggerTransform = (input) => {
      const { url } = input;
      if (isHidden(url)) return { schema: { hide: true }, url };
      const out = ensure().zodTransform(input) as { schema?: Record<string, unknown>; url: string };
      const schema = out.schema ?? {}; // a route declared without any schema
      if (schema.hide) return { schema, url: out.url };
      if (url.startsWith('/v1/')) {
        schema.tags ??= [TAG_MIXPEEK];
        schema.security ??= [{ bearerAuth: [] }];
      } else if (url.startsWith('/_mock/')) {
        schema.tags ??= [TAG_CONTROL];
        schema.security ??= [];
      }
      return { schema, url: out.url };
    };
    const transformObject: SwaggerTransformObject = (input) =>
      tidyComponents(
        ensure().zodTransformObject(input) as Parameters<typeof tidyComponents>[0],
      ) as ReturnType<SwaggerTransformObject>;

    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Mixpeek namespace migrations — mock',
          version: PACKAGE.version,
          description:
            "A stateful, deterministic mock of Mixpeek's namespace-migrations API. The routes tagged " +
            `"${TAG_MIXPEEK}" emulate Mixpeek; the routes tagged "${TAG_CONTROL}" steer the mock and are not part of Mixpeek.`,
        },
        tags: [
          { name: TAG_MIXPEEK, description: "Mixpeek's namespace-migrations endpoints, emulated." },
          {
            name: TAG_CONTROL,
            description: 'Mock-only endpoints under /_mock (clock, scenarios, journal): not part of Mixpeek.',
          },
        ],
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description:
                "Mixpeek API key, e.g. 'sk_test_...'. The mock accepts any key starting with sk_ unless MOCK_API_KEYS is set.",
            },
          },
        },
      },
      transform,
      transformObject,
    });
    await app.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: true },
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
