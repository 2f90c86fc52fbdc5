import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { tidyComponents } from '../../src/http/plugins/openapi.js';
import { CreateMigrationRequestSchema } from '../../src/schemas/api.js';

const AUTH = { authorization: 'Bearer sk_test_infra' };
const ThingSchema = z.object({ id: z.string(), count: z.int() });

/** The app as the server builds it, plus test-only routes that exercise the infrastructure. */
async function appWith(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ...env }) });
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/v1/test-echo', { schema: { body: CreateMigrationRequestSchema } }, async (req) => req.body);
  typed.get('/v1/test-things/:id', async () => ({ ok: true }));
  typed.delete('/v1/test-things/:id', async () => ({ ok: true }));
  typed.get('/v1/test-boom', async () => {
    throw new Error('database password is hunter2');
  });
  typed.get('/v1/test-busy', async () => {
    throw Object.assign(new Error('Slow down'), { statusCode: 429 });
  });
  typed.get(
    '/v1/test-shape',
    { schema: { response: { 200: ThingSchema } } },
    async () => ({ id: 't_1', count: 'many', secret: 'x' }) as unknown as z.infer<typeof ThingSchema>,
  );
  typed.get(
    '/v1/test-extra',
    { schema: { response: { 200: ThingSchema } } },
    async () => ({ id: 't_1', count: 3, internal: 'x' }) as z.infer<typeof ThingSchema>,
  );
  await app.ready();
  return app;
}

const envelopeOf = (body: string) =>
  JSON.parse(body) as {
    success: boolean;
    status: number;
    error: { message: string; type: string; details: Record<string, unknown> | null };
  };

let app: FastifyInstance;
beforeAll(async () => {
  app = await appWith();
});
afterAll(async () => {
  await app.close();
});

describe('GET /healthz', () => {
  it('when fixtures are loaded, then 200 {status: ok} without a key', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /', () => {
  it('when asked, then it indexes the docs, the OpenAPI document, the dashboard and the health check', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      name: 'mixpeek-migrations-mock',
      docs: '/docs',
      openapi: '/openapi.json',
      dashboard: '/_mock/ui',
      health: '/healthz',
    });
  });
});

