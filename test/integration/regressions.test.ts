// Regression tests for what a fresh-clone user found by trying to break the mock; each named after its input.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';

const AUTH = { authorization: 'Bearer sk_test_regressions' };
let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ config: loadConfig({ MOCK_CLOCK: 'virtual', LOG_LEVEL: 'silent', MOCK_LATENCY_CAP_MS: '20' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => app.close());

const envelope = (status: number, type: string) => ({ success: false, status, error: expect.objectContaining({ type }) });

describe('authentication cannot be skipped', () => {
  for (const url of [
    '/%761/namespaces/migrations/mig_copy_completes',
    '/v%31/namespaces/migrations/mig_copy_completes',
    '/%76%31/namespaces/migrations/list',
  ])
    it(`when ${url} is requested without a key, then 401`, async () => {
      const res = await app.inject({ method: url.endsWith('list') ? 'POST' : 'GET', url, payload: url.endsWith('list') ? {} : undefined });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject(envelope(401, 'UnauthorizedError'));
    });

  it('when the request target is absolute-form (GET http://x/v1/...) without a key, then 401', async () => {
    const { port } = app.server.address() as AddressInfo;
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () =>
        s.write('GET http://x/v1/namespaces/migrations/mig_copy_completes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      );
      let data = '';
      s.on('data', (c) => (data += c));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect(raw).toContain('"type":"UnauthorizedError"');
  });

  for (const [name, key, status] of [
    ['a non-ASCII key (sk_é)', 'sk_é', 401],
    ['a 300-character key', `sk_${'a'.repeat(300)}`, 401],
    ['a Mixpeek-shaped key (sk_test_ok-1)', 'sk_test_ok-1', 200],
  ] as const)
    it(`when the key is ${name}, then ${status}`, async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/namespaces/migrations/mig_copy_completes',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.statusCode).toBe(status);
    });
});

describe('bodies, latency and CORS', () => {
  it('when a JSON body is sent as text/plain, then 415 UnsupportedMediaTypeError', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/namespaces/migrations/list',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject(envelope(415, 'UnsupportedMediaTypeError'));
  });

  it('when Prefer: latency=99999999999999999999 exceeds the cap, then the request waits the cap and succeeds', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { prefer: 'latency=99999999999999999999' } });
    expect(res.statusCode).toBe(200);
    const journal = (await app.inject({ method: 'GET', url: '/_mock/requests?limit=1' })).json();
    expect(JSON.stringify(journal)).toContain('latency:20');
  });

  it('when a preflight targets a malformed path (/v1/namespaces/migrations/%ZZ), then 204 with CORS headers', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/namespaces/migrations/%ZZ',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it('when an actual request has a malformed path, then its 400 carries the CORS origin', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/namespaces/migrations/%ZZ', headers: { origin: 'http://localhost:5173' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });
});

describe('control API', () => {
  it('when the clock is set past 9999-01-01, then 400 and the clock does not move', async () => {
    const before = (await app.inject({ method: 'GET', url: '/_mock/clock' })).json().now;
    const put = await app.inject({ method: 'PUT', url: '/_mock/clock', payload: { now: '9999-12-31T23:59:59.999Z' } });
    expect(put.statusCode).toBe(400);
    expect(put.json().error.message).toContain('9999-01-01T00:00:00.000Z');
    const adv = await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 315360000 } });
    expect(adv.statusCode).toBe(200); // ten years is fine
    for (let i = 0; i < 800; i++) {
      const r = await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 315360000 } });
      if (r.statusCode !== 200) {
        expect(r.statusCode).toBe(400);
        break;
      }
    }
    const now = (await app.inject({ method: 'GET', url: '/_mock/clock' })).json().now;
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(Date.parse(now)).toBeGreaterThan(Date.parse(before));
    await app.inject({ method: 'POST', url: '/_mock/reset' });
  });

  it('when a state document puts the clock before its migrations were created, then 422 naming the migration', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/_mock/state' })).json();
    doc.clock.now = '2020-01-01T00:00:00.000Z';
    const res = await app.inject({ method: 'PUT', url: '/_mock/state', payload: doc });
    expect(res.statusCode).toBe(422);
    expect(JSON.stringify(res.json())).toContain('createdAt');
  });

  it('when POST /_mock/migrations has a bad config member, then the 422 message names the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/_mock/migrations',
      payload: { scenario: 'copy_completes', config: { migration_type: 'bogus' } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toContain('body.config.migration_type');
  });
});
