import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createEngine, type MockEngine } from '../../src/engine.js';
import type { MigrationConfigInput } from '../../src/schemas/config.js';
import type { GetMigrationResponse } from '../../src/schemas/migration.js';
import { fixtures } from '../helpers/plans.js';

/**
 * Determinism: a migration's snapshot depends only on (seed, migration id, scenario, instant), never on
 * the order of requests or on other migrations. Two engines with the same seed and a virtual clock must
 * answer byte-identical JSON for every pre-seeded migration.
 */

const S = 1000;
const catalog = fixtures(); // shared: loading (and generating) the large namespaces once is enough
const engineWith = (seed: string): MockEngine =>
  createEngine({ config: loadConfig({ MOCK_CLOCK: 'virtual', MOCK_SEED: seed }), catalog });

const PRESEEDED = catalog.preseeded.map((p) => p.migration_id);
/** Offsets from the virtual start: validation, queue, mid-run, the cancel, the failures, the end, a day later. */
const OFFSETS = [
  0,
  1 * S,
  2 * S,
  3_500,
  5 * S,
  10 * S,
  20 * S + 1,
  30 * S,
  45 * S,
  60 * S,
  120 * S,
  300 * S,
  86_405 * S,
  90_000 * S,
];

/** Reads without the poll-driven step a GET takes, so reading is side-effect free. */
const read = (e: MockEngine, id: string): string => JSON.stringify(e.snapshot(e.find(id)));

const reExtract: MigrationConfigInput = {
  migration_type: 're_extract',
  source_namespace_id: 'ns_acme_media',
  feature_extractors: [{ feature_extractor_name: 'openai_text_embedding', version: 'v3' }],
};

/** Migrations created, started and cancelled through the engine's API operations, at the current instant. */
function busyWork(e: MockEngine): void {
  const a = e.create({ config: reExtract, startImmediately: false });
  e.start(a.plan.migrationId, true);
  e.create({
    config: { migration_type: 'copy', source_namespace_id: 'ns_support_kb' },
    startImmediately: true,
    scenario: 'copy_completes',
  });
  const c = e.create({ config: reExtract, startImmediately: true, scenario: 'fails_batch_processing' });
  e.cancel(c.plan.migrationId, 'busy work');
  e.list({ limit: 1000, offset: 0 });
  e.get('mig_reextract_completes');
}

