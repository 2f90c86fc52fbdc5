import { MIGRATION_STAGES, type MigrationStatus } from '../schemas/enums.js';
import type { GetMigrationResponse, ResourceProgress, StageProgress } from '../schemas/migration.js';
import { type Pacing, pace } from './pacing.js';
import type { MigrationPlan, ResourcePlan, StagePlan } from './plan.js';
import { iso as isoOf } from './time.js';

const floor2 = (x: number) => Math.floor(x * 100 + 1e-9) / 100;
const percent = (done: number, total: number) => floor2((done / total) * 100);

// The instants a snapshot renders are the plan's (stage and run boundaries, creation, cancel), the same
// for every read: their ISO strings are kept (a bounded map, cleared when full) instead of formatted anew.
const isoMemo = new Map<number, string>();
const iso = (ms: number): string => {
  let s = isoMemo.get(ms);
  if (s === undefined) {
    if (isoMemo.size >= 4096) isoMemo.clear();
    s = isoOf(ms);
    isoMemo.set(ms, s);
  }
  return s;
};

/** The migration's status at instant `t` (epoch ms). Pure. */
export function statusAt(plan: MigrationPlan, t: number): MigrationStatus {
  if (plan.cancel && t >= plan.cancel.at) return 'cancelled';
  if (t < plan.validatingUntil) return 'validating';
  const run = plan.run;
  if (!run || t < run.startedAt) return 'draft';
  if (t < run.inProgressAt) return 'pending';
  if (t < run.endAt) return 'in_progress';
  return run.outcome;
}

/** The instant at which a migration's state stops changing (its terminal instant), or null. Pure. */
export function settledAt(plan: MigrationPlan): number | null {
  if (plan.cancel) return plan.cancel.at;
  if (plan.run) return plan.run.endAt;
  return plan.validatingUntil; // draft: nothing moves until someone starts it
}

function stageAt(s: StagePlan, x: number, pacing: Pacing, cancelAt: number | null): StageProgress {
  const total = s.itemsTotal;
  const blank: StageProgress = {
    stage: s.stage,
    status: 'pending',
    started_at: null,
    completed_at: null,
    progress_percent: 0,
    items_total: total,
    items_completed: 0,
    items_failed: 0,
    error_message: null,
  };
  if (s.start === null || s.end === null || s.plannedEnd === null || x < s.start) return blank;
  if (x >= s.end) {
    const done = s.okFinal + s.failedFinal;
    return {
      ...blank,
      status: s.failed ? 'failed' : 'completed',
      started_at: iso(s.start),
      completed_at: iso(s.end),
      progress_percent: s.failed ? (total === 0 ? 0 : percent(done, total)) : 100,
      items_completed: s.okFinal,
      items_failed: s.failedFinal,
      error_message: s.errorMessage,
    };
  }
  // Progress follows the pacing curve over the planned window, scaled so that the stage reaches its
  // final counts at its actual end (a failing stage stops short of its planned end).
  const span = s.plannedEnd - s.start;
  const at = (y: number) => pace(pacing, span > 0 ? (y - s.start!) / span : 1);
  const reach = at(s.end);
  const g = reach > 0 ? Math.min(1, at(x) / reach) : 0;
  const completed = Math.floor(s.okFinal * g);
  const failed = Math.floor(s.failedFinal * g);
  return {
    ...blank,
    status: cancelAt !== null ? 'cancelled' : 'in_progress',
    started_at: iso(s.start),
    completed_at: cancelAt !== null ? iso(cancelAt) : null,
    progress_percent: total === 0 ? 0 : Math.min(99.99, percent(completed + failed, total)),
    items_completed: completed,
    items_failed: failed,
  };
}

