import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { iso } from '../../src/domain/time.js';
import { timelineOf } from '../../src/domain/timeline.js';
import { buildApp } from '../../src/http/app.js';
import { AllowList, isLocalAddress } from '../../src/webhooks/allow-list.js';
import { eventTypeOf, type WebhookEvent, WebhookEventSchema } from '../../src/webhooks/payload.js';
import { verifySignature } from '../../src/webhooks/signing.js';

const AUTH = { authorization: 'Bearer sk_test_webhooks' };
const SECRET = 'whsec_test_4f1c2a';

interface Received {
  /** performance.now() at arrival. */
  readonly arrivedAt: number;
  /** The mock's clock when the request arrived (virtual instants). */
  readonly mockNow: number;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly event: WebhookEvent;
}

/** A webhook receiver on 127.0.0.1, port 0; `respond(n)` decides the answer to the n-th request (from 1). */
class Receiver {
  readonly received: Received[] = [];
  connections = 0;
  private count = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  respond: (n: number) => number | 'hang' = () => 204;
  /** Read at each arrival: the app whose clock stamps `mockNow`. */
  clock: () => number = () => 0;

  static async start(): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = self!;
        const raw = Buffer.concat(chunks).toString('utf8');
        r.received.push({
          arrivedAt: performance.now(),
          mockNow: r.clock(),
          headers: req.headers,
          raw,
          event: JSON.parse(raw),
        });
        const answer = r.respond(++r.count);
        if (answer === 'hang') return; // never answers
        res.statusCode = answer;
        res.end();
      });
    });
    server.on('connection', () => {
      if (self) self.connections++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new Receiver(server, `http://127.0.0.1:${port}/hooks/mixpeek`);
    return self;
  }

  /** Waits until `n` requests have arrived (or fails after `timeoutMs`). */
  async waitFor(n: number, timeoutMs = 5_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.received.length < n) {
      if (performance.now() > until)
        throw new Error(`expected ${n} webhook requests, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
  vi.restoreAllMocks();
});

async function receiver(): Promise<Receiver> {
  const r = await Receiver.start();
  cleanups.push(() => r.close());
  return r;
}

async function appWith(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp({
    config: loadConfig({
      LOG_LEVEL: 'silent',
      MOCK_CLOCK: 'virtual',
      MOCK_WEBHOOK_SECRET: SECRET,
      MOCK_WEBHOOK_BACKOFF_MS: '50',
      MOCK_WEBHOOK_TIMEOUT_MS: '2000',
      ...env,
    }),
  });
  await app.ready();
  cleanups.push(() => app.close());
  return app;
}

const copyConfig = (url: string) => ({
  migration_type: 'copy',
  source_namespace_id: 'ns_acme_media',
  target_namespace_name: 'acme_media_hooked',
  webhook_url: url,
});

async function create(
  app: FastifyInstance,
  url: string,
  opts: { start?: boolean; prefer?: string } = {},
): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/namespaces/migrations/',
    headers: { ...AUTH, prefer: opts.prefer ?? 'scenario=copy_completes' },
    payload: { config: copyConfig(url), start_immediately: opts.start ?? true },
  });
  expect(res.statusCode).toBe(201);
  return res.json().migration_id as string;
}

async function advance(app: FastifyInstance, seconds: number): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds } });
  expect(res.statusCode).toBe(200);
}

/** The migration's expected events: its timeline's types and instants. */
function expectedEvents(app: FastifyInstance, id: string) {
  return timelineOf(app.engine.find(id).plan).map((e) => ({
    event_type: eventTypeOf(e),
    occurred_at: iso(e.at),
  }));
}

describe('webhooks › virtual clock', () => {
  it('when the clock is advanced second by second, then every event arrives once, in order, at its instant, signed', async () => {
    const r = await receiver();
    const app = await appWith();
    r.clock = () => app.engine.now();
    const id = await create(app, r.url);
    const plan = app.engine.find(id).plan;
    const timeline = timelineOf(plan);
    const end = timeline.at(-1)!.at;
    expect(timeline.at(-1)).toMatchObject({ kind: 'status', status: 'completed' });

    const due = () => timeline.filter((e) => e.at <= app.engine.now()).length;
    await r.waitFor(due());
    while (app.engine.now() < end) {
      await advance(app, 1);
      await r.waitFor(due());
      expect(r.received).toHaveLength(due());
    }
    await app.webhooks.idle();
    await new Promise((res) => setTimeout(res, 50));

    expect(
      r.received.map((x) => ({ event_type: x.event.event_type, occurred_at: x.event.occurred_at })),
    ).toEqual(expectedEvents(app, id));
    for (const x of r.received) {
      // Delivered in the step that passed its instant: not before, and within one second after.
      const at = Date.parse(x.event.occurred_at);
      expect(x.mockNow).toBeGreaterThanOrEqual(at);
      expect(x.mockNow - at).toBeLessThan(1000);
      expect(verifySignature(SECRET, x.raw, x.headers['x-mixpeek-signature'] as string)).toBe(true);
      expect(x.headers['x-mixpeek-secret']).toBe(SECRET);
      expect(x.headers['content-type']).toBe('application/json');
      expect(x.headers['x-mixpeek-event-id']).toBe(x.event.event_id);
      expect(WebhookEventSchema.parse(x.event)).toEqual(x.event);
      expect(x.event).toMatchObject({ namespace_id: 'ns_acme_media', subject: { type: 'migration', id } });
    }
    const ids = r.received.map((x) => x.event.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((e) => /^evt_[a-z0-9]{16}$/.test(e))).toBe(true);
    // previous_status follows the transitions; stage completions name their stage.
    const statuses = r.received.filter((x) => x.event.event_type !== 'migration.stage_completed');
    expect(statuses.map((x) => x.event.metadata.previous_status)).toEqual([
      null,
      'validating',
      'pending',
      'in_progress',
    ]);
    const stages = r.received.filter((x) => x.event.event_type === 'migration.stage_completed');
    expect(stages.map((x) => x.event.metadata.completed_stage)).toEqual([
      'namespace_setup',
      'batch_creation',
      'batch_processing',
      'cluster_execution',
      'taxonomy_enrichment',
      'benchmark_evaluation',
      'finalization',
    ]);
    expect(r.received.at(-1)!.event.metadata).toMatchObject({
      status: 'completed',
      overall_progress_percent: 100,
    });

    const log = await app.inject({ method: 'GET', url: `/_mock/webhooks?migration_id=${id}` });
    expect(log.statusCode).toBe(200);
    const deliveries = log.json().deliveries as {
      event_id: string;
      outcome: string;
      attempt: number;
      status_code: number;
    }[];
    expect(deliveries.map((d) => d.event_id)).toEqual([...ids].reverse());
    expect(
      deliveries.every((d) => d.outcome === 'delivered' && d.attempt === 1 && d.status_code === 204),
    ).toBe(true);
    expect(log.body).not.toContain(SECRET);
  });

  it('when two apps with the same seed run the same requests, then the deliveries are byte-identical', async () => {
    const bodies: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const r = await receiver();
      const app = await appWith();
      await create(app, r.url);
      await advance(app, 3600);
      await app.webhooks.idle();
      bodies.push(r.received.map((x) => x.raw));
    }
    expect(bodies[0]!.length).toBeGreaterThan(5);
    expect(bodies[1]).toEqual(bodies[0]);
  });

  it('when the clock jumps past the end at once, then every event still arrives exactly once, in timeline order', async () => {
    const r = await receiver();
    const app = await appWith();
    const id = await create(app, r.url);
    await advance(app, 3600);
    await advance(app, 3600);
    await app.webhooks.idle();
    expect(
      r.received.map((x) => ({ event_type: x.event.event_type, occurred_at: x.event.occurred_at })),
    ).toEqual(expectedEvents(app, id));
  });

  it('when a running migration is cancelled, then the events before stay, migration.cancelled follows at the cancel instant and nothing after', async () => {
    const r = await receiver();
    const app = await appWith();
    const id = await create(app, r.url);
    await advance(app, 9);
    const cancel = await app.inject({
      method: 'POST',
      url: `/v1/namespaces/migrations/${id}/cancel`,
      headers: AUTH,
    });
    expect(cancel.statusCode).toBe(200);
    const cancelledAt = cancel.json().cancelled_at as string;
    await advance(app, 3600);
    await app.webhooks.idle();
    const types = r.received.map((x) => x.event.event_type);
    expect(types.slice(0, 3)).toEqual(['migration.validating', 'migration.pending', 'migration.in_progress']);
    expect(types.at(-1)).toBe('migration.cancelled');
    expect(types).not.toContain('migration.completed');
    expect(r.received.at(-1)!.event.occurred_at).toBe(cancelledAt);
    expect(r.received.at(-1)!.event.metadata.previous_status).toBe('in_progress');
    expect(r.received.map((x) => x.event.occurred_at)).toEqual(
      expectedEvents(app, id).map((e) => e.occurred_at),
    );
  });

  it('when a draft is started at the instant it was created, then draft and pending both arrive, once each', async () => {
    const r = await receiver();
    const app = await appWith();
    const id = await create(app, r.url, { start: false });
    await app.webhooks.idle();
    expect(r.received.map((x) => x.event.event_type)).toEqual(['migration.validating', 'migration.draft']);
    const start = await app.inject({
      method: 'POST',
      url: `/v1/namespaces/migrations/${id}/start`,
      headers: AUTH,
    });
    expect(start.statusCode).toBe(200);
    await advance(app, 3600);
    await app.webhooks.idle();
    const types = r.received.map((x) => x.event.event_type);
    expect(types.slice(0, 4)).toEqual([
      'migration.validating',
      'migration.draft',
      'migration.pending',
      'migration.in_progress',
    ]);
    expect(r.received[2]!.event.metadata.previous_status).toBe('draft');
    expect(types.filter((t) => t === 'migration.completed')).toHaveLength(1);
    expect(new Set(r.received.map((x) => x.event.event_id)).size).toBe(r.received.length);
  });

  it('when a poll-driven migration is polled, then its events arrive as its own instant passes them', async () => {
    const r = await receiver();
    const app = await appWith();
    const id = await create(app, r.url, { prefer: 'scenario=copy_completes, advance=poll' });
    await app.webhooks.idle();
    expect(r.received.map((x) => x.event.event_type)).toEqual(['migration.validating']);
    for (
      let i = 0;
      i < 200 && app.engine.find(id).pollAt! < timelineOf(app.engine.find(id).plan).at(-1)!.at;
      i++
    ) {
      await app.inject({ method: 'GET', url: `/v1/namespaces/migrations/${id}`, headers: AUTH });
    }
    await app.webhooks.idle();
    expect(r.received.map((x) => x.event.occurred_at)).toEqual(
      expectedEvents(app, id).map((e) => e.occurred_at),
    );
    expect(r.received.at(-1)!.event.event_type).toBe('migration.completed');
  });

  it('when POST /_mock/reset runs, then the delivery log is emptied', async () => {
    const r = await receiver();
    const app = await appWith();
    await create(app, r.url, { start: false });
    await app.webhooks.idle();
    expect((await app.inject({ method: 'GET', url: '/_mock/webhooks' })).json().deliveries).toHaveLength(2);
    await app.inject({ method: 'POST', url: '/_mock/reset' });
    expect((await app.inject({ method: 'GET', url: '/_mock/webhooks' })).json().deliveries).toEqual([]);
  });
});

describe('webhooks › real clock', () => {
  it('when the clock is real, then one timer per migration delivers each event once its instant has passed', async () => {
    const r = await receiver();
    r.clock = () => Date.now();
    const app = await appWith({ MOCK_CLOCK: 'real', MOCK_TIME_SCALE: '0.01' });
    const id = await create(app, r.url);
    const events = expectedEvents(app, id);
    await r.waitFor(events.length, 10_000);
    await app.webhooks.idle();
    expect(
      r.received.map((x) => ({ event_type: x.event.event_type, occurred_at: x.event.occurred_at })),
    ).toEqual(events);
    for (const x of r.received) expect(x.mockNow).toBeGreaterThanOrEqual(Date.parse(x.event.occurred_at));
  });
});

describe('webhooks › retries', () => {
  it('when the receiver answers 500 twice, then the third attempt comes after the documented backoff and is recorded', async () => {
    const r = await receiver();
    r.respond = (n) => (n <= 2 ? 500 : 200);
    const app = await appWith({ MOCK_WEBHOOK_BACKOFF_MS: '100', MOCK_WEBHOOK_MAX_ATTEMPTS: '4' });
    const id = await create(app, r.url, { start: false });
    await r.waitFor(4);
    await app.webhooks.idle();
    const [a1, a2, a3, next] = r.received;
    expect([a1, a2, a3].map((x) => x!.event.event_type)).toEqual(Array(3).fill('migration.validating'));
    expect([a1, a2, a3].map((x) => x!.headers['x-mixpeek-delivery-attempt'])).toEqual(['1', '2', '3']);
    expect(a2!.raw).toBe(a1!.raw);
    // Backoff: base × 2^(n-1) after attempt n: 100 ms, then 200 ms.
    expect(a2!.arrivedAt - a1!.arrivedAt).toBeGreaterThanOrEqual(100);
    expect(a3!.arrivedAt - a2!.arrivedAt).toBeGreaterThanOrEqual(200);
    // The next event waits for the first one: order is kept.
    expect(next!.event.event_type).toBe('migration.draft');

    const deliveries = (await app.inject({ method: 'GET', url: `/_mock/webhooks?migration_id=${id}` })).json()
      .deliveries;
    expect(
      deliveries.map((d: Record<string, unknown>) => [
        d.event_type,
        d.attempt,
        d.status_code,
        d.outcome,
        d.next_attempt_in_ms,
      ]),
    ).toEqual([
      ['migration.draft', 1, 200, 'delivered', null],
      ['migration.validating', 3, 200, 'delivered', null],
      ['migration.validating', 2, 500, 'retrying', 200],
      ['migration.validating', 1, 500, 'retrying', 100],
    ]);
    expect(deliveries[0]).toMatchObject({
      migration_id: id,
      target: r.url,
      error: null,
      mock_instant: '2025-01-01T00:00:00.000Z',
    });
  });

  it('when every attempt fails, then the event is recorded failed after MOCK_WEBHOOK_MAX_ATTEMPTS and the next one is tried', async () => {
    const r = await receiver();
    r.respond = () => 503;
    const app = await appWith({ MOCK_WEBHOOK_MAX_ATTEMPTS: '2', MOCK_WEBHOOK_BACKOFF_MS: '10' });
    await create(app, r.url, { start: false });
    await r.waitFor(4);
    await app.webhooks.idle();
    const outcomes = (await app.inject({ method: 'GET', url: '/_mock/webhooks' }))
      .json()
      .deliveries.map((d: Record<string, unknown>) => `${d.event_type}#${d.attempt}:${d.outcome}`);
    expect(outcomes).toEqual([
      'migration.draft#2:failed',
      'migration.draft#1:retrying',
      'migration.validating#2:failed',
      'migration.validating#1:retrying',
    ]);
  });

  it('when the receiver hangs, then the triggering requests answer at once and the attempt times out in the background', async () => {
    const r = await receiver();
    r.respond = () => 'hang';
    const app = await appWith({ MOCK_WEBHOOK_TIMEOUT_MS: '2500', MOCK_WEBHOOK_MAX_ATTEMPTS: '1' });
    let t = performance.now();
    const id = await create(app, r.url);
    expect(performance.now() - t).toBeLessThan(1000);
    await r.waitFor(1);
    t = performance.now();
    await advance(app, 60);
    expect(performance.now() - t).toBeLessThan(400);
    const get = await app.inject({ method: 'GET', url: `/v1/namespaces/migrations/${id}`, headers: AUTH });
    expect(get.statusCode).toBe(200);
    expect(performance.now() - t).toBeLessThan(800);

    const until = performance.now() + 8_000;
    let first: Record<string, unknown> | undefined;
    while (!first && performance.now() < until) {
      await new Promise((res) => setTimeout(res, 20));
      first = (await app.inject({ method: 'GET', url: '/_mock/webhooks' })).json().deliveries.at(-1);
    }
    expect(first).toMatchObject({
      event_type: 'migration.validating',
      attempt: 1,
      status_code: null,
      error: 'timeout after 2500 ms',
      outcome: 'failed',
    });
  });
});

