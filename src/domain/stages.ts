import type { MigrationConfig } from '../schemas/config.js';
import { MIGRATION_STAGES, type MigrationStage } from '../schemas/enums.js';
import type { ScenarioFixture } from '../scenarios/fixture-schemas.js';
import type { InventoryResource } from './inventory.js';

export type StageMap<T> = Record<MigrationStage, T>;
export type Timing = ScenarioFixture['timing'];

/** Base seconds per stage and seconds per item when a scenario does not say. */
export const DEFAULT_STAGE_SECONDS: StageMap<number> = {
  namespace_setup: 2,
  batch_creation: 2,
  batch_processing: 4,
  cluster_execution: 3,
  taxonomy_enrichment: 3,
  benchmark_evaluation: 3,
  finalization: 2,
};
export const DEFAULT_SECONDS_PER_ITEM: StageMap<number> = {
  namespace_setup: 0.2,
  batch_creation: 0.05,
  batch_processing: 0.006,
  cluster_execution: 2,
  taxonomy_enrichment: 1.5,
  benchmark_evaluation: 1.5,
  finalization: 0.1,
};
/** A stage with nothing to do (not in scope) still takes this long: it checks and completes with 0 items. */
export const EMPTY_STAGE_SECONDS = 0.5;

/** Which resource type each stage works on (resources run inside their stage, tier by tier). */
export const STAGE_RESOURCE_TYPE: Partial<StageMap<InventoryResource['type']>> = {
  batch_creation: 'bucket',
  batch_processing: 'collection',
  cluster_execution: 'cluster',
  taxonomy_enrichment: 'taxonomy',
  benchmark_evaluation: 'retriever',
};

/**
 * Items each stage processes for a scope: resources set up, batches created, documents processed,
 * clusters, taxonomies, retrievers, resources finalised. Pure.
 */
export function stageItems(scope: readonly InventoryResource[], config: MigrationConfig): StageMap<number> {
  const count = (t: InventoryResource['type']) => scope.filter((r) => r.type === t).length;
  const documents = scope.filter((r) => r.type === 'collection').reduce((n, r) => n + r.items, 0);
  const batchSize = config.batch_options?.batch_size ?? 100;
  return {
    namespace_setup: scope.length,
    batch_creation: Math.ceil(documents / batchSize),
    batch_processing: documents,
    cluster_execution: count('cluster'),
    taxonomy_enrichment: count('taxonomy'),
    benchmark_evaluation: count('retriever'),
    finalization: scope.length,
  };
}

/** Planned seconds of each stage at time scale 1, before jitter. Pure. */
export function stageSeconds(items: StageMap<number>, timing: Timing): StageMap<number> {
  const out = {} as StageMap<number>;
  for (const s of MIGRATION_STAGES) {
    out[s] =
      items[s] === 0
        ? EMPTY_STAGE_SECONDS
        : (timing.stage_seconds[s] ?? DEFAULT_STAGE_SECONDS[s]) +
          items[s] * (timing.seconds_per_item[s] ?? DEFAULT_SECONDS_PER_ITEM[s]);
  }
  return out;
}
