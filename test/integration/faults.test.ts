import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFixturesDir } from '../../src/scenarios/load.js';
import { appWith } from '../helpers/apps.js';

const AUTH = { authorization: 'Bearer sk_test_faults' };

const get = (app: FastifyInstance, id: string) =>
  app.inject({ method: 'GET', url: `/v1/namespaces/migrations/${id}`, headers: AUTH });
const advance = (app: FastifyInstance, seconds: number) =>
  app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds } });

/** What a client sees of a GET: status, the headers that matter, the body. */
async function observe(app: FastifyInstance, id: string) {
  const res = await get(app, id);
  return {
    status: res.statusCode,
    retryAfter: res.headers['retry-after'],
    pollInterval: res.headers['x-poll-interval'],
    body: res.body,
  };
}

describe('flaky_polls: faults at polls 2 and 3', () => {
  it('when GET 1..5 of mig_flaky_polls run, then polls 2 and 3 answer 429 and 503 with Retry-After, in the envelope', async () => {
    const app = await appWith();
    const seen = [];
    for (let i = 0; i < 5; i++) {
      seen.push(await observe(app, 'mig_flaky_polls'));
      await advance(app, 1);
    }
    expect(seen.map((s) => s.status)).toEqual([200, 429, 503, 200, 200]);
    expect(seen.map((s) => s.retryAfter)).toEqual([undefined, '2', '1', undefined, undefined]);
    expect(JSON.parse(seen[1]!.body)).toEqual({
      success: false,
      status: 429,
      error: {
        message: 'Rate limit exceeded. Retry after 2 second(s).',
        type: 'TooManyRequestsError',
        details: { retry_after_seconds: 2 },
      },
    });
    expect(JSON.parse(seen[2]!.body)).toMatchObject({
      status: 503,
      error: { type: 'ServiceUnavailableError' },
    });
    expect(JSON.parse(seen[4]!.body).status).toBe('pending');
  });

  it('when two apps with the same seed get the same requests at the same instants, then they give exactly the same answers', async () => {
    const runs = [];
    for (let run = 0; run < 2; run++) {
      const app = await appWith({ MOCK_SEED: 'replay-me' });
      const seen = [];
      for (let i = 0; i < 6; i++) {
        seen.push(await observe(app, 'mig_flaky_polls'));
        await advance(app, 2);
      }
      runs.push(seen);
    }
    expect(runs[0]!.map((s) => s.status)).toEqual([200, 429, 503, 200, 200, 200]);
    expect(runs[1]).toEqual(runs[0]);
  });

  it('when the flaky migration is poll-driven, then the faulted polls do not step it: the state is as if they had not happened', async () => {
    const config = {
      migration_type: 'copy',
      source_namespace_id: 'ns_support_kb',
      target_namespace_name: 'support_kb_flaky',
    };
    const create = async (app: FastifyInstance, scenario: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/namespaces/migrations/',
        headers: { ...AUTH, prefer: `scenario=${scenario}, advance=poll` },
        payload: { config, start_immediately: true },
      });
      expect(res.statusCode).toBe(201);
      return res.json().migration_id as string;
    };
    // With faults at polls 2 and 3.
    const flaky = await appWith();
    const id = await create(flaky, 'flaky_polls');
    const withFaults = [];
    for (let i = 0; i < 6; i++) withFaults.push(await observe(flaky, id));
    expect(withFaults.map((s) => s.status)).toEqual([200, 429, 503, 200, 200, 200]);
    expect(flaky.engine.find(id).polls).toBe(6);

    // The same plan without faults (poll_driven has flaky_polls' timing and no faults).
    const clean = await appWith();
    const cleanId = await create(clean, 'poll_driven');
    expect(cleanId).toBe(id);
    const without = [];
    for (let i = 0; i < 4; i++) without.push(await observe(clean, cleanId));
    // Bodies equal but for the scenario's name, which the mock reports in additional_data.
    const state = (body: string) => {
      const b = JSON.parse(body);
      delete b.additional_data?.mock_scenario;
      return b;
    };
    const ok = withFaults.filter((s) => s.status === 200).map((s) => state(s.body));
    expect(ok).toEqual(without.map((s) => state(s.body)));
    expect(flaky.engine.find(id).pollAt).toBe(clean.engine.find(cleanId).pollAt);

    const journal = (await flaky.inject({ method: 'GET', url: `/_mock/requests?migration_id=${id}` })).json()
      .requests;
    expect(
      journal
        .slice(0, 6)
        .reverse()
        .map((r: { status: number; effects: string[] }) => [r.status, r.effects]),
    ).toEqual([
      [200, ['poll-advance']],
      [429, ['fault:429']],
      [503, ['fault:503']],
      [200, ['poll-advance']],
      [200, ['poll-advance']],
      [200, ['poll-advance']],
    ]);
  });
});

