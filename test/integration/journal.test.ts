import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { appWith } from '../helpers/apps.js';

const TOKEN = 'sk_test_journal_s3cr3t_value';
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Entry {
  method: string;
  url: string;
  status: number | null;
  at: string;
  wall_at: string;
  latency_ms: number;
  migration_id: string | null;
  effects: string[];
}

async function journal(app: FastifyInstance, query = ''): Promise<{ capacity: number; requests: Entry[] }> {
  const res = await app.inject({ method: 'GET', url: `/_mock/requests${query}` });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('GET /_mock/requests', () => {
  it('when more requests than MOCK_JOURNAL_SIZE arrive, then only the newest are kept, newest first, without any token', async () => {
    const app = await appWith({ MOCK_JOURNAL_SIZE: '5' });
    const urls: string[] = [];
    for (let i = 0; i < 8; i++) {
      const url = `/v1/namespaces/migrations/mig_copy_completes?n=${i}`;
      urls.push(url);
      await app.inject({ method: 'GET', url, headers: { ...AUTH, 'x-mixpeek-secret': 'header-secret' } });
    }
    const j = await journal(app);
    expect(j.capacity).toBe(5);
    expect(j.requests.map((r) => r.url)).toEqual(urls.slice(3).reverse());
    const text = JSON.stringify(j);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('Bearer');
    expect(text).not.toContain('header-secret');
    expect(j.requests[0]).toEqual({
      method: 'GET',
      url: '/v1/namespaces/migrations/mig_copy_completes?n=7',
      status: 200,
      at: '2025-01-01T00:00:00.000Z',
      wall_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      latency_ms: expect.any(Number),
      migration_id: 'mig_copy_completes',
      effects: [],
    });
  });

  it('when filtered by migration_id, then only that migration’s requests are listed; the journal’s own reads are not', async () => {
    const app = await appWith();
    await app.inject({ method: 'GET', url: '/v1/namespaces/migrations/mig_copy_completes', headers: AUTH });
    await app.inject({ method: 'GET', url: '/v1/namespaces/migrations/mig_dry_run', headers: AUTH });
    await app.inject({ method: 'POST', url: '/v1/namespaces/migrations/mig_dry_run/cancel', headers: AUTH });
    await app.inject({ method: 'GET', url: '/v1/namespaces/migrations/mig_copy_completes' });
    await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 30 } });
    await app.inject({ method: 'POST', url: '/v1/namespaces/migrations/list', headers: AUTH, payload: {} });
    await journal(app);

    const only = await journal(app, '?migration_id=mig_dry_run');
    expect(only.requests.map((r) => [r.method, r.url, r.status])).toEqual([
      ['POST', '/v1/namespaces/migrations/mig_dry_run/cancel', 200],
      ['GET', '/v1/namespaces/migrations/mig_dry_run', 200],
    ]);
    const all = (await journal(app)).requests;
    expect(all.map((r) => [r.method, r.url.split('?')[0], r.status, r.migration_id])).toEqual([
      ['POST', '/v1/namespaces/migrations/list', 200, null],
      ['POST', '/_mock/clock/advance', 200, null],
      ['GET', '/v1/namespaces/migrations/mig_copy_completes', 401, 'mig_copy_completes'],
      ['POST', '/v1/namespaces/migrations/mig_dry_run/cancel', 200, 'mig_dry_run'],
      ['GET', '/v1/namespaces/migrations/mig_dry_run', 200, 'mig_dry_run'],
      ['GET', '/v1/namespaces/migrations/mig_copy_completes', 200, 'mig_copy_completes'],
    ]);
    // The instant is the mock clock's when the request arrived.
    expect(all[0]!.at).toBe('2025-01-01T00:00:30.000Z');
  });

  it('when POST /_mock/reset runs, then the journal is cleared (the reset itself is its first entry)', async () => {
    const app = await appWith();
    for (let i = 0; i < 3; i++) await app.inject({ method: 'GET', url: '/healthz' });
    expect((await journal(app)).requests).toHaveLength(3);
    await app.inject({ method: 'POST', url: '/_mock/reset' });
    expect((await journal(app)).requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /_mock/reset']);
  });

  it('when MOCK_JOURNAL_SIZE is 0, then nothing is kept', async () => {
    const app = await appWith({ MOCK_JOURNAL_SIZE: '0' });
    await app.inject({ method: 'GET', url: '/healthz' });
    expect(await journal(app)).toEqual({ capacity: 0, requests: [] });
  });
});

describe('latency', () => {
  it('when a request says Prefer: latency=150, then it is answered after at least 150 ms and the journal notes it', async () => {
    const app = await appWith();
    const t = performance.now();
    const res = await app.inject({
      method: 'GET',
      url: '/v1/namespaces/migrations/mig_copy_completes',
      headers: { ...AUTH, prefer: 'latency=150' },
    });
    expect(res.statusCode).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(148);
    const [entry] = (await journal(app)).requests;
    expect(entry!.effects).toEqual(['latency:150']);
    expect(entry!.latency_ms).toBeGreaterThanOrEqual(148);
  });

  it('when Prefer: latency exceeds MOCK_LATENCY_CAP_MS, then the cap applies', async () => {
    const app = await appWith({ MOCK_LATENCY_CAP_MS: '40' });
    const t = performance.now();
    await app.inject({ method: 'GET', url: '/healthz', headers: { prefer: 'latency=60000' } });
    expect(performance.now() - t).toBeLessThan(1000);
    expect((await journal(app)).requests[0]!.effects).toEqual(['latency:40']);
  });

  it('when Prefer: latency is not a number of milliseconds, then 400 BadRequestError', async () => {
    const app = await appWith();
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { prefer: 'latency=soon' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ success: false, status: 400, error: { type: 'BadRequestError' } });
  });

  it('when MOCK_LATENCY_MS is a range, then every route gets a latency in it, the same sequence for the same seed', async () => {
    const runs: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const app = await appWith({ MOCK_LATENCY_MS: '5-25', MOCK_SEED: 'latency-seed' });
      await app.inject({ method: 'GET', url: '/healthz' });
      await app.inject({ method: 'GET', url: '/v1/namespaces/migrations/mig_copy_completes', headers: AUTH });
      await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 1 } });
      await app.inject({ method: 'GET', url: '/_mock/clock' });
      const effects = (await journal(app)).requests.map((r) => r.effects);
      expect(effects).toHaveLength(4);
      for (const e of effects) {
        expect(e).toHaveLength(1);
        const ms = Number(/^latency:(\d+)$/.exec(e[0]!)?.[1]);
        expect(ms).toBeGreaterThanOrEqual(5);
        expect(ms).toBeLessThanOrEqual(25);
      }
      runs.push(effects.flat());
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(new Set(runs[0]).size).toBeGreaterThan(1);
  });
});
