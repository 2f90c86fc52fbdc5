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

type Graph = NonNullable<MigrationPlan['graph']>;
const nodeIndex = new WeakMap<Graph, Map<string, Graph['nodes'][number]>>();
/** A dependency graph's nodes by resource id (built once per graph: graphs are never mutated). */
function nodesById(graph: Graph): Map<string, Graph['nodes'][number]> {
  let index = nodeIndex.get(graph);
  if (!index) {
    index = new Map();
    // The first node of an id wins, as `nodes.find` would have it.
    for (const n of graph.nodes) if (!index.has(n.resource_id)) index.set(n.resource_id, n);
    nodeIndex.set(graph, index);
  }
  return index;
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
          const n = nodesById(plan.graph!).get(id)!;
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

// ------------------------------------------------------------------------------------- snapshot as JSON

type Json = Record<string, unknown>;
/** An item of the previous read (a stage or a resource), its own keys and its JSON text. */
interface Item {
  value: Json;
  keys: string[];
  json: string;
}
/** The previous read's stages and resources of a plan. */
interface Parts {
  stages: Item[];
  resources: Item[];
}

/** JSON text of a plan's unchanging members (config, validation result, dependency graph), by identity. */
const unchangingJson = new WeakMap<object, string>();
const partsOf = new WeakMap<MigrationPlan, Parts>();

/**
 * Appends `JSON.stringify(o)` for an object to `out`, `part(key, value, out)` writing some members
 * itself (it returns false to leave a member to JSON.stringify). Pieces are joined once, at the end:
 * one flat string, which Node writes to the socket without first flattening a rope.
 */
function objectJson(o: Json, out: string[], part: (key: string, value: unknown, out: string[]) => boolean): void {
  out.push('{');
  let first = true;
  for (const key of Object.keys(o)) {
    const value = o[key];
    const at = out.length;
    out.push(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    if (part(key, value, out)) {
      first = false;
      continue;
    }
    const text = JSON.stringify(value);
    if (text === undefined) out.length = at; // undefined, functions: left out, as JSON.stringify does
    else {
      out.push(text);
      first = false;
    }
  }
  out.push('}');
}

/** `b` has exactly `keys` as its enumerable keys, in that order, with `a`'s primitive values: same JSON. */
function sameFlat(a: Json, keys: readonly string[], b: unknown): boolean {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return false;
  let i = 0;
  for (const k in b) {
    if (k !== keys[i]) return false;
    const v = (b as Json)[k];
    if (v !== a[k] || (v !== null && typeof v === 'object')) return false;
    i++;
  }
  return i === keys.length;
}

/** Appends `JSON.stringify(items)`, reusing the text of each item equal to the one at its index last time. */
function itemsJson(items: unknown, last: Item[], out: string[]): boolean {
  if (!Array.isArray(items)) return false;
  out.push('[');
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    const prev = last[i];
    if (i > 0) out.push(',');
    if (prev && sameFlat(prev.value, prev.keys, item)) out.push(prev.json);
    else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const json = JSON.stringify(item);
      out.push(json);
      last[i] = { value: item as Json, keys: Object.keys(item), json };
    } else out.push(JSON.stringify(item) ?? 'null'); // as JSON.stringify writes any other item of an array
  }
  out.push(']');
  last.length = Math.min(last.length, items.length);
  return true;
}

/**
 * `JSON.stringify(snapshotAt(plan, now))`, byte for byte, for less work: what does not move between two
 * reads is turned into JSON once. The plan's config, validation result and dependency graph (plans are
 * never mutated: starting or cancelling makes a new plan) by identity; each stage and resource of the
 * progress while it equals, member by member, the same one in the previous read of this plan. Pure.
 */
export function snapshotJsonAt(plan: MigrationPlan, now: number): string {
  const snap = snapshotAt(plan, now) as unknown as Json;
  let parts = partsOf.get(plan);
  if (!parts) {
    parts = { stages: [], resources: [] };
    partsOf.set(plan, parts);
  }
  const { stages, resources } = parts;
  const out: string[] = [];
  objectJson(snap, out, (key, value, o) => {
    if (value === null || typeof value !== 'object') return false;
    if (value === plan.config || value === plan.validation || value === plan.graph) {
      let text = unchangingJson.get(value);
      if (text === undefined) {
        text = JSON.stringify(value);
        unchangingJson.set(value, text);
      }
      o.push(text);
      return true;
    }
    if (key !== 'progress' || Array.isArray(value)) return false;
    objectJson(value as Json, o, (k, v, oo) =>
      k === 'stages' ? itemsJson(v, stages, oo) : k === 'resources' ? itemsJson(v, resources, oo) : false,
    );
    return true;
  });
  return out.join('');
}
