/**
 * The mock's clock. Time is epoch milliseconds. The virtual clock moves only when told and refuses to run
 * backwards (model: XState's SimulatedClock); the real clock reads wall time.
 */
export interface Clock {
  readonly mode: 'real' | 'virtual';
  now(): number;
}

export class ClockError extends Error {}

/**
 * The latest instant the virtual clock may reach: far enough below year 10000 that every planned instant
 * (a year of queue and stages at most) still renders as an ISO-8601 date-time.
 */
export const CLOCK_MAX = Date.parse('9999-01-01T00:00:00.000Z');
const beyond = (ms: number) =>
  new ClockError(`The clock cannot go past ${new Date(CLOCK_MAX).toISOString()} (asked for ${Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms)})`);

export class VirtualClock implements Clock {
  readonly mode = 'virtual' as const;
  private current: number;
  private origin: number;
  constructor(start: number) {
    this.origin = start;
    this.current = start;
  }
  /** The instant `reset()` goes back to. */
  get start(): number {
    return this.origin;
  }
  now(): number {
    return this.current;
  }
  /** Moves forward by `ms` (≥ 0). */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new ClockError('The clock only moves forward: seconds must be ≥ 0');
    if (this.current + Math.round(ms) > CLOCK_MAX) throw beyond(this.current + Math.round(ms));
    this.current += Math.round(ms);
    return this.current;
  }
  /** Sets the instant; refuses to move backwards. */
  set(ms: number): number {
    if (ms < this.current)
      throw new ClockError(
        `The clock cannot move backwards: ${new Date(ms).toISOString()} is before ${new Date(this.current).toISOString()}`,
      );
    if (ms > CLOCK_MAX) throw beyond(ms);
    this.current = ms;
    return this.current;
  }
  reset(): void {
    this.current = this.origin;
  }
  /** Puts the clock where an exported state had it (a state import): its start and its instant. */
  restore(start: number, now: number): void {
    this.origin = start;
    this.current = now;
  }
}

/**
 * Wall time, read through an injectable source (Date.now by default) so fake timers can drive it, and
 * rounded down to `resolutionMs`: reads within one such step are the same instant, so they give the same
 * snapshot (and hit its cache).
 */
export class RealClock implements Clock {
  readonly mode = 'real' as const;
  constructor(
    private readonly source: () => number = () => Date.now(),
    readonly resolutionMs = 1,
  ) {}
  now(): number {
    const t = this.source();
    return this.resolutionMs > 1 ? t - (t % this.resolutionMs) : t;
  }
}

/** The server's real clock resolution: far below anything a poller sees, far above a request's duration. */
export const REAL_CLOCK_RESOLUTION_MS = 100;
