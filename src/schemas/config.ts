import { z } from 'zod';
import { MigrationTypeSchema } from './enums.js';

/**
 * Request-side models of the migration config. Optional members are optional here (as in Mixpeek's
 * request schema); the stored config is completed by `withConfigDefaults` (domain) and served with
 * every member present, null where unset, as Mixpeek's pydantic models serialise.
 */
export const FeatureExtractorConfigSchema = z
  .object({
    feature_extractor_name: z.string().describe('Name of the extractor'),
    version: z.string().nullable().optional().describe('Version to use'),
    parameters: z.record(z.string(), z.unknown()).nullable().optional().describe('Extractor parameters'),
  })
  .meta({ id: 'FeatureExtractorConfig', description: 'Configuration for a feature extractor in migration.' });

export const ResourceFilterSchema = z
  .object({
    collection_ids: z.array(z.string()).nullable().optional().describe('Specific collection IDs to migrate'),
    taxonomy_ids: z.array(z.string()).nullable().optional().describe('Specific taxonomy IDs to migrate'),
    cluster_ids: z.array(z.string()).nullable().optional().describe('Specific cluster IDs to migrate'),
    retriever_ids: z.array(z.string()).nullable().optional().describe('Specific retriever IDs to migrate'),
    date_range: z.record(z.string(), z.string()).nullable().optional().describe('Date range filter (after, before)'),
    auto_include_dependencies: z.boolean().optional().describe('Automatically include required dependencies'),
  })
  .meta({ id: 'ResourceFilter', description: 'Filters for selective resource migration.' });

export const BatchOptionsSchema = z
  .object({
    batch_size: z.int().min(1).max(1000).optional().describe('Documents per batch'),
    max_workers: z.int().min(1).max(50).optional().describe('Maximum parallel workers'),
    retry_failed: z.boolean().optional().describe('Retry failed batches'),
  })
  .meta({ id: 'BatchOptions', description: 'Options for batch processing in migration.' });

export const TaxonomyOptionsSchema = z
  .object({
    preserve_taxonomy_ids: z.boolean().optional(),
    preserve_enrichment_fields: z.boolean().optional(),
    re_run_enrichment: z.boolean().optional(),
    migrate_reference_collections: z.boolean().optional(),
  })
  .meta({ id: 'TaxonomyOptions', description: 'Options for taxonomy migration.' });

export const ClusterOptionsSchema = z
  .object({
    preserve_cluster_ids: z.boolean().optional(),
    preserve_assignments: z.boolean().optional(),
    migrate_artifacts: z.boolean().optional(),
    preserve_centroids: z.boolean().optional(),
    recompute_clusters: z.boolean().optional(),
  })
  .meta({ id: 'ClusterOptions', description: 'Options for cluster migration.' });

export const RetrieverOptionsSchema = z
  .object({
    preserve_retriever_ids: z.boolean().optional(),
    migrate_interactions: z.boolean().optional(),
    migrate_execution_history: z.boolean().optional(),
    validate_references: z.boolean().optional(),
  })
  .meta({ id: 'RetrieverOptions', description: 'Options for retriever migration.' });

export const MigrationConfigInputSchema = z
  .object({
    migration_type: MigrationTypeSchema,
    source_namespace_id: z.string().describe('Source namespace ID'),
    target_namespace_id: z.string().nullable().optional().describe('Target namespace ID (auto-generated if not provided)'),
    target_namespace_name: z.string().nullable().optional().describe('Name for target namespace'),
    feature_extractors: z.array(FeatureExtractorConfigSchema).nullable().optional().describe('New extractors to use (RE_EXTRACT only)'),
    filters: ResourceFilterSchema.nullable().optional(),
    batch_options: BatchOptionsSchema.nullable().optional(),
    taxonomy_options: TaxonomyOptionsSchema.nullable().optional(),
    cluster_options: ClusterOptionsSchema.nullable().optional(),
    retriever_options: RetrieverOptionsSchema.nullable().optional(),
    preserve_resource_ids: z.boolean().optional().describe('Preserve original resource IDs in target'),
    dry_run: z.boolean().optional().describe("Validate only, don't execute"),
    webhook_url: z.string().nullable().optional().describe('Webhook URL for status notifications'),
  })
  .meta({ id: 'MigrationConfigInput', description: 'Configuration for a namespace migration (as sent).' });
export type MigrationConfigInput = z.infer<typeof MigrationConfigInputSchema>;

/** The stored config: every member present, Mixpeek's defaults filled in. */
export const MigrationConfigSchema = z
  .object({
    migration_type: MigrationTypeSchema,
    source_namespace_id: z.string(),
    target_namespace_id: z.string().nullable(),
    target_namespace_name: z.string().nullable(),
    feature_extractors: z
      .array(
        z.object({
          feature_extractor_name: z.string(),
          version: z.string().nullable(),
          parameters: z.record(z.string(), z.unknown()).nullable(),
        }),
      )
      .nullable(),
    filters: z
      .object({
        collection_ids: z.array(z.string()).nullable(),
        taxonomy_ids: z.array(z.string()).nullable(),
        cluster_ids: z.array(z.string()).nullable(),
        retriever_ids: z.array(z.string()).nullable(),
        date_range: z.record(z.string(), z.string()).nullable(),
        auto_include_dependencies: z.boolean(),
      })
      .nullable(),
    batch_options: z.object({ batch_size: z.int(), max_workers: z.int(), retry_failed: z.boolean() }).nullable(),
    taxonomy_options: z
      .object({
        preserve_taxonomy_ids: z.boolean(),
        preserve_enrichment_fields: z.boolean(),
        re_run_enrichment: z.boolean(),
        migrate_reference_collections: z.boolean(),
      })
      .nullable(),
    cluster_options: z
      .object({
        preserve_cluster_ids: z.boolean(),
        preserve_assignments: z.boolean(),
        migrate_artifacts: z.boolean(),
        preserve_centroids: z.boolean(),
        recompute_clusters: z.boolean(),
      })
      .nullable(),
    retriever_options: z
      .object({
        preserve_retriever_ids: z.boolean(),
        migrate_interactions: z.boolean(),
        migrate_execution_history: z.boolean(),
        validate_references: z.boolean(),
      })
      .nullable(),
    preserve_resource_ids: z.boolean(),
    dry_run: z.boolean(),
    webhook_url: z.string().nullable(),
  })
  .meta({ id: 'MigrationConfig', description: 'Configuration for a namespace migration.' });
export type MigrationConfig = z.infer<typeof MigrationConfigSchema>;