describe('webhooks › shutdown', () => {
  it('when the app closes with deliveries in flight and queued, then they are recorded as abandoned', async () => {
    const r = await receiver();
    r.respond = () => 'hang';
    const app = await appWith({ MOCK_WEBHOOK_TIMEOUT_MS: '60000' });
    await create(app, r.url);
    await r.waitFor(1);
    await advance(app, 60); // more events queue behind the hanging one
    const dispatcher = app.webhooks;
    await app.close();
    const until = performance.now() + 5_000;
    while (dispatcher.deliveries().length < 2 && performance.now() < until) await new Promise((res) => setTimeout(res, 10));
    const log = dispatcher.deliveries();
    expect(log.length).toBeGreaterThanOrEqual(2);
    for (const d of log) expect(d).toMatchObject({ outcome: 'abandoned', error: 'abandoned: the server shut down' });
    expect(log.at(-1)).toMatchObject({ event_type: 'migration.validating', attempt: 1 });
  });
});

describe('webhooks › allow list', () => {
  it('when the target is outside the allow list, then it is refused, recorded and never contacted', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const app = await appWith();
    const target = 'http://203.0.113.5:8080/hooks/mixpeek';
    const id = await create(app, target, { start: false });
    await app.webhooks.idle();
    expect(fetchSpy).not.toHaveBeenCalled();
    const deliveries = (await app.inject({ method: 'GET', url: `/_mock/webhooks?migration_id=${id}` })).json()
      .deliveries;
    expect(deliveries).toHaveLength(2);
    for (const d of deliveries) {
      expect(d).toMatchObject({ target, attempt: 1, status_code: null, outcome: 'refused' });
      expect(d.error).toMatch(/^refused: 203\.0\.113\.5 is not a loopback or private address/);
    }
  });

  it('when MOCK_WEBHOOK_ALLOW names the host, then the target is allowed', async () => {
    const allow = new AllowList(['203.0.113.*', 'hooks.example.com:8443', '*.internal'], async () => {
      throw new Error('no DNS in this test');
    });
    expect(await allow.check('http://203.0.113.5/x')).toMatchObject({ allowed: true });
    expect(await allow.check('https://hooks.example.com:8443/x')).toMatchObject({ allowed: true });
    expect(await allow.check('https://hooks.example.com/x')).toMatchObject({ allowed: false });
    expect(await allow.check('http://ci.build.internal/x')).toMatchObject({ allowed: true });
  });

  it('when a name resolves, then every address it resolves to must be loopback, private or allowed', async () => {
    const resolving = (addresses: string[]) => new AllowList([], async () => addresses);
    expect(await resolving(['10.1.2.3', '192.168.0.9']).check('http://svc.local/x')).toMatchObject({
      allowed: true,
    });
    const mixed = await resolving(['10.1.2.3', '93.184.215.14']).check('http://svc.local/x');
    expect(mixed).toMatchObject({ allowed: false });
    expect(mixed.allowed || mixed.reason).toContain('resolves to 93.184.215.14');
    expect(await resolving([]).check('ftp://127.0.0.1/x')).toMatchObject({ allowed: false });
    expect(await resolving([]).check('http://user:pw@127.0.0.1/x')).toMatchObject({ allowed: false });
    expect(await resolving([]).check('http://[::1]:9/x')).toMatchObject({ allowed: true });
    expect(await resolving([]).check('http://localhost:9/x')).toMatchObject({ allowed: true });
  });

  it.each([
    ['127.0.0.1', true],
    ['127.255.0.1', true],
    ['10.20.30.40', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['::1', true],
    ['fd12:3456::1', true],
    ['::ffff:127.0.0.1', true],
    ['169.254.169.254', false],
    ['8.8.8.8', false],
    ['2001:db8::1', false],
    ['0.0.0.0', false],
  ])('when the address is %s, then it is local: %s', (address, local) => {
    expect(isLocalAddress(address)).toBe(local);
  });
});
