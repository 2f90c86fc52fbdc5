import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RealClock } from '../../src/domain/clock.js';
import { buildApp } from '../../src/http/app.js';
import { StateDocumentSchema } from '../../src/state/document.js';
import { loadStateFile, StateFileError } from '../../src/state/file.js';
import { appWith, envelopeProblem, knownEnv } from '../fuzz/support.js';

/**
 * GET /_mock/state exports the whole mock; PUT /_mock/state (and MOCK_STATE_FILE) imports it. The
 * promise: export, restart (a new app), import, and the same requests get byte-identical answers.
 */

const AUTH = { authorization: 'Bearer sk_state_test' };
const MIGRATIONS = '/v1/namespaces/migrations';
const ENV = { MOCK_CLOCK: 'virtual', MOCK_SEED: 'state-test' };

const opened: FastifyInstance[] = [];
async function fresh(env: Record<string, string> = ENV): Promise<FastifyInstance> {
  const app = await appWith(env);
  opened.push(app);
  return app;
}
afterAll(async () => {
  await Promise.all(opened.map((a) => a.close()));
});

interface Answer {
  readonly request: string;
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

/** The answer with what legitimately differs between two processes (the Date header) left out. */
async function ask(app: FastifyInstance, req: InjectOptions): Promise<Answer> {
  const res = await app.inject(req);
  const { date: _date, ...headers } = res.headers;
  return { request: `${req.method} ${req.url}`, status: res.statusCode, headers, body: res.body };
}

const ids = async (app: FastifyInstance): Promise<string[]> => {
  const doc = StateDocumentSchema.parse((await app.inject({ method: 'GET', url: '/_mock/state' })).json());
  return doc.migrations.map((m) => m.plan.migrationId);
};

/**
 * The same requests, in the same order, as a client would send them after the restart: reads of every
 * migration (poll-driven ones step, scheduled faults fire by poll count), the list, the clock, then
 * writes (clock moves, creations through both APIs, a start, a cancel, a delete), then reads again.
 */
async function script(app: FastifyInstance): Promise<Answer[]> {
  const out: Answer[] = [];
  const readAll = async () => {
    for (const id of await ids(app))
      out.push(await ask(app, { method: 'GET', url: `${MIGRATIONS}/${id}`, headers: AUTH }));
    out.push(
      await ask(app, { method: 'POST', url: `${MIGRATIONS}/list`, headers: AUTH, payload: { limit: 1000 } }),
    );
    out.push(await ask(app, { method: 'GET', url: '/_mock/clock' }));
  };
  await readAll();
  out.push(await ask(app, { method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 7 } }));
  const created = await ask(app, {
    method: 'POST',
    url: `${MIGRATIONS}/`,
    headers: AUTH,
    payload: {
      config: {
        migration_type: 'copy',
        source_namespace_id: 'ns_support_kb',
        target_namespace_name: 'after_restart',
      },
    },
  });
  out.push(created);
  const draft = JSON.parse(created.body).migration_id as string;
  out.push(
    await ask(app, {
      method: 'POST',
      url: `${MIGRATIONS}/${draft}/start`,
      headers: AUTH,
      payload: { force: true },
    }),
  );
  out.push(
    await ask(app, {
      method: 'POST',
      url: `${MIGRATIONS}/`,
      headers: { ...AUTH, prefer: 'scenario=poll_driven, advance=poll' },
      payload: {
        config: { migration_type: 'copy', source_namespace_id: 'ns_support_kb' },
        start_immediately: true,
      },
    }),
  );
  out.push(
    await ask(app, {
      method: 'POST',
      url: '/_mock/migrations',
      payload: { scenario: 'fails_batch_processing' },
    }),
  );
  out.push(
    await ask(app, {
      method: 'POST',
      url: `${MIGRATIONS}/${draft}/cancel`,
      headers: AUTH,
      payload: { reason: 'restart test' },
    }),
  );
  out.push(await ask(app, { method: 'DELETE', url: `${MIGRATIONS}/${draft}`, headers: AUTH }));
  out.push(await ask(app, { method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 45 } }));
  await readAll();
  out.push(await ask(app, { method: 'GET', url: '/_mock/state' }));
  return out;
}

