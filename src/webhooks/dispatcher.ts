import { z } from 'zod';
import { iso } from '../domain/time.js';
import { type TimelineEvent, timelineOf } from '../domain/timeline.js';
import type { EngineEvent, MockEngine } from '../engine.js';
import { type MigrationStatus, TERMINAL_STATUSES } from '../schemas/enums.js';
import type { StoredMigration } from '../store/migration-store.js';
import { AllowList, type Lookup } from './allow-list.js';
import { eventKey, type WebhookEvent, webhookEventOf } from './payload.js';
import { BoundedRing } from './ring.js';
import { SECRET_HEADER, SIGNATURE_HEADER, signBody } from './signing.js';

export const DELIVERY_OUTCOMES = ['delivered', 'retrying', 'failed', 'refused', 'abandoned'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** One delivery attempt, as GET /_mock/webhooks lists it. Never holds the secret. */
export const WebhookDeliverySchema = z
  .object({
    event_id: z.string(),
    event_type: z.string(),
    migration_id: z.string(),
    target: z.string().describe("The migration's webhook_url"),
    attempt: z.int().min(1),
    status_code: z.int().nullable().describe("The receiver's HTTP status; null when none came back"),
    error: z.string().nullable().describe('Timeout, network error or refusal; null when a status came back'),
    at: z.iso.datetime().describe('Wall-clock instant of the attempt'),
    mock_instant: z.iso.datetime().describe("The mock clock's instant at the attempt"),
    occurred_at: z.iso.datetime().describe("The event's instant on the mock clock"),
    outcome: z.enum(DELIVERY_OUTCOMES),
    next_attempt_in_ms: z.int().nullable().describe('Backoff before the next attempt, when retrying'),
  })
  .meta({ id: 'MockWebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export interface DispatcherOptions {
  readonly engine: MockEngine;
  readonly seed: string;
  /** MOCK_WEBHOOK_SECRET: sent as X-Mixpeek-Secret and used to sign bodies. */
  readonly secret?: string | undefined;
  /** MOCK_WEBHOOK_ALLOW patterns, on top of loopback and private addresses. */
  readonly allow: readonly string[];
  /** Attempts per event, the first included (≥ 1). */
  readonly maxAttempts: number;
  /** Delay before attempt n+1 is backoffMs × 2^(n-1). */
  readonly backoffMs: number;
  /** Per-attempt timeout (connect, headers). */
  readonly timeoutMs: number;
  /** Attempts kept in the delivery log. */
  readonly logSize: number;
  readonly userAgent?: string;
  /** Name resolution for the allow list (tests); dns.lookup by default. */
  readonly lookup?: Lookup;
  /** Unexpected errors (never a receiver's failure, which is recorded). */
  readonly onError?: (error: unknown) => void;
  /** A delivery given up because the server shut down (recorded with outcome `abandoned` too). */
  readonly onAbandon?: (delivery: WebhookDelivery) => void;
}

/** Per-migration delivery state. */
interface Track {
  readonly id: string;
  readonly url: string;
  /** Keys of the timeline events already queued: each is sent exactly once. */
  readonly sent: Set<string>;
  /** Events queued so far: the next event's index (its event_id derives from it). */
  seq: number;
  /** The status of the last queued status event: the next one's previous_status. */
  lastStatus: MigrationStatus | null;
  /** Deliveries of one migration run one after another, so receivers get them in order. */
  chain: Promise<void>;
  /** Real clock: fires at the next event's instant. */
  timer: NodeJS.Timeout | null;
  /** Terminal and every event queued: nothing more can become due. */
  done: boolean;
}

/** setTimeout's longest delay; a timer for a later event re-arms itself when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Delivers the webhook events of every migration whose config has a `webhook_url`.
 *
 * Events are the migration's timeline (status transitions and stage completions, `timelineOf(plan)`),
 * computed, never driven by timers: an event is due once the instant the migration is read at
 * (`engine.instantOf`: the clock, or a poll-driven migration's own instant) has reached it. Due events are
 * looked for on every engine event that can make one due (clock moves, creation, start, cancel, poll)
 * and, with the real clock, by one timer per migration armed for its next event. Each event is queued
 * once (keyed by instant and kind, so a re-planned timeline after a start or a cancel continues where it
 * was), and delivered in order, one at a time per migration, off the request path, with retries.
 */
export class WebhookDispatcher {
  private readonly log: BoundedRing<WebhookDelivery>;
  private readonly tracks = new Map<string, Track>();
  private readonly allowList: AllowList;
  private readonly sleeping = new Map<NodeJS.Timeout, () => void>();
  private readonly off: () => void;
  /** Bumped by reset and close: deliveries of an older generation stop and record nothing. */
  private generation = 0;
  private abort = new AbortController();
  private closed = false;
  /** The generation that close() ended: its unfinished deliveries are recorded as abandoned. */
  private abandonedGeneration = -1;

  constructor(private readonly opts: DispatcherOptions) {
    this.log = new BoundedRing(opts.logSize);
    this.allowList = new AllowList(opts.allow, opts.lookup);
    this.off = opts.engine.on((e) => this.onEngineEvent(e));
    this.trackAll();
  }

  /** Delivery attempts, newest first, optionally of one migration. */
  deliveries(filter: { migrationId?: string | undefined } = {}): WebhookDelivery[] {
    const all = this.log.newestFirst();
    return filter.migrationId === undefined ? all : all.filter((d) => d.migration_id === filter.migrationId);
  }

  get capacity(): number {
    return this.log.capacity;
  }

  /** Settles once every delivery queued so far has finished (delivered, failed or refused). */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.tracks.values()].map((t) => t.chain);
      await Promise.all(pending);
      const now = [...this.tracks.values()].map((t) => t.chain);
      if (now.length === pending.length && now.every((c, i) => c === pending[i])) return;
    }
  }

  /** Stops every timer and in-flight delivery; nothing more is sent or recorded. */
  close(): void {
    if (this.closed) return;
    this.abandonedGeneration = this.generation;
    this.closed = true;
    this.off();
    this.stopAll();
  }

  private onEngineEvent(e: EngineEvent): void {
    try {
      switch (e.kind) {
        case 'created':
          this.track(e.migration);
          break;
        case 'started':
        case 'cancelled':
        case 'polled':
          this.flush(e.migration);
          break;
        case 'deleted':
          this.untrack(e.migration.plan.migrationId);
          break;
        case 'clock':
          for (const t of this.tracks.values()) {
            if (t.done) continue;
            const m = this.opts.engine.store.get(t.id);
            if (m) this.flush(m);
          }
          break;
        case 'reset':
          // The store now holds the migrations planned anew: start over with them.
          this.stopAll();
          this.log.clear();
          this.trackAll();
          break;
      }
    } catch (error) {
      // A listener must never break the engine operation that emitted the event.
      this.opts.onError?.(error);
    }
  }

  private trackAll(): void {
    for (const m of this.opts.engine.store.values()) this.track(m);
  }

  private track(m: StoredMigration): void {
    const url = m.plan.config.webhook_url;
    if (url === null || url === undefined || url === '') return;
    const t: Track = {
      id: m.plan.migrationId,
      url,
      sent: new Set(),
      seq: 0,
      lastStatus: null,
      chain: Promise.resolve(),
      timer: null,
      done: false,
    };
    this.tracks.set(t.id, t);
    this.flush(m);
  }

  private untrack(id: string): void {
    const t = this.tracks.get(id);
    if (!t) return;
    if (t.timer) clearTimeout(t.timer);
    // Events already queued are still delivered: they happened.
    this.tracks.delete(id);
  }

  /** Queues every event of `m` that is due and not yet queued, in timeline order; re-arms the timer. */
  private flush(m: StoredMigration): void {
    const t = this.tracks.get(m.plan.migrationId);
    if (!t) return;
    const now = this.opts.engine.instantOf(m);
    const timeline = timelineOf(m.plan);
    for (const e of timeline) {
      if (e.at > now) continue;
      const key = eventKey(e);
      if (t.sent.has(key)) continue;
      t.sent.add(key);
      const event = webhookEventOf(m.plan, e, {
        seed: this.opts.seed,
        index: t.seq++,
        previous: t.lastStatus,
      });
      if (e.kind === 'status') t.lastStatus = e.status;
      this.enqueue(t, event);
    }
    const last = timeline.at(-1);
    t.done = last?.kind === 'status' && TERMINAL_STATUSES.has(last.status) && t.sent.has(eventKey(last));
    this.arm(t, m, timeline);
  }

  /** Real clock, time-driven migration: one timer, at the next undelivered event's instant. */
  private arm(t: Track, m: StoredMigration, timeline: readonly TimelineEvent[]): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    const engine = this.opts.engine;
    if (this.closed || engine.clock.mode !== 'real' || m.pollAt !== null) return;
    const now = engine.now();
    const next = timeline.find((e) => e.at > now && !t.sent.has(eventKey(e)));
    if (!next) return;
    t.timer = setTimeout(
      () => {
        t.timer = null;
        const current = engine.store.get(t.id);
        if (current && this.tracks.get(t.id) === t) this.flush(current);
      },
      Math.min(next.at - now, MAX_TIMER_MS),
    );
    t.timer.unref();
  }

  private enqueue(t: Track, event: WebhookEvent): void {
    const generation = this.generation;
    t.chain = t.chain
      .then(() => this.deliver(t, event, generation))
      .catch((error: unknown) => this.opts.onError?.(error));
  }

  private async deliver(t: Track, event: WebhookEvent, generation: number): Promise<void> {
    const live = () => generation === this.generation && !this.closed;
    const base = {
      event_id: event.event_id,
      event_type: event.event_type,
      migration_id: t.id,
      target: t.url,
      occurred_at: event.occurred_at,
    };
    // Shut down before this delivery finished: say so (a reset, by contrast, drops deliveries silently).
    const gone = (attempt: number) => {
      if (generation !== this.abandonedGeneration) return;
      const d = { ...base, attempt, status_code: null, error: 'abandoned: the server shut down', outcome: 'abandoned' as const, next_attempt_in_ms: null };
      this.record(d);
      this.opts.onAbandon?.({ ...d, at: new Date().toISOString(), mock_instant: iso(this.opts.engine.now()) });
    };
    if (!live()) return gone(1);
    const abort = this.abort.signal;
    const verdict = await this.allowList.check(t.url);
    if (!live()) return gone(1);
    if (!verdict.allowed) {
      this.record({
        ...base,
        attempt: 1,
        status_code: null,
        error: `refused: ${verdict.reason}`,
        outcome: 'refused',
        next_attempt_in_ms: null,
      });
      return;
    }
    const body = JSON.stringify(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': this.opts.userAgent ?? 'mixpeek-migrations-mock',
      'x-mixpeek-event-id': event.event_id,
      'x-mixpeek-event-type': event.event_type,
    };
    if (this.opts.secret) {
      headers[SECRET_HEADER] = this.opts.secret;
      headers[SIGNATURE_HEADER] = signBody(this.opts.secret, body);
    }
    for (let attempt = 1; ; attempt++) {
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(t.url, {
          method: 'POST',
          headers: { ...headers, 'x-mixpeek-delivery-attempt': String(attempt) },
          body,
          // A redirect could lead outside the allow list: it counts as a failed attempt.
          redirect: 'manual',
          signal: AbortSignal.any([abort, AbortSignal.timeout(this.opts.timeoutMs)]),
        });
        status = res.status;
        await res.body?.cancel().catch(() => undefined);
      } catch (e) {
        error = describeFailure(e, this.opts.timeoutMs);
      }
      if (!live()) return gone(attempt);
      const delivered = status !== null && status >= 200 && status < 300;
      const last = attempt >= this.opts.maxAttempts;
      const backoff = delivered || last ? null : this.opts.backoffMs * 2 ** (attempt - 1);
      this.record({
        ...base,
        attempt,
        status_code: status,
        error,
        outcome: delivered ? 'delivered' : last ? 'failed' : 'retrying',
        next_attempt_in_ms: backoff,
      });
      if (backoff === null) return;
      await this.sleep(backoff);
      if (!live()) return gone(attempt + 1);
    }
  }

  private record(d: Omit<WebhookDelivery, 'at' | 'mock_instant'>): void {
    this.log.push({ ...d, at: new Date().toISOString(), mock_instant: iso(this.opts.engine.now()) });
  }

  /** A backoff on real timers, cut short (and then abandoned by the generation check) by reset or close. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.sleeping.set(timer, resolve);
    });
  }

  private stopAll(): void {
    this.generation++;
    this.abort.abort();
    this.abort = new AbortController();
    for (const [timer, wake] of this.sleeping) {
      clearTimeout(timer);
      wake();
    }
    this.sleeping.clear();
    for (const t of this.tracks.values()) if (t.timer) clearTimeout(t.timer);
    this.tracks.clear();
  }
}

/** A failed attempt in a few words: `timeout after 5000 ms`, `ECONNREFUSED`, ... */
function describeFailure(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && e.name === 'TimeoutError') return `timeout after ${timeoutMs} ms`;
  if (e instanceof Error && e.name === 'AbortError') return 'aborted';
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return e instanceof Error ? e.message : String(e);
}
