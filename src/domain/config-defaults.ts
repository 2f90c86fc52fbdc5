import type { MigrationConfig, MigrationConfigInput } from '../schemas/config.js';

/**
 * Fills Mixpeek's documented defaults into a config as sent, so the stored config has every member
 * (null where unset), as Mixpeek's docs render it. Pure.
 */
export function withConfigDefaults(input: MigrationConfigInput, targetNamespaceId: string): MigrationConfig {
  const f = input.filters ?? {};
  const b = input.batch_options ?? {};
  const t = input.taxonomy_options ?? {};
  const c = input.cluster_options ?? {};
  const r = input.retriever_options ?? {};
  return {
    migration_type: input.migration_type,
    source_namespace_id: input.source_namespace_id,
    target_namespace_id: input.target_namespace_id ?? targetNamespaceId,
    target_namespace_name: input.target_namespace_name ?? null,
    feature_extractors:
      input.feature_extractors?.map((e) => ({
        feature_extractor_name: e.feature_extractor_name,
        version: e.version ?? null,
        parameters: e.parameters ?? null,
      })) ?? null,
    filters: {
      collection_ids: f.collection_ids ?? null,
      taxonomy_ids: f.taxonomy_ids ?? null,
      cluster_ids: f.cluster_ids ?? null,
      retriever_ids: f.retriever_ids ?? null,
      date_range: f.date_range ?? null,
      auto_include_dependencies: f.auto_include_dependencies ?? true,
    },
    batch_options: {
      batch_size: b.batch_size ?? 100,
      max_workers: b.max_workers ?? 10,
      retry_failed: b.retry_failed ?? true,
    },
    taxonomy_options: {
      preserve_taxonomy_ids: t.preserve_taxonomy_ids ?? true,
      preserve_enrichment_fields: t.preserve_enrichment_fields ?? true,
      re_run_enrichment: t.re_run_enrichment ?? false,
      migrate_reference_collections: t.migrate_reference_collections ?? true,
    },
    cluster_options: {
      preserve_cluster_ids: c.preserve_cluster_ids ?? true,
      preserve_assignments: c.preserve_assignments ?? true,
      migrate_artifacts: c.migrate_artifacts ?? true,
      preserve_centroids: c.preserve_centroids ?? true,
      recompute_clusters: c.recompute_clusters ?? false,
    },
    retriever_options: {
      preserve_retriever_ids: r.preserve_retriever_ids ?? false,
      migrate_interactions: r.migrate_interactions ?? false,
      migrate_execution_history: r.migrate_execution_history ?? false,
      validate_references: r.validate_references ?? true,
    },
    preserve_resource_ids: input.preserve_resource_ids ?? false,
    dry_run: input.dry_run ?? false,
    webhook_url: input.webhook_url ?? null,
  };
}
