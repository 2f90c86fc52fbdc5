import type { MigrationStage, MigrationStatus } from '../schemas/enums.js';
import type { MigrationPlan } from './plan.js';

export type TimelineEvent =
  | { readonly at: number; readonly kind: 'status'; readonly status: MigrationStatus; readonly previous: MigrationStatus | null }
  | { readonly at: number; readonly kind: 'stage_completed'; readonly stage: MigrationStage };

/**
 * Every status transition and stage completion of a migration, in order, at the instants its plan gives.
 * The first event is the creation (`validating`, with previous null): a plain create passes through
 * validating within the request, so its `draft` follows at the same instant. Pure.
 */
export function timelineOf(plan: MigrationPlan): readonly TimelineEvent[] {
  // Plans are never mutated (a start or a cancel makes a new plan): one timeline per plan object.
  let events = timelines.get(plan);
  if (!events) {
    events = computeTimeline(plan);
    timelines.set(plan, events);
  }
  return events;
}
const timelines = new WeakMap<MigrationPlan, TimelineEvent[]>();

function computeTimeline(plan: MigrationPlan): TimelineEvent[] {
  const cutoff = plan.cancel?.at ?? Number.POSITIVE_INFINITY;
  const events: TimelineEvent[] = [];
  let current: MigrationStatus | null = null;
  const go = (at: number, status: MigrationStatus) => {
    events.push({ at, kind: 'status', status, previous: current });
    current = status;
  };
  go(plan.createdAt, 'validating');
  const run = plan.run;
  const finish = () => {
    if (plan.cancel) go(plan.cancel.at, 'cancelled');
    return events;
  };
  // Ties: a cancel at the very instant of another event comes after it, as snapshotAt shows that event's
  // effects (a start, a stage's completion) at the cancel instant.
  if (plan.validatingUntil > cutoff) return finish();
  if (!run || run.startedAt > plan.validatingUntil) go(plan.validatingUntil, 'draft');
  if (!run || run.startedAt > cutoff) return finish();
  go(run.startedAt, 'pending');
  if (run.inProgressAt > cutoff) return finish();
  go(run.inProgressAt, 'in_progress');
  for (const s of run.stages) {
    if (s.end === null || s.failed || s.end > cutoff) break;
    events.push({ at: s.end, kind: 'stage_completed', stage: s.stage });
  }
  if (run.endAt >= cutoff) return finish();
  go(run.endAt, run.outcome);
  return events;
}

/**
 * The instants a poll-driven migration steps through: every event of its timeline plus the quarter
 * points of each stage that runs, in increasing order, without duplicates. Pure.
 */
export function pollSteps(plan: MigrationPlan): number[] {
  const points = new Set<number>(timelineOf(plan).map((e) => e.at));
  const end = plan.cancel?.at ?? Number.POSITIVE_INFINITY;
  for (const s of plan.run?.stages ?? []) {
    if (s.start === null || s.end === null) continue;
    for (const q of [0.25, 0.5, 0.75]) {
      const at = s.start + Math.round((s.end - s.start) * q);
      if (at < end) points.add(at);
    }
    if (s.start < end) points.add(s.start);
  }
  return [...points].sort((a, b) => a - b);
}