describe('determinism across engines with the same seed', () => {
  it('when two engines read every pre-seeded migration at the same instants, in different orders and after extra API traffic on one, then the JSON is byte-identical', () => {
    const a = engineWith('determinism');
    const b = engineWith('determinism');
    busyWork(b); // extra migrations exist only in b, created before any read
    const start = a.now();
    expect(b.now()).toBe(start);
    let compared = 0;
    for (const offset of OFFSETS) {
      a.setNow(start + offset);
      b.setNow(start + offset);
      const fromA = new Map(PRESEEDED.map((id) => [id, read(a, id)]));
      for (const id of [...PRESEEDED].reverse()) {
        const json = read(b, id);
        expect(json, `${id} at +${offset} ms`).toBe(fromA.get(id));
        expect(read(b, id)).toBe(json); // reading again changes nothing
        compared++;
      }
      if (offset === 30 * S) busyWork(a); // more traffic, now on the other engine, mid-way
    }
    expect(compared).toBe(PRESEEDED.length * OFFSETS.length);
  });

  it('when the snapshots cover the run, then they really move (the comparison is not of constant values)', () => {
    const a = engineWith('determinism');
    const early = read(a, 'mig_reextract_completes');
    a.setNow(a.now() + 30 * S);
    const later = read(a, 'mig_reextract_completes');
    expect(later).not.toBe(early);
    expect((JSON.parse(later) as GetMigrationResponse).status).toBe('in_progress');
  });

  it('when the poll-driven migration is polled the same number of times on both engines, then it reaches the same JSON', () => {
    const a = engineWith('determinism');
    const b = engineWith('determinism');
    busyWork(b);
    for (let i = 0; i < 7; i++) {
      a.get('mig_poll_driven');
      b.get('mig_poll_driven');
      expect(read(b, 'mig_poll_driven')).toBe(read(a, 'mig_poll_driven'));
    }
    expect(read(a, 'mig_poll_driven')).not.toBe(read(engineWith('determinism'), 'mig_poll_driven'));
  });

  it('when the same API calls are made on both engines, then the created migrations get the same ids and snapshots', () => {
    const a = engineWith('determinism');
    const b = engineWith('determinism');
    const ids = (e: MockEngine) => {
      busyWork(e);
      e.setNow(e.now() + 12 * S);
      return [...e.store.values()]
        .filter((m) => !PRESEEDED.includes(m.plan.migrationId))
        .map((m) => m.plan.migrationId);
    };
    const fromA = ids(a);
    expect(ids(b)).toEqual(fromA);
    expect(fromA).toHaveLength(3);
    for (const id of fromA) {
      expect(id).toMatch(/^mig_[a-z0-9]{12}$/);
      expect(read(b, id)).toBe(read(a, id));
    }
  });

  it('when an engine is reset, then the pre-seeded migrations read exactly as before', () => {
    const a = engineWith('determinism');
    a.setNow(a.now() + 20 * S);
    const before = PRESEEDED.map((id) => read(a, id));
    busyWork(a);
    a.reset();
    a.setNow(a.now() + 20 * S);
    expect(PRESEEDED.map((id) => read(a, id))).toEqual(before);
  });
});

describe('a different seed', () => {
  const a = engineWith('determinism');
  const c = engineWith('another seed');
  a.setNow(a.now() + 10 * S);
  c.setNow(c.now() + 10 * S);
  const snap = (e: MockEngine, id: string) => JSON.parse(read(e, id)) as GetMigrationResponse;

  it('when the seed differs, then generated values differ: task_id, internal_id and the generated target_namespace_id', () => {
    const x = snap(a, 'mig_reextract_completes');
    const y = snap(c, 'mig_reextract_completes');
    expect(x.task_id).toMatch(/^task_/);
    expect(y.task_id).toMatch(/^task_/);
    expect(y.task_id).not.toBe(x.task_id);
    expect(y.internal_id).not.toBe(x.internal_id);
    expect(x.internal_id).toMatch(/^int_[a-z0-9]+$/);
    expect(x.config.target_namespace_id).toMatch(/^ns_[a-z0-9]{10}$/);
    expect(y.config.target_namespace_id).not.toBe(x.config.target_namespace_id);
    // every started pre-seeded migration draws its own task id from the seed
    for (const id of PRESEEDED) {
      const [p, q] = [snap(a, id), snap(c, id)];
      if (p.task_id !== null) expect(q.task_id, id).not.toBe(p.task_id);
    }
  });

  it('when the seed differs, then the well-known ids stay: migration, namespace, resources, stages, and the configs as written', () => {
    for (const id of PRESEEDED) {
      const [p, q] = [snap(a, id), snap(c, id)];
      expect(q.migration_id).toBe(id);
      expect(q.migration_id).toBe(p.migration_id);
      expect(q.namespace_id).toBe(p.namespace_id);
      expect(q.config).toEqual({ ...p.config, target_namespace_id: q.config.target_namespace_id });
      expect(q.dependency_graph).toEqual(p.dependency_graph);
      expect(q.progress.resources.map((r) => r.resource_id)).toEqual(
        p.progress.resources.map((r) => r.resource_id),
      );
      expect(q.progress.stages.map((s) => s.stage)).toEqual(p.progress.stages.map((s) => s.stage));
      expect(q.validation_result).toEqual(p.validation_result);
      expect(q.created_at).toBe(p.created_at);
    }
  });
});
