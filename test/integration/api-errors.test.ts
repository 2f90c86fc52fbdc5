import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_HEADER, buildTestApp, MIGRATIONS } from '../helpers/mixpeek-client.js';
import { validateAgainstSpec } from '../helpers/reference-spec.js';

/**
 * Every error Mixpeek's migration endpoints answer, in the one envelope
 * `{success:false, status, error:{message, type, details}}` (app.inject): 400 state refusals, 422 request
 * validation in pydantic's shape, 401, 404, and the routing quirks of Mixpeek's FastAPI server.
 */

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

type Method = InjectOptions['method'];
interface Envelope {
  success: false;
  status: number;
  error: { message: string; type: string; details: Record<string, unknown> | null };
}

/** A request with the test key; `body` a value (sent as JSON) or a raw JSON string. */
async function call(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const raw = typeof body === 'string';
  return app.inject({
    method,
    url,
    headers: {
      authorization: AUTH_HEADER,
      ...(raw ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: raw ? body : (body as object) }),
  });
}
/** The envelope of an error response, checked against Mixpeek's ErrorResponse schema and its own status. */
function envelope(res: LightMyRequestResponse, status: number): Envelope {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json<Envelope>();
  expect(validateAgainstSpec('ErrorResponse', body)).toEqual([]);
  expect(Object.keys(body).sort()).toEqual(['error', 'status', 'success']);
  expect(Object.keys(body.error).sort()).toEqual(['details', 'message', 'type']);
  expect(body.success).toBe(false);
  expect(body.status).toBe(status);
  return body;
}
const advance = async (seconds: number) =>
  expect(
    (await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds } })).statusCode,
  ).toBe(200);
const total = async () => (await call('POST', `${MIGRATIONS}/list`, {})).json<{ total: number }>().total;

const COPY = { migration_type: 'copy', source_namespace_id: 'ns_support_kb' };
const RE_EXTRACT = {
  migration_type: 're_extract',
  source_namespace_id: 'ns_acme_media',
  feature_extractors: [{ feature_extractor_name: 'text_extractor', version: 'v2' }],
};

async function create(
  config: object,
  opts: { startImmediately?: boolean; prefer?: string } = {},
): Promise<string> {
  const res = await call(
    'POST',
    `${MIGRATIONS}/`,
    { config, start_immediately: opts.startImmediately ?? false },
    opts.prefer ? { prefer: opts.prefer } : {},
  );
  expect(res.statusCode).toBe(201);
  return res.json<{ migration_id: string }>().migration_id;
}
const statusOf = async (id: string) =>
  (await call('GET', `${MIGRATIONS}/${id}`)).json<{ status: string }>().status;

type State = 'draft' | 'validating' | 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';
/** A fresh migration in `state` at the current instant (a copy: no warnings). */
async function migrationIn(state: State): Promise<string> {
  if (state === 'validating') return create(COPY, { startImmediately: true });
  const id = await create(COPY, state === 'failed' ? { prefer: 'scenario=fails_batch_processing' } : {});
  if (state !== 'draft') expect((await call('POST', `${MIGRATIONS}/${id}/start`)).statusCode).toBe(200);
  if (state === 'draft' || state === 'pending') return id;
  await advance(4); // past the queue
  if (state === 'cancelled') expect((await call('POST', `${MIGRATIONS}/${id}/cancel`)).statusCode).toBe(200);
  if (state === 'completed' || state === 'failed') await advance(3600);
  expect(await statusOf(id)).toBe(state);
  return id;
}