function resourceAt(r: ResourcePlan, x: number, cancelled: boolean): ResourceProgress {
  const base: ResourceProgress = {
    resource_id: r.id,
    resource_type: r.type,
    status: 'pending',
    progress_percent: 0,
    error_message: null,
  };
  if (r.start === null || r.end === null || r.plannedEnd === null || x < r.start) return base;
  const linear = (at: number) =>
    r.plannedEnd! > r.start! ? Math.min(99.99, floor2(((at - r.start!) / (r.plannedEnd! - r.start!)) * 100)) : 0;
  if (x >= r.end)
    return r.failed
      ? { ...base, status: 'failed', progress_percent: linear(r.end), error_message: r.errorMessage }
      : { ...base, status: 'completed', progress_percent: 100 };
  return { ...base, status: cancelled ? 'cancelled' : 'in_progress', progress_percent: linear(x) };
}

/**
 * The full GetMigrationResponse of a migration at instant `t` (epoch ms). Pure: computed from the plan
 * alone, never advanced by timers; the same plan and instant always give the same value.
 */
export function snapshotAt(plan: MigrationPlan, now: number): GetMigrationResponse {
  const t = Math.max(now, plan.createdAt);
  const status = statusAt(plan, t);
  const run = plan.run;
  const cancelAt = plan.cancel && t >= plan.cancel.at ? plan.cancel.at : null;
  const x = cancelAt ?? t; // state freezes at the cancel
  const cancelled = cancelAt !== null;
  const validated = x >= plan.validatingUntil;

  // Nothing of the scope shows before validation ends, whether or not a run is already planned.
  const stages: StageProgress[] = run && validated
    ? run.stages.map((s) => stageAt(s, x, plan.behaviour.timing.pacing, cancelAt))
    : MIGRATION_STAGES.map((stage) => ({
        stage,
        status: 'pending' as const,
        started_at: null,
        completed_at: null,
        progress_percent: 0,
        items_total: validated && plan.items ? plan.items[stage] : 0,
        items_completed: 0,
        items_failed: 0,
        error_message: null,
      }));
  const resources: ResourceProgress[] = run && validated
    ? run.resources.map((r) => resourceAt(r, x, cancelled))
    : validated && plan.graph
      ? plan.graph.execution_order.map((id) => {
          const n = plan.graph!.nodes.find((m) => m.resource_id === id)!;
          return { resource_id: id, resource_type: n.resource_type, status: 'pending' as const, progress_percent: 0, error_message: null };
        })
      : [];

  let overall = 0;
  if (status === 'completed') overall = 100;
  else if (run && x >= run.inProgressAt) {
    const weights = run.stages.reduce((n, s) => n + s.weight, 0);
    const sum = run.stages.reduce((n, s, i) => n + s.weight * stages[i]!.progress_percent, 0);
    overall = Math.min(99.99, floor2(sum / weights));
  }

  const started = run && x >= run.startedAt ? run.startedAt : null;
  const terminalAt =
    status === 'cancelled' ? cancelAt : status === 'completed' || status === 'failed' ? run!.endAt : null;
  const estimated =
    status === 'pending' || status === 'in_progress'
      ? run!.estimatedCompletion
      : status === 'completed'
        ? run!.endAt
        : null;
  const current = status === 'in_progress' ? (stages.find((s) => s.status === 'in_progress')?.stage ?? null) : null;
  const additional: Record<string, unknown> = { mock_scenario: plan.behaviour.name };
  if (status === 'cancelled' && plan.cancel?.reason) additional.cancellation_reason = plan.cancel.reason;

  return {
    migration_id: plan.migrationId,
    internal_id: plan.internalId,
    namespace_id: plan.config.source_namespace_id,
    config: plan.config,
    status,
    progress: {
      overall_status: status,
      overall_progress_percent: overall,
      current_stage: current,
      stages,
      resources,
      started_at: started === null ? null : iso(started),
      estimated_completion: estimated === null ? null : iso(estimated),
    },
    created_at: iso(plan.createdAt),
    validation_result: validated ? plan.validation : null,
    dependency_graph: validated ? plan.graph : null,
    task_id: started === null ? null : run!.taskId,
    started_at: started === null ? null : iso(started),
    completed_at: terminalAt === null ? null : iso(terminalAt),
    error_message: status === 'failed' ? run!.errorMessage : null,
    additional_data: additional,
  };
}
