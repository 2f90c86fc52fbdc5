import { describe, expect, it } from 'vitest';
import { type MigrationPlan, planRun, withCancel } from '../../src/domain/plan.js';
import { settledAt, snapshotAt, statusAt } from '../../src/domain/snapshot.js';
import { iso } from '../../src/domain/time.js';
import { timelineOf } from '../../src/domain/timeline.js';
import { randomFor } from '../../src/generate/random.js';
import type { ScenarioFixture } from '../../src/scenarios/fixture-schemas.js';
import { MIGRATION_STAGES } from '../../src/schemas/enums.js';
import type { GetMigrationResponse } from '../../src/schemas/migration.js';
import { planScenario, scenarioNamed, T0 } from '../helpers/plans.js';

const S = 1000;
const MIG = 'mig_reextract_completes';
const plan = (scenario: string | ScenarioFixture, opts: { startImmediately?: boolean; seed?: string } = {}) =>
  planScenario({
    scenario: typeof scenario === 'string' ? scenarioNamed(scenario) : scenario,
    migrationId: MIG,
    createdAt: T0,
    ...opts,
  }).plan;

const stage = (snap: GetMigrationResponse, name: string) =>
  snap.progress.stages.find((s) => s.stage === name)!;
const resource = (snap: GetMigrationResponse, id: string) =>
  snap.progress.resources.find((r) => r.resource_id === id)!;
const windowOf = (p: MigrationPlan, name: string) => {
  const s = p.run!.stages.find((x) => x.stage === name)!;
  return { start: s.start!, end: s.end! };
};

/** The default scenario's stages before jitter, in seconds (see validate.test.ts for the arithmetic). */
const BASE_SECONDS = {
  namespace_setup: 3.2,
  batch_creation: 3.05,
  batch_processing: 28.24,
  cluster_execution: 5,
  taxonomy_enrichment: 6,
  benchmark_evaluation: 6,
  finalization: 3.2,
};