describe('400 BadRequestError: start', () => {
  it.each(['validating', 'pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const)(
    'when the migration is %s (not draft), then start is refused with its status',
    async (state) => {
      const id = await migrationIn(state);
      const e = envelope(await call('POST', `${MIGRATIONS}/${id}/start`, { force: true }), 400);
      expect(e.error).toEqual({
        type: 'BadRequestError',
        message: `Migration '${id}' cannot be started: it is ${state} (only draft migrations can be started)`,
        details: { migration_id: id, status: state },
      });
      expect(await statusOf(id)).toBe(state);
    },
  );

  it('when the migration has validation errors, then start (even forced) is refused with the errors', async () => {
    const id = await create({ ...COPY, target_namespace_name: 'acme_media_v2' });
    const e = envelope(await call('POST', `${MIGRATIONS}/${id}/start`, { force: true }), 400);
    expect(e.error.type).toBe('BadRequestError');
    expect(e.error.message).toBe(
      `Migration '${id}' cannot be started: its configuration has 1 validation error(s)`,
    );
    expect(e.error.details).toEqual({
      migration_id: id,
      errors: [expect.objectContaining({ error_code: 'TARGET_NAMESPACE_NAME_TAKEN', severity: 'error' })],
    });
  });

  it('when the migration is a dry run, then start (even forced) is refused: it validates only', async () => {
    const id = await create({ ...COPY, dry_run: true });
    expect(await statusOf(id)).toBe('draft');
    const e = envelope(await call('POST', `${MIGRATIONS}/${id}/start`, { force: true }), 400);
    expect(e.error).toEqual({
      type: 'BadRequestError',
      message: `Migration '${id}' is a dry run: it validates only and cannot be started`,
      details: { migration_id: id },
    });
    expect(await statusOf(id)).toBe('draft');
  });

  it.each([
    ['no body', undefined],
    ['an empty body', {}],
    ['force: false', { force: false }],
  ])(
    'when the migration has warnings and start has %s, then it is refused with the warnings',
    async (_name, body) => {
      const id = await create(RE_EXTRACT);
      const e = envelope(await call('POST', `${MIGRATIONS}/${id}/start`, body), 400);
      expect(e.error.type).toBe('BadRequestError');
      expect(e.error.message).toBe(
        `Migration '${id}' has 1 validation warning(s); start it with {"force": true} to proceed`,
      );
      expect(e.error.details).toEqual({
        migration_id: id,
        warnings: [expect.objectContaining({ error_code: 'RE_EXTRACT_COST_WARNING', severity: 'warning' })],
      });
      expect(await statusOf(id)).toBe('draft');
      expect((await call('POST', `${MIGRATIONS}/${id}/start`, { force: true })).statusCode).toBe(200);
    },
  );
});

describe('400 BadRequestError: cancel', () => {
  it.each(['draft', 'completed', 'failed', 'cancelled'] as const)(
    'when the migration is %s, then cancel is refused with its status and nothing changes',
    async (state) => {
      const id = await migrationIn(state);
      const before = (await call('GET', `${MIGRATIONS}/${id}`)).json();
      const e = envelope(await call('POST', `${MIGRATIONS}/${id}/cancel`, { reason: 'too late' }), 400);
      expect(e.error).toEqual({
        type: 'BadRequestError',
        message: `Migration '${id}' cannot be cancelled: it is ${state} (only validating, pending or in_progress migrations can be cancelled)`,
        details: { migration_id: id, status: state },
      });
      expect((await call('GET', `${MIGRATIONS}/${id}`)).json()).toEqual(before);
    },
  );

  it.each(['validating', 'pending', 'in_progress'] as const)(
    'when the migration is %s, then cancel is accepted (control)',
    async (state) => {
      const id = await migrationIn(state);
      const res = await call('POST', `${MIGRATIONS}/${id}/cancel`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        migration_id: id,
        status: 'cancelled',
        message: 'Migration cancelled',
      });
      expect(validateAgainstSpec('CancelMigrationResponse', res.json())).toEqual([]);
    },
  );
});

describe('400 BadRequestError: delete', () => {
  it.each(['validating', 'pending', 'in_progress'] as const)(
    'when the migration is %s, then delete is refused',
    async (state) => {
      const id = await migrationIn(state);
      const e = envelope(await call('DELETE', `${MIGRATIONS}/${id}`), 400);
      expect(e.error).toEqual({
        type: 'BadRequestError',
        message: `Migration '${id}' cannot be deleted while ${state}: only draft, completed, failed or cancelled migrations can be deleted (cancel it first)`,
        details: { migration_id: id, status: state },
      });
      expect(await statusOf(id)).toBe(state);
    },
  );
});

