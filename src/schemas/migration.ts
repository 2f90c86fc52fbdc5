import { z } from 'zod';
import { MigrationConfigSchema } from './config.js';
import { MigrationStageSchema, MigrationStatusSchema, ResourceTypeSchema } from './enums.js';

const DateTime = z.iso.datetime();

/**
 * A validation issue carries both shapes: `error_code`/`message`/`severity` (what Mixpeek's server
 * sends) and `loc`/`msg`/`type` (what Mixpeek's published schema requires).
 */
export const ValidationIssueSchema = z
  .object({
    error_code: z.string(),
    message: z.string(),
    severity: z.enum(['error', 'warning']),
    loc: z.array(z.union([z.string(), z.int()])),
    msg: z.string(),
    type: z.string(),
  })
  .meta({ id: 'ValidationIssue', description: 'A pre-flight validation error or warning.' });
export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;

export const ValidationResultSchema = z
  .object({
    valid: z.boolean(),
    errors: z.array(ValidationIssueSchema),
    warnings: z.array(ValidationIssueSchema),
    estimated_resources: z.partialRecord(ResourceTypeSchema, z.int()),
    estimated_duration_seconds: z.int().nullable(),
  })
  .meta({ id: 'ValidationResult', description: 'Result of pre-flight validation.' });
export type ValidationResult = z.infer<typeof ValidationResultSchema>;

export const DependencyNodeSchema = z
  .object({
    resource_id: z.string(),
    resource_type: ResourceTypeSchema,
    dependencies: z.array(z.string()),
    tier: z.int().min(0),
  })
  .meta({ id: 'DependencyNode', description: 'Node in dependency graph.' });
export type DependencyNode = z.infer<typeof DependencyNodeSchema>;

export const DependencyGraphSchema = z
  .object({
    nodes: z.array(DependencyNodeSchema),
    execution_order: z.array(z.string()),
  })
  .meta({ id: 'DependencyGraph', description: 'Dependency graph for migration ordering.' });
export type DependencyGraph = z.infer<typeof DependencyGraphSchema>;

export const StageProgressSchema = z
  .object({
    stage: MigrationStageSchema,
    status: MigrationStatusSchema,
    started_at: DateTime.nullable(),
    completed_at: DateTime.nullable(),
    progress_percent: z.number().min(0).max(100),
    items_total: z.int().min(0),
    items_completed: z.int().min(0),
    items_failed: z.int().min(0),
    error_message: z.string().nullable(),
  })
  .meta({ id: 'StageProgress', description: 'Progress tracking for a migration stage.' });
export type StageProgress = z.infer<typeof StageProgressSchema>;

export const ResourceProgressSchema = z
  .object({
    resource_id: z.string(),
    resource_type: ResourceTypeSchema,
    status: MigrationStatusSchema,
    progress_percent: z.number().min(0).max(100),
    error_message: z.string().nullable(),
  })
  .meta({ id: 'ResourceProgress', description: 'Progress tracking for individual resources.' });
export type ResourceProgress = z.infer<typeof ResourceProgressSchema>;

export const MigrationProgressSchema = z
  .object({
    overall_status: MigrationStatusSchema,
    overall_progress_percent: z.number().min(0).max(100),
    current_stage: MigrationStageSchema.nullable(),
    stages: z.array(StageProgressSchema),
    resources: z.array(ResourceProgressSchema),
    started_at: DateTime.nullable(),
    estimated_completion: DateTime.nullable(),
  })
  .meta({ id: 'MigrationProgress', description: 'Overall progress tracking for a migration.' });
export type MigrationProgress = z.infer<typeof MigrationProgressSchema>;

export const GetMigrationResponseSchema = z
  .object({
    migration_id: z.string(),
    internal_id: z.string(),
    namespace_id: z.string().describe('Source namespace ID'),
    config: MigrationConfigSchema,
    status: MigrationStatusSchema,
    progress: MigrationProgressSchema,
    created_at: DateTime,
    validation_result: ValidationResultSchema.nullable(),
    dependency_graph: DependencyGraphSchema.nullable(),
    task_id: z.string().nullable(),
    started_at: DateTime.nullable(),
    completed_at: DateTime.nullable(),
    error_message: z.string().nullable(),
    additional_data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'GetMigrationResponse', description: 'Response for getting migration details.' });
export type GetMigrationResponse = z.infer<typeof GetMigrationResponseSchema>;
