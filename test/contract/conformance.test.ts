import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { settledAt } from '../../src/domain/snapshot.js';
import { timelineOf } from '../../src/domain/timeline.js';
import type { MockEngine } from '../../src/engine.js';
import { buildApp } from '../../src/http/app.js';
import { TERMINAL_STATUSES } from '../../src/schemas/enums.js';
import type { GetMigrationResponse } from '../../src/schemas/migration.js';
import {
  REFERENCE_SPEC_PATH,
  referenceSpec,
  specComponentNames,
  validateAgainstSpec,
} from '../helpers/reference-spec.js';

/**
 * Schema conformance against Mixpeek's published OpenAPI document (the reference copy outside the repo),
 * through the real HTTP contract: `app.inject` on `buildApp({config})` with a virtual clock. Every body
 * the emulated API answers must validate against the spec's component for that response, formats checked.
 */

const MIGRATIONS = '/v1/namespaces/migrations';
const AUTH = { authorization: 'Bearer sk_test_x' };
const S = 1000;
/** Most GETs per scenario: the step widens for long scenarios (large_namespace, stuck_pending). */
const MAX_STEPS = 150;

let app: FastifyInstance;
let engine: MockEngine;

beforeAll(async () => {
  app = await buildApp({ config: loadConfig({ MOCK_CLOCK: 'virtual', LOG_LEVEL: 'silent' }) });
  await app.ready();
  engine = app.engine;
});
afterAll(async () => {
  await app?.close();
});

const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    headers: AUTH,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

/** The body of a response, checked against the spec component; the errors say which response. */
function expectConforms(res: LightMyRequestResponse, component: string, where: string): unknown {
  expect(res.headers['content-type'], where).toMatch(/^application\/json/);
  const body = res.json();
  expect(validateAgainstSpec(component, body), `${where}: ${res.body.slice(0, 300)}`).toEqual([]);
  return body;
}

/** Instants to poll: a regular grid from creation to past the end, plus each timeline event and 1 ms around it. */
function pollInstants(createdAt: number, end: number, events: readonly number[]): number[] {
  const span = end - createdAt + 5 * S;
  const step = Math.max(S, Math.ceil(span / MAX_STEPS));
  const out = new Set<number>();
  for (let t = createdAt; t <= createdAt + span; t += step) out.add(t);
  for (const e of events) for (const t of [e - 1, e, e + 1]) if (t >= createdAt) out.add(t);
  return [...out].sort((a, b) => a - b);
}

describe('conformance to the reference spec (GET polling through app.inject)', () => {
  it('when the reference document is loaded, then it is the shared OpenAPI 3.1 copy with the migration components', () => {
    expect(REFERENCE_SPEC_PATH).toMatch(/[/\\]shared[/\\]reference[/\\]mixpeek-openapi-migrations\.json$/);
    expect(referenceSpec.openapi).toMatch(/^3\.1\./);
    expect(specComponentNames()).toEqual(
      expect.arrayContaining([
        'GetMigrationResponse',
        'ListMigrationsResponse',
        'CreateMigrationResponse',
        'StartMigrationResponse',
        'CancelMigrationResponse',
        'ValidateMigrationResponse',
        'ErrorResponse',
        'ValidationError',
      ]),
    );
  });

  it('when the reference validator is given a body outside the spec, then it reports it (the check can fail)', () => {
    expect(validateAgainstSpec('GetMigrationResponse', { migration_id: 'mig_x' }).length).toBeGreaterThan(0);
    expect(
      validateAgainstSpec('CancelMigrationResponse', {
        migration_id: 'm',
        status: 'cancelled',
        cancelled_at: 'yesterday',
        message: '',
      }),
    ).toEqual([expect.stringContaining('date-time')]);
    expect(
      validateAgainstSpec('ValidationError', { error_code: 'X', message: 'm', severity: 'error' }).length,
    ).toBeGreaterThan(0);
    expect(() => validateAgainstSpec('NoSuchComponent', {})).toThrow(/no component/);
  });

  const scenarios = [
    're_extract_completes',
    'copy_completes',
    'extend_completes',
    'fails_batch_processing',
    'fails_cluster_execution',
    'validation_fails',
    'cancelled_mid_run',
    'dry_run',
    'stuck_pending',
    'large_namespace',
    'poll_driven',
    'flaky_polls',
  ];

  it('when the fixtures are listed, then every scenario is covered here', () => {
    expect([...engine.catalog.scenarios.keys()].sort()).toEqual([...scenarios].sort());
  });

  for (const name of scenarios) {
    it(`when ${name} is created and polled from creation to its end, then every GET answers a spec GetMigrationResponse`, async () => {
      const scenario = engine.scenario(name);
      const m = engine.create({ config: scenario.config, startImmediately: true, scenario: name });
      const id = m.plan.migrationId;
      const createdAt = m.plan.createdAt;
      const faultKinds = new Set(scenario.faults.map((f) => Number(f.kind)).filter((k) => !Number.isNaN(k)));
      let gets = 0;
      let faults = 0;
      const seen = new Set<string>();

      const get = async (where: string): Promise<GetMigrationResponse | null> => {
        gets++;
        const res = await inject('GET', `${MIGRATIONS}/${id}`);
        if (res.statusCode !== 200) {
          // Injected faults only (429/500/503 as the scenario declares them), in the error envelope.
          expect(faultKinds.has(res.statusCode), `${where}: unexpected ${res.statusCode} ${res.body}`).toBe(
            true,
          );
          expectConforms(res, 'ErrorResponse', where);
          faults++;
          return null;
        }
        const body = expectConforms(res, 'GetMigrationResponse', where) as GetMigrationResponse;
        expect(body.migration_id).toBe(id);
        seen.add(body.status);
        return body;
      };

      let last: GetMigrationResponse | null = null;
      if (scenario.advance === 'poll') {
        // Each GET moves the migration one step along its plan: poll until it settles (bounded).
        for (let i = 0; i < 200 && !(last && TERMINAL_STATUSES.has(last.status)); i++)
          last = (await get(`poll #${i + 1}`)) ?? last;
      } else {
        const end = settledAt(m.plan) ?? createdAt;
        const events = timelineOf(m.plan).map((e) => e.at);
        for (const t of pollInstants(createdAt, end, events)) {
          if (t > engine.now()) engine.setNow(t);
          last = (await get(`at +${t - createdAt} ms`)) ?? last;
        }
      }

      expect(gets).toBeGreaterThan(2);
      expect(faults).toBeLessThanOrEqual(scenario.faults.length);
      const expected: Record<string, string> = {
        completed: 'completed',
        failed: 'failed',
        cancelled: 'cancelled',
        validation_failed: 'draft',
        dry_run: 'draft',
        stuck_pending: 'in_progress', // the day-long queue ends; polled past it, the run goes on
      };
      if (scenario.outcome === 'stuck_pending') expect(seen.has('pending')).toBe(true);
      else expect(last?.status).toBe(expected[scenario.outcome]);
    });
  }
});