describe('422 ValidationError', () => {
  const valid = { migration_type: 'copy', source_namespace_id: 'ns_acme_media' };
  type Case = [
    name: string,
    method: Method,
    url: string,
    body: unknown,
    errors: { type: string; location: (string | number)[]; message: string }[],
  ];
  const create = `${MIGRATIONS}/`;
  const list = `${MIGRATIONS}/list`;
  const CASES: Case[] = [
    [
      'create: config missing',
      'POST',
      create,
      { start_immediately: true },
      [{ type: 'missing', location: ['body', 'config'], message: 'Field required' }],
    ],
    [
      'create: no body at all',
      'POST',
      create,
      undefined,
      [{ type: 'missing', location: ['body'], message: 'Field required' }],
    ],
    [
      'create: migration_type missing',
      'POST',
      create,
      { config: { source_namespace_id: 'ns_acme_media' } },
      [{ type: 'missing', location: ['body', 'config', 'migration_type'], message: 'Field required' }],
    ],
    [
      'create: unknown migration_type',
      'POST',
      create,
      { config: { ...valid, migration_type: 'move' } },
      [
        {
          type: 'enum',
          location: ['body', 'config', 'migration_type'],
          message: "Input should be 're_extract', 'copy' or 'extend'",
        },
      ],
    ],
    [
      'create: source_namespace_id a number',
      'POST',
      create,
      { config: { ...valid, source_namespace_id: 42 } },
      [
        {
          type: 'string_type',
          location: ['body', 'config', 'source_namespace_id'],
          message: 'Input should be a valid string',
        },
      ],
    ],
    [
      'create: start_immediately a string',
      'POST',
      create,
      { config: valid, start_immediately: 'yes' },
      [
        {
          type: 'bool_type',
          location: ['body', 'start_immediately'],
          message: 'Input should be a valid boolean',
        },
      ],
    ],
    [
      'create: config a string',
      'POST',
      create,
      { config: 'copy' },
      [
        {
          type: 'model_type',
          location: ['body', 'config'],
          message: 'Input should be a valid dictionary or object to extract fields from',
        },
      ],
    ],
    [
      'create: collection_ids not a list',
      'POST',
      create,
      { config: { ...valid, filters: { collection_ids: 'col_product_images' } } },
      [
        {
          type: 'list_type',
          location: ['body', 'config', 'filters', 'collection_ids'],
          message: 'Input should be a valid list',
        },
      ],
    ],
    [
      'create: an extractor without its name',
      'POST',
      create,
      { config: { ...valid, feature_extractors: [{ version: 'v1' }] } },
      [
        {
          type: 'missing',
          location: ['body', 'config', 'feature_extractors', 0, 'feature_extractor_name'],
          message: 'Field required',
        },
      ],
    ],
    [
      'create: batch_size 0',
      'POST',
      create,
      { config: { ...valid, batch_options: { batch_size: 0 } } },
      [
        {
          type: 'greater_than_equal',
          location: ['body', 'config', 'batch_options', 'batch_size'],
          message: 'Input should be greater than or equal to 1',
        },
      ],
    ],
    [
      'create: batch_size 1001',
      'POST',
      create,
      { config: { ...valid, batch_options: { batch_size: 1001 } } },
      [
        {
          type: 'less_than_equal',
          location: ['body', 'config', 'batch_options', 'batch_size'],
          message: 'Input should be less than or equal to 1000',
        },
      ],
    ],
    [
      'create: batch_size 2.5',
      'POST',
      create,
      { config: { ...valid, batch_options: { batch_size: 2.5 } } },
      [
        {
          type: 'int_from_float',
          location: ['body', 'config', 'batch_options', 'batch_size'],
          message: 'Input should be a valid integer, got a number with a fractional part',
        },
      ],
    ],
    [
      'create: max_workers 51',
      'POST',
      create,
      { config: { ...valid, batch_options: { max_workers: 51 } } },
      [
        {
          type: 'less_than_equal',
          location: ['body', 'config', 'batch_options', 'max_workers'],
          message: 'Input should be less than or equal to 50',
        },
      ],
    ],
    [
      'create: several problems at once',
      'POST',
      create,
      { config: { migration_type: 'zzz', source_namespace_id: 3, batch_options: { batch_size: 0 } } },
      [
        {
          type: 'enum',
          location: ['body', 'config', 'migration_type'],
          message: "Input should be 're_extract', 'copy' or 'extend'",
        },
        {
          type: 'string_type',
          location: ['body', 'config', 'source_namespace_id'],
          message: 'Input should be a valid string',
        },
        {
          type: 'greater_than_equal',
          location: ['body', 'config', 'batch_options', 'batch_size'],
          message: 'Input should be greater than or equal to 1',
        },
      ],
    ],
    [
      'validate: config missing',
      'POST',
      `${MIGRATIONS}/validate`,
      {},
      [{ type: 'missing', location: ['body', 'config'], message: 'Field required' }],
    ],
    [
      'validate: unknown migration_type',
      'POST',
      `${MIGRATIONS}/validate`,
      { config: { ...valid, migration_type: 'RE_EXTRACT' } },
      [
        {
          type: 'enum',
          location: ['body', 'config', 'migration_type'],
          message: "Input should be 're_extract', 'copy' or 'extend'",
        },
      ],
    ],
    [
      'list: unknown status',
      'POST',
      list,
      { status: 'running' },
      [
        {
          type: 'enum',
          location: ['body', 'status'],
          message:
            "Input should be 'draft', 'validating', 'pending', 'in_progress', 'completed', 'failed' or 'cancelled'",
        },
      ],
    ],
    [
      'list: limit 0',
      'POST',
      list,
      { limit: 0 },
      [
        {
          type: 'greater_than_equal',
          location: ['body', 'limit'],
          message: 'Input should be greater than or equal to 1',
        },
      ],
    ],
    [
      'list: limit 1001',
      'POST',
      list,
      { limit: 1001 },
      [
        {
          type: 'less_than_equal',
          location: ['body', 'limit'],
          message: 'Input should be less than or equal to 1000',
        },
      ],
    ],
    [
      'list: offset -1',
      'POST',
      list,
      { offset: -1 },
      [
        {
          type: 'greater_than_equal',
          location: ['body', 'offset'],
          message: 'Input should be greater than or equal to 0',
        },
      ],
    ],
    [
      'list: limit a string',
      'POST',
      list,
      { limit: '20' },
      [{ type: 'int_type', location: ['body', 'limit'], message: 'Input should be a valid integer' }],
    ],
    [
      'start: force a string',
      'POST',
      `${MIGRATIONS}/mig_reextract_completes/start`,
      { force: 'yes' },
      [{ type: 'bool_type', location: ['body', 'force'], message: 'Input should be a valid boolean' }],
    ],
    [
      'cancel: reason a number',
      'POST',
      `${MIGRATIONS}/mig_reextract_completes/cancel`,
      { reason: 5 },
      [{ type: 'string_type', location: ['body', 'reason'], message: 'Input should be a valid string' }],
    ],
    [
      'create: malformed JSON',
      'POST',
      create,
      '{"config": ',
      [{ type: 'json_invalid', location: ['body', 11], message: 'JSON decode error' }],
    ],
    [
      'list: malformed JSON',
      'POST',
      list,
      '{bad',
      [{ type: 'json_invalid', location: ['body', 1], message: 'JSON decode error' }],
    ],
    [
      'validate: malformed JSON',
      'POST',
      `${MIGRATIONS}/validate`,
      '{"config": {}',
      [{ type: 'json_invalid', location: ['body', 13], message: 'JSON decode error' }],
    ],
    [
      'start: malformed JSON',
      'POST',
      `${MIGRATIONS}/mig_reextract_completes/start`,
      '{"force": tru}',
      [{ type: 'json_invalid', location: ['body', 10], message: 'JSON decode error' }],
    ],
  ];

  it.each(CASES)(
    'when %s, then 422 with exactly these validation_errors and nothing stored',
    async (_name, method, url, body, errors) => {
      const before = await total();
      const e = envelope(await call(method, url, body), 422);
      expect(e.error.type).toBe('ValidationError');
      expect(e.error.details).toEqual({ validation_errors: errors });
      const first = errors[0]!;
      const expectedMessage =
        first.type === 'json_invalid'
          ? 'Request validation failed'
          : `Request validation failed: ${first.location.join('.')}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`;
      expect(e.error.message).toBe(expectedMessage);
      expect(await total()).toBe(before);
    },
  );
});

