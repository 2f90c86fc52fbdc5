import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRunnable, type MigrationPlan, planRun, withCancel } from '../../src/domain/plan.js';
import { settledAt, snapshotAt, statusAt } from '../../src/domain/snapshot.js';
import { STAGE_RESOURCE_TYPE, type StageMap } from '../../src/domain/stages.js';
import { timelineOf } from '../../src/domain/timeline.js';
import { INITIAL_STATUSES, isLegalTransition, LEGAL_TRANSITIONS } from '../../src/domain/transitions.js';
import { randomFor } from '../../src/generate/random.js';
import { seedFrom } from '../../src/generate/seeded-faker.js';
import { PACINGS, type ScenarioFixture } from '../../src/scenarios/fixture-schemas.js';
import {
  MIGRATION_STAGES,
  type MigrationStage,
  type MigrationStatus,
  TERMINAL_STATUSES,
} from '../../src/schemas/enums.js';
import { type GetMigrationResponse, GetMigrationResponseSchema } from '../../src/schemas/migration.js';
import { fixtures, planScenario, scenarioNamed } from '../helpers/plans.js';

/**
 * Lifecycle invariants over random scenarios, seeds, start/cancel instants and read instants.
 * Reproducible: each property runs with a fixed fast-check seed derived from SALT and the test's name, so
 * running one test alone (`-t`) draws the same cases. When one fails, fast-check prints the seed, the
 * shrunk path and the counterexample; to replay, pass them in that test's `forAllCases(check, { seed, path,
 * endOnFailure: true })` options.
 */
const SALT = 'lifecycle-invariants/2025-01-01';
const NUM_RUNS = 100;
/** Properties of the plan and its timeline alone (no snapshots) are cheap: more runs find rarer ties. */
const TIMELINE_RUNS = { numRuns: 400 };

const MIG = 'mig_property';
const TYPED_STAGES = MIGRATION_STAGES.filter((s) => STAGE_RESOURCE_TYPE[s] !== undefined);
const CANCELLABLE: ReadonlySet<MigrationStatus> = new Set(['validating', 'pending', 'in_progress']);

// ---------------------------------------------------------------------------------------------------------
// Arbitraries: inputs are plain numbers (fractions, picks), mapped onto the plan once it is known, so that
// fast-check shrinks them without fc.chain.

interface Variation {
  readonly validation_seconds: number;
  readonly queue_seconds: number;
  readonly stage_seconds: Partial<StageMap<number>>;
  readonly pacing: (typeof PACINGS)[number];
  readonly jitter: number;
  readonly tolerated: Partial<StageMap<number>>;
  readonly failure: {
    stagePick: number;
    at_fraction: number;
    items_failed: number;
    resourceMessage: boolean;
  } | null;
  readonly cancelAfter: number | null;
}

interface CaseInput {
  readonly scenarioName: string;
  readonly variation: Variation | null;
  readonly seed: string;
  readonly timeScale: number;
  readonly startImmediately: boolean;
  /** Create-then-start: the start, as a fraction of two (scaled) minutes after creation. */
  readonly startFraction: number;
  /**
   * An API cancel, at a fraction of the migration's life or exactly at one of its key instants (ties with
   * other events); applied only if the migration is cancellable then.
   */
  readonly apiCancel:
    | { readonly fraction: number }
    | { readonly key: number }
    | { readonly event: number }
    | null;
  /** Read instants, as fractions of [creation, horizon]. */
  readonly uniform: readonly number[];
  /** Read instants at (or 1 ms around) the plan's key instants. */
  readonly keyPicks: readonly { index: number; offset: number }[];
}

const scenarioNames = [...fixtures().scenarios.keys()];
const smallScenarios = scenarioNames.filter((n) => n !== 'large_namespace');

const stageRecord = (value: fc.Arbitrary<number>) =>
  fc.record(
    Object.fromEntries(MIGRATION_STAGES.map((s) => [s, value])) as Record<
      MigrationStage,
      fc.Arbitrary<number>
    >,
    {
      requiredKeys: [],
    },
  ) as fc.Arbitrary<Partial<StageMap<number>>>;

