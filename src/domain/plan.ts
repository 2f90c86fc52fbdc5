import type { MigrationConfig } from '../schemas/config.js';
import { MIGRATION_STAGES, type MigrationStage, type ResourceType } from '../schemas/enums.js';
import type { DependencyGraph, ValidationResult } from '../schemas/migration.js';
import type { ScenarioFixture } from '../scenarios/fixture-schemas.js';
import type { RandomFactory } from './random.js';
import { STAGE_RESOURCE_TYPE, type StageMap, stageItems, stageSeconds } from './stages.js';
import type { Validated } from './validate.js';

/** What a scenario decides about a run: timing, pacing, failure, scheduled cancel, advance mode, faults. */
export type Behaviour = Pick<
  ScenarioFixture,
  'name' | 'timing' | 'failure' | 'cancel' | 'advance' | 'faults' | 'tolerated_failures'
>;

export interface StagePlan {
  readonly stage: MigrationStage;
  /** null: the stage never runs (the run failed earlier). Instants are epoch ms. */
  readonly start: number | null;
  readonly plannedEnd: number | null;
  /** The actual end: plannedEnd, or the failure instant. */
  readonly end: number | null;
  readonly itemsTotal: number;
  /** Items completed and failed at `end`. */
  readonly okFinal: number;
  readonly failedFinal: number;
  readonly failed: boolean;
  readonly errorMessage: string | null;
  /** Weight in the overall percent: the planned duration in ms. */
  readonly weight: number;
}

export interface ResourcePlan {
  readonly id: string;
  readonly type: ResourceType;
  readonly tier: number;
  /** null: never runs. */
  readonly start: number | null;
  /** The end of its planned window (progress is linear over [start, plannedEnd]). */
  readonly plannedEnd: number | null;
  readonly end: number | null;
  readonly failed: boolean;
  readonly errorMessage: string | null;
}

export interface RunPlan {
  /** Start accepted: the migration enters pending. */
  readonly startedAt: number;
  readonly taskId: string;
  readonly inProgressAt: number;
  readonly stages: readonly StagePlan[];
  readonly resources: readonly ResourcePlan[];
  readonly endAt: number;
  readonly outcome: 'completed' | 'failed';
  readonly errorMessage: string | null;
  /** When the plan expected to complete (the failure, if any, aside). */
  readonly estimatedCompletion: number;
}

/** Everything a migration will do, decided once; `snapshotAt` reads it for any instant. */
export interface MigrationPlan {
  readonly migrationId: string;
  readonly internalId: string;
  readonly config: MigrationConfig;
  readonly behaviour: Behaviour;
  readonly createdAt: number;
  /** End of the validating phase; equal to createdAt when validation ran within the create request. */
  readonly validatingUntil: number;
  readonly validation: ValidationResult;
  readonly graph: DependencyGraph | null;
  readonly items: StageMap<number> | null;
  readonly run: RunPlan | null;
  readonly cancel: { readonly at: number; readonly reason: string | null } | null;
}

export interface PlanInput {
  readonly migrationId: string;
  readonly internalId: string;
  readonly config: MigrationConfig;
  readonly validated: Validated;
  readonly behaviour: Behaviour;
  readonly createdAt: number;
  /** start_immediately: show `validating` for the scenario's validation time, then start when startable. */
  readonly startImmediately: boolean;
  readonly timeScale: number;
  readonly random: RandomFactory;
}

const sec = (s: number, scale: number) => Math.round(s * 1000 * scale);

/** Whether a validated migration can run: valid and not a dry run. */
export const isRunnable = (p: Pick<MigrationPlan, 'validation' | 'config'>) => p.validation.valid && !p.config.dry_run;

/**
 * Plans a migration at its creation. With startImmediately (and a runnable config), the run is planned
 * too, starting when validation ends. Pure: same input, same plan.
 */
export function planMigration(input: PlanInput): MigrationPlan {
  const { validated, behaviour, createdAt, timeScale } = input;
  const validatingUntil = input.startImmediately
    ? createdAt + sec(behaviour.timing.validation_seconds, timeScale)
    : createdAt;
  const scope = validated.scope?.resources ?? null;
  const base: MigrationPlan = {
    migrationId: input.migrationId,
    internalId: input.internalId,
    config: input.config,
    behaviour,
    createdAt,
    validatingUntil,
    validation: validated.result,
    graph: validated.graph,
    items: scope ? stageItems(scope, input.config) : null,
    run: null,
    cancel: null,
  };
  if (!input.startImmediately || !isRunnable(base)) return base;
  const planned = planRun(base, validatingUntil, timeScale, input.random);
  return planned;
}

/**
 * Plans the run of a runnable migration whose start is accepted at `startedAt`: queue time, each stage's
 * window and item counts, each resource's window (tier by tier inside the stage of its type), where a
 * failure strikes, and a scheduled cancel. Pure.
 */