describe('scheduled faults of every kind', () => {
  let dir: string;
  beforeAll(() => {
    // A copy of fixtures/ plus one test-only scenario, in a temporary directory.
    dir = mkdtempSync(join(tmpdir(), 'mock-faults-'));
    cpSync(defaultFixturesDir(), dir, { recursive: true });
    const pollDriven = JSON.parse(readFileSync(join(dir, 'scenarios', 'poll_driven.json'), 'utf8'));
    writeFileSync(
      join(dir, 'scenarios', 'every_fault.json'),
      JSON.stringify({
        ...pollDriven,
        name: 'every_fault',
        description: 'Poll-driven, with one fault of each kind.',
        faults: [
          { at_polls: [2], kind: '500' },
          { at_polls: [3], kind: 'drop' },
          { at_polls: [4], kind: 'delay', delay_ms: 250 },
          { during: { from_seconds: 100, to_seconds: 200 }, kind: '503', retry_after_seconds: 7 },
        ],
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when polls hit 500, a dropped connection, a delay and a window of 503s, then each answers so and none moves the migration', async () => {
    const app = await appWith({ MOCK_FIXTURES_DIR: dir });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/namespaces/migrations/',
      headers: { ...AUTH, prefer: 'scenario=every_fault' },
      payload: {
        config: { migration_type: 'copy', source_namespace_id: 'ns_support_kb' },
        start_immediately: true,
      },
    });
    const id = res.json().migration_id as string;
    const m = app.engine.find(id);
    const url = `${base}/v1/namespaces/migrations/${id}`;
    const poll = () => fetch(url, { headers: AUTH });

    const first = await poll();
    expect(first.status).toBe(200);
    const afterFirst = m.pollAt;
    const firstBody = await first.text();

    const second = await poll();
    expect(second.status).toBe(500);
    expect(await second.json()).toEqual({
      success: false,
      status: 500,
      error: { message: 'Internal server error', type: 'InternalServerError', details: null },
    });
    expect(m.pollAt).toBe(afterFirst);

    await expect(poll()).rejects.toThrow();
    expect(m.pollAt).toBe(afterFirst);

    const t = performance.now();
    const delayed = await poll();
    expect(performance.now() - t).toBeGreaterThanOrEqual(240);
    expect(delayed.status).toBe(200);
    expect(await delayed.text()).toBe(firstBody);
    expect(m.pollAt).toBe(afterFirst);

    const fifth = await poll();
    expect(fifth.status).toBe(200);
    expect(m.pollAt).toBeGreaterThan(afterFirst!);

    await advance(app, 150);
    const windowed = await poll();
    expect(windowed.status).toBe(503);
    expect(windowed.headers.get('retry-after')).toBe('7');
    await advance(app, 100);
    expect((await poll()).status).toBe(200);

    const journal = (await app.inject({ method: 'GET', url: `/_mock/requests?migration_id=${id}` })).json()
      .requests;
    expect(
      journal.reverse().map((r: { status: number | null; effects: string[] }) => [r.status, r.effects]),
    ).toEqual([
      [200, ['poll-advance']],
      [500, ['fault:500']],
      [null, ['fault:drop']],
      [200, ['fault:delay']],
      [200, ['poll-advance']],
      [503, ['fault:503']],
      [200, ['poll-advance']],
    ]);
  });
});
