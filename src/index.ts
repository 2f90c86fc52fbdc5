/**
 * The programmatic entry (the package's main export): the mock in the caller's own process, for a vitest
 * or jest suite. State moves only when the clock does: no timer drives a migration, so the mock works
 * with fake timers on (`vi.useFakeTimers()`), and `clock.advance()` replaces waiting.
 *
 * ```ts
 * const mock = await createMockServer({ seed: 'my-suite' });
 * const res = await mock.inject({ method: 'POST', url: '/_mock/migrations', payload: { scenario: 'copy_completes' } });
 * mock.clock.toEnd();
 * // or a real socket: const url = await mock.listen(); ... await mock.close();
 * ```
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { type Config, type EnvName, type LogLevel, loadConfig } from './config.js';
import { type Clock, VirtualClock } from './domain/clock.js';
import type { MockEngine } from './engine.js';
import { buildApp } from './http/app.js';

export interface MockServerOptions {
  /** MOCK_SEED: same seed, same ids, names, counts and timelines. Default `mixpeek`. */
  seed?: string;
  /**
   * `virtual` (default): starts at `start` and moves only with `clock.advance`/`clock.set`/`clock.toEnd`.
   * `real`: wall time through `Date.now()` (so fake timers' `vi.setSystemTime` drives it too).
   * A `Clock` object: yours, read on every request.
   */
  clock?: 'virtual' | 'real' | Clock;
  /** Start instant of the virtual clock: ISO-8601 or epoch ms. Default 2025-01-01T00:00:00.000Z. */
  start?: string | number;
  /** MOCK_FIXTURES_DIR: your own scenarios and pre-seeded migrations. Default: the package's fixtures/. */
  fixturesDir?: string;
  /** Any other setting, by its environment name, e.g. `{ MOCK_API_KEYS: 'sk_test', MOCK_TIME_SCALE: '0.1' }`. */
  config?: Partial<Record<EnvName, string>>;
  /** LOG_LEVEL; default `silent` (a test suite rarely wants request logs). */
  logLevel?: LogLevel;
}

export interface MockClockControl {
  /** The mock's current instant, ISO-8601. */
  now(): string;
  /** Moves the virtual clock forward by `seconds` (≥ 0); returns the new instant. */
  advance(seconds: number): string;
  /** Sets the virtual clock (never backwards); returns the new instant. */
  set(instant: string | number | Date): string;
  /**
   * Moves the virtual clock to the instant every time-driven migration (or only `migrationId`) has
   * settled, i.e. stopped changing; returns it.
   */
  toEnd(migrationId?: string): string;
}

export interface ListenOptions {
  /** Default 0: a free port chosen by the system (the returned URL has it). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface MockServer {
  /** The Fastify instance, ready: `app.inject`, hooks, `app.engine`. */
  readonly app: FastifyInstance;
  readonly engine: MockEngine;
  readonly config: Config;
  readonly clock: MockClockControl;
  /** Listens on a real socket; resolves with the base URL, e.g. `http://127.0.0.1:41234`. */
  listen(opts?: ListenOptions): Promise<string>;
  close(): Promise<void>;
  /** As `POST /_mock/reset`: clock to its start, created migrations gone, pre-seeded ones planned anew. */
  reset(): void;
  inject: FastifyInstance['inject'];
}

const iso = (ms: number) => new Date(ms).toISOString();

const hasHeader = (headers: Record<string, unknown>, name: string) =>
  Object.keys(headers).some((k) => k.toLowerCase() === name);

/**
 * The same request with its body as a stream. light-my-request (behind `inject`) ends a string, Buffer or
 * object body with `setImmediate`, which `vi.useFakeTimers()` fakes: such a request would never finish.
 * A stream body is read with promises and `process.nextTick`, which fake timers leave alone.
 */