export function planRun(plan: MigrationPlan, startedAt: number, timeScale: number, random: RandomFactory): MigrationPlan {
  if (!plan.graph || !plan.items) throw new Error('planRun: the migration has no dependency graph');
  const { behaviour } = plan;
  const timingRng = random('timing');
  const taskId = `task_${random('task_id').alnum(12)}`;
  const inProgressAt = startedAt + sec(behaviour.timing.queue_seconds, timeScale);
  const base = stageSeconds(plan.items, behaviour.timing);

  // Stage windows, back to back, with seeded jitter.
  const windows = {} as StageMap<{ start: number; end: number }>;
  let t = inProgressAt;
  for (const s of MIGRATION_STAGES) {
    const jitter = 1 + behaviour.timing.jitter * (2 * timingRng.float() - 1);
    const d = Math.max(1, sec(base[s] * jitter, timeScale));
    windows[s] = { start: t, end: t + d };
    t += d;
  }
  const estimatedCompletion = t;

  const failure = behaviour.failure;
  // Strictly inside the stage's window (before its end), whatever the rounding to whole milliseconds:
  // at its end the stage's items and resources would all have completed and none be left to fail.
  const failSpan = failure ? windows[failure.stage].end - windows[failure.stage].start : 0;
  const failAt = failure
    ? windows[failure.stage].start + Math.min(failSpan - 1, Math.max(1, Math.round(failSpan * failure.at_fraction)))
    : null;
  const failIndex = failure ? MIGRATION_STAGES.indexOf(failure.stage) : MIGRATION_STAGES.length;

  // Resource windows: inside the stage of their type, one sub-window per tier present, in tier order.
  // Resources of stages without a type (setup, finalization) are tracked through the typed stages only.
  const nodes = new Map(plan.graph.nodes.map((n) => [n.resource_id, n]));
  const resourceWindows = new Map<string, { start: number; end: number }>();
  for (const s of MIGRATION_STAGES) {
    const type = STAGE_RESOURCE_TYPE[s];
    if (!type) continue;
    const ofType = plan.graph.execution_order.map((id) => nodes.get(id)!).filter((n) => n.resource_type === type);
    const tiers = [...new Set(ofType.map((n) => n.tier))].sort((a, b) => a - b);
    const w = windows[s];
    const span = w.end - w.start;
    for (const n of ofType) {
      const i = tiers.indexOf(n.tier);
      resourceWindows.set(n.resource_id, {
        start: w.start + Math.floor((span * i) / tiers.length),
        end: w.start + Math.floor((span * (i + 1)) / tiers.length),
      });
    }
  }

  // Which resources fail: those running when the failure strikes; if none of the stage's type runs
  // then, the first resource not yet started (its preparation fails).
  let failedIds = new Set<string>();
  if (failAt !== null) {
    for (const [id, w] of resourceWindows) if (w.start <= failAt && failAt < w.end) failedIds.add(id);
    if (failedIds.size === 0) {
      const firstPending = plan.graph.execution_order.find((id) => {
        const w = resourceWindows.get(id);
        return !w || w.start > failAt;
      });
      if (firstPending) failedIds = new Set([firstPending]);
    }
  }
  const messageFor = (id: string) =>
    (failure?.resource_message ?? `Resource {resource_id} failed during ${failure?.stage}: ${failure?.message}`).replaceAll(
      '{resource_id}',
      id,
    );

  const resources: ResourcePlan[] = plan.graph.execution_order.map((id) => {
    const n = nodes.get(id)!;
    const w = resourceWindows.get(id) ?? null;
    if (failAt !== null && failedIds.has(id)) {
      return {
        id,
        type: n.resource_type,
        tier: n.tier,
        start: w && w.start <= failAt ? w.start : failAt,
        plannedEnd: w && w.start <= failAt ? w.end : failAt + 1,
        end: failAt,
        failed: true,
        errorMessage: messageFor(id),
      };
    }
    const runs = w !== null && (failAt === null || w.end <= failAt);
    return {
      id,
      type: n.resource_type,
      tier: n.tier,
      start: runs ? w.start : null,
      plannedEnd: runs ? w.end : null,
      end: runs ? w.end : null,
      failed: false,
      errorMessage: null,
    };
  });

  const stages: StagePlan[] = MIGRATION_STAGES.map((s, i) => {
    const w = windows[s];
    const total = plan.items![s];
    const weight = w.end - w.start;
    if (i > failIndex)
      return { stage: s, start: null, plannedEnd: null, end: null, itemsTotal: total, okFinal: 0, failedFinal: 0, failed: false, errorMessage: null, weight };
    if (i === failIndex && failure && failAt !== null) {
      const processed = Math.floor(total * ((failAt - w.start) / (w.end - w.start)));
      const failed = Math.min(failure.items_failed, processed);
      return {
        stage: s,
        start: w.start,
        plannedEnd: w.end,
        end: failAt,
        itemsTotal: total,
        okFinal: processed - failed,
        failedFinal: failed,
        failed: true,
        errorMessage: failure.message,
        weight,
      };
    }
    const tolerated = Math.min(behaviour.tolerated_failures[s] ?? 0, total);
    return {
      stage: s,
      start: w.start,
      plannedEnd: w.end,
      end: w.end,
      itemsTotal: total,
      okFinal: total - tolerated,
      failedFinal: tolerated,
      failed: false,
      errorMessage: null,
      weight,
    };
  });

  const endAt = failAt ?? estimatedCompletion;
  const run: RunPlan = {
    startedAt,
    taskId,
    inProgressAt,
    stages,
    resources,
    endAt,
    outcome: failure ? 'failed' : 'completed',
    errorMessage: failure ? failure.message : null,
    estimatedCompletion,
  };
  const scheduledCancel =
    behaviour.cancel && inProgressAt + sec(behaviour.cancel.after_seconds, timeScale) < endAt
      ? { at: inProgressAt + sec(behaviour.cancel.after_seconds, timeScale), reason: behaviour.cancel.reason }
      : null;
  return { ...plan, run, cancel: plan.cancel ?? scheduledCancel };
}

/** The plan with a cancel at `at` (the caller checks the migration is cancellable then). Pure. */
export function withCancel(plan: MigrationPlan, at: number, reason: string | null): MigrationPlan {
  return { ...plan, cancel: { at, reason } };
}