const variationArb: fc.Arbitrary<Variation> = fc.record({
  validation_seconds: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true })),
  queue_seconds: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true })),
  stage_seconds: stageRecord(fc.double({ min: 0, max: 30, noNaN: true })),
  pacing: fc.constantFrom(...PACINGS),
  jitter: fc.double({ min: 0, max: 0.5, noNaN: true }),
  tolerated: stageRecord(fc.nat(60)),
  failure: fc.option(
    fc.record({
      stagePick: fc.nat(),
      // Near the ends of the window too: rounding to whole milliseconds must not move the failure out of it.
      at_fraction: fc.oneof(
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        fc.double({ min: 0.99, max: 1 - 1e-9, noNaN: true }),
        fc.double({ min: 1e-9, max: 0.01, noNaN: true }),
      ),
      items_failed: fc.nat(100),
      resourceMessage: fc.boolean(),
    }),
    { freq: 2 },
  ),
  cancelAfter: fc.option(fc.double({ min: 0, max: 90, noNaN: true }), { freq: 3 }),
});

const caseArb: fc.Arbitrary<CaseInput> = fc.record({
  scenarioName: fc.oneof(
    { arbitrary: fc.constantFrom(...smallScenarios), weight: 19 },
    { arbitrary: fc.constant('large_namespace'), weight: 1 },
  ),
  variation: fc.option(variationArb, { freq: 3 }),
  seed: fc.string({ maxLength: 12 }),
  timeScale: fc.constantFrom(0.001, 0.01, 0.1, 0.5, 1, 2.5),
  startImmediately: fc.boolean(),
  startFraction: fc.oneof(
    { arbitrary: fc.constant(0), weight: 1 },
    { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 3 },
  ),
  apiCancel: fc.option(
    fc.oneof(
      { arbitrary: fc.record({ fraction: fc.double({ min: 0, max: 1, noNaN: true }) }), weight: 1 },
      { arbitrary: fc.record({ key: fc.nat() }), weight: 1 },
      { arbitrary: fc.record({ event: fc.nat(7) }), weight: 2 },
    ),
    { freq: 3 },
  ),
  uniform: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 25 }),
  keyPicks: fc.array(fc.record({ index: fc.nat(), offset: fc.integer({ min: -1, max: 1 }) }), {
    maxLength: 30,
  }),
});

/** Stages whose resource type the scenario's scope holds (a failure there has a resource to strike). */
const failableStages = new Map<string, MigrationStage[]>();
function failableStagesOf(s: ScenarioFixture): MigrationStage[] {
  let out = failableStages.get(s.name);
  if (!out) {
    const types = new Set(
      planScenario({ scenario: s }).validated.graph?.nodes.map((n) => n.resource_type) ?? [],
    );
    out = TYPED_STAGES.filter((st) => types.has(STAGE_RESOURCE_TYPE[st]!));
    failableStages.set(s.name, out);
  }
  return out;
}

function vary(base: ScenarioFixture, v: Variation): ScenarioFixture {
  const stages = failableStagesOf(base);
  const f = v.failure;
  // Typed stages only (finalization has no resource type, and the fixture schema forbids failing it).
  const stage = f && stages.length > 0 ? (stages[f.stagePick % stages.length]! as Exclude<MigrationStage, 'finalization'>) : null;
  return {
    ...base,
    timing: {
      ...base.timing,
      validation_seconds: v.validation_seconds,
      queue_seconds: v.queue_seconds,
      stage_seconds: { ...base.timing.stage_seconds, ...v.stage_seconds },
      pacing: v.pacing,
      jitter: v.jitter,
    },
    tolerated_failures: v.tolerated,
    failure:
      f && stage
        ? {
            stage,
            at_fraction: f.at_fraction,
            items_failed: f.items_failed,
            message: `Synthetic failure in ${stage}`,
            ...(f.resourceMessage ? { resource_message: 'Resource {resource_id} gave up' } : {}),
          }
        : null,
    cancel:
      v.cancelAfter === null
        ? null
        : { after_seconds: v.cancelAfter, reason: 'Scheduled cancel (property test)' },
  };
}

interface Case {
  readonly input: CaseInput;
  readonly scenario: ScenarioFixture;
  readonly plan: MigrationPlan;
  /** When the start was accepted (null: never started). */
  readonly startAt: number | null;
  /** When it was cancelled (scheduled or through the API; null: never). */
  readonly cancelAt: number | null;
  readonly instants: readonly number[];
  readonly snapshots: readonly GetMigrationResponse[];
}

