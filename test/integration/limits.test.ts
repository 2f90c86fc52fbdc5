import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { appWith, envelopeProblem, knownEnv, listen, rawRequest } from '../fuzz/support.js';

/**
 * Every limit the mock enforces, each with its setting: a clear 4xx in the envelope past it, and memory
 * that stays bounded (nothing grows without a cap, nothing held is evicted silently).
 */

const AUTH = { authorization: 'Bearer sk_limits' };
const MIGRATIONS = '/v1/namespaces/migrations';
const opened: FastifyInstance[] = [];
async function app(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const a = await appWith(env);
  opened.push(a);
  return a;
}
afterAll(async () => {
  await Promise.all(opened.map((a) => a.close()));
});

describe('MOCK_BODY_LIMIT_BYTES › request bodies', () => {
  it('when a body is larger than the limit, then 413 PayloadTooLargeError naming the limit; at the limit it is read', async () => {
    const a = await app({ MOCK_BODY_LIMIT_BYTES: '1024' });
    const body = (n: number) => JSON.stringify({ limit: 10, pad: 'x'.repeat(n - 21) });
    expect(body(1025)).toHaveLength(1025);
    const over = await a.inject({
      method: 'POST',
      url: `${MIGRATIONS}/list`,
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: body(1025),
    });
    expect(over.statusCode).toBe(413);
    expect(envelopeProblem(413, over.body)).toBeNull();
    expect(over.json().error.message).toBe('Request body is larger than 1024 bytes');
    const at = await a.inject({
      method: 'POST',
      url: `${MIGRATIONS}/list`,
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: body(1024),
    });
    expect(at.statusCode).toBe(200);
  });

  it('when a chunked body passes the limit over a socket, then 413 in the envelope', async () => {
    const a = await app({ MOCK_BODY_LIMIT_BYTES: '1024' });
    const port = await listen(a);
    const chunk = 'x'.repeat(2048);
    const res = await rawRequest(
      port,
      `POST ${MIGRATIONS}/list HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${(2048).toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
    );
    expect(res.status).toBe(413);
    expect(envelopeProblem(413, res.body)).toBeNull();
  });

  it('when a state document is larger than the limit, then PUT /_mock/state still reads it (its own limit: 64 MiB)', async () => {
    const a = await app({ MOCK_BODY_LIMIT_BYTES: '1024' });
    const doc = (await a.inject({ method: 'GET', url: '/_mock/state' })).body;
    expect(doc.length).toBeGreaterThan(1024);
    const res = await a.inject({
      method: 'PUT',
      url: '/_mock/state',
      headers: { 'content-type': 'application/json' },
      payload: doc,
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('MOCK_MAX_URL_LENGTH › request targets', () => {
  it('when the path and query are longer than the limit, then 414 URITooLongError with the limit and length; at the limit 200', async () => {
    const a = await app({ MOCK_MAX_URL_LENGTH: '100' });
    const url = (n: number) => `/healthz?q=${'x'.repeat(n - 11)}`;
    const over = await a.inject({ method: 'GET', url: url(101) });
    expect(over.statusCode).toBe(414);
    expect(envelopeProblem(414, over.body)).toBeNull();
    expect(over.json().error.details).toEqual({ limit: 100, length: 101 });
    expect((await a.inject({ method: 'GET', url: url(100) })).statusCode).toBe(200);
  });

  it('when a migration id alone passes the limit, then 414 before authentication and routing', async () => {
    const a = await app({ MOCK_MAX_URL_LENGTH: '100' });
    const res = await a.inject({ method: 'GET', url: `${MIGRATIONS}/${'a'.repeat(200)}` });
    expect(res.statusCode).toBe(414);
    expect(envelopeProblem(414, res.body)).toBeNull();
  });
});

describe('MOCK_MAX_HEADER_BYTES › request line and headers', () => {
  it('when the head is larger than the limit, then 431 RequestHeaderFieldsTooLargeError and the connection closes; a smaller one is served', async () => {
    const a = await app({ MOCK_MAX_HEADER_BYTES: '2048' });
    const port = await listen(a);
    const over = await rawRequest(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(3_000)}\r\n\r\n`,
    );
    expect(over.status).toBe(431);
    expect(envelopeProblem(431, over.body)).toBeNull();
    expect(JSON.parse(over.body).error.details).toEqual({ limit: 2048 });
    expect(over.headers.connection).toBe('close');
    const under = await rawRequest(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(1_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(under.status).toBe(200);
  });
});

describe('MOCK_REQUEST_TIMEOUT_MS › slow clients', () => {
  it('when a body never arrives, then 408 RequestTimeoutError after the timeout (not a connection held forever), and /healthz keeps answering', async () => {
    const a = await app({ MOCK_REQUEST_TIMEOUT_MS: '500' });
    const port = await listen(a);
    const started = performance.now();
    const slow = rawRequest(
      port,
      'POST /_mock/clock/advance HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"sec',
      { timeoutMs: 5_000 },
    );
    const health = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', {
      timeoutMs: 1_000,
    });
    expect(health.status).toBe(200);
    const res = await slow;
    expect(res.status).toBe(408);
    expect(envelopeProblem(408, res.body)).toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    expect(performance.now() - started).toBeLessThan(2_500);
  });
});