describe('authentication of /v1', () => {
  it('when the Authorization header is missing, then 401 UnauthorizedError in the envelope', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/test-things/x' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({
      success: false,
      status: 401,
      error: {
        message: "Missing Authorization header. Use 'Authorization: Bearer sk_...'",
        type: 'UnauthorizedError',
        details: null,
      },
    });
  });

  it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], ['Bearer '], ['sk_test_abc'], ['Bearer a b']])(
    'when the header is %j, then 401 "Invalid Authorization header format"',
    async (authorization) => {
      const res = await app.inject({ method: 'GET', url: '/v1/test-things/x', headers: { authorization } });
      expect(res.statusCode).toBe(401);
      expect(envelopeOf(res.body).error.message).toMatch(/^Invalid Authorization header format/);
    },
  );

  it('when the key does not start with sk_, then 401 "Invalid API key" without echoing the key', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/test-things/x',
      headers: { authorization: 'Bearer pk_live_leaky' },
    });
    expect(res.statusCode).toBe(401);
    expect(envelopeOf(res.body).error).toEqual({
      message: 'Invalid API key',
      type: 'UnauthorizedError',
      details: null,
    });
    expect(res.body).not.toContain('leaky');
  });

  it('when the scheme is spelled in lower case, then the key is accepted', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/test-things/x',
      headers: { authorization: 'bearer sk_x' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('when MOCK_API_KEYS is set, then only those keys are accepted', async () => {
    const strict = await appWith({ MOCK_API_KEYS: 'sk_live_good' });
    try {
      const bad = await strict.inject({
        method: 'GET',
        url: '/v1/test-things/x',
        headers: { authorization: 'Bearer sk_live_other' },
      });
      expect(bad.statusCode).toBe(401);
      expect(envelopeOf(bad.body).error.message).toBe('Invalid API key');
      expect(bad.body).not.toContain('sk_live_other');
      const good = await strict.inject({
        method: 'GET',
        url: '/v1/test-things/x',
        headers: { authorization: 'Bearer sk_live_good' },
      });
      expect(good.statusCode).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('when a path is outside /v1, then no key is needed', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
  });

  it('when a browser sends a CORS preflight, then 204 with the CORS headers and no key', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/test-things/x',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers['access-control-allow-headers']).toBe('authorization');
  });
});

describe('CORS', () => {
  it('when MOCK_CORS_ORIGINS lists origins, then only those origins are echoed', async () => {
    const cors = await appWith({ MOCK_CORS_ORIGINS: 'http://allowed.test' });
    try {
      const allowed = await cors.inject({
        method: 'GET',
        url: '/healthz',
        headers: { origin: 'http://allowed.test' },
      });
      expect(allowed.headers['access-control-allow-origin']).toBe('http://allowed.test');
      expect(allowed.headers.vary).toContain('Origin');
      const other = await cors.inject({
        method: 'GET',
        url: '/healthz',
        headers: { origin: 'http://other.test' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await cors.close();
    }
  });
});

describe('unknown routes', () => {
  it('when no route has the path, then 404 NotFoundError with the path in details', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing/here?x=1', headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      success: false,
      status: 404,
      error: {
        message: 'No route matches GET /v1/nothing/here',
        type: 'NotFoundError',
        details: { path: '/v1/nothing/here' },
      },
    });
  });

  it('when the path exists under other methods, then 405 MethodNotAllowedError with an Allow header', async () => {
    const res = await app.inject({ method: 'PUT', url: '/v1/test-things/t_1', headers: AUTH });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('DELETE, GET, HEAD');
    expect(res.json()).toEqual({
      success: false,
      status: 405,
      error: {
        message: 'Method PUT not allowed on /v1/test-things/t_1',
        type: 'MethodNotAllowedError',
        details: { method: 'PUT', allowed: ['DELETE', 'GET', 'HEAD'] },
      },
    });
  });

  it('when the create path is asked with GET, then 405 with Allow: POST', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/namespaces/migrations/', headers: AUTH });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });

  it('when POST /v1/namespaces/migrations has no key, then 401 comes first', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/namespaces/migrations', payload: {} });
    expect(res.statusCode).toBe(401);
  });

  it('when POST /v1/namespaces/migrations has no trailing slash, then 405 pointing at the trailing slash', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/namespaces/migrations',
      headers: AUTH,
      payload: { config: { migration_type: 'copy', source_namespace_id: 'ns_x' } },
    });
    expect(res.statusCode).toBe(405);
    expect(res.headers).toHaveProperty('allow');
    const body = envelopeOf(res.body);
    expect(body.error.type).toBe('MethodNotAllowedError');
    expect(body.error.message).toBe(
      'Use POST /v1/namespaces/migrations/ (with a trailing slash) to create a migration',
    );
  });
});