function keyInstants(plan: MigrationPlan): number[] {
  const keys = [plan.createdAt, plan.validatingUntil, ...timelineOf(plan).map((e) => e.at)];
  if (plan.cancel) keys.push(plan.cancel.at);
  const run = plan.run;
  if (run) {
    keys.push(run.startedAt, run.inProgressAt, run.endAt, run.estimatedCompletion);
    for (const s of run.stages) for (const t of [s.start, s.end, s.plannedEnd]) if (t !== null) keys.push(t);
    for (const r of run.resources)
      for (const t of [r.start, r.end, r.plannedEnd]) if (t !== null) keys.push(t);
  }
  return [...new Set(keys)].sort((a, b) => a - b);
}

function buildCase(input: CaseInput): Case {
  const base = scenarioNamed(input.scenarioName);
  const scenario = input.variation ? vary(base, input.variation) : base;
  const { timeScale, seed } = input;
  let { plan } = planScenario({
    scenario,
    seed,
    migrationId: MIG,
    startImmediately: input.startImmediately,
    timeScale,
  });
  let startAt: number | null = plan.run?.startedAt ?? null;
  if (!input.startImmediately && isRunnable(plan)) {
    // POST /start (with force) at a later instant, while the migration is in draft.
    startAt = plan.createdAt + Math.round(input.startFraction * 120_000 * timeScale);
    plan = planRun(plan, startAt, timeScale, randomFor(seed, MIG));
  }
  let cancelAt = plan.cancel?.at ?? null;
  if (input.apiCancel !== null) {
    const life = Math.max(settledAt(plan) ?? plan.createdAt, startAt ?? plan.createdAt) - plan.createdAt;
    const keys = keyInstants(plan);
    const statusEvents = timelineOf(plan).filter((e) => e.kind === 'status');
    const c = input.apiCancel;
    const at =
      'key' in c
        ? keys[c.key % keys.length]!
        : 'event' in c
          ? statusEvents[c.event % statusEvents.length]!.at // the very instant of a status change
          : plan.createdAt + Math.round(c.fraction * life);
    if (CANCELLABLE.has(statusAt(plan, at))) {
      plan = withCancel(plan, at, 'Cancelled through the API (property test)');
      cancelAt = at;
    }
  }
  const last = Math.max(
    settledAt(plan) ?? plan.createdAt,
    startAt ?? plan.createdAt,
    cancelAt ?? plan.createdAt,
  );
  const horizon = last + Math.max(2_000, Math.round((last - plan.createdAt) * 0.25));
  const keys = keyInstants(plan);
  const instants = [
    ...input.uniform.map((f) => plan.createdAt + Math.round(f * (horizon - plan.createdAt))),
    ...(keys.length === 0 ? [] : input.keyPicks.map((p) => keys[p.index % keys.length]! + p.offset)),
    horizon,
  ]
    .map((t) => Math.max(t, plan.createdAt))
    .sort((a, b) => a - b)
    .filter((t, i, all) => i === 0 || t !== all[i - 1]);
  let snapshots: GetMigrationResponse[] | undefined;
  return {
    input,
    scenario,
    plan,
    startAt,
    cancelAt,
    instants,
    // Computed on first use: the timeline-only properties need none and can afford more runs.
    get snapshots() {
      snapshots ??= instants.map((t) => snapshotAt(plan, t));
      return snapshots;
    },
  };
}

/** Runs `check` on every generated case; a thrown error or a failed expect fails the property. */
function forAllCases(check: (c: Case) => void, options: fc.Parameters<[CaseInput]> = {}): void {
  const name = expect.getState().currentTestName ?? '';
  fc.assert(
    fc.property(caseArb, (input) => {
      check(buildCase(input));
    }),
    { seed: seedFrom(SALT, name) | 0, numRuns: NUM_RUNS, ...options },
  );
}

const ms = (iso: string | null | undefined): number | null => (iso == null ? null : Date.parse(iso));

/** Statuses reachable from each status through one or more legal transitions. */
const REACHABLE = new Map<MigrationStatus, Set<MigrationStatus>>();
for (const from of Object.keys(LEGAL_TRANSITIONS) as MigrationStatus[]) {
  const seen = new Set<MigrationStatus>();
  const stack = [...LEGAL_TRANSITIONS[from]];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    stack.push(...LEGAL_TRANSITIONS[s]);
  }
  REACHABLE.set(from, seen);
}