describe('MOCK_MAX_MIGRATIONS › migrations held', () => {
  it('when migrations are created to the cap and beyond, then each past the cap gets 403 ForbiddenError and none held is evicted', async () => {
    const a = await app({ MOCK_MAX_MIGRATIONS: '20' });
    const preseeded = a.engine.store.size;
    const created: string[] = [];
    const config = { migration_type: 'copy', source_namespace_id: 'ns_support_kb' };
    for (let i = preseeded; i < 20; i++) {
      const res = await a.inject({
        method: 'POST',
        url: `${MIGRATIONS}/`,
        headers: AUTH,
        payload: { config },
      });
      expect(res.statusCode, res.body).toBe(201);
      created.push(res.json().migration_id);
    }
    const before = (await a.inject({ method: 'GET', url: '/_mock/state' })).body;
    for (const attempt of [
      () => a.inject({ method: 'POST', url: `${MIGRATIONS}/`, headers: AUTH, payload: { config } }),
      () =>
        a.inject({
          method: 'POST',
          url: `${MIGRATIONS}/`,
          headers: AUTH,
          payload: { config, start_immediately: true },
        }),
      () => a.inject({ method: 'POST', url: '/_mock/migrations', payload: { scenario: 'copy_completes' } }),
    ]) {
      const res = await attempt();
      expect(res.statusCode).toBe(403);
      expect(envelopeProblem(403, res.body)).toBeNull();
      expect(res.json().error.message).toMatch(
        /^Migration limit reached: the mock holds 20 migrations \(MOCK_MAX_MIGRATIONS\)/,
      );
      expect(res.json().error.details).toEqual({ limit: 20 });
    }
    // Nothing changed, nothing was evicted: every migration still answers.
    expect((await a.inject({ method: 'GET', url: '/_mock/state' })).body).toBe(before);
    const listed = (
      await a.inject({ method: 'POST', url: `${MIGRATIONS}/list`, headers: AUTH, payload: { limit: 100 } })
    ).json();
    expect(listed.total).toBe(20);
    for (const id of created)
      expect((await a.inject({ method: 'GET', url: `${MIGRATIONS}/${id}`, headers: AUTH })).statusCode).toBe(
        200,
      );
    // Room again after a delete.
    expect(
      (await a.inject({ method: 'DELETE', url: `${MIGRATIONS}/${created[0]}`, headers: AUTH })).statusCode,
    ).toBe(204);
    expect(
      (await a.inject({ method: 'POST', url: `${MIGRATIONS}/`, headers: AUTH, payload: { config } }))
        .statusCode,
    ).toBe(201);
  });

  it('when the cap is below the pre-seeded migrations of the fixtures, then start-up stops saying so', async () => {
    await expect(
      buildApp({ config: loadConfig(knownEnv({ LOG_LEVEL: 'silent', MOCK_MAX_MIGRATIONS: '3' })) }),
    ).rejects.toThrow(/^MOCK_MAX_MIGRATIONS=3 is below the \d+ pre-seeded migrations of the fixtures$/);
  });
});