describe('request bodies', () => {
  it('when the JSON is malformed, then 422 json_invalid at ["body", offset]', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/test-echo',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{"config": }',
    });
    expect(res.statusCode).toBe(422);
    const body = envelopeOf(res.body);
    expect(body.error.type).toBe('ValidationError');
    expect(body.error.details).toEqual({
      validation_errors: [{ type: 'json_invalid', location: ['body', 11], message: 'JSON decode error' }],
    });
  });

  it('when the body is empty on a route that requires one, then 422 missing at ["body"]', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/test-echo',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode).toBe(422);
    expect(envelopeOf(res.body).error.details).toEqual({
      validation_errors: [{ type: 'missing', location: ['body'], message: 'Field required' }],
    });
  });

  it('when the body breaks the schema, then 422 ValidationError with pydantic-style validation_errors', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/test-echo',
      headers: AUTH,
      payload: { config: { migration_type: 'move', batch_options: { batch_size: 5000 } } },
    });
    expect(res.statusCode).toBe(422);
    const body = envelopeOf(res.body);
    expect(body).toMatchObject({ success: false, status: 422, error: { type: 'ValidationError' } });
    expect(body.error.message).toBe(
      "Request validation failed: body.config.migration_type: Input should be 're_extract', 'copy' or 'extend' (and 2 more)",
    );
    expect(body.error.details?.validation_errors).toEqual([
      {
        type: 'enum',
        location: ['body', 'config', 'migration_type'],
        message: "Input should be 're_extract', 'copy' or 'extend'",
      },
      { type: 'missing', location: ['body', 'config', 'source_namespace_id'], message: 'Field required' },
      {
        type: 'less_than_equal',
        location: ['body', 'config', 'batch_options', 'batch_size'],
        message: 'Input should be less than or equal to 1000',
      },
    ]);
  });

  it('when the content type is not JSON, then 415 UnsupportedMediaTypeError in the envelope', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/test-echo',
      headers: { ...AUTH, 'content-type': 'application/xml' },
      payload: '<config/>',
    });
    expect(res.statusCode).toBe(415);
    expect(envelopeOf(res.body)).toMatchObject({
      success: false,
      status: 415,
      error: { type: 'UnsupportedMediaTypeError' },
    });
  });

  it('when the body is larger than MOCK_BODY_LIMIT_BYTES, then 413 in the envelope', async () => {
    const small = await appWith({ MOCK_BODY_LIMIT_BYTES: '64' });
    try {
      const res = await small.inject({
        method: 'POST',
        url: '/v1/test-echo',
        headers: AUTH,
        payload: { config: { migration_type: 'copy', source_namespace_id: 'x'.repeat(100) } },
      });
      expect(res.statusCode).toBe(413);
      expect(envelopeOf(res.body)).toMatchObject({
        status: 413,
        error: { type: 'PayloadTooLargeError', message: 'Request body is larger than 64 bytes' },
      });
    } finally {
      await small.close();
    }
  });
});

describe('other errors', () => {
  it('when a handler throws, then 500 InternalServerError with a generic message and no stack', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/test-boom', headers: AUTH });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      success: false,
      status: 500,
      error: { message: 'Internal server error', type: 'InternalServerError', details: null },
    });
    expect(res.body).not.toContain('hunter2');
  });

  it('when an error carries a 4xx status, then that status and its type are sent', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/test-busy', headers: AUTH });
    expect(res.statusCode).toBe(429);
    expect(envelopeOf(res.body).error).toEqual({
      message: 'Slow down',
      type: 'TooManyRequestsError',
      details: null,
    });
  });
});

describe('response serialisation', () => {
  it('when responses are not validated, then members outside the schema are dropped', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/test-extra', headers: AUTH });
    expect(res.json()).toEqual({ id: 't_1', count: 3 });
  });

  it('when MOCK_VALIDATE_RESPONSES=true and a response breaks its schema, then 500 naming the mismatch', async () => {
    const strict = await appWith({ MOCK_VALIDATE_RESPONSES: 'true' });
    try {
      const res = await strict.inject({ method: 'GET', url: '/v1/test-shape', headers: AUTH });
      expect(res.statusCode).toBe(500);
      const body = envelopeOf(res.body);
      expect(body.error.message).toBe('Response does not match its schema');
      expect(body.error.details?.issues).toEqual([expect.objectContaining({ path: ['count'] })]);
    } finally {
      await strict.close();
    }
  });
});