describe('snapshotAt: the default scenario (re_extract_completes, started immediately)', () => {
  const p = plan('re_extract_completes');
  const run = p.run!;

  it('when planned, then validation ends after 2 s, the start is accepted then, and work begins after 3 s of queue', () => {
    expect(p.validatingUntil).toBe(T0 + 2 * S);
    expect(run.startedAt).toBe(T0 + 2 * S);
    expect(run.inProgressAt).toBe(T0 + 5 * S);
    expect(run.outcome).toBe('completed');
  });

  it('when planned, then the stages run back to back in enum order, each within ±10 % jitter of its planned seconds', () => {
    let t = run.inProgressAt;
    run.stages.forEach((s, i) => {
      expect(s.stage).toBe(MIGRATION_STAGES[i]);
      expect(s.start).toBe(t);
      const seconds = (s.end! - s.start!) / S;
      const base = BASE_SECONDS[s.stage];
      expect(seconds).toBeGreaterThanOrEqual(base * 0.9 - 0.001);
      expect(seconds).toBeLessThanOrEqual(base * 1.1 + 0.001);
      t = s.end!;
    });
    expect(run.endAt).toBe(t);
    expect(run.estimatedCompletion).toBe(t);
    // about a minute, as the fixtures README says
    expect((run.endAt - T0) / S).toBeGreaterThan(54);
    expect((run.endAt - T0) / S).toBeLessThan(66);
  });

  it('when its timeline is listed, then it is validating → pending → in_progress → 7 stage completions → completed at the planned instants', () => {
    expect(timelineOf(p)).toEqual([
      { at: T0, kind: 'status', status: 'validating', previous: null },
      { at: T0 + 2 * S, kind: 'status', status: 'pending', previous: 'validating' },
      { at: T0 + 5 * S, kind: 'status', status: 'in_progress', previous: 'pending' },
      ...run.stages.map((s) => ({ at: s.end, kind: 'stage_completed', stage: s.stage })),
      { at: run.endAt, kind: 'status', status: 'completed', previous: 'in_progress' },
    ]);
  });

  it('when read at creation, then it is validating with no validation result, graph, resources, start or progress', () => {
    const snap = snapshotAt(p, T0);
    expect(snap).toMatchObject({
      migration_id: MIG,
      namespace_id: 'ns_acme_media',
      status: 'validating',
      created_at: '2025-01-01T00:00:00.000Z',
      validation_result: null,
      dependency_graph: null,
      task_id: null,
      started_at: null,
      completed_at: null,
      error_message: null,
      additional_data: { mock_scenario: 're_extract_completes' },
    });
    expect(snap.progress).toMatchObject({
      overall_status: 'validating',
      overall_progress_percent: 0,
      current_stage: null,
      resources: [],
      started_at: null,
      estimated_completion: null,
    });
    expect(snap.progress.stages.map((s) => [s.status, s.items_total])).toEqual(
      MIGRATION_STAGES.map(() => ['pending', 0]),
    );
    // still so 1 ms before validation ends
    expect(snapshotAt(p, T0 + 2 * S - 1).status).toBe('validating');
    expect(snapshotAt(p, T0 + 2 * S - 1).progress.resources).toEqual([]);
  });

  it('when read before creation, then it reads as at creation', () => {
    expect(snapshotAt(p, T0 - 60 * S)).toEqual(snapshotAt(p, T0));
  });

  it('when validation ends (2 s), then it is pending with its task, start, validation result (cost warning), graph and item totals', () => {
    const snap = snapshotAt(p, T0 + 2 * S);
    expect(snap.status).toBe('pending');
    expect(snap.started_at).toBe('2025-01-01T00:00:02.000Z');
    expect(snap.progress.started_at).toBe(snap.started_at);
    expect(snap.task_id).toBe(run.taskId);
    expect(snap.task_id).toMatch(/^task_[a-z0-9]{12}$/);
    expect(snap.progress.estimated_completion).toBe(iso(run.estimatedCompletion));
    expect(snap.validation_result?.valid).toBe(true);
    expect(snap.validation_result?.warnings.map((w) => w.error_code)).toEqual(['RE_EXTRACT_COST_WARNING']);
    expect(snap.dependency_graph?.execution_order).toHaveLength(12);
    expect(snap.progress.resources.map((r) => r.status)).toEqual(Array(12).fill('pending'));
    expect(snap.progress.stages.map((s) => s.items_total)).toEqual([12, 41, 4040, 1, 2, 2, 12]);
    expect(snap.progress.overall_progress_percent).toBe(0);
    expect(snap.progress.current_stage).toBeNull();
  });

  it('when the queue time has passed (5 s), then it is in_progress in namespace_setup, started at that instant', () => {
    const snap = snapshotAt(p, T0 + 5 * S);
    expect(snap.status).toBe('in_progress');
    expect(snap.progress.current_stage).toBe('namespace_setup');
    expect(stage(snap, 'namespace_setup')).toMatchObject({
      status: 'in_progress',
      started_at: '2025-01-01T00:00:05.000Z',
      completed_at: null,
      items_completed: 0,
    });
    expect(stage(snap, 'batch_creation').status).toBe('pending');
  });

  it('when half-way through batch processing, then earlier stages are completed, documents are half done and collections of the running tier are in progress', () => {
    const w = windowOf(p, 'batch_processing');
    const mid = w.start + Math.floor((w.end - w.start) / 2);
    const snap = snapshotAt(p, mid);
    expect(snap.progress.current_stage).toBe('batch_processing');
    expect(snap.progress.stages.map((s) => s.status)).toEqual([
      'completed',
      'completed',
      'in_progress',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    const bp = stage(snap, 'batch_processing');
    expect(bp.items_completed).toBeGreaterThanOrEqual(2019); // linear pacing: floor(4040 × ~0.5)
    expect(bp.items_completed).toBeLessThanOrEqual(2020);
    expect(bp.progress_percent).toBeCloseTo(50, 0);
    // buckets are done; collections run tier by tier (tier 1 in the first half, tier 2 in the second)
    expect(resource(snap, 'bkt_marketing_assets')).toMatchObject({
      status: 'completed',
      progress_percent: 100,
    });
    expect(resource(snap, 'col_video_keyframes').status).toBe('in_progress');
    expect(resource(snap, 'col_product_images')).toMatchObject({
      status: 'completed',
      progress_percent: 100,
    });
    expect(resource(snap, 'tax_product_categories').status).toBe('pending');
    expect(snap.progress.overall_progress_percent).toBeGreaterThan(0);
    expect(snap.progress.overall_progress_percent).toBeLessThan(100);
  });

  it('when 1 ms before the end, then it is still in_progress in finalization, below 100 %', () => {
    const snap = snapshotAt(p, run.endAt - 1);
    expect(snap.status).toBe('in_progress');
    expect(snap.progress.current_stage).toBe('finalization');
    expect(snap.progress.overall_progress_percent).toBeLessThan(100);
    expect(snap.completed_at).toBeNull();
  });

  it('when the clock passes the last stage, then status is completed at 100 % with every stage and resource completed and counts equal to totals', () => {
    const snap = snapshotAt(p, run.endAt);
    expect(snap.status).toBe('completed');
    expect(snap.completed_at).toBe(iso(run.endAt));
    expect(snap.progress.estimated_completion).toBe(iso(run.endAt));
    expect(snap.progress.overall_progress_percent).toBe(100);
    expect(snap.progress.current_stage).toBeNull();
    for (const s of snap.progress.stages) {
      expect(s).toMatchObject({
        status: 'completed',
        progress_percent: 100,
        items_failed: 0,
        error_message: null,
      });
      expect(s.items_completed).toBe(s.items_total);
    }
    for (const r of snap.progress.resources)
      expect(r).toMatchObject({ status: 'completed', progress_percent: 100 });
    expect(snapshotAt(p, run.endAt + 86_400 * S)).toEqual(snap);
    expect(settledAt(p)).toBe(run.endAt);
  });

  it('when planned twice from the same seed, then the plans are equal; another migration id draws another task and jitter', () => {
    expect(plan('re_extract_completes')).toEqual(p);
    const other = planScenario({
      scenario: scenarioNamed('re_extract_completes'),
      migrationId: 'mig_other',
      createdAt: T0,
    }).plan;
    expect(other.run!.taskId).not.toBe(run.taskId);
    expect(other.run!.endAt).not.toBe(run.endAt);
  });
});

describe('snapshotAt: create, then start later', () => {
  it('when created without start, then it is draft from the creation instant with its validation result, and nothing moves', () => {
    const p = plan('re_extract_completes', { startImmediately: false });
    expect(p.run).toBeNull();
    const snap = snapshotAt(p, T0);
    expect(snap.status).toBe('draft');
    expect(snap.validation_result?.valid).toBe(true);
    expect(snap.progress.resources).toHaveLength(12);
    expect(snap.progress.stages.map((s) => s.items_total)).toEqual([12, 41, 4040, 1, 2, 2, 12]);
    expect(snapshotAt(p, T0 + 3600 * S)).toEqual(snap);
    expect(timelineOf(p).map((e) => (e.kind === 'status' ? e.status : e.stage))).toEqual([
      'validating',
      'draft',
    ]);
  });

  it('when started 10 s after creation, then it is pending from then and in_progress 3 s later', () => {
    const draft = plan('re_extract_completes', { startImmediately: false });
    const p = planRun(draft, T0 + 10 * S, 1, randomFor('mixpeek', MIG));
    expect(statusAt(p, T0 + 10 * S - 1)).toBe('draft');
    expect(snapshotAt(p, T0 + 10 * S - 1).started_at).toBeNull();
    expect(statusAt(p, T0 + 10 * S)).toBe('pending');
    expect(snapshotAt(p, T0 + 10 * S).started_at).toBe('2025-01-01T00:00:10.000Z');
    expect(statusAt(p, T0 + 13 * S)).toBe('in_progress');
    expect(
      timelineOf(p)
        .slice(0, 4)
        .map((e) => [e.at - T0, e.kind === 'status' ? e.status : e.stage]),
    ).toEqual([
      [0, 'validating'],
      [0, 'draft'],
      [10 * S, 'pending'],
      [13 * S, 'in_progress'],
    ]);
  });
});

describe('snapshotAt: cancel', () => {
  const p = plan('copy_completes');
  const w = windowOf(p, 'batch_processing');
  const cancelAt = w.start + Math.round((w.end - w.start) * 0.3);
  const cancelled = withCancel(p, cancelAt, 'Operator said stop');
  const before = snapshotAt(p, cancelAt); // the same instant, uncancelled
  const snap = snapshotAt(cancelled, cancelAt);

  it('when cancelled mid-stage, then status is cancelled with completed_at at the cancel and the reason in additional_data', () => {
    expect(snap.status).toBe('cancelled');
    expect(snap.completed_at).toBe(iso(cancelAt));
    expect(snap.error_message).toBeNull();
    expect(snap.progress.current_stage).toBeNull();
    expect(snap.progress.estimated_completion).toBeNull();
    expect(snap.started_at).toBe(iso(p.run!.startedAt));
    expect(snap.task_id).toBe(p.run!.taskId);
    expect(snap.additional_data).toEqual({
      mock_scenario: 'copy_completes',
      cancellation_reason: 'Operator said stop',
    });
  });

  it('when cancelled mid-stage, then the running stage becomes cancelled with its percent and counts frozen; finished stages stay completed, later ones pending', () => {
    expect(snap.progress.stages.map((s) => s.status)).toEqual([
      'completed',
      'completed',
      'cancelled',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    const bp = stage(snap, 'batch_processing');
    const running = stage(before, 'batch_processing');
    expect(bp).toEqual({ ...running, status: 'cancelled', completed_at: iso(cancelAt) });
    expect(bp.progress_percent).toBeGreaterThan(0);
    expect(bp.progress_percent).toBeLessThan(100);
    expect(snap.progress.overall_progress_percent).toBe(before.progress.overall_progress_percent);
  });

  it('when cancelled mid-stage, then running resources become cancelled at their percent, finished ones stay completed, the rest pending', () => {
    const statuses = new Map(snap.progress.resources.map((r) => [r.resource_id, r]));
    for (const r of before.progress.resources) {
      const after = statuses.get(r.resource_id)!;
      if (r.status === 'in_progress') expect(after).toEqual({ ...r, status: 'cancelled' });
      else expect(after).toEqual(r);
    }
    expect(snap.progress.resources.some((r) => r.status === 'cancelled')).toBe(true);
    expect(resource(snap, 'bkt_marketing_assets').status).toBe('completed');
    expect(resource(snap, 'ret_product_search').status).toBe('pending');
  });

  it('when time passes after a cancel, then nothing changes any more', () => {
    for (const dt of [1, 5 * S, 3600 * S]) expect(snapshotAt(cancelled, cancelAt + dt)).toEqual(snap);
    expect(settledAt(cancelled)).toBe(cancelAt);
  });

  it('when the cancelled_mid_run scenario runs, then its own cancel strikes 15 s into the run, during batch processing', () => {
    const c = plan('cancelled_mid_run');
    expect(c.cancel).toEqual({
      at: c.run!.inProgressAt + 15 * S,
      reason: 'Cancelled by operator: maintenance window',
    });
    const s = snapshotAt(c, c.cancel!.at + 60 * S);
    expect(s.status).toBe('cancelled');
    expect(stage(s, 'batch_processing').status).toBe('cancelled');
    expect(s.additional_data.cancellation_reason).toBe('Cancelled by operator: maintenance window');
  });

  it('when cancelled while validating, then it never starts: no task, no start, no resources', () => {
    const c = withCancel(p, T0 + 500, null);
    const s = snapshotAt(c, T0 + 60 * S);
    expect(s).toMatchObject({
      status: 'cancelled',
      started_at: null,
      task_id: null,
      completed_at: iso(T0 + 500),
      validation_result: null,
    });
    expect(s.progress.resources).toEqual([]);
    expect(s.additional_data).toEqual({ mock_scenario: 'copy_completes' });
    expect(timelineOf(c).map((e) => (e.kind === 'status' ? e.status : e.stage))).toEqual([
      'validating',
      'cancelled',
    ]);
  });

  it('when cancelled at the very instant it is started, then the start counts: pending comes before cancelled and started_at is set', () => {
    const draft = plan('copy_completes', { startImmediately: false });
    const started = planRun(draft, T0 + 10 * S, 1, randomFor('mixpeek', MIG));
    const c = withCancel(started, T0 + 10 * S, null);
    expect(timelineOf(c).map((e) => (e.kind === 'status' ? e.status : e.stage))).toEqual([
      'validating',
      'draft',
      'pending',
      'cancelled',
    ]);
    const s = snapshotAt(c, T0 + 10 * S);
    expect(s.status).toBe('cancelled');
    expect(s.started_at).toBe(iso(T0 + 10 * S));
  });

  it('when cancelled at the very instant a stage ends, then that stage counts as completed in the snapshot and in the timeline', () => {
    const end = windowOf(p, 'batch_creation').end;
    const c = withCancel(p, end, null);
    const s = snapshotAt(c, end);
    expect(stage(s, 'batch_creation').status).toBe('completed');
    expect(stage(s, 'batch_processing').status).toBe('cancelled');
    const completions = timelineOf(c).flatMap((e) => (e.kind === 'stage_completed' ? [e.stage] : []));
    expect(completions).toEqual(['namespace_setup', 'batch_creation']);
  });
});

describe('snapshotAt: failure', () => {
  const p = plan('fails_batch_processing');
  const run = p.run!;
  const w = windowOf(p, 'batch_processing');

  it('when the failure strikes (55 % into batch processing), then status is failed with the message, the stage failed with its 40 documents, later stages pending', () => {
    expect(run.endAt).toBe(w.start + Math.round((run.stages[2]!.plannedEnd! - w.start) * 0.55));
    const snap = snapshotAt(p, run.endAt);
    expect(snap.status).toBe('failed');
    expect(snap.error_message).toBe(
      'Batch processing failed: 3 of 41 batches (40 documents) exceeded retry limit (embedding service returned 503)',
    );
    expect(snap.completed_at).toBe(iso(run.endAt));
    expect(snap.progress.estimated_completion).toBeNull();
    expect(snap.progress.current_stage).toBeNull();
    expect(snap.progress.stages.map((s) => s.status)).toEqual([
      'completed',
      'completed',
      'failed',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    const bp = stage(snap, 'batch_processing');
    expect(bp.items_failed).toBe(40);
    // documents processed up to the failure instant (55 % of the window, rounded to the millisecond)
    const plannedEnd = run.stages[2]!.plannedEnd!;
    expect(bp.items_completed + bp.items_failed).toBe(
      Math.floor((4040 * (run.endAt - w.start)) / (plannedEnd - w.start)),
    );
    expect(Math.abs(bp.items_completed + bp.items_failed - 4040 * 0.55)).toBeLessThan(2);
    expect(bp.error_message).toBe(snap.error_message);
    expect(bp.completed_at).toBe(iso(run.endAt));
    expect(snap.progress.overall_progress_percent).toBeLessThan(100);
  });

  it('when the failure strikes, then the collections running then fail with the resource message, earlier ones completed, later ones pending', () => {
    const snap = snapshotAt(p, run.endAt);
    const failed = snap.progress.resources.filter((r) => r.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const r of failed) {
      expect(r.resource_type).toBe('collection');
      expect(r.error_message).toBe(
        `Batches for ${r.resource_id} exceeded retry limit (embedding service returned 503)`,
      );
      expect(r.progress_percent).toBeLessThan(100);
    }
    expect(resource(snap, 'bkt_editorial_archive').status).toBe('completed');
    expect(resource(snap, 'ret_editorial_search').status).toBe('pending');
    expect(snapshotAt(p, run.endAt + 3600 * S)).toEqual(snap);
  });

  it('when 1 ms before the failure, then it is still in_progress with no error', () => {
    const snap = snapshotAt(p, run.endAt - 1);
    expect(snap.status).toBe('in_progress');
    expect(snap.error_message).toBeNull();
    expect(snap.progress.resources.every((r) => r.status !== 'failed')).toBe(true);
  });

  it('when a failure is set so close to the end of its stage that it rounds onto it, then it still strikes inside the stage, failing one of its resources', () => {
    const base = scenarioNamed('re_extract_completes');
    const late: ScenarioFixture = {
      ...base,
      failure: {
        stage: 'benchmark_evaluation',
        at_fraction: 0.99999,
        items_failed: 0,
        message: 'late failure',
      },
    };
    const f = plan(late);
    const be = windowOf(f, 'benchmark_evaluation');
    expect(f.run!.endAt).toBeLessThan(f.run!.stages[5]!.plannedEnd!);
    expect(be.end).toBe(f.run!.endAt);
    const snap = snapshotAt(f, f.run!.endAt);
    expect(stage(snap, 'benchmark_evaluation').status).toBe('failed');
    expect(
      snap.progress.resources.filter((r) => r.status === 'failed').map((r) => r.resource_type),
    ).toContain('retriever');
  });
});

describe('snapshotAt: never started', () => {
  it('when the config is invalid (validation_fails), then it stays draft with the errors and no graph or resources', () => {
    const p = plan('validation_fails');
    expect(p.run).toBeNull();
    const snap = snapshotAt(p, T0 + 3600 * S);
    expect(snap.status).toBe('draft');
    expect(snap.validation_result?.valid).toBe(false);
    expect(snap.validation_result?.errors.map((e) => e.error_code)).toEqual(['UNKNOWN_FEATURE_EXTRACTOR']);
    expect(snap.dependency_graph).toBeNull();
    expect(snap.progress.resources).toEqual([]);
    expect(timelineOf(p).map((e) => [e.at - T0, e.kind === 'status' ? e.status : e.stage])).toEqual([
      [0, 'validating'],
      [2 * S, 'draft'],
    ]);
  });

  it('when the config is a dry run, then it validates (estimates given) and stays draft', () => {
    const p = plan('dry_run');
    const snap = snapshotAt(p, T0 + 3600 * S);
    expect(snap.status).toBe('draft');
    expect(snap.validation_result).toMatchObject({ valid: true, estimated_duration_seconds: 55 });
    expect(snap.task_id).toBeNull();
  });

  it('when the queue is a day long (stuck_pending), then it is still pending after 23 h and in_progress after 24 h', () => {
    const p = plan('stuck_pending');
    expect(statusAt(p, T0 + 2 * S + 23 * 3600 * S)).toBe('pending');
    expect(statusAt(p, T0 + 2 * S + 24 * 3600 * S)).toBe('in_progress');
  });
});