describe('401 UnauthorizedError', () => {
  const ENDPOINTS: [Method, string, unknown][] = [
    ['POST', `${MIGRATIONS}/`, { config: COPY }],
    ['POST', `${MIGRATIONS}/list`, {}],
    ['POST', `${MIGRATIONS}/validate`, { config: COPY }],
    ['GET', `${MIGRATIONS}/mig_reextract_completes`, undefined],
    ['DELETE', `${MIGRATIONS}/mig_dry_run`, undefined],
    ['POST', `${MIGRATIONS}/mig_reextract_completes/start`, { force: true }],
    ['POST', `${MIGRATIONS}/mig_reextract_completes/cancel`, {}],
  ];
  const MISSING = "Missing Authorization header. Use 'Authorization: Bearer sk_...'";
  const MALFORMED = "Invalid Authorization header format. Use 'Authorization: Bearer sk_...'";

  it.each(ENDPOINTS)(
    'when %s %s has no Authorization header, then 401 with a Bearer challenge',
    async (method, url, body) => {
      const res = await app.inject({
        method,
        url,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      const e = envelope(res, 401);
      expect(e.error).toEqual({ type: 'UnauthorizedError', message: MISSING, details: null });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    },
  );

  it.each([
    ['Basic c2tfdGVzdDp4', MALFORMED],
    ['Bearer', MALFORMED],
    ['Bearer sk_a sk_b', MALFORMED],
    ['sk_test_e2e', MALFORMED],
    ['Bearer pk_live_abc', 'Invalid API key'],
    ['Bearer sk_', 'Invalid API key'],
  ])(
    'when the Authorization header is %j, then 401 "%s" and the key is never echoed',
    async (authorization, message) => {
      const res = await app.inject({
        method: 'GET',
        url: `${MIGRATIONS}/mig_reextract_completes`,
        headers: { authorization },
      });
      const e = envelope(res, 401);
      expect(e.error).toEqual({ type: 'UnauthorizedError', message, details: null });
      expect(res.body).not.toContain('c2tfdGVzdDp4');
      expect(res.body).not.toContain('pk_live_abc');
    },
  );

  it('when the key is missing on a path that does not exist, then 401 comes first (authentication before routing)', async () => {
    envelope(await app.inject({ method: 'GET', url: '/v1/namespaces/nothing/here' }), 401);
  });
});

describe('404 NotFoundError', () => {
  it.each([
    ['GET', `${MIGRATIONS}/mig_does_not_exist`, undefined],
    ['DELETE', `${MIGRATIONS}/mig_does_not_exist`, undefined],
    ['POST', `${MIGRATIONS}/mig_does_not_exist/start`, { force: true }],
    ['POST', `${MIGRATIONS}/mig_does_not_exist/cancel`, { reason: 'x' }],
  ] as [Method, string, unknown][])(
    'when %s %s names an unknown id, then 404 with details {resource, id}',
    async (method, url, body) => {
      const e = envelope(await call(method, url, body), 404);
      expect(e.error).toEqual({
        type: 'NotFoundError',
        message: 'Migration not found',
        details: { resource: 'migration', id: 'mig_does_not_exist' },
      });
    },
  );
});

describe('routing quirks of the real server', () => {
  it.each(['list', 'validate'])(
    'when GET /v1/namespaces/migrations/%s, then the segment is taken as a migration id: 404',
    async (segment) => {
      const e = envelope(await call('GET', `${MIGRATIONS}/${segment}`), 404);
      expect(e.error).toEqual({
        type: 'NotFoundError',
        message: 'Migration not found',
        details: { resource: 'migration', id: segment },
      });
    },
  );

  it('when POST /v1/namespaces/migrations has no trailing slash, then 405 pointing at the trailing slash, and nothing is created', async () => {
    const before = await total();
    const res = await call('POST', MIGRATIONS, { config: COPY, start_immediately: true });
    const e = envelope(res, 405);
    expect(e.error.type).toBe('MethodNotAllowedError');
    expect(e.error.message).toBe(
      'Use POST /v1/namespaces/migrations/ (with a trailing slash) to create a migration',
    );
    expect(e.error.details).toMatchObject({ method: 'POST', path: MIGRATIONS });
    expect(await total()).toBe(before);
  });

  it.each(['GET', 'DELETE'] as const)(
    'when %s /v1/namespaces/migrations/ (no id), then 405 with Allow: POST',
    async (method) => {
      const res = await call(method, `${MIGRATIONS}/`);
      const e = envelope(res, 405);
      expect(e.error.type).toBe('MethodNotAllowedError');
      expect(res.headers.allow).toBe('POST');
    },
  );

  it.each([
    ['a JSON body', { force: true, reason: 'ignored' }],
    ['a malformed JSON body', '{"force": '],
  ])('when a GET carries %s, then it is ignored', async (_name, body) => {
    const id = await create(COPY);
    const plain = await call('GET', `${MIGRATIONS}/${id}`);
    const withBody = await call('GET', `${MIGRATIONS}/${id}`, body);
    expect(withBody.statusCode).toBe(200);
    expect(withBody.json()).toEqual(plain.json());
  });

  it.each([
    ['a JSON body', { force: true, reason: 'ignored' }],
    ['a malformed JSON body', '{"force": '],
  ])('when a DELETE carries %s, then it is ignored: 204, empty body', async (_name, body) => {
    const id = await create(COPY);
    const res = await call('DELETE', `${MIGRATIONS}/${id}`, body);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await call('GET', `${MIGRATIONS}/${id}`)).statusCode).toBe(404);
  });
});
