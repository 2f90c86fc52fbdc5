import type { Config } from './config.js';
import { type Clock, ClockError, REAL_CLOCK_RESOLUTION_MS, RealClock, VirtualClock } from './domain/clock.js';
import { withConfigDefaults } from './domain/config-defaults.js';
import { type Behaviour, isRunnable, type MigrationPlan, planMigration, planRun, withCancel } from './domain/plan.js';
import { settledAt, snapshotAt, snapshotJsonAt, statusAt } from './domain/snapshot.js';
import { pollSteps } from './domain/timeline.js';
import { validateConfig } from './domain/validate.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { randomFor } from './generate/random.js';
import { fakerFor, mixpeekId } from './generate/seeded-faker.js';
import type { ScenarioFixture } from './scenarios/fixture-schemas.js';
import { type Catalog, defaultFixturesDir, loadCatalog } from './scenarios/load.js';
import type {
  CancelMigrationResponse,
  CreateMigrationResponse,
  ListMigrationsRequest,
  ListMigrationsResponse,
  StartMigrationResponse,
  ValidateMigrationResponse,
} from './schemas/api.js';
import type { MigrationConfigInput } from './schemas/config.js';
import { TERMINAL_STATUSES } from './schemas/enums.js';
import type { GetMigrationResponse } from './schemas/migration.js';
import { MigrationStore, type StoredMigration } from './store/migration-store.js';

/** The scenario a migration created through Mixpeek's own endpoints runs unless `Prefer: scenario=` says. */
export const DEFAULT_SCENARIO = 're_extract_completes';

export type EngineEvent =
  | { kind: 'created' | 'started' | 'cancelled' | 'deleted' | 'polled'; migration: StoredMigration }
  | { kind: 'reset' | 'clock' };

export interface CreateOptions {
  readonly config: MigrationConfigInput;
  readonly startImmediately: boolean;
  readonly scenario?: string | undefined;
  readonly advance?: 'time' | 'poll' | undefined;
  readonly migrationId?: string | undefined;
  /** Creation instant; defaults to now. */
  readonly createdAt?: number | undefined;
}

export interface EngineOptions {
  readonly config: Config;
  /** Injected clock (tests, the in-process API); otherwise built from config.clock. */
  readonly clock?: Clock;
  readonly catalog?: Catalog;
}

/**
 * The mock's state and its operations: migrations in a store, planned by the pure lifecycle core and
 * read with `snapshotAt(plan, now)`. Knows nothing of HTTP; errors are ApiErrors from the one table.
 */
export class MockEngine {
  readonly config: Config;
  catalog: Catalog;
  private readonly fixturesDir: string | null;
  readonly clock: Clock;
  readonly store = new MigrationStore();
  /** The organisation's internal id: one per mock instance, from the seed. */
  readonly internalId: string;
  private seq = 0;
  private readonly listeners = new Set<(e: EngineEvent) => void>();

  constructor(opts: EngineOptions) {
    this.config = opts.config;
    this.fixturesDir = opts.catalog ? null : (opts.config.fixturesDir ?? defaultFixturesDir());
    this.catalog = opts.catalog ?? loadCatalog(this.fixturesDir!);
    this.clock =
      opts.clock ??
      (opts.config.clock === 'virtual'
        ? new VirtualClock(opts.config.virtualStart)
        : new RealClock(undefined, REAL_CLOCK_RESOLUTION_MS));
    this.internalId = mixpeekId(fakerFor(opts.config.seed, 'organization', 'internal_id'), 'int_', 12);
    this.seedPreseeded();
  }

  now(): number {
    return this.clock.now();
  }

