import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { appWith, listen, rawRequest } from '../fuzz/support.js';

/**
 * API keys and the webhook secret never leave the mock: not in its logs (captured at trace level through a
 * custom pino destination), not in the journal, the webhook delivery log, the state export, nor any answer.
 */

const KEY = 'sk_live_TOKEN_4f9a1c';
const WRONG_KEY = 'sk_live_WRONG_8d2e7b';
const WEBHOOK_SECRET = 'whsec_SECRET_77c0de';
const SECRETS = [KEY, WRONG_KEY, WEBHOOK_SECRET, 'TOKEN_4f9a1c', 'WRONG_8d2e7b', 'SECRET_77c0de'];

let app: FastifyInstance;
let receiver: Server;
const logLines: string[] = [];
const answers: string[] = [];
const received: { secret: string | undefined }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    received.push({ secret: req.headers['x-mixpeek-secret'] as string | undefined });
    req.resume();
    res.writeHead(req.headers['x-mixpeek-delivery-attempt'] === '1' ? 500 : 204).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  app = await appWith(
    {
      LOG_LEVEL: 'trace',
      MOCK_API_KEYS: KEY,
      MOCK_WEBHOOK_SECRET: WEBHOOK_SECRET,
      MOCK_WEBHOOK_BACKOFF_MS: '1',
    },
    { logStream: { write: (line: string) => void logLines.push(line) } },
  );
  const send = async (opts: InjectOptions) => {
    const res = await app.inject(opts);
    answers.push(JSON.stringify(res.headers), res.body);
    return res;
  };
  const M = '/v1/namespaces/migrations';
  for (const authorization of [
    `Bearer ${KEY}`,
    `Bearer ${WRONG_KEY}`,
    `Basic ${KEY}`,
    KEY,
    `Bearer ${KEY} ${WRONG_KEY}`,
  ]) {
    const headers = { authorization, 'x-mixpeek-secret': WEBHOOK_SECRET };
    await send({ method: 'GET', url: `${M}/mig_copy_completes`, headers });
    await send({ method: 'GET', url: `${M}/mig_nope`, headers });
    await send({ method: 'POST', url: `${M}/list`, headers, payload: { limit: 'many' } });
    await send({
      method: 'POST',
      url: `${M}/`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"config":',
    });
    await send({
      method: 'POST',
      url: `${M}/validate`,
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: KEY,
    });
    await send({ method: 'DELETE', url: `${M}/mig_copy_completes`, headers });
  }
  // A migration that calls back (first attempt answered 500, then 204), and one refused by the allow list.
  const created = await send({
    method: 'POST',
    url: `${M}/`,
    headers: { authorization: `Bearer ${KEY}` },
    payload: {
      config: { migration_type: 'copy', source_namespace_id: 'ns_support_kb', webhook_url: hook },
      start_immediately: true,
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  await send({
    method: 'POST',
    url: '/_mock/migrations',
    payload: { scenario: 'copy_completes', config: { webhook_url: 'http://203.0.113.9/x' } },
  });
  await send({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 600 } });
  await app.webhooks.idle();
  for (const url of ['/_mock/requests', '/_mock/webhooks', '/_mock/state', '/openapi.json'])
    await send({ method: 'GET', url });
  // Malformed requests refused before Fastify sees them, carrying the key.
  const port = await listen(app);
  for (const head of [
    `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`,
    `GET /${KEY} BAD\r\nAuthorization: Bearer ${KEY}\r\n\r\n`,
  ]) {
    const res = await rawRequest(port, head);
    answers.push(JSON.stringify(res.headers), res.body);
  }
});
afterAll(async () => {
  await app?.close();
  receiver?.close();
});

describe('secrets', () => {
  it('when requests carry keys (good, wrong, malformed) and webhooks are sent, then the logs were written and mention none of them', () => {
    expect(logLines.length).toBeGreaterThan(50);
    expect(logLines.some((l) => l.includes('incoming request'))).toBe(true);
    const leaks = logLines.filter((l) => SECRETS.some((s) => l.includes(s)));
    expect(leaks).toEqual([]);
  });

  it('when webhooks were delivered, then the receiver got the secret: the secret was in use while it stayed out of the logs', () => {
    expect(received.length).toBeGreaterThanOrEqual(2);
    expect(received.every((r) => r.secret === WEBHOOK_SECRET)).toBe(true);
  });

  it('when anything is answered (errors, journal, webhook log, state export), then no answer holds a key or the secret', () => {
    const leaks = answers.filter((a) => SECRETS.some((s) => a.includes(s)));
    expect(leaks).toEqual([]);
  });

  it('when a secret setting is invalid, then the configuration error does not echo it', () => {
    expect(() => loadConfig({ MOCK_API_KEYS: `${KEY} has spaces` })).toThrow(/MOCK_API_KEYS=\(hidden\)/);
    try {
      loadConfig({ MOCK_API_KEYS: `${KEY} has spaces` });
    } catch (e) {
      expect(String(e)).not.toContain('TOKEN_4f9a1c');
    }
  });
});
