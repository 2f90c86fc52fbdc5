import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { MigrationPlan } from '../../domain/plan.js';
import { statusAt } from '../../domain/snapshot.js';
import { timelineOf } from '../../domain/timeline.js';
import type { MockEngine } from '../../engine.js';
import { ApiError } from '../../errors.js';
import { seedFrom } from '../../generate/seeded-faker.js';
import type { ScenarioFixture } from '../../scenarios/fixture-schemas.js';
import type { StoredMigration } from '../../store/migration-store.js';
import { parsePrefer } from '../prefer.js';
import { finishJournal, noteEffect } from './journal.js';

/**
 * Misbehaviour on demand, at the HTTP edge: latency on every route (MOCK_LATENCY_MS, `Prefer: latency=`),
 * the faults a scenario schedules on GET of a migration, and the polling hint of a running migration.
 * Deterministic: latency is drawn from a PRNG seeded by MOCK_SEED, faults follow poll counts and mock time.
 */

export type Fault = ScenarioFixture['faults'][number];

/** Retry-After of a 429/503 fault that names none, in seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
/** Delay of a `delay` fault that names none, in milliseconds. */
export const DEFAULT_FAULT_DELAY_MS = 1000;
/** The polling hint's ceiling, in seconds. */
export const MAX_POLL_INTERVAL_SECONDS = 5;
/** Header carrying the polling hint. */
export const POLL_INTERVAL_HEADER = 'x-poll-interval';

/**
 * The fault a GET answers with: the first of `faults` whose `at_polls` holds the poll number (counted
 * from 1) or whose `during` window ([from_seconds, to_seconds) after creation) holds the mock clock.
 * A fault with neither never fires. Pure.
 */
export function scheduledFault(
  faults: readonly Fault[],
  poll: number,
  secondsSinceCreation: number,
): Fault | null {
  for (const f of faults) {
    if (f.at_polls?.includes(poll)) return f;
    if (
      f.during &&
      secondsSinceCreation >= f.during.from_seconds &&
      secondsSinceCreation < f.during.to_seconds
    )
      return f;
  }
  return null;
}

/** The error a 429/500/503 fault answers with, in Mixpeek's envelope (Retry-After on 429 and 503). */
export function faultError(fault: Fault): ApiError {
  const retryAfter = fault.retry_after_seconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  const header = { 'retry-after': String(retryAfter) };
  switch (fault.kind) {
    case '429':
      return new ApiError(
        429,
        `Rate limit exceeded. Retry after ${retryAfter} second(s).`,
        { retry_after_seconds: retryAfter },
        header,
      );
    case '503':
      return new ApiError(
        503,
        `Service temporarily unavailable. Retry after ${retryAfter} second(s).`,
        { retry_after_seconds: retryAfter },
        header,
      );
    default:
      return new ApiError(500, 'Internal server error');
  }
}

const RUNNING = new Set(['validating', 'pending', 'in_progress']);

/**
 * The polling hint of a migration read at instant `at`: while validating, pending or in progress, the
 * seconds until its next event (transition or stage completion), rounded up, between 1 and 5; for a
 * poll-driven migration 1 (its next poll moves it). null once it is draft or terminal. Pure.
 */
export function pollIntervalSeconds(plan: MigrationPlan, at: number, pollDriven: boolean): number | null {
  if (!RUNNING.has(statusAt(plan, at))) return null;
  if (pollDriven) return 1;
  const next = timelineOf(plan).find((e) => e.at > at);
  if (!next) return MAX_POLL_INTERVAL_SECONDS;
  return Math.max(1, Math.min(MAX_POLL_INTERVAL_SECONDS, Math.ceil((next.at - at) / 1000)));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A GET of migration `m`: counts the poll; a scheduled fault answers instead (thrown as an ApiError,
 * or the connection dropped: returns 'dropped'), or delays the answer, without moving the migration;
 * otherwise a poll-driven migration steps once. Sets the polling hint. 'answer': send the snapshot.
 */
export async function pollWithFaults(
  engine: MockEngine,
  m: StoredMigration,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<'answer' | 'dropped'> {
  const poll = engine.countPoll(m);
  const fault = scheduledFault(m.plan.behaviour.faults, poll, (engine.now() - m.plan.createdAt) / 1000);
  if (fault) {
    noteEffect(request, `fault:${fault.kind}`);
    if (fault.kind === 'drop') {
      // No status line, no body: the client sees the connection reset (inject: a rejected promise).
      reply.hijack();
      reply.raw.destroy();
      finishJournal(request.server, request, null);
      return 'dropped';
    }
    if (fault.kind !== 'delay') throw faultError(fault);
    await sleep(fault.delay_ms ?? DEFAULT_FAULT_DELAY_MS);
  } else if (engine.stepPoll(m)) {
    noteEffect(request, 'poll-advance');
  }
  const hint = pollIntervalSeconds(m.plan, engine.instantOf(m), m.pollAt !== null);
  if (hint !== null) reply.header(POLL_INTERVAL_HEADER, String(hint));
  return 'answer';
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Latency on every route: `Prefer: latency=<ms>` (capped at MOCK_LATENCY_CAP_MS) for one request, else
 * MOCK_LATENCY_MS drawn uniformly from [min, max] by a PRNG seeded with MOCK_SEED (restarted by reset),
 * so the same requests in the same order get the same latencies.
 */
export const faultsPlugin = fp(
  async (app: FastifyInstance) => {
    const { latencyMs, latencyCapMs, seed } = app.config;
    const fresh = () => prng(seedFrom(seed, 'latency'));
    let random = fresh();
    const off = app.engine.on((e) => {
      if (e.kind === 'reset') random = fresh();
    });
    app.addHook('onClose', async () => {
      off();
    });
    // Callback-style, so a request with no latency to add costs no promise (this runs on every request).
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.headers.prefer === undefined && latencyMs.max === 0) return done();
      addLatency(request).then(() => done(), done);
    });
    async function addLatency(request: FastifyRequest): Promise<void> {
      const preferred = parsePrefer(request.headers.prefer).latency;
      let ms: number;
      if (preferred !== undefined) {
        // Any whole number of milliseconds; above the cap, the cap (as documented).
        if (!/^\d+$/.test(preferred))
          throw new ApiError(
            400,
            `Invalid Prefer latency '${preferred}': use latency=<milliseconds>, at most ${latencyCapMs}`,
            {
              latency: preferred,
              max: latencyCapMs,
            },
          );
        ms = Math.min(Number(preferred), latencyCapMs);
      } else if (latencyMs.max > 0) {
        ms = latencyMs.min + Math.floor(random() * (latencyMs.max - latencyMs.min + 1));
      } else return;
      if (ms <= 0) return;
      noteEffect(request, `latency:${ms}`);
      await sleep(ms);
    }
  },
  { name: 'faults' },
);