  /** Subscribes to state changes (webhooks, dashboard); returns the unsubscribe function. */
  on(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  scenario(name: string | undefined): ScenarioFixture {
    const s = this.catalog.scenarios.get(name ?? DEFAULT_SCENARIO);
    if (!s) {
      const valid = [...this.catalog.scenarios.keys()];
      throw badRequest(`Unknown scenario '${name}'. Valid scenarios: ${valid.join(', ')}`, { scenario: name ?? null, valid });
    }
    return s;
  }

  /** The instant a migration is read at: the clock, or its own timeline when poll-driven. */
  instantOf(m: StoredMigration): number {
    return m.pollAt ?? this.now();
  }

  private behaviourOf(s: ScenarioFixture, advance: 'time' | 'poll' | undefined): Behaviour {
    return {
      name: s.name,
      timing: s.timing,
      failure: s.failure,
      cancel: s.cancel,
      advance: advance ?? s.advance,
      faults: s.faults,
      tolerated_failures: s.tolerated_failures,
    };
  }

  private nextMigrationId(): string {
    for (;;) {
      const id = mixpeekId(fakerFor(this.config.seed, 'migration_id', this.seq), 'mig_', 12);
      if (!this.store.has(id)) return id;
      this.seq++;
    }
  }

  private validate(config: ReturnType<typeof withConfigDefaults>, s: ScenarioFixture) {
    const validated = validateConfig(config, {
      namespaces: this.catalog.namespaces,
      extractors: this.catalog.extractors,
      timing: s.timing,
      timeScale: this.config.timeScale,
    });
    return validated;
  }

  /** Creates (and with startImmediately, starts) a migration. */
  create(opts: CreateOptions): StoredMigration {
    if (this.store.size >= this.config.maxMigrations)
      throw new ApiError(
        403,
        `Migration limit reached: the mock holds ${this.config.maxMigrations} migrations (MOCK_MAX_MIGRATIONS). Delete some or POST /_mock/reset.`,
        { limit: this.config.maxMigrations },
      );
    const s = this.scenario(opts.scenario);
    const migrationId = opts.migrationId ?? this.nextMigrationId();
    if (this.store.has(migrationId))
      throw new ApiError(409, `Migration '${migrationId}' already exists`, { resource: 'migration', id: migrationId });
    const random = randomFor(this.config.seed, migrationId);
    let input = opts.config;
    // A dry-run scenario chosen for a config makes it a dry run (it validates and never executes).
    if (s.outcome === 'dry_run') input = { ...input, dry_run: true };
    const config = withConfigDefaults(input, `ns_${random('target_namespace_id').alnum(10)}`);
    const validated = this.validate(config, s);
    let result = validated;
    // A scenario whose outcome is a failed validation reports its own errors when the config has none.
    if (s.outcome === 'validation_failed' && validated.result.valid) {
      const own = this.validate(withConfigDefaults(s.config, config.target_namespace_id ?? ''), s);
      result = { result: { ...own.result, estimated_resources: {}, estimated_duration_seconds: null }, graph: null, scope: null };
    }
    const createdAt = opts.createdAt ?? this.now();
    const plan = planMigration({
      migrationId,
      internalId: this.internalId,
      config,
      validated: result,
      behaviour: this.behaviourOf(s, opts.advance),
      createdAt,
      startImmediately: opts.startImmediately,
      timeScale: this.config.timeScale,
      random,
    });
    const m: StoredMigration = {
      plan,
      seq: this.seq++,
      pollAt: plan.behaviour.advance === 'poll' ? createdAt : null,
      polls: 0,
      version: 0,
      cache: null,
    };
    this.store.add(m);
    this.emit({ kind: 'created', migration: m });
    return m;
  }

  createResponse(m: StoredMigration): CreateMigrationResponse {
    const snap = snapshotAt(m.plan, this.instantOf(m));
    const message =
      snap.status === 'draft' && !m.plan.validation.valid
        ? `Migration created with ${m.plan.validation.errors.length} validation error(s); fix the configuration and create a new migration.`
        : snap.status === 'draft'
          ? 'Migration created successfully. Use POST /migrations/{id}/start to begin execution.'
          : 'Migration created and started. Track progress at GET /migrations/{id}';
    return {
      migration_id: m.plan.migrationId,
      status: snap.status,
      validation_result: snap.validation_result,
      created_at: snap.created_at,
      message,
    };
  }

  validateOnly(input: MigrationConfigInput, scenario?: string): ValidateMigrationResponse {
    const s = this.scenario(scenario);
    const config = withConfigDefaults(input, input.target_namespace_id ?? 'ns_pending');
    const { result, graph } = this.validate(config, s);
    const n = result.warnings.length;
    const message = !result.valid
      ? `Configuration is invalid: ${result.errors.length} error(s)`
      : n === 0
        ? 'Configuration is valid'
        : `Configuration is valid with ${n} warning${n === 1 ? '' : 's'}`;
    return { validation_result: result, dependency_graph: graph, message };
  }

  find(id: string): StoredMigration {
    const m = this.store.get(id);
    if (!m) throw notFound('migration', id);
    return m;
  }

  /** A GET: poll-driven migrations step once along their plan; faults are the HTTP edge's business. */
  get(id: string, opts: { advance?: boolean } = {}): GetMigrationResponse {
    const m = this.find(id);
    this.countPoll(m);
    if (opts.advance !== false) this.stepPoll(m);
    return this.snapshot(m);
  }

  /** Counts a GET of `m`; returns its poll number, from 1 (faults are scheduled by it). Moves nothing. */
  countPoll(m: StoredMigration): number {
    return ++m.polls;
  }

  /**
   * A poll-driven migration moves to the next instant of `pollSteps(plan)` (terminal: stays) and
   * 'polled' is emitted; returns whether it moved. A time-driven migration: nothing, false.
   */
  stepPoll(m: StoredMigration): boolean {
    if (m.pollAt === null) return false;
    const next = pollSteps(m.plan).find((t) => t > m.pollAt!);
    if (next !== undefined) m.pollAt = next;
    this.emit({ kind: 'polled', migration: m });
    return next !== undefined;
  }

  snapshot(m: StoredMigration): GetMigrationResponse {
    return snapshotAt(m.plan, this.instantOf(m));
  }

  /** The snapshot as JSON, cached per (instant, version): polling the same instant costs one lookup. */
  snapshotJson(m: StoredMigration, at: number = this.instantOf(m)): string {
    const c = m.cache;
    if (c && c.at === at && c.version === m.version) return c.json;
    const json = snapshotJsonAt(m.plan, at); // = JSON.stringify(snapshotAt(m.plan, at)), reusing unchanged parts
    m.cache = { at, version: m.version, json };
    return json;
  }

  start(id: string, force: boolean): StartMigrationResponse {
    const m = this.find(id);
    const at = this.instantOf(m);
    const status = statusAt(m.plan, at);
    const p = m.plan;
    if (status !== 'draft')
      throw badRequest(`Migration '${id}' cannot be started: it is ${status} (only draft migrations can be started)`, {
        migration_id: id,
        status,
      });
    if (!p.validation.valid)
      throw badRequest(`Migration '${id}' cannot be started: its configuration has ${p.validation.errors.length} validation error(s)`, {
        migration_id: id,
        errors: p.validation.errors,
      });
    if (p.config.dry_run)
      throw badRequest(`Migration '${id}' is a dry run: it validates only and cannot be started`, { migration_id: id });
    if (p.validation.warnings.length > 0 && !force)
      throw badRequest(
        `Migration '${id}' has ${p.validation.warnings.length} validation warning(s); start it with {"force": true} to proceed`,
        { migration_id: id, warnings: p.validation.warnings },
      );
    if (!isRunnable(p)) throw badRequest(`Migration '${id}' cannot be started`);
    m.plan = planRun(p, at, this.config.timeScale, randomFor(this.config.seed, id));
    m.version++;
    this.emit({ kind: 'started', migration: m });
    return {
      migration_id: id,
      status: 'pending',
      task_id: m.plan.run!.taskId,
      started_at: new Date(at).toISOString(),
      message: 'Migration started successfully. Track progress at GET /migrations/{id}',
    };
  }

  cancel(id: string, reason: string | null): CancelMigrationResponse {
    const m = this.find(id);
    const at = this.instantOf(m);
    const status = statusAt(m.plan, at);
    if (status !== 'validating' && status !== 'pending' && status !== 'in_progress')
      throw badRequest(
        `Migration '${id}' cannot be cancelled: it is ${status} (only validating, pending or in_progress migrations can be cancelled)`,
        { migration_id: id, status },
      );
    m.plan = withCancel(m.plan, at, reason);
    m.version++;
    this.emit({ kind: 'cancelled', migration: m });
    return {
      migration_id: id,
      status: 'cancelled',
      cancelled_at: new Date(at).toISOString(),
      message: reason ? `Migration cancelled: ${reason}` : 'Migration cancelled',
    };
  }

  delete(id: string): void {
    const m = this.find(id);
    const status = statusAt(m.plan, this.instantOf(m));
    if (status !== 'draft' && !TERMINAL_STATUSES.has(status))
      throw badRequest(
        `Migration '${id}' cannot be deleted while ${status}: only draft, completed, failed or cancelled migrations can be deleted (cancel it first)`,
        { migration_id: id, status },
      );
    this.store.delete(id);
    this.emit({ kind: 'deleted', migration: m });
  }

  /** Filters combine with AND; newest created_at first, ties broken by id. */
  list(req: ListMigrationsRequest): ListMigrationsResponse {
    const { page, total, now } = this.listPage(req);
    return { results: page.map((m) => snapshotAt(m.plan, m.pollAt ?? now)), total, limit: req.limit, offset: req.offset };
  }

  /** The list as JSON, built from each migration's cached snapshot JSON: same bytes as JSON.stringify(list(req)). */
  listJson(req: ListMigrationsRequest): string {
    const { page, total, now } = this.listPage(req);
    // The body is a function of the page's migrations (each at its version and instant), total, limit and
    // offset: while those are the same, the previous body is the answer (a 20-row page is ~130 KB to rebuild).
    const last = this.lastList;
    if (
      last !== null &&
      last.total === total &&
      last.limit === req.limit &&
      last.offset === req.offset &&
      last.rows.length === page.length &&
      page.every((m, i) => {
        const row = last.rows[i]!;
        return row.m === m && row.version === m.version && row.at === (m.pollAt ?? now);
      })
    )
      return last.json;
    const results = page.map((m) => this.snapshotJson(m, m.pollAt ?? now)).join(',');
    const json = `{"results":[${results}],"total":${total},"limit":${req.limit},"offset":${req.offset}}`;
    this.lastList = {
      rows: page.map((m) => ({ m, version: m.version, at: m.pollAt ?? now })),
      total,
      limit: req.limit,
      offset: req.offset,
      json,
    };
    return json;
  }
  private lastList: {
    rows: { m: StoredMigration; version: number; at: number }[];
    total: number;
    limit: number;
    offset: number;
    json: string;
  } | null = null;

  /** Filters combine with AND; newest created_at first, ties broken by id; one instant for the whole page. */
  private listPage(req: ListMigrationsRequest): { page: StoredMigration[]; total: number; now: number } {
    const now = this.now();
    const rows: StoredMigration[] = [];
    for (const m of this.store.values()) {
      const p = m.plan;
      if (req.migration_type && p.config.migration_type !== req.migration_type) continue;
      if (req.source_namespace_id && p.config.source_namespace_id !== req.source_namespace_id) continue;
      if (req.status && statusAt(p, m.pollAt ?? now) !== req.status) continue;
      rows.push(m);
    }
    rows.sort(
      (a, b) =>
        b.plan.createdAt - a.plan.createdAt ||
        (a.plan.migrationId < b.plan.migrationId ? -1 : a.plan.migrationId > b.plan.migrationId ? 1 : 0),
    );
    return { page: rows.slice(req.offset, req.offset + req.limit), total: rows.length, now };
  }

  /** Moves the virtual clock forward. */
  advance(seconds: number): number {
    const c = this.virtualClock();
    const now = c.advance(seconds * 1000);
    this.emit({ kind: 'clock' });
    return now;
  }
  setNow(ms: number): number {
    const c = this.virtualClock();
    const now = c.set(ms);
    this.emit({ kind: 'clock' });
    return now;
  }
  /**
   * The instant (epoch ms, never before now) at which every time-driven migration (or the one given) has
   * stopped changing: how far "advance to the end" moves the clock. Poll-driven ones move by GETs, not time.
   */
  settlesAt(migrationId?: string): number {
    let end = this.now();
    for (const m of migrationId === undefined ? this.store.values() : [this.find(migrationId)]) {
      const at = m.pollAt === null ? settledAt(m.plan) : null;
      if (at !== null && at > end) end = at;
    }
    return end;
  }
  /** The creation number of the next migration: with the seed, it decides the next id (state export). */
  get nextSeq(): number {
    return this.seq;
  }

  /**
   * Replaces every migration and the creation counter in one step, and puts a virtual clock where the
   * state had it (state import, src/state: the caller has validated everything, so nothing here fails
   * half-way). Listeners hear a reset: the store holds other migrations now.
   */
  replaceState(state: {
    migrations: readonly StoredMigration[];
    nextSeq: number;
    clock: { start: number; now: number } | null;
  }): void {
    const clock = state.clock === null ? null : this.virtualClock();
    clock?.restore(state.clock!.start, state.clock!.now);
    this.store.clear();
    for (const m of state.migrations) this.store.add(m);
    this.seq = state.nextSeq;
    this.emit({ kind: 'reset' });
  }

  private virtualClock(): VirtualClock {
    if (!(this.clock instanceof VirtualClock))
      throw badRequest('The clock is real (MOCK_CLOCK=real): start the mock with MOCK_CLOCK=virtual to move it', {
        mode: this.clock.mode,
      });
    return this.clock;
  }

  /** Back to the start: clock to its start, created migrations gone, pre-seeded ones planned anew. */
  reset(): void {
    let catalog = this.catalog;
    if (this.fixturesDir) {
      try {
        catalog = loadCatalog(this.fixturesDir);
      } catch (e) {
        throw new ApiError(400, `Fixtures could not be reloaded; nothing was reset: ${(e as Error).message}`);
      }
    }
    const over = this.preseededOverCap(catalog);
    if (over) throw new ApiError(400, `${over}; nothing was reset`);
    this.catalog = catalog;
    if (this.clock instanceof VirtualClock) this.clock.reset();
    this.store.clear();
    this.seq = 0;
    this.seedPreseeded();
    this.emit({ kind: 'reset' });
  }

  /** Pre-seeded migrations over MOCK_MAX_MIGRATIONS would stop start-up or a reset half-way: say so first. */
  private preseededOverCap(catalog: Catalog): string | null {
    const n = catalog.preseeded.length;
    const cap = this.config.maxMigrations;
    return n > cap ? `MOCK_MAX_MIGRATIONS=${cap} is below the ${n} pre-seeded migrations of the fixtures` : null;
  }

  private seedPreseeded(): void {
    const over = this.preseededOverCap(this.catalog);
    if (over) throw new Error(over);
    const start = this.now();
    for (const p of this.catalog.preseeded) {
      const s = this.scenario(p.scenario);
      this.create({
        config: s.config,
        startImmediately: true,
        scenario: s.name,
        migrationId: p.migration_id,
        createdAt: start - Math.round(p.created_seconds_ago * 1000),
      });
    }
  }
}

export { ClockError };

export function createEngine(opts: EngineOptions): MockEngine {
  return new MockEngine(opts);
}