describe('logs of constant size', () => {
  it('when more requests arrive than MOCK_JOURNAL_SIZE, then the journal keeps exactly the newest ones', async () => {
    const a = await app({ MOCK_JOURNAL_SIZE: '10' });
    for (let i = 0; i < 35; i++)
      await a.inject({ method: 'GET', url: `${MIGRATIONS}/mig_nope_${i}`, headers: AUTH });
    const journal = (await a.inject({ method: 'GET', url: '/_mock/requests' })).json() as {
      capacity: number;
      requests: { url: string }[];
    };
    expect(journal.capacity).toBe(10);
    expect(journal.requests.map((r) => r.url)).toEqual(
      Array.from({ length: 10 }, (_, i) => `${MIGRATIONS}/mig_nope_${34 - i}`),
    );
    for (let i = 0; i < 100; i++) await a.inject({ method: 'GET', url: '/healthz' });
    expect((await a.inject({ method: 'GET', url: '/_mock/requests' })).json().requests).toHaveLength(10);
  });

  it('when more webhook attempts are made than MOCK_WEBHOOK_LOG_SIZE, then the delivery log keeps exactly that many', async () => {
    const a = await app({ MOCK_WEBHOOK_LOG_SIZE: '5' });
    // A literal public address: refused by the allow list without any network access, and recorded.
    for (let i = 0; i < 3; i++) {
      const res = await a.inject({
        method: 'POST',
        url: '/_mock/migrations',
        payload: { scenario: 'copy_completes', config: { webhook_url: 'http://203.0.113.7/hook' } },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    await a.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 3600 } });
    await a.webhooks.idle();
    const log = (await a.inject({ method: 'GET', url: '/_mock/webhooks' })).json() as {
      capacity: number;
      deliveries: { outcome: string }[];
    };
    expect(log.capacity).toBe(5);
    expect(log.deliveries).toHaveLength(5);
    expect(new Set(log.deliveries.map((d) => d.outcome))).toEqual(new Set(['refused']));
  });
});

describe('MOCK_LATENCY_CAP_MS › per-request latency', () => {
  it('when Prefer asks for more latency than the cap, then the answer comes after the cap, not the request', async () => {
    const a = await app({ MOCK_LATENCY_CAP_MS: '50' });
    const started = performance.now();
    const res = await a.inject({ method: 'GET', url: '/healthz', headers: { prefer: 'latency=600000' } });
    expect(res.statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('when MOCK_LATENCY_MS or MOCK_LATENCY_CAP_MS is out of range, then the configuration is refused', () => {
    expect(() => loadConfig({ MOCK_LATENCY_MS: '60001' })).toThrow(ConfigError);
    expect(() => loadConfig({ MOCK_LATENCY_CAP_MS: '600001' })).toThrow(ConfigError);
  });
});

describe('settings of the limits', () => {
  it.each([
    ['MOCK_MAX_URL_LENGTH', '63'],
    ['MOCK_MAX_HEADER_BYTES', '1023'],
    ['MOCK_REQUEST_TIMEOUT_MS', '99'],
    ['MOCK_SHUTDOWN_TIMEOUT_MS', '600001'],
    ['MOCK_BODY_LIMIT_BYTES', '0'],
  ])('when %s=%s, then the configuration is refused with the variable named', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`Invalid setting ${name}="${value}"`));
  });

  it('when unset, then the documented defaults apply', () => {
    const c = loadConfig({});
    expect({
      bodyLimit: c.bodyLimit,
      maxUrlLength: c.maxUrlLength,
      maxHeaderBytes: c.maxHeaderBytes,
      requestTimeoutMs: c.requestTimeoutMs,
      shutdownTimeoutMs: c.shutdownTimeoutMs,
      maxMigrations: c.maxMigrations,
      journalSize: c.journalSize,
      webhookLogSize: c.webhookLogSize,
      latencyCapMs: c.latencyCapMs,
    }).toEqual({
      bodyLimit: 1_048_576,
      maxUrlLength: 8192,
      maxHeaderBytes: 16_384,
      requestTimeoutMs: 30_000,
      shutdownTimeoutMs: 5_000,
      maxMigrations: 10_000,
      journalSize: 500,
      webhookLogSize: 500,
      latencyCapMs: 10_000,
    });
  });
});
