import { z } from 'zod';
import { MigrationConfigInputSchema } from '../schemas/config.js';
import { MIGRATION_STAGES, MigrationStageSchema } from '../schemas/enums.js';

/**
 * Schemas of the files under fixtures/. Every fixture is validated by these at load; an invalid file
 * stops start-up with the file name, the JSON path and the reason.
 */

const id = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9_]+$`), `must start with "${prefix}" followed by letters, digits or _`);

export const BucketFixtureSchema = z.strictObject({
  bucket_id: id('bkt_'),
  name: z.string().min(1),
  object_count: z.int().min(0),
});

export const CollectionFixtureSchema = z.strictObject({
  collection_id: id('col_'),
  name: z.string().min(1),
  /** A collection is fed by a bucket (tier 1) or by another collection (tier 2+). */
  source: z.strictObject({ type: z.enum(['bucket', 'collection']), id: z.string() }),
  document_count: z.int().min(0),
  feature_extractor: z.string().min(1),
});

export const TaxonomyFixtureSchema = z.strictObject({
  taxonomy_id: id('tax_'),
  name: z.string().min(1),
  collection_ids: z.array(z.string()).min(1),
});

export const ClusterFixtureSchema = z.strictObject({
  cluster_id: id('clust_'),
  name: z.string().min(1),
  collection_ids: z.array(z.string()).min(1),
});

export const RetrieverFixtureSchema = z.strictObject({
  retriever_id: id('ret_'),
  name: z.string().min(1),
  collection_ids: z.array(z.string()).min(1),
  taxonomy_ids: z.array(z.string()).default([]),
});

/** Parameters for a generated (large) inventory; generation is seeded by the namespace id only. */
export const InventoryGeneratorSchema = z.strictObject({
  buckets: z.int().min(1).max(2000),
  collections_per_bucket: z.int().min(1).max(20),
  /** How many collections are chained off another collection (tier 2 and deeper). */
  derived_collection_depth: z.int().min(0).max(5).default(1),
  taxonomies: z.int().min(0).max(2000),
  clusters: z.int().min(0).max(2000),
  retrievers: z.int().min(0).max(2000),
  documents_per_collection: z.tuple([z.int().min(0), z.int().min(0)]),
});

export const NamespaceFixtureSchema = z
  .strictObject({
    namespace_id: id('ns_'),
    namespace_name: z.string().min(1),
    description: z.string().default(''),
    buckets: z.array(BucketFixtureSchema).default([]),
    collections: z.array(CollectionFixtureSchema).default([]),
    taxonomies: z.array(TaxonomyFixtureSchema).default([]),
    clusters: z.array(ClusterFixtureSchema).default([]),
    retrievers: z.array(RetrieverFixtureSchema).default([]),
    generate: InventoryGeneratorSchema.optional(),
  })
  .superRefine((ns, ctx) => {
    // Every reference must point at a resource of the same namespace.
    const buckets = new Set(ns.buckets.map((b) => b.bucket_id));
    const collections = new Set(ns.collections.map((c) => c.collection_id));
    const taxonomies = new Set(ns.taxonomies.map((t) => t.taxonomy_id));
    ns.collections.forEach((c, i) => {
      const known = c.source.type === 'bucket' ? buckets : collections;
      if (!known.has(c.source.id) || c.source.id === c.collection_id)
        ctx.addIssue({ code: 'custom', path: ['collections', i, 'source', 'id'], message: `unknown ${c.source.type} "${c.source.id}"` });
    });
    const checkCols = (list: string[], path: (string | number)[]) =>
      list.forEach((cid, j) => {
        if (!collections.has(cid)) ctx.addIssue({ code: 'custom', path: [...path, j], message: `unknown collection "${cid}"` });
      });
    ns.taxonomies.forEach((t, i) => checkCols(t.collection_ids, ['taxonomies', i, 'collection_ids']));
    ns.clusters.forEach((c, i) => checkCols(c.collection_ids, ['clusters', i, 'collection_ids']));
    ns.retrievers.forEach((r, i) => {
      checkCols(r.collection_ids, ['retrievers', i, 'collection_ids']);
      r.taxonomy_ids.forEach((tid, j) => {
        if (!taxonomies.has(tid)) ctx.addIssue({ code: 'custom', path: ['retrievers', i, 'taxonomy_ids', j], message: `unknown taxonomy "${tid}"` });
      });
    });
  });
export type NamespaceFixture = z.infer<typeof NamespaceFixtureSchema>;

export const ExtractorsFixtureSchema = z.strictObject({
  extractors: z.array(z.strictObject({ name: z.string().min(1), versions: z.array(z.string()).min(1) })).min(1),
});
export type ExtractorsFixture = z.infer<typeof ExtractorsFixtureSchema>;

export const PACINGS = ['linear', 'ease_in_out', 'front_loaded', 'back_loaded', 'stepped'] as const;

const FaultSchema = z.strictObject({
  /** Which polls (GETs of this migration, counted from 1) answer with the fault. */
  at_polls: z.array(z.int().min(1)).optional(),
  /** Or an interval of mock time, in seconds after the migration's creation. */
  during: z.strictObject({ from_seconds: z.number().min(0), to_seconds: z.number().min(0) }).optional(),
  kind: z.enum(['429', '500', '503', 'delay', 'drop']),
  /** For 429/503: Retry-After seconds. For delay: milliseconds. */
  retry_after_seconds: z.int().min(0).max(3600).optional(),
  delay_ms: z.int().min(0).max(60_000).optional(),
});

export const ScenarioFixtureSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
  description: z.string().min(1),
  /** What a run of this scenario ends in, as documented in the README. */
  outcome: z.enum(['completed', 'failed', 'cancelled', 'validation_failed', 'dry_run', 'stuck_pending']),
  /** The config used when the scenario is created through the control API (merged under a given config). */
  config: MigrationConfigInputSchema,
  timing: z
    .strictObject({
      validation_seconds: z.number().min(0).max(3600).default(2),
      queue_seconds: z.number().min(0).max(30 * 86400).default(3),
      /** Base seconds per stage, before item-proportional time. */
      stage_seconds: z.partialRecord(MigrationStageSchema, z.number().min(0).max(86400)).default({}),
      /** Seconds per item, per stage, added to the base. */
      seconds_per_item: z.partialRecord(MigrationStageSchema, z.number().min(0).max(60)).default({}),
      pacing: z.enum(PACINGS).default('linear'),
      /** Up to ± this fraction of jitter on each stage's duration, drawn from the seed. */
      jitter: z.number().min(0).max(0.5).default(0.1),
    })
    .prefault({}),
  /** Items that fail but do not fail the run (retried and given up), per stage. */
  tolerated_failures: z.partialRecord(MigrationStageSchema, z.int().min(0)).default({}),
  failure: z
    .strictObject({
      /** Any stage but finalization (which only registers what has already completed). */
      stage: z.enum(MIGRATION_STAGES).exclude(['finalization']),
      /** Where in the stage's planned window the failure strikes, 0..1. */
      at_fraction: z.number().gt(0).lt(1),
      items_failed: z.int().min(0).default(0),
      message: z.string().min(1),
      /** Message on each failed resource; {resource_id} is replaced. */
      resource_message: z.string().min(1).optional(),
    })
    .nullable()
    .default(null),
  cancel: z
    .strictObject({
      /** Seconds after the run enters in_progress at which the scenario's user cancels. */
      after_seconds: z.number().min(0),
      reason: z.string().min(1).default('Cancelled by user'),
    })
    .nullable()
    .default(null),
  /** `time` (default) or `poll`: each GET moves the migration one step along its plan. */
  advance: z.enum(['time', 'poll']).default('time'),
  faults: z.array(FaultSchema).default([]),
});
export type ScenarioFixture = z.infer<typeof ScenarioFixtureSchema>;

export const PreseededFixtureSchema = z.strictObject({
  migrations: z
    .array(
      z.strictObject({
        migration_id: z.string().regex(/^mig_[a-z0-9_]+$/, 'must be mig_ followed by lowercase letters, digits or _'),
        scenario: z.string(),
        /** Seconds before server start at which it was created (so it is mid-run at start). */
        created_seconds_ago: z.number().min(0).default(0),
      }),
    )
    .min(1),
});
export type PreseededFixture = z.infer<typeof PreseededFixtureSchema>;