describe('conformance of the other responses (through app.inject)', () => {
  const config = {
    migration_type: 're_extract',
    source_namespace_id: 'ns_acme_media',
    feature_extractors: [{ feature_extractor_name: 'openai_text_embedding', version: 'v3' }],
  };

  it('when a migration is created (201), started (200) and cancelled (200), then each body is the spec response', async () => {
    const created = await inject('POST', `${MIGRATIONS}/`, { config });
    expect(created.statusCode).toBe(201);
    const c = expectConforms(created, 'CreateMigrationResponse', 'create') as {
      migration_id: string;
      status: string;
    };
    expect(c.status).toBe('draft');

    const started = await inject('POST', `${MIGRATIONS}/${c.migration_id}/start`, { force: true });
    expect(started.statusCode, started.body).toBe(200);
    expect(expectConforms(started, 'StartMigrationResponse', 'start')).toMatchObject({ status: 'pending' });

    const cancelled = await inject('POST', `${MIGRATIONS}/${c.migration_id}/cancel`, {
      reason: 'contract test',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(expectConforms(cancelled, 'CancelMigrationResponse', 'cancel')).toMatchObject({
      status: 'cancelled',
    });

    const got = await inject('GET', `${MIGRATIONS}/${c.migration_id}`);
    expect(expectConforms(got, 'GetMigrationResponse', 'get after cancel')).toMatchObject({
      status: 'cancelled',
    });
  });

  it('when a migration is created with start_immediately and with validation errors, then both create bodies are spec responses', async () => {
    const started = await inject('POST', `${MIGRATIONS}/`, { config, start_immediately: true });
    expect(started.statusCode).toBe(201);
    expectConforms(started, 'CreateMigrationResponse', 'create started');
    const invalid = await inject('POST', `${MIGRATIONS}/`, {
      config: {
        ...config,
        feature_extractors: [{ feature_extractor_name: 'clip_vit_giant' }],
        filters: { collection_ids: ['col_x'] },
      },
    });
    expect(invalid.statusCode).toBe(201);
    const body = expectConforms(invalid, 'CreateMigrationResponse', 'create invalid') as {
      validation_result: { valid: boolean; errors: unknown[] };
    };
    expect(body.validation_result.valid).toBe(false);
    expect(body.validation_result.errors.length).toBeGreaterThanOrEqual(2);
  });

  it('when migrations are listed (all, filtered, paged), then each body is a spec ListMigrationsResponse', async () => {
    for (const [where, payload] of [
      ['list all', { limit: 1000 }],
      ['list {}', {}],
      ['list by status', { status: 'draft' }],
      [
        'list by type and source',
        { migration_type: 'copy', source_namespace_id: 'ns_support_kb', limit: 2, offset: 1 },
      ],
    ] as const) {
      const res = await inject('POST', `${MIGRATIONS}/list`, payload);
      expect(res.statusCode, res.body).toBe(200);
      const body = expectConforms(res, 'ListMigrationsResponse', where) as {
        results: unknown[];
        total: number;
      };
      expect(body.results.length).toBeLessThanOrEqual(body.total);
    }
  });

  it('when configs are validated (valid with warnings, invalid, filtered), then each body is a spec ValidateMigrationResponse', async () => {
    for (const [where, cfg] of [
      ['valid re_extract', config],
      ['invalid', { ...config, source_namespace_id: 'ns_nowhere' }],
      [
        'filtered copy',
        {
          migration_type: 'copy',
          source_namespace_id: 'ns_acme_media',
          filters: { collection_ids: ['col_video_keyframes'], auto_include_dependencies: false },
        },
      ],
      ['large namespace', { migration_type: 'copy', source_namespace_id: 'ns_enterprise_archive' }],
    ] as const) {
      const res = await inject('POST', `${MIGRATIONS}/validate`, { config: cfg });
      expect(res.statusCode, res.body).toBe(200);
      expectConforms(res, 'ValidateMigrationResponse', where);
    }
  });

  it('when a migration does not exist or a start is refused, then the error body is the spec ErrorResponse', async () => {
    const missing = await inject('GET', `${MIGRATIONS}/mig_does_not_exist`);
    expect(missing.statusCode).toBe(404);
    expectConforms(missing, 'ErrorResponse', 'get missing');
    const refused = await inject('POST', `${MIGRATIONS}/mig_validation_fails/start`, {});
    expect(refused.statusCode).toBe(400);
    expectConforms(refused, 'ErrorResponse', 'start refused');
  });
});
