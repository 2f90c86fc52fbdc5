import { z } from 'zod';
import { MigrationConfigInputSchema } from './config.js';
import { MigrationStatusSchema, MigrationTypeSchema } from './enums.js';
import { DependencyGraphSchema, GetMigrationResponseSchema, ValidationResultSchema } from './migration.js';

const DateTime = z.iso.datetime();

export const MigrationIdParamsSchema = z.object({
  migration_id: z.string().describe('Migration ID'),
});

export const CreateMigrationRequestSchema = z
  .object({
    config: MigrationConfigInputSchema,
    start_immediately: z.boolean().default(false).describe('Start execution immediately after validation'),
  })
  .meta({ id: 'CreateMigrationRequest', description: 'Request to create a new migration.' });
export type CreateMigrationRequest = z.infer<typeof CreateMigrationRequestSchema>;

export const CreateMigrationResponseSchema = z
  .object({
    migration_id: z.string(),
    status: MigrationStatusSchema,
    validation_result: ValidationResultSchema.nullable(),
    created_at: DateTime,
    message: z.string(),
  })
  .meta({ id: 'CreateMigrationResponse', description: 'Response after creating a migration.' });
export type CreateMigrationResponse = z.infer<typeof CreateMigrationResponseSchema>;

export const ListMigrationsRequestSchema = z
  .object({
    status: MigrationStatusSchema.nullable().optional(),
    migration_type: MigrationTypeSchema.nullable().optional(),
    source_namespace_id: z.string().nullable().optional(),
    limit: z.int().min(1).max(1000).default(20),
    offset: z.int().min(0).default(0),
  })
  .meta({ id: 'ListMigrationsRequest', description: 'Request to list migrations with filters.' });
export type ListMigrationsRequest = z.infer<typeof ListMigrationsRequestSchema>;

export const ListMigrationsResponseSchema = z
  .object({
    results: z.array(GetMigrationResponseSchema),
    total: z.int(),
    limit: z.int(),
    offset: z.int(),
  })
  .meta({ id: 'ListMigrationsResponse', description: 'Response for listing migrations.' });
export type ListMigrationsResponse = z.infer<typeof ListMigrationsResponseSchema>;

export const StartMigrationRequestSchema = z
  .object({ force: z.boolean().default(false).describe('Force start even if validation warnings exist') })
  .meta({ id: 'StartMigrationRequest', description: 'Request to start a migration.' });

export const StartMigrationResponseSchema = z
  .object({
    migration_id: z.string(),
    status: MigrationStatusSchema,
    task_id: z.string(),
    started_at: DateTime,
    message: z.string(),
  })
  .meta({ id: 'StartMigrationResponse', description: 'Response after starting a migration.' });
export type StartMigrationResponse = z.infer<typeof StartMigrationResponseSchema>;

export const CancelMigrationRequestSchema = z
  .object({ reason: z.string().nullable().optional().describe('Cancellation reason') })
  .meta({ id: 'CancelMigrationRequest', description: 'Request to cancel a migration.' });

export const CancelMigrationResponseSchema = z
  .object({
    migration_id: z.string(),
    status: MigrationStatusSchema,
    cancelled_at: DateTime,
    message: z.string(),
  })
  .meta({ id: 'CancelMigrationResponse', description: 'Response after cancelling a migration.' });
export type CancelMigrationResponse = z.infer<typeof CancelMigrationResponseSchema>;

export const ValidateMigrationRequestSchema = z
  .object({ config: MigrationConfigInputSchema })
  .meta({ id: 'ValidateMigrationRequest', description: 'Request to validate a migration configuration without creating it.' });

export const ValidateMigrationResponseSchema = z
  .object({
    validation_result: ValidationResultSchema,
    dependency_graph: DependencyGraphSchema.nullable(),
    message: z.string(),
  })
  .meta({ id: 'ValidateMigrationResponse', description: 'Response for migration validation.' });
export type ValidateMigrationResponse = z.infer<typeof ValidateMigrationResponseSchema>;
