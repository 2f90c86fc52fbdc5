import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AUTH_HEADER,
  codesOf,
  createMixpeekClient,
  type Envelope,
  type GetMigration,
  type MigrationConfig,
  type MigrationStatus,
  type MixpeekClient,
  type MockServer,
  type Schemas,
  startMockServer,
} from '../helpers/mixpeek-client.js';

/**
 * End to end over a real socket, through the client generated from Mixpeek's published OpenAPI document:
 * the compiler checks every request and response against Mixpeek's spec, and every response body is
 * validated against that spec at run time (test/helpers/mixpeek-client.ts). Virtual clock, moved with
 * POST /_mock/clock/advance (POST /_mock/reset where a test needs a known population).
 */

let server: MockServer;
let client: MixpeekClient;
let checkedBefore = 0;

beforeAll(async () => {
  server = await startMockServer({ MOCK_CLOCK: 'virtual', LOG_LEVEL: 'silent' });
  client = server.client;
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  checkedBefore = server.counter.checked;
});
afterEach(() => {
  // Every test talks to Mixpeek's endpoints through the spec-checked client.
  expect(server.counter.checked).toBeGreaterThan(checkedBefore);
});

const RE_EXTRACT: MigrationConfig = {
  migration_type: 're_extract',
  source_namespace_id: 'ns_acme_media',
  target_namespace_name: 'acme_media_e2e',
  feature_extractors: [
    {
      feature_extractor_name: 'openai_text_embedding',
      version: 'v3',
      parameters: { model: 'text-embedding-3-large' },
    },
  ],
  preserve_resource_ids: false,
  dry_run: false,
};
/** A copy has no warnings: start needs no force. */
const COPY: MigrationConfig = {
  migration_type: 'copy',
  source_namespace_id: 'ns_support_kb',
  preserve_resource_ids: false,
  dry_run: false,
};
const TERMINAL: readonly MigrationStatus[] = ['completed', 'failed', 'cancelled'];
const STAGES: readonly Schemas['MigrationStage'][] = [
  'namespace_setup',
  'batch_creation',
  'batch_processing',
  'cluster_execution',
  'taxonomy_enrichment',
  'benchmark_evaluation',
  'finalization',
];

async function create(
  config: MigrationConfig,
  opts: { startImmediately?: boolean; prefer?: string } = {},
): Promise<Schemas['CreateMigrationResponse']> {
  const { data, error, response } = await client.POST('/v1/namespaces/migrations/', {
    body: { config, start_immediately: opts.startImmediately ?? false },
    headers: opts.prefer ? { Prefer: opts.prefer } : {},
  });
  if (!data) throw new Error(`create: ${response.status} ${JSON.stringify(error)}`);
  expect(response.status).toBe(201);
  return data;
}