describe('GET /openapi.json', () => {
  type Doc = {
    openapi: string;
    info: { title: string; version: string };
    tags: { name: string }[];
    paths: Record<string, Record<string, { tags?: string[]; security?: unknown[] }>>;
    components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  };
  let doc: Doc;
  beforeAll(async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });

  it('when served, then it is OpenAPI 3.1 with the mock title, bearer security and both tags', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Mixpeek namespace migrations — mock');
    expect(doc.tags.map((t) => t.name)).toEqual(['Namespace Migrations', 'Mock control']);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('when routes are under /_mock, then they are tagged "Mock control" apart from the emulated API', () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const op of Object.values(operations)) {
        if (path.startsWith('/_mock/')) expect(op.tags, path).toEqual(['Mock control']);
        if (path.startsWith('/v1/')) {
          expect(op.tags, path).toEqual(['Namespace Migrations']);
          expect(op.security, path).toEqual([{ bearerAuth: [] }]);
        }
      }
    }
  });

  it('when infrastructure routes exist, then they are hidden from the document', () => {
    for (const hidden of ['/', '/healthz', '/openapi.json', '/_mock/ui'])
      expect(doc.paths).not.toHaveProperty(hidden);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/docs'))).toEqual([]);
  });

  it('when a schema has an id, then it is a component named by that id', () => {
    expect(doc.paths['/v1/test-echo']?.post).toBeDefined();
    expect(JSON.stringify(doc.paths['/v1/test-echo'])).toContain(
      '#/components/schemas/CreateMigrationRequest"',
    );
    expect(doc.components.schemas).toHaveProperty('CreateMigrationRequest');
    expect(doc.components.schemas).toHaveProperty('MigrationConfigInput');
    expect(Object.keys(doc.components.schemas).filter((k) => k.includes('__'))).toEqual([]);
  });
});

describe('GET /docs', () => {
  it('when opened, then Swagger UI answers', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});

describe('tidyComponents', () => {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  it('when input and output variants are equal, then one component keeps the id; unused ones are dropped', () => {
    const doc = tidyComponents({
      paths: { '/a': { post: { requestBody: ref('Thing__Input'), responses: { 200: ref('Thing__') } } } },
      components: {
        schemas: {
          Thing__: { type: 'object', properties: { kind: ref('Kind__') } },
          Thing__Input: { type: 'object', properties: { kind: ref('Kind__Input') } },
          Kind__: { enum: ['a', 'b'] },
          Kind__Input: { enum: ['a', 'b'] },
          Unused__: { type: 'string' },
          Unused__Input: { type: 'string' },
        },
      },
    });
    expect(doc.paths).toEqual({
      '/a': { post: { requestBody: ref('Thing'), responses: { 200: ref('Thing') } } },
    });
    expect(doc.components?.schemas).toEqual({
      Kind: { enum: ['a', 'b'] },
      Thing: { type: 'object', properties: { kind: ref('Kind') } },
    });
  });

  it('when the variants differ only in what they reference, and those differ, then both are kept apart', () => {
    const doc = tidyComponents({
      paths: { '/a': { post: { requestBody: ref('Thing__Input'), responses: { 200: ref('Thing__') } } } },
      components: {
        schemas: {
          Thing__: { properties: { opts: ref('Opts__') } },
          Thing__Input: { properties: { opts: ref('Opts__Input') } },
          Opts__: { required: ['size'] },
          Opts__Input: { required: [] },
        },
      },
    });
    expect(doc.components?.schemas).toEqual({
      Opts: { required: ['size'] },
      OptsInput: { required: [] },
      Thing: { properties: { opts: ref('Opts') } },
      ThingInput: { properties: { opts: ref('OptsInput') } },
    });
  });

  it('when the variants differ, then the input one is named <id>Input, and a real id ending in Input keeps its name', () => {
    const doc = tidyComponents({
      paths: {
        '/a': {
          post: { requestBody: ref('Req__Input'), responses: { 200: ref('Req__'), 201: ref('Cfg__') } },
        },
        '/b': { post: { requestBody: ref('CfgInput__Input') } },
      },
      components: {
        schemas: {
          Req__: { required: ['n'] },
          Req__Input: { required: [] },
          Cfg__: { type: 'object' },
          CfgInput__Input: { type: 'object', title: 'sent' },
        },
      },
    });
    expect(Object.keys(doc.components?.schemas ?? {}).sort()).toEqual(['Cfg', 'CfgInput', 'Req', 'ReqInput']);
    expect(doc.paths).toMatchObject({ '/b': { post: { requestBody: ref('CfgInput') } } });
  });
});