export function withStreamedBody(opts: InjectOptions): InjectOptions {
  const payload = opts.payload ?? opts.body;
  if (payload === undefined || payload === null) return opts;
  if (typeof (payload as { resume?: unknown }).resume === 'function') return opts; // already a stream
  if (typeof FormData !== 'undefined' && payload instanceof FormData) return opts;
  const isJson = typeof payload !== 'string' && !Buffer.isBuffer(payload);
  const body = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(isJson ? JSON.stringify(payload) : (payload as string));
  const headers: Record<string, string | string[] | undefined> = {
    ...(opts.headers as Record<string, string>),
  };
  if (isJson && !hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  if (!hasHeader(headers, 'content-length')) headers['content-length'] = String(body.length);
  const { body: _omitted, ...rest } = opts;
  return { ...rest, headers, payload: Readable.from([body], { objectMode: false }) };
}

function toMs(instant: string | number | Date): number {
  const ms =
    instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new TypeError(`Not an instant: ${String(instant)}`);
  return ms;
}

/**
 * Builds the mock (the same app `node dist/server.js` serves) without listening. Settings are validated
 * as the server validates its environment (a bad one throws a `ConfigError` naming it); `process.env` is
 * never read.
 */
export async function createMockServer(opts: MockServerOptions = {}): Promise<MockServer> {
  const env: Record<string, string | undefined> = { LOG_LEVEL: opts.logLevel ?? 'silent', ...opts.config };
  if (opts.seed !== undefined) env.MOCK_SEED = opts.seed;
  if (opts.fixturesDir !== undefined) env.MOCK_FIXTURES_DIR = opts.fixturesDir;
  if (opts.start !== undefined) env.MOCK_VIRTUAL_START = iso(toMs(opts.start));
  const injected = typeof opts.clock === 'object' ? opts.clock : undefined;
  env.MOCK_CLOCK =
    injected?.mode ?? (opts.clock as 'virtual' | 'real' | undefined) ?? env.MOCK_CLOCK ?? 'virtual';
  const config = loadConfig(env);

  const app = await buildApp({ config, clock: injected });
  await app.ready();
  const engine = app.engine;

  // app.inject and mock.inject both work with fake timers on (see withStreamedBody); the chained form
  // (`app.inject().get(...)`) is left as Fastify has it.
  const fastifyInject = app.inject.bind(app);
  const inject = ((opts?: InjectOptions | string, callback?: unknown) => {
    const safe = typeof opts === 'object' && opts !== null ? withStreamedBody(opts) : opts;
    return (fastifyInject as (...args: unknown[]) => unknown)(
      ...[safe, callback].filter((a) => a !== undefined),
    );
  }) as FastifyInstance['inject'];
  app.inject = inject;

  const virtual = (): void => {
    if (!(engine.clock instanceof VirtualClock))
      throw new Error(
        injected
          ? 'The clock is the one you injected: move it yourself'
          : "The clock is real: create the mock with clock: 'virtual' to move it",
      );
  };

  const clock: MockClockControl = {
    now: () => iso(engine.now()),
    advance(seconds) {
      virtual();
      return iso(engine.advance(seconds));
    },
    set(instant) {
      virtual();
      return iso(engine.setNow(toMs(instant)));
    },
    toEnd(migrationId) {
      virtual();
      return iso(engine.setNow(engine.settlesAt(migrationId)));
    },
  };

  return {
    app,
    engine,
    config,
    clock,
    async listen(listenOpts = {}) {
      await app.listen({ port: listenOpts.port ?? 0, host: listenOpts.host ?? '127.0.0.1' });
      const address = app.server.address();
      if (address === null || typeof address === 'string') return String(address);
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
    close: () => app.close(),
    reset: () => engine.reset(),
    inject,
  };
}

export {
  type Config,
  ConfigError,
  describeSettings,
  type EnvName,
  type LogLevel,
  loadConfig,
  SETTINGS,
} from './config.js';
export { type Clock, ClockError, RealClock, VirtualClock } from './domain/clock.js';
export {
  type CreateOptions,
  createEngine,
  DEFAULT_SCENARIO,
  type EngineEvent,
  MockEngine,
} from './engine.js';
export { ApiError, ERROR_TYPES, type ErrorStatus } from './errors.js';
export { type BuildAppOptions, buildApp } from './http/app.js';
export * from './schemas/index.js';