async function get(migrationId: string): Promise<GetMigration> {
  const { data, error, response } = await client.GET('/v1/namespaces/migrations/{migration_id}', {
    params: { path: { migration_id: migrationId } },
  });
  if (!data) throw new Error(`get: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

async function start(migrationId: string, force: boolean) {
  return client.POST('/v1/namespaces/migrations/{migration_id}/start', {
    params: { path: { migration_id: migrationId } },
    body: { force },
  });
}

async function startOk(migrationId: string, force: boolean): Promise<Schemas['StartMigrationResponse']> {
  const { data, error, response } = await start(migrationId, force);
  if (!data) throw new Error(`start: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

async function cancel(migrationId: string, reason?: string) {
  return client.POST('/v1/namespaces/migrations/{migration_id}/cancel', {
    params: { path: { migration_id: migrationId } },
    body: reason === undefined ? {} : { reason },
  });
}

async function remove(migrationId: string) {
  return client.DELETE('/v1/namespaces/migrations/{migration_id}', {
    params: { path: { migration_id: migrationId } },
  });
}

async function list(body: Schemas['ListMigrationsRequest']): Promise<Schemas['ListMigrationsResponse']> {
  const { data, error, response } = await client.POST('/v1/namespaces/migrations/list', { body });
  if (!data) throw new Error(`list: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

/** Advances the clock by `step` seconds and GETs, until the migration is terminal; every snapshot seen. */
async function pollToEnd(migrationId: string, step: number, maxSteps = 200): Promise<GetMigration[]> {
  const seen: GetMigration[] = [];
  for (let i = 0; i < maxSteps; i++) {
    await server.advance(step);
    const m = await get(migrationId);
    seen.push(m);
    if (TERMINAL.includes(m.status)) return seen;
  }
  throw new Error(`${migrationId} not terminal after ${maxSteps} steps of ${step}s`);
}

/** Consecutive duplicates removed. */
const runs = <T>(xs: readonly T[]): T[] => xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
const stage = (m: GetMigration, name: Schemas['MigrationStage']) =>
  m.progress.stages?.find((s) => s.stage === name);
const resource = (m: GetMigration, id: string) => m.progress.resources?.find((r) => r.resource_id === id);
const errorOf = (e: unknown) => e as Envelope;

describe('create → start → poll → completed', () => {
  it('when a re_extract is created, then it is stored in draft with its validation result and the cost warning', async () => {
    const now = await server.now();
    const created = await create(RE_EXTRACT);
    expect(created.migration_id).toMatch(/^mig_[A-Za-z0-9]{12}$/);
    expect(created.status).toBe('draft');
    expect(created.created_at).toBe(now);
    expect(created.message).toContain('POST /migrations/{id}/start');
    expect(created.validation_result?.valid).toBe(true);
    expect(codesOf(created.validation_result?.errors)).toEqual([]);
    expect(codesOf(created.validation_result?.warnings)).toEqual(['RE_EXTRACT_COST_WARNING']);

    const m = await get(created.migration_id);
    expect(m).toMatchObject({
      migration_id: created.migration_id,
      namespace_id: 'ns_acme_media',
      status: 'draft',
      created_at: now,
      task_id: null,
      started_at: null,
      completed_at: null,
      error_message: null,
      validation_result: created.validation_result,
    });
    expect(m.progress).toMatchObject({
      overall_status: 'draft',
      overall_progress_percent: 0,
      current_stage: null,
    });
    expect(m.progress.stages?.map((s) => [s.stage, s.status])).toEqual(STAGES.map((s) => [s, 'pending']));
    expect(m.dependency_graph?.execution_order).toHaveLength(12);
  });

  it('when started with force and polled every 5 s, then it goes pending → in_progress through the stages in order → completed', async () => {
    const { migration_id: id } = await create(RE_EXTRACT);
    const startedAt = await server.now();
    const started = await startOk(id, true);
    expect(started).toMatchObject({ migration_id: id, status: 'pending', started_at: startedAt });
    expect(started.task_id).toMatch(/^task_[A-Za-z0-9]+$/);
    expect(started.message).toContain('GET /migrations/{id}');

    const first = await get(id);
    expect(first).toMatchObject({
      status: 'pending',
      task_id: started.task_id,
      started_at: startedAt,
      completed_at: null,
    });
    expect(first.progress.current_stage).toBeNull();

    const seen = [first, ...(await pollToEnd(id, 5))];
    expect(runs(seen.map((m) => m.status))).toEqual(['pending', 'in_progress', 'completed']);
    for (const m of seen) {
      expect(m.progress.overall_status).toBe(m.status);
      expect(m.task_id).toBe(started.task_id);
    }
    // Progress never goes back; the running stage moves forward through the enum's order.
    const percents = seen.map((m) => m.progress.overall_progress_percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const stageIndexes = seen
      .filter((m) => m.status === 'in_progress')
      .map((m) => STAGES.indexOf(m.progress.current_stage!));
    expect(stageIndexes.every((i) => i >= 0)).toBe(true);
    expect(stageIndexes).toEqual([...stageIndexes].sort((a, b) => a - b));
    expect(new Set(stageIndexes).size).toBeGreaterThan(1);

    const done = seen.at(-1)!;
    expect(done.progress).toMatchObject({
      overall_status: 'completed',
      overall_progress_percent: 100,
      current_stage: null,
    });
    expect(done.completed_at).not.toBeNull();
    expect(done.progress.estimated_completion).toBe(done.completed_at);
    expect(done.error_message).toBeNull();
    for (const s of done.progress.stages ?? []) {
      expect(s.status).toBe('completed');
      expect(s.progress_percent).toBe(100);
      expect(s.items_completed + s.items_failed).toBe(s.items_total);
    }
    expect(
      done.progress.resources?.every((r) => r.status === 'completed' && r.progress_percent === 100),
    ).toBe(true);
    // The run takes about what validation estimated (queue time aside, stage jitter ±10 %).
    const ran = (Date.parse(done.completed_at!) - Date.parse(startedAt)) / 1000 - 3;
    const estimated = done.validation_result!.estimated_duration_seconds!;
    expect(ran / estimated).toBeGreaterThan(0.85);
    expect(ran / estimated).toBeLessThan(1.15);

    // Terminal: it never changes again.
    await server.advance(3600);
    expect(await get(id)).toEqual(done);
  });

  it('when created with start_immediately, then it is validating, then pending, then in_progress, then completed without a start call', async () => {
    const t0 = Date.parse(await server.now());
    const created = await create(RE_EXTRACT, { startImmediately: true });
    expect(created.status).toBe('validating');
    expect(created.message).toContain('started');
    const id = created.migration_id;

    const validating = await get(id);
    expect(validating).toMatchObject({
      status: 'validating',
      task_id: null,
      started_at: null,
      validation_result: null,
    });
    await server.advance(1);
    expect((await get(id)).status).toBe('validating');

    await server.advance(1); // validation takes 2 s in the default scenario
    const pending = await get(id);
    expect(pending.status).toBe('pending');
    expect(pending.task_id).toMatch(/^task_/);
    expect(pending.started_at).toBe(new Date(t0 + 2000).toISOString());
    expect(pending.validation_result?.valid).toBe(true);

    await server.advance(3); // then 3 s in the queue
    const running = await get(id);
    expect(running.status).toBe('in_progress');
    expect(running.progress.current_stage).toBe('namespace_setup');

    const seen = await pollToEnd(id, 5);
    expect(seen.at(-1)!.status).toBe('completed');
    expect(runs(['validating', 'pending', ...seen.map((m) => m.status)])).toEqual([
      'validating',
      'pending',
      'in_progress',
      'completed',
    ]);
    // It was never a draft, and start is refused on it.
    const again = await start(id, true);
    expect(again.response.status).toBe(400);
  });
});

describe('start, warnings and force', () => {
  it('when a migration has warnings and start has no force, then 400 BadRequestError and it stays in draft', async () => {
    const { migration_id: id } = await create(RE_EXTRACT);
    for (const attempt of [
      () => start(id, false),
      () =>
        client.POST('/v1/namespaces/migrations/{migration_id}/start', {
          params: { path: { migration_id: id } },
        }),
    ]) {
      const { data, error, response } = await attempt();
      expect(data).toBeUndefined();
      expect(response.status).toBe(400);
      const e = errorOf(error);
      expect(e).toMatchObject({ success: false, status: 400, error: { type: 'BadRequestError' } });
      expect(e.error.message).toContain('{"force": true}');
      expect(e.error.details?.migration_id).toBe(id);
      expect(codesOf(e.error.details?.warnings as Schemas['ValidationError'][])).toEqual([
        'RE_EXTRACT_COST_WARNING',
      ]);
    }
    expect((await get(id)).status).toBe('draft');
  });

  it('when the same migration is started with force: true, then it is accepted and pending', async () => {
    const { migration_id: id } = await create(RE_EXTRACT);
    expect((await start(id, false)).response.status).toBe(400);
    const started = await startOk(id, true);
    expect(started.status).toBe('pending');
    expect((await get(id)).status).toBe('pending');
  });

  it('when a migration has no warnings, then start without force is accepted', async () => {
    const created = await create(COPY);
    expect(codesOf(created.validation_result?.warnings)).toEqual([]);
    expect((await startOk(created.migration_id, false)).status).toBe('pending');
  });
});

describe('cancel mid-run', () => {
  it('when a running migration is cancelled, then the running stage and resource are cancelled, finished ones stay completed, later ones pending, and it stays cancelled', async () => {
    const { migration_id: id } = await create(RE_EXTRACT);
    await startOk(id, true);
    // Into batch processing, past its first tier: the tier-1 collections done, the tier-2 one running.
    let m = await get(id);
    for (let i = 0; i < 60 && resource(m, 'col_video_keyframes')?.status !== 'in_progress'; i++) {
      await server.advance(1);
      m = await get(id);
    }
    expect(m.progress.current_stage).toBe('batch_processing');
    expect(resource(m, 'col_video_keyframes')?.status).toBe('in_progress');

    const at = await server.now();
    const { data, response } = await cancel(id, 'maintenance window');
    expect(response.status).toBe(200);
    expect(data).toEqual({
      migration_id: id,
      status: 'cancelled',
      cancelled_at: at,
      message: 'Migration cancelled: maintenance window',
    });

    const c = await get(id);
    expect(c).toMatchObject({ status: 'cancelled', completed_at: at, error_message: null });
    expect(c.progress).toMatchObject({
      overall_status: 'cancelled',
      current_stage: null,
      estimated_completion: null,
    });
    expect(c.additional_data?.cancellation_reason).toBe('maintenance window');
    expect(c.progress.stages?.map((s) => [s.stage, s.status])).toEqual([
      ['namespace_setup', 'completed'],
      ['batch_creation', 'completed'],
      ['batch_processing', 'cancelled'],
      ['cluster_execution', 'pending'],
      ['taxonomy_enrichment', 'pending'],
      ['benchmark_evaluation', 'pending'],
      ['finalization', 'pending'],
    ]);
    const bp = stage(c, 'batch_processing')!;
    expect(bp.completed_at).toBe(at);
    expect(bp.progress_percent).toBeGreaterThan(0);
    expect(bp.progress_percent).toBeLessThan(100);
    const byStatus = (s: MigrationStatus) =>
      (c.progress.resources ?? [])
        .filter((r) => r.status === s)
        .map((r) => r.resource_id)
        .sort();
    expect(byStatus('completed')).toEqual(
      [
        'bkt_editorial_archive',
        'bkt_marketing_assets',
        'col_campaign_videos',
        'col_editorial_articles',
        'col_press_pdfs',
        'col_product_images',
      ].sort(),
    );
    expect(byStatus('cancelled')).toEqual(['col_video_keyframes']);
    expect(byStatus('pending')).toEqual(
      [
        'clust_visual_styles',
        'ret_editorial_search',
        'ret_product_search',
        'tax_content_topics',
        'tax_product_categories',
      ].sort(),
    );
    expect(byStatus('in_progress')).toEqual([]);

    // Frozen: later GETs answer the same; start and cancel are refused.
    await server.advance(600);
    expect(await get(id)).toEqual(c);
    expect((await cancel(id)).response.status).toBe(400);
    expect((await start(id, true)).response.status).toBe(400);
    const listed = await list({ status: 'cancelled', migration_type: 're_extract', limit: 100, offset: 0 });
    expect(listed.results.map((r) => r.migration_id)).toContain(id);
  });
});

type State = 'draft' | 'validating' | 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

/** A fresh migration in `state` at the current instant. */
async function migrationIn(state: State): Promise<string> {
  if (state === 'validating') return (await create(COPY, { startImmediately: true })).migration_id;
  const prefer = state === 'failed' ? 'scenario=fails_batch_processing' : undefined;
  const { migration_id: id } = await create(COPY, prefer ? { prefer } : {});
  if (state === 'draft') return id;
  await startOk(id, false);
  if (state === 'pending') return id;
  await server.advance(4); // past the 3 s queue
  if (state === 'cancelled') await cancel(id, 'test');
  if (state === 'completed' || state === 'failed') await server.advance(3600);
  return id;
}

describe('delete', () => {
  it.each(['draft', 'completed', 'failed', 'cancelled'] as const)(
    'when a %s migration is deleted, then 204 with an empty body, and GET is 404 afterwards',
    async (state) => {
      const id = await migrationIn(state);
      expect((await get(id)).status).toBe(state);
      const { data, error, response } = await remove(id);
      expect(response.status).toBe(204);
      expect(data).toBeUndefined();
      expect(error).toBeUndefined();
      expect(await response.text()).toBe('');

      const after = await client.GET('/v1/namespaces/migrations/{migration_id}', {
        params: { path: { migration_id: id } },
      });
      expect(after.response.status).toBe(404);
      expect(after.error).toEqual({
        success: false,
        status: 404,
        error: {
          message: 'Migration not found',
          type: 'NotFoundError',
          details: { resource: 'migration', id },
        },
      });
      expect((await remove(id)).response.status).toBe(404);
      expect((await list({ limit: 1000, offset: 0 })).results.map((r) => r.migration_id)).not.toContain(id);
    },
  );

  it.each(['validating', 'pending', 'in_progress'] as const)(
    'when a %s migration is deleted, then 400 BadRequestError and it is still there',
    async (state) => {
      const id = await migrationIn(state);
      expect((await get(id)).status).toBe(state);
      const { error, response } = await remove(id);
      expect(response.status).toBe(400);
      expect(errorOf(error)).toMatchObject({
        success: false,
        status: 400,
        error: { type: 'BadRequestError', details: { migration_id: id, status: state } },
      });
      expect(errorOf(error).error.message).toContain('cancel it first');
      expect((await get(id)).status).toBe(state);
    },
  );
});

describe('list', () => {
  const PRESEEDED = 12;
  // A known population: the pre-seeded migrations only, at the start instant.
  beforeEach(async () => {
    await server.reset();
  });

  /** Three migrations at two later instants: [a] at +10 s, [b, c] at +20 s. */
  async function createThree() {
    await server.advance(10);
    const a = (await create(COPY)).migration_id;
    await server.advance(10);
    const b = (await create(RE_EXTRACT)).migration_id;
    const c = (await create({ ...COPY, source_namespace_id: 'ns_acme_media' })).migration_id;
    return { a, b, c };
  }

  it('when {} is sent, then the defaults apply (limit 20, offset 0) and results are newest first, ties broken by id', async () => {
    const { a, b, c } = await createThree();
    // The generated type requires limit and offset (they have defaults); Mixpeek accepts {}.
    // @ts-expect-error: {} is valid on the wire
    const page = await list({});
    expect(page.total).toBe(PRESEEDED + 3);
    expect(page.limit).toBe(20);
    expect(page.offset).toBe(0);
    const ids = page.results.map((r) => r.migration_id);
    expect(ids.slice(0, 3)).toEqual([...[b, c].sort(), a]);
    // The pre-seeded migrations were all created at the start instant: ordered by id.
    const rest = ids.slice(3);
    expect(rest).toHaveLength(PRESEEDED);
    expect(rest).toEqual([...rest].sort());
    const created = page.results.map((r) => Date.parse(r.created_at));
    expect(created).toEqual([...created].sort((x, y) => y - x));
    // Results are full snapshots at the current instant.
    expect(page.results[2]).toEqual(await get(a));
  });

  it('when paged with limit and offset, then the pages concatenate to the full ordering and total counts all matches', async () => {
    await createThree();
    const all = await list({ limit: 1000, offset: 0 });
    const ids = all.results.map((r) => r.migration_id);
    expect(ids).toHaveLength(PRESEEDED + 3);
    const paged: string[] = [];
    for (let offset = 0; offset < ids.length + 4; offset += 4) {
      const page = await list({ limit: 4, offset });
      expect(page).toMatchObject({ total: ids.length, limit: 4, offset });
      expect(page.results.length).toBe(Math.max(0, Math.min(4, ids.length - offset)));
      paged.push(...page.results.map((r) => r.migration_id));
    }
    expect(paged).toEqual(ids);
    expect(await list({ limit: 1, offset: ids.length })).toMatchObject({ results: [], total: ids.length });
  });

  it('when filters are combined, then they apply with AND', async () => {
    const { a, b, c } = await createThree();
    await startOk(c, false);
    const all = (await list({ limit: 1000, offset: 0 })).results;
    const cases: Schemas['ListMigrationsRequest'][] = [
      { status: 'draft', limit: 1000, offset: 0 },
      { migration_type: 'copy', limit: 1000, offset: 0 },
      { source_namespace_id: 'ns_support_kb', limit: 1000, offset: 0 },
      { status: 'draft', migration_type: 'copy', limit: 1000, offset: 0 },
      { migration_type: 'copy', source_namespace_id: 'ns_acme_media', limit: 1000, offset: 0 },
      {
        status: 'draft',
        migration_type: 'copy',
        source_namespace_id: 'ns_support_kb',
        limit: 1000,
        offset: 0,
      },
      { status: 'failed', migration_type: 'extend', limit: 1000, offset: 0 },
    ];
    for (const filter of cases) {
      const expected = all.filter(
        (m) =>
          (!filter.status || m.status === filter.status) &&
          (!filter.migration_type || m.config.migration_type === filter.migration_type) &&
          (!filter.source_namespace_id || m.namespace_id === filter.source_namespace_id),
      );
      const page = await list(filter);
      expect(page.results.map((r) => r.migration_id)).toEqual(expected.map((r) => r.migration_id));
      expect(page.total).toBe(expected.length);
    }
    const one = await list({
      status: 'draft',
      migration_type: 'copy',
      source_namespace_id: 'ns_support_kb',
      limit: 20,
      offset: 0,
    });
    expect(one.results.map((r) => r.migration_id)).toEqual([a]);
    const reExtractDrafts = await list({
      status: 'draft',
      migration_type: 're_extract',
      limit: 20,
      offset: 0,
    });
    expect(reExtractDrafts.results.map((r) => r.migration_id)).toContain(b);
    const pending = await list({
      status: 'pending',
      source_namespace_id: 'ns_acme_media',
      limit: 20,
      offset: 0,
    });
    expect(pending.results.map((r) => r.migration_id)).toContain(c);
    expect(
      await list({
        status: 'completed',
        migration_type: 'extend',
        source_namespace_id: 'ns_acme_media',
        limit: 20,
        offset: 0,
      }),
    ).toMatchObject({ results: [], total: 0 });
  });

  it.each([
    [{ limit: 0, offset: 0 }, 'limit', 'greater_than_equal', 'Input should be greater than or equal to 1'],
    [{ limit: 1001, offset: 0 }, 'limit', 'less_than_equal', 'Input should be less than or equal to 1000'],
    [{ limit: 20, offset: -1 }, 'offset', 'greater_than_equal', 'Input should be greater than or equal to 0'],
  ] as const)(
    'when the page is %j, then 422 ValidationError on body.%s',
    async (body, field, type, message) => {
      const { data, error, response } = await client.POST('/v1/namespaces/migrations/list', { body });
      expect(data).toBeUndefined();
      expect(response.status).toBe(422);
      expect(errorOf(error)).toMatchObject({
        success: false,
        status: 422,
        error: { type: 'ValidationError' },
      });
      expect(errorOf(error).error.details?.validation_errors).toEqual([
        { type, location: ['body', field], message },
      ]);
    },
  );
});

describe('scenarios chosen with Prefer', () => {
  it('when created with Prefer: scenario=fails_batch_processing and started, then the run fails in batch_processing', async () => {
    const { migration_id: id } = await create(RE_EXTRACT, { prefer: 'scenario=fails_batch_processing' });
    await startOk(id, true);
    const seen = await pollToEnd(id, 2);
    expect(runs(seen.map((m) => m.status))).toEqual(['pending', 'in_progress', 'failed']);
    expect(seen.some((m) => m.progress.current_stage === 'batch_processing')).toBe(true);

    const f = seen.at(-1)!;
    const message =
      'Batch processing failed: 3 of 41 batches (40 documents) exceeded retry limit (embedding service returned 503)';
    expect(f).toMatchObject({ status: 'failed', error_message: message });
    expect(f.completed_at).not.toBeNull();
    expect(f.progress).toMatchObject({
      overall_status: 'failed',
      current_stage: null,
      estimated_completion: null,
    });
    expect(f.progress.overall_progress_percent).toBeLessThan(100);
    expect(f.progress.stages?.map((s) => [s.stage, s.status])).toEqual([
      ['namespace_setup', 'completed'],
      ['batch_creation', 'completed'],
      ['batch_processing', 'failed'],
      ['cluster_execution', 'pending'],
      ['taxonomy_enrichment', 'pending'],
      ['benchmark_evaluation', 'pending'],
      ['finalization', 'pending'],
    ]);
    const bp = stage(f, 'batch_processing')!;
    expect(bp).toMatchObject({ error_message: message, items_failed: 40, completed_at: f.completed_at });
    expect(bp.items_completed + bp.items_failed).toBeLessThan(bp.items_total);
    const failed = (f.progress.resources ?? []).filter((r) => r.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) {
      expect(r.resource_type).toBe('collection');
      expect(r.error_message).toBe(
        `Batches for ${r.resource_id} exceeded retry limit (embedding service returned 503)`,
      );
    }
    expect(f.progress.resources?.some((r) => r.status === 'in_progress')).toBe(false);
    await server.advance(3600);
    expect(await get(id)).toEqual(f);
  });

  it('when created with Prefer: scenario=unknown, then 400 listing the valid scenario names and nothing is stored', async () => {
    const before = (await list({ limit: 1, offset: 0 })).total;
    const { data, error, response } = await client.POST('/v1/namespaces/migrations/', {
      body: { config: COPY, start_immediately: false },
      headers: { Prefer: 'scenario=unknown' },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(400);
    const names = (await server.raw('GET', '/_mock/scenarios')).json<{ name: string }[]>().map((s) => s.name);
    expect(names).toContain('fails_batch_processing');
    const e = errorOf(error);
    expect(e).toMatchObject({ success: false, status: 400, error: { type: 'BadRequestError' } });
    expect(e.error.details).toEqual({ scenario: 'unknown', valid: names });
    for (const n of names) expect(e.error.message).toContain(n);
    expect((await list({ limit: 1, offset: 0 })).total).toBe(before);
  });
});

describe('the dependency graph drives the run', () => {
  it('when a filtered config is created, then its graph equals the validate answer, and the run follows its execution order', async () => {
    const config: MigrationConfig = {
      ...RE_EXTRACT,
      filters: { retriever_ids: ['ret_product_search'], auto_include_dependencies: true },
    };
    const validated = await client.POST('/v1/namespaces/migrations/validate', { body: { config } });
    expect(validated.response.status).toBe(200);
    const graph = validated.data!.dependency_graph!;
    expect(graph.execution_order).toEqual([
      'bkt_marketing_assets',
      'col_product_images',
      'col_campaign_videos',
      'col_video_keyframes',
      'tax_product_categories',
      'ret_product_search',
    ]);

    const { migration_id: id } = await create(config);
    const draft = await get(id);
    expect(draft.dependency_graph).toEqual(graph);
    expect(draft.validation_result).toEqual(validated.data!.validation_result);
    expect(draft.progress.resources?.map((r) => r.resource_id)).toEqual(graph.execution_order);

    await startOk(id, true);
    const seen = await pollToEnd(id, 1);
    expect(seen.at(-1)!.status).toBe('completed');
    const nodes = new Map((graph.nodes ?? []).map((n) => [n.resource_id, n]));
    const firstActive = new Map<string, number>();
    seen.forEach((m, i) => {
      // Exactly the graph's resources, in its execution order, with its types.
      expect(m.progress.resources?.map((r) => r.resource_id)).toEqual(graph.execution_order);
      for (const r of m.progress.resources ?? []) {
        expect(r.resource_type).toBe(nodes.get(r.resource_id)!.resource_type);
        if (r.status === 'pending') continue;
        if (!firstActive.has(r.resource_id)) firstActive.set(r.resource_id, i);
        // A resource runs only once everything it depends on has completed.
        for (const d of nodes.get(r.resource_id)!.dependencies ?? [])
          expect(resource(m, d)?.status).toBe('completed');
      }
    });
    const starts = (graph.execution_order ?? []).map((rid) => firstActive.get(rid)!);
    expect(starts.every((s) => s !== undefined)).toBe(true);
    expect(starts).toEqual([...starts].sort((x, y) => x - y));
  });
});

describe('authentication through the typed client', () => {
  it('when the client sends no key, then 401 UnauthorizedError; with the header given per call, then 200', async () => {
    const anonymous = createMixpeekClient({ baseUrl: server.baseUrl, apiKey: null, counter: server.counter });
    const denied = await anonymous.GET('/v1/namespaces/migrations/{migration_id}', {
      params: { path: { migration_id: 'mig_reextract_completes' } },
    });
    expect(denied.response.status).toBe(401);
    expect(denied.response.headers.get('www-authenticate')).toBe('Bearer');
    expect(errorOf(denied.error)).toMatchObject({
      success: false,
      status: 401,
      error: { type: 'UnauthorizedError', details: null },
    });

    const allowed = await anonymous.GET('/v1/namespaces/migrations/{migration_id}', {
      params: { path: { migration_id: 'mig_reextract_completes' }, header: { Authorization: AUTH_HEADER } },
    });
    expect(allowed.response.status).toBe(200);
    expect(allowed.data?.migration_id).toBe('mig_reextract_completes');
  });
});

describe('over the socket, outside the typed paths', () => {
  it('when a DELETE carries a malformed JSON body, then it is ignored (204) and the connection keeps serving', async () => {
    const { migration_id: id } = await create(COPY);
    const res = await server.raw('DELETE', `/v1/namespaces/migrations/${id}`, {
      body: '{"force": ',
      headers: { authorization: AUTH_HEADER },
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const after = await client.GET('/v1/namespaces/migrations/{migration_id}', {
      params: { path: { migration_id: id } },
    });
    expect(after.response.status).toBe(404);
  });

  it('when POST /v1/namespaces/migrations has no trailing slash, then 405 pointing at the slash and nothing is created', async () => {
    const before = (await list({ limit: 1, offset: 0 })).total;
    const res = await server.raw('POST', '/v1/namespaces/migrations', {
      body: { config: COPY, start_immediately: false },
      headers: { authorization: AUTH_HEADER },
    });
    expect(res.status).toBe(405);
    expect(res.json<Envelope>().error).toMatchObject({
      type: 'MethodNotAllowedError',
      message: 'Use POST /v1/namespaces/migrations/ (with a trailing slash) to create a migration',
    });
    expect((await list({ limit: 1, offset: 0 })).total).toBe(before);
  });
});

describe('the run-time spec check', () => {
  it('when a response body breaks Mixpeek spec, then the typed client rejects the call with the violations', async () => {
    const lying = createMixpeekClient({
      baseUrl: server.baseUrl,
      counter: server.counter,
      fetch: async () =>
        new Response(
          JSON.stringify({
            migration_id: 'mig_x',
            status: 'paused',
            task_id: 't',
            started_at: 'soon',
            message: 'm',
          }),
          {
            status: 200,
            headers: { 'content-type': 'application/json' },
          },
        ),
    });
    await expect(
      lying.POST('/v1/namespaces/migrations/{migration_id}/start', {
        params: { path: { migration_id: 'mig_x' } },
        body: { force: true },
      }),
    ).rejects.toThrow(
      /does not match Mixpeek's published spec[\s\S]*\/status[\s\S]*allowed values[\s\S]*\/started_at[\s\S]*date-time/,
    );
  });
});