describe('GET /_mock/state then PUT /_mock/state into a new app', () => {
  let original: FastifyInstance;
  let scenarios: string[];
  beforeAll(async () => {
    original = await fresh();
    scenarios = (
      (await original.inject({ method: 'GET', url: '/_mock/scenarios' })).json() as { name: string }[]
    ).map((s) => s.name);
    // One migration of every scenario through the control API, one draft of each through Mixpeek's.
    for (const scenario of scenarios) {
      const res = await original.inject({ method: 'POST', url: '/_mock/migrations', payload: { scenario } });
      expect(res.statusCode, `${scenario}: ${res.body}`).toBe(201);
      const draft = await original.inject({
        method: 'POST',
        url: `${MIGRATIONS}/`,
        headers: { ...AUTH, prefer: `scenario=${scenario}` },
        payload: { config: { migration_type: 'copy', source_namespace_id: 'ns_support_kb' } },
      });
      expect(draft.statusCode, `${scenario}: ${draft.body}`).toBe(201);
    }
  });

  // Cumulative seconds on the virtual clock: at creation, validating, running, mostly done, long after.
  it.each([0, 3, 20, 120, 3_600])(
    'when exported at +%i s and imported into a restarted mock, then every scenario answers the same requests byte for byte',
    async (seconds) => {
      const now = (await original.inject({ method: 'GET', url: '/_mock/clock' })).json().now as string;
      const target = new Date(Date.parse('2025-01-01T00:00:00.000Z') + seconds * 1000).toISOString();
      if (target > now)
        await original.inject({ method: 'PUT', url: '/_mock/clock', payload: { now: target } });
      // Poll every migration once first, so poll counts and poll positions are part of the state.
      for (const id of await ids(original))
        await original.inject({ method: 'GET', url: `${MIGRATIONS}/${id}`, headers: AUTH });

      const exported = await original.inject({ method: 'GET', url: '/_mock/state' });
      expect(exported.statusCode).toBe(200);
      const restarted = await fresh();
      const imported = await restarted.inject({
        method: 'PUT',
        url: '/_mock/state',
        headers: { 'content-type': 'application/json' },
        payload: exported.body,
      });
      expect(imported.statusCode, imported.body).toBe(200);
      expect((await restarted.inject({ method: 'GET', url: '/_mock/state' })).body).toBe(exported.body);

      const expected = await script(original);
      const actual = await script(restarted);
      expect(actual.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) expect(actual[i], expected[i]!.request).toEqual(expected[i]);
    },
  );

  it('when the mock runs on the real clock, then a real-clock export imports with the clock left alone and the same answers', async () => {
    const at = Date.parse('2025-06-01T12:00:00.000Z');
    const build = async () => {
      const app = await buildApp({
        config: loadConfig(knownEnv({ LOG_LEVEL: 'silent', MOCK_SEED: 'state-test' })),
        clock: new RealClock(() => at),
      });
      await app.ready();
      opened.push(app);
      return app;
    };
    const a = await build();
    await a.inject({ method: 'POST', url: '/_mock/migrations', payload: { scenario: 'copy_completes' } });
    const exported = await a.inject({ method: 'GET', url: '/_mock/state' });
    expect(exported.json().clock).toEqual({ mode: 'real', now: '2025-06-01T12:00:00.000Z', start: null });
    const b = await build();
    expect(
      (
        await b.inject({
          method: 'PUT',
          url: '/_mock/state',
          payload: exported.body,
          headers: { 'content-type': 'application/json' },
        })
      ).statusCode,
    ).toBe(200);
    const list = { method: 'POST' as const, url: `${MIGRATIONS}/list`, headers: AUTH, payload: {} };
    expect((await b.inject(list)).body).toBe((await a.inject(list)).body);
  });

  it('when a virtual-clock state is imported into a virtual mock with another start, then the clock and its start come from the document', async () => {
    const other = await fresh({ ...ENV, MOCK_VIRTUAL_START: '2030-01-01T00:00:00.000Z' });
    const exported = await original.inject({ method: 'GET', url: '/_mock/state' });
    expect(
      (
        await other.inject({
          method: 'PUT',
          url: '/_mock/state',
          payload: exported.body,
          headers: { 'content-type': 'application/json' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await other.inject({ method: 'GET', url: '/_mock/clock' })).json().now).toBe(
      exported.json().clock.now,
    );
    await other.inject({ method: 'POST', url: '/_mock/reset' });
    expect((await other.inject({ method: 'GET', url: '/_mock/clock' })).json().now).toBe(
      '2025-01-01T00:00:00.000Z',
    );
  });
});

describe('PUT /_mock/state › refused documents change nothing', () => {
  let app: FastifyInstance;
  let before: string;
  let valid: Record<string, unknown>;
  beforeAll(async () => {
    app = await fresh();
    await app.inject({ method: 'POST', url: '/_mock/migrations', payload: { scenario: 'poll_driven' } });
    await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 5 } });
    before = (await app.inject({ method: 'GET', url: '/_mock/state' })).body;
    valid = JSON.parse(before);
  });
  afterEach(async () => {
    expect((await app.inject({ method: 'GET', url: '/_mock/state' })).body).toBe(before);
  });

  const put = (payload: unknown) =>
    app.inject({
      method: 'PUT',
      url: '/_mock/state',
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  // biome-ignore lint/suspicious/noExplicitAny: documents are edited at arbitrary paths.
  const edited = (edit: (doc: any) => void) => {
    const doc = structuredClone(valid);
    edit(doc);
    return doc;
  };
  const errorsOf = (body: string) =>
    (
      JSON.parse(body).error.details.validation_errors as {
        path: string;
        location: unknown[];
        message: string;
      }[]
    ).map((e) => [e.path, e.message]);

  it('when a member has the wrong type, then 422 names its JSON path and the reason', async () => {
    const res = await put(edited((d) => (d.migrations[1].plan.createdAt = 'yesterday')));
    expect(res.statusCode).toBe(422);
    expect(envelopeProblem(422, res.body)).toBeNull();
    expect(res.json().error.message).toBe(
      'Invalid state document: migrations[1].plan.createdAt: Invalid input: expected number, received string',
    );
    expect(res.json().error.details.validation_errors[0]).toEqual({
      type: 'state_invalid',
      location: ['body', 'migrations', 1, 'plan', 'createdAt'],
      path: 'migrations[1].plan.createdAt',
      message: 'Invalid input: expected number, received string',
    });
  });

  it('when several members are wrong, then 422 lists each with its path', async () => {
    const res = await put(
      edited((d) => {
        d.format_version = 2;
        d.migrations[0].polls = -1;
        d.clock.now = 'soon';
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(errorsOf(res.body).map(([p]) => p)).toEqual([
      'format_version',
      'clock.now',
      'migrations[0].polls',
    ]);
  });

  it('when a member the schema would default is missing, then 422 "required" at its path (answers would change otherwise)', async () => {
    const res = await put(edited((d) => delete d.migrations[0].plan.behaviour.timing.jitter));
    expect(res.statusCode).toBe(422);
    expect(errorsOf(res.body)).toEqual([['migrations[0].plan.behaviour.timing.jitter', 'required']]);
  });

  it('when a member is unknown, then 422 at its path', async () => {
    const res = await put(edited((d) => (d.migrations[0].plan.config.surprise = true)));
    expect(res.statusCode).toBe(422);
    expect(errorsOf(res.body)).toEqual([['migrations[0].plan.config.surprise', 'unknown member']]);
  });

  it('when two migrations share an id, then 422 at the second', async () => {
    const res = await put(
      edited((d) => (d.migrations[1].plan.migrationId = d.migrations[0].plan.migrationId)),
    );
    expect(res.statusCode).toBe(422);
    expect(errorsOf(res.body)[0]![0]).toBe('migrations[1].plan.migrationId');
  });

  it('when a poll-driven migration has no poll position, then 422 at its pollAt', async () => {
    const i = (valid.migrations as { plan: { behaviour: { advance: string } } }[]).findIndex(
      (m) => m.plan.behaviour.advance === 'poll',
    );
    const res = await put(edited((d) => (d.migrations[i].pollAt = null)));
    expect(res.statusCode).toBe(422);
    expect(errorsOf(res.body)).toEqual([
      [`migrations[${i}].pollAt`, 'a poll-driven migration needs the instant it reached'],
    ]);
  });

  it('when a plan cannot be rendered, then 422 at the plan, not a 500 on the next GET', async () => {
    const i = (valid.migrations as { plan: { run: unknown } }[]).findIndex((m) => m.plan.run !== null);
    const res = await put(edited((d) => (d.migrations[i].plan.run.stages[2].stage = 'finalization')));
    expect(res.statusCode).toBe(422);
    expect(errorsOf(res.body)[0]![0]).toBe(`migrations[${i}].plan.run.stages`);
  });

  it('when the body is not JSON, then 422 json_invalid', async () => {
    const res = await put('{"format_version":');
    expect(res.statusCode).toBe(422);
    expect(envelopeProblem(422, res.body)).toBeNull();
  });

  it('when the body is empty, then 422 naming the document as required', async () => {
    const res = await app.inject({ method: 'PUT', url: '/_mock/state' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toBe('Invalid state document: (document): a state document is required');
  });

  it('when the document was exported with another seed, then 400 saying which seed to start with', async () => {
    const res = await put(edited((d) => (d.seed = 'someone-else')));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('start it with MOCK_SEED="someone-else"');
  });

  it('when a virtual-clock document is imported into a real-clock mock, then 400 and that mock is unchanged', async () => {
    const real = await fresh({ MOCK_CLOCK: 'real', MOCK_SEED: 'state-test' });
    const res = await real.inject({
      method: 'PUT',
      url: '/_mock/state',
      payload: before,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.validation_errors[0].path).toBe('clock.mode');
  });

  it('when the document holds more migrations than MOCK_MAX_MIGRATIONS, then 403 and nothing is imported', async () => {
    // The document holds the 12 pre-seeded migrations and one more.
    const small = await fresh({ ...ENV, MOCK_MAX_MIGRATIONS: '12' });
    const smallBefore = (await small.inject({ method: 'GET', url: '/_mock/state' })).body;
    const res = await small.inject({
      method: 'PUT',
      url: '/_mock/state',
      payload: before,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(
      /holds 13 migrations; this mock holds at most 12 \(MOCK_MAX_MIGRATIONS\)/,
    );
    expect((await small.inject({ method: 'GET', url: '/_mock/state' })).body).toBe(smallBefore);
  });
});

describe('MOCK_STATE_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mock-state-'));

  it('when the file holds an exported state, then it is imported', async () => {
    const a = await fresh();
    await a.inject({
      method: 'POST',
      url: '/_mock/migrations',
      payload: { scenario: 'copy_completes', migration_id: 'mig_from_file' },
    });
    const file = join(dir, 'good.json');
    writeFileSync(file, (await a.inject({ method: 'GET', url: '/_mock/state' })).body);
    const b = await fresh();
    expect(loadStateFile(b.engine, file).migrations).toBe(a.engine.store.size);
    expect(b.engine.store.has('mig_from_file')).toBe(true);
  });

  it('when the file is refused, then the error names the file, the JSON path and the reason', async () => {
    const a = await fresh();
    const doc = (await a.inject({ method: 'GET', url: '/_mock/state' })).json();
    doc.migrations[0].seq = 'first';
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(doc));
    expect(() => loadStateFile(a.engine, file)).toThrow(StateFileError);
    expect(() => loadStateFile(a.engine, file)).toThrow(
      `MOCK_STATE_FILE ${file}: the state document is refused:\n  migrations[0].seq: Invalid input: expected number, received string`,
    );
  });

  it('when the file is not JSON or missing, then the error names the file', async () => {
    const a = await fresh();
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"format_version": 1,');
    expect(() => loadStateFile(a.engine, file)).toThrow(
      new RegExp(`^MOCK_STATE_FILE ${file}: not valid JSON`),
    );
    expect(() => loadStateFile(a.engine, join(dir, 'missing.json'))).toThrow(/cannot be read/);
  });
});
