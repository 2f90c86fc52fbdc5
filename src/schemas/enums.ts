import { z } from 'zod';

/** Mixpeek's MigrationType, in the published order. */
export const MIGRATION_TYPES = ['re_extract', 'copy', 'extend'] as const;
export const MigrationTypeSchema = z.enum(MIGRATION_TYPES).meta({
  id: 'MigrationType',
  description: 'Types of namespace migrations.',
});
export type MigrationType = z.infer<typeof MigrationTypeSchema>;

/** Mixpeek's MigrationStatus; stage and resource status use the same enum. */
export const MIGRATION_STATUSES = [
  'draft',
  'validating',
  'pending',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
] as const;
export const MigrationStatusSchema = z.enum(MIGRATION_STATUSES).meta({
  id: 'MigrationStatus',
  description: 'Migration execution status.',
});
export type MigrationStatus = z.infer<typeof MigrationStatusSchema>;

/** Mixpeek's MigrationStage; the stages run in this (the enum's) order. */
export const MIGRATION_STAGES = [
  'namespace_setup',
  'batch_creation',
  'batch_processing',
  'cluster_execution',
  'taxonomy_enrichment',
  'benchmark_evaluation',
  'finalization',
] as const;
export const MigrationStageSchema = z.enum(MIGRATION_STAGES).meta({
  id: 'MigrationStage',
  description: 'Stages of migration execution.',
});
export type MigrationStage = z.infer<typeof MigrationStageSchema>;

export const RESOURCE_TYPES = ['bucket', 'collection', 'taxonomy', 'cluster', 'retriever'] as const;
export const ResourceTypeSchema = z.enum(RESOURCE_TYPES).meta({
  id: 'ResourceType',
  description: 'Types of resources that can be migrated.',
});
export type ResourceType = z.infer<typeof ResourceTypeSchema>;

export const TERMINAL_STATUSES: ReadonlySet<MigrationStatus> = new Set(['completed', 'failed', 'cancelled']);