/** Each consecutive pair of (instant, snapshot). */
function* pairs(c: Case): Generator<[number, GetMigrationResponse, number, GetMigrationResponse]> {
  for (let i = 1; i < c.snapshots.length; i++)
    yield [c.instants[i - 1]!, c.snapshots[i - 1]!, c.instants[i]!, c.snapshots[i]!];
}

// ---------------------------------------------------------------------------------------------------------

describe('lifecycle invariants (property tests over fixtures/ scenarios and synthetic variations)', () => {
  it('when the timeline of any plan is listed, then it starts in an initial status and each status event is a legal transition, in order', () => {
    forAllCases(({ plan }) => {
      const statuses = timelineOf(plan).filter((e) => e.kind === 'status');
      expect(statuses[0]?.previous).toBeNull();
      expect(INITIAL_STATUSES).toContain(statuses[0]!.status);
      let previousAt = Number.NEGATIVE_INFINITY;
      for (const [i, e] of statuses.entries()) {
        expect(e.at).toBeGreaterThanOrEqual(previousAt);
        previousAt = e.at;
        if (i === 0) continue;
        expect(e.previous).toBe(statuses[i - 1]!.status);
        expect(isLegalTransition(e.previous!, e.status), `${e.previous} → ${e.status}`).toBe(true);
      }
    }, TIMELINE_RUNS);
  });

  it('when read at any instant, then the status is the one of the last timeline status event at or before it', () => {
    forAllCases(({ plan, instants, snapshots }) => {
      const events = timelineOf(plan).filter((e) => e.kind === 'status');
      instants.forEach((t, i) => {
        const expected = events.filter((e) => e.at <= t).at(-1)?.status;
        expect(snapshots[i]!.status, `at +${t - plan.createdAt} ms`).toBe(expected);
      });
    });
  });

  it('when the timeline lists a stage completion, then snapshots show that stage completed from that instant on, and only those stages complete', () => {
    forAllCases(({ plan, instants, snapshots }) => {
      const completions = new Map<string, number>();
      for (const e of timelineOf(plan)) if (e.kind === 'stage_completed') completions.set(e.stage, e.at);
      instants.forEach((t, i) => {
        for (const s of snapshots[i]!.progress.stages) {
          const at = completions.get(s.stage);
          expect(
            s.status === 'completed',
            `${s.stage} at +${t - plan.createdAt} ms (completion listed at ${at === undefined ? 'none' : `+${at - plan.createdAt} ms`})`,
          ).toBe(at !== undefined && at <= t);
        }
      });
    });
  });

  it('when read at increasing instants, then consecutive statuses are equal or joined by legal transitions', () => {
    forAllCases((c) => {
      for (const [t0, a, t1, b] of pairs(c)) {
        if (a.status === b.status) continue;
        expect(
          REACHABLE.get(a.status)!.has(b.status),
          `${a.status} (+${t0 - c.plan.createdAt} ms) → ${b.status} (+${t1 - c.plan.createdAt} ms)`,
        ).toBe(true);
      }
    });
  });

  it('when a snapshot is terminal, then every later snapshot is byte-identical to it', () => {
    forAllCases(({ snapshots }) => {
      const first = snapshots.findIndex((s) => TERMINAL_STATUSES.has(s.status));
      if (first < 0) return;
      const frozen = JSON.stringify(snapshots[first]);
      for (const s of snapshots.slice(first + 1)) expect(JSON.stringify(s)).toBe(frozen);
    });
  });

  it('when time passes, then overall, stage and resource progress_percent never decrease', () => {
    forAllCases((c) => {
      for (const [, a, t1, b] of pairs(c)) {
        const at = `at +${t1 - c.plan.createdAt} ms`;
        expect(b.progress.overall_progress_percent, `overall ${at}`).toBeGreaterThanOrEqual(
          a.progress.overall_progress_percent,
        );
        b.progress.stages.forEach((s, i) => {
          expect(s.progress_percent, `${s.stage} ${at}`).toBeGreaterThanOrEqual(
            a.progress.stages[i]!.progress_percent,
          );
        });
        const before = new Map(a.progress.resources.map((r) => [r.resource_id, r.progress_percent]));
        for (const r of b.progress.resources)
          expect(r.progress_percent, `${r.resource_id} ${at}`).toBeGreaterThanOrEqual(
            before.get(r.resource_id) ?? 0,
          );
      }
    });
  });

  it('when overall progress is 100, then the migration is completed, and when completed, then it is 100', () => {
    forAllCases(({ snapshots }) => {
      for (const s of snapshots)
        expect(s.progress.overall_progress_percent === 100).toBe(s.status === 'completed');
    });
  });

  it('when read, then progress.overall_status mirrors status', () => {
    forAllCases(({ snapshots }) => {
      for (const s of snapshots) expect(s.progress.overall_status).toBe(s.status);
    });
  });

  it('when read, then each stage has completed + failed items ≤ its total, equal once the stage is completed', () => {
    forAllCases(({ snapshots }) => {
      for (const snap of snapshots)
        for (const s of snap.progress.stages) {
          expect(s.items_completed + s.items_failed, s.stage).toBeLessThanOrEqual(s.items_total);
          if (s.status === 'completed')
            expect(s.items_completed + s.items_failed, s.stage).toBe(s.items_total);
        }
    });
  });

  it('when read, then at most one stage is in_progress, the stages before it are completed, those after it pending, and current_stage names it only while in_progress', () => {
    forAllCases(({ snapshots }) => {
      for (const snap of snapshots) {
        const stages = snap.progress.stages;
        expect(stages.map((s) => s.stage)).toEqual([...MIGRATION_STAGES]);
        const running = stages.filter((s) => s.status === 'in_progress');
        expect(running.length).toBeLessThanOrEqual(1);
        // More generally: completed*, then at most one running/stopped stage, then pending*.
        const shape = stages
          .map((s) =>
            s.status === 'completed'
              ? 'C'
              : s.status === 'pending'
                ? 'P'
                : s.status === 'in_progress' || s.status === 'failed' || s.status === 'cancelled'
                  ? 'X'
                  : '?',
          )
          .join('');
        expect(shape, stages.map((s) => `${s.stage}:${s.status}`).join(' ')).toMatch(/^C*X?P*$/);
        const current = running[0]?.stage ?? null;
        expect(snap.progress.current_stage).toBe(snap.status === 'in_progress' ? current : null);
        if (snap.status === 'in_progress') expect(current).not.toBeNull();
        else expect(current).toBeNull();
      }
    });
  });

  it('when read, then created_at ≤ started_at ≤ each stage started_at ≤ its completed_at ≤ completed_at', () => {
    forAllCases(({ snapshots }) => {
      for (const snap of snapshots) {
        const created = ms(snap.created_at)!;
        const started = ms(snap.started_at);
        const completed = ms(snap.completed_at);
        expect(ms(snap.progress.started_at)).toBe(started);
        if (started !== null) expect(started).toBeGreaterThanOrEqual(created);
        if (completed !== null) expect(completed).toBeGreaterThanOrEqual(started ?? created);
        for (const s of snap.progress.stages) {
          const a = ms(s.started_at);
          const b = ms(s.completed_at);
          if (b !== null) expect(a, `${s.stage} completed without a start`).not.toBeNull();
          if (a === null) continue;
          expect(started, `${s.stage} started before the migration`).not.toBeNull();
          expect(a, s.stage).toBeGreaterThanOrEqual(started!);
          if (b !== null) expect(b, s.stage).toBeGreaterThanOrEqual(a);
          if (completed !== null) expect(b ?? a, s.stage).toBeLessThanOrEqual(completed);
        }
      }
    });
  });

  it('when read, then started_at/task_id are set iff started, completed_at iff terminal, error_message iff failed', () => {
    forAllCases(({ plan, instants, snapshots, startAt, cancelAt }) => {
      instants.forEach((t, i) => {
        const snap = snapshots[i]!;
        const at = `${snap.status} at +${t - plan.createdAt} ms`;
        const started = startAt !== null && startAt <= Math.min(t, cancelAt ?? Number.POSITIVE_INFINITY);
        if (['pending', 'in_progress', 'completed', 'failed'].includes(snap.status))
          expect(started, at).toBe(true);
        if (snap.status === 'draft' || snap.status === 'validating') expect(started, at).toBe(false);
        expect(snap.started_at !== null, at).toBe(started);
        expect(snap.task_id !== null, at).toBe(started);
        if (started) expect(snap.task_id).toMatch(/^task_[a-z0-9]+$/);
        expect(snap.completed_at !== null, at).toBe(TERMINAL_STATUSES.has(snap.status));
        expect(snap.error_message !== null, at).toBe(snap.status === 'failed');
      });
    });
  });

  it('when a migration has failed, then exactly one stage failed (short of its items) with an error_message and at least one resource failed, each with an error_message', () => {
    forAllCases(({ snapshots }) => {
      for (const snap of snapshots) {
        const failedStages = snap.progress.stages.filter((s) => s.status === 'failed');
        const failedResources = snap.progress.resources.filter((r) => r.status === 'failed');
        if (snap.status !== 'failed') {
          expect(failedStages).toEqual([]);
          expect(failedResources).toEqual([]);
          continue;
        }
        expect(failedStages).toHaveLength(1);
        expect(failedStages[0]!.error_message).toEqual(expect.any(String));
        // The failure strikes inside the stage's window: the stage stops short of its items.
        const f = failedStages[0]!;
        if (f.items_total > 0)
          expect(f.items_completed + f.items_failed, f.stage).toBeLessThan(f.items_total);
        expect(f.progress_percent).toBeLessThan(100);
        expect(failedResources.length).toBeGreaterThanOrEqual(1);
        for (const r of failedResources) expect(r.error_message, r.resource_id).toEqual(expect.any(String));
        for (const s of snap.progress.stages) if (s.status !== 'failed') expect(s.error_message).toBeNull();
        for (const r of snap.progress.resources)
          if (r.status !== 'failed') expect(r.error_message).toBeNull();
      }
    });
  });

  it('when a dependency graph is shown, then its execution order names every node once, progress lists exactly those resources, and no resource runs before its dependencies completed', () => {
    forAllCases(({ instants, snapshots, plan }) => {
      snapshots.forEach((snap, i) => {
        const graph = snap.dependency_graph;
        if (!graph) {
          expect(snap.progress.resources, 'resources without a dependency graph').toEqual([]);
          return;
        }
        const nodes = new Map(graph.nodes.map((n) => [n.resource_id, n]));
        expect(new Set(graph.execution_order).size).toBe(graph.execution_order.length);
        expect([...graph.execution_order].sort()).toEqual([...nodes.keys()].sort());
        expect(snap.progress.resources.map((r) => r.resource_id)).toEqual(graph.execution_order);
        // Topological: each node comes after its dependencies.
        const position = new Map(graph.execution_order.map((id, k) => [id, k]));
        for (const n of graph.nodes)
          for (const d of n.dependencies) expect(position.get(d)!).toBeLessThan(position.get(n.resource_id)!);
        const status = new Map(snap.progress.resources.map((r) => [r.resource_id, r.status]));
        for (const r of snap.progress.resources) {
          if (r.status !== 'in_progress' && r.status !== 'completed' && r.status !== 'cancelled') continue;
          for (const d of nodes.get(r.resource_id)!.dependencies)
            expect(
              status.get(d),
              `${r.resource_id} is ${r.status} at +${instants[i]! - plan.createdAt} ms while its dependency ${d} is ${status.get(d)}`,
            ).toBe('completed');
        }
      });
    });
  });

  it('when validation has not finished yet, then no validation_result, dependency graph, resources or item totals show, whether or not a run is planned', () => {
    forAllCases(({ plan, instants, snapshots }) => {
      instants.forEach((t, i) => {
        const snap = snapshots[i]!;
        const validating = Math.min(t, plan.cancel?.at ?? t) < plan.validatingUntil;
        expect(snap.validation_result === null, `at +${t - plan.createdAt} ms`).toBe(validating);
        if (!validating) return;
        expect(snap.dependency_graph).toBeNull();
        expect(snap.progress.resources).toEqual([]);
        for (const s of snap.progress.stages) expect(s.items_total, s.stage).toBe(0);
      });
    });
  });

  it('when read at any instant, then the snapshot does not throw and validates against GetMigrationResponseSchema', () => {
    forAllCases(({ snapshots }) => {
      for (const snap of snapshots) {
        const parsed = GetMigrationResponseSchema.safeParse(snap);
        expect(parsed.success, parsed.error?.message).toBe(true);
      }
    });
  });
});
