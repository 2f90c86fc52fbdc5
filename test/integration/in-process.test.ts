import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  createMockServer,
  GetMigrationResponseSchema,
  type MockServer,
  VirtualClock,
} from '../../src/index.js';

/**
 * The programmatic entry, as a test suite uses it: in its own process, with fake timers on. Nothing in
 * the mock waits on a timer, so the suite moves the clock instead of waiting.
 */

const KEY = { authorization: 'Bearer sk_suite' };
const COPY = {
  migration_type: 'copy',
  source_namespace_id: 'ns_acme_media',
  target_namespace_name: 'acme_copy',
};

/** Through the Fastify instance's own inject, as a suite holding `mock.app` would. */
async function createCopy(mock: MockServer): Promise<string> {
  const res = await mock.app.inject({
    method: 'POST',
    url: '/v1/namespaces/migrations/',
    headers: { ...KEY, prefer: 'scenario=copy_completes' },
    payload: { config: COPY, start_immediately: true },
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as { migration_id: string }).migration_id;
}

async function getMigration(mock: MockServer, id: string) {
  const res = await mock.inject({ method: 'GET', url: `/v1/namespaces/migrations/${id}`, headers: KEY });
  expect(res.statusCode).toBe(200);
  return GetMigrationResponseSchema.parse(res.json());
}

describe('createMockServer, with fake timers on', () => {
  let mock: MockServer | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
    vi.useRealTimers();
  });

  it('when a migration is created through app.inject and the clock is advanced to its end, then it is completed', async () => {
    mock = await createMockServer({ seed: 'in-process', start: '2025-06-01T00:00:00Z' });
    expect(mock.clock.now()).toBe('2025-06-01T00:00:00.000Z');
    const id = await createCopy(mock);
    expect((await getMigration(mock, id)).status).toBe('validating');

    const end = mock.clock.toEnd();
    expect(Date.parse(end)).toBeGreaterThan(Date.parse('2025-06-01T00:00:00Z'));
    const done = await getMigration(mock, id);
    expect(done.status).toBe('completed');
    expect(done.progress.overall_progress_percent).toBe(100);
    expect(done.progress.stages.every((s) => s.status === 'completed')).toBe(true);
  });

  it('when the clock is moved to the end of one migration, then that one is completed and the clock stops there', async () => {
    mock = await createMockServer();
    const id = await createCopy(mock);
    const end = mock.clock.toEnd(id);
    const done = await getMigration(mock, id);
    expect(done.status).toBe('completed');
    expect(done.completed_at).toBe(end);
    // The pre-seeded stuck migration still waits in its queue.
    expect((await getMigration(mock, 'mig_stuck_pending')).status).toBe('pending');
  });

  it('when the clock is advanced by seconds, then the migration moves through its stages to completed', async () => {
    mock = await createMockServer({ seed: 'in-process' });
    const id = await createCopy(mock);
    mock.clock.advance(10);
    const running = await getMigration(mock, id);
    expect(['pending', 'in_progress']).toContain(running.status);
    const eta = Date.parse(running.progress.estimated_completion!);
    mock.clock.advance((eta - Date.parse(mock.clock.now())) / 1000);
    expect((await getMigration(mock, id)).status).toBe('completed');
  });

  it('when fake timers run, then nothing moves: state follows the mock clock only', async () => {
    mock = await createMockServer();
    const id = await createCopy(mock);
    vi.advanceTimersByTime(3_600_000);
    expect((await getMigration(mock, id)).status).toBe('validating');
  });

  it("when clock: 'real', then the mock reads Date.now, which fake timers' system time drives", async () => {
    vi.setSystemTime(new Date('2025-03-01T12:00:00Z'));
    mock = await createMockServer({ clock: 'real' });
    const id = await createCopy(mock);
    vi.setSystemTime(new Date('2025-03-01T13:00:00Z'));
    expect((await getMigration(mock, id)).status).toBe('completed');
    expect(() => mock!.clock.advance(1)).toThrow(/real/);
  });

  it('when a Clock object is injected, then the mock reads it', async () => {
    const clock = new VirtualClock(Date.parse('2030-01-01T00:00:00Z'));
    mock = await createMockServer({ clock });
    expect(mock.engine.clock).toBe(clock);
    expect(mock.clock.now()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('when reset, then the clock is back at its start and created migrations are gone', async () => {
    mock = await createMockServer();
    const id = await createCopy(mock);
    mock.clock.advance(60);
    mock.reset();
    expect(mock.clock.now()).toBe('2025-01-01T00:00:00.000Z');
    const res = await mock.inject({ method: 'GET', url: `/v1/namespaces/migrations/${id}`, headers: KEY });
    expect(res.statusCode).toBe(404);
  });

  it('when a setting is wrong, then createMockServer throws a ConfigError naming it', async () => {
    await expect(createMockServer({ config: { MOCK_TIME_SCALE: 'fast' } })).rejects.toThrow(ConfigError);
    await expect(createMockServer({ config: { MOCK_TIME_SCALE: 'fast' } })).rejects.toThrow(
      /MOCK_TIME_SCALE/,
    );
  });
});

describe('createMockServer on a real socket', () => {
  it('when listen() is called, then it resolves with a URL that answers, and close() frees it', async () => {
    const mock = await createMockServer({ config: { MOCK_API_KEYS: 'sk_only' } });
    try {
      const url = await mock.listen();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const refused = await fetch(`${url}/v1/namespaces/migrations/list`, { method: 'POST', headers: KEY });
      expect(refused.status).toBe(401);
    } finally {
      await mock.close();
    }
  });
});
