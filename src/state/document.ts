import { CLOCK_MAX } from '../domain/clock.js';
import { z } from 'zod';
import type { MigrationPlan } from '../domain/plan.js';
import { ScenarioFixtureSchema } from '../scenarios/fixture-schemas.js';
import { MigrationConfigSchema } from '../schemas/config.js';
import { MIGRATION_STAGES, MigrationStageSchema, ResourceTypeSchema } from '../schemas/enums.js';
import { DependencyGraphSchema, ValidationResultSchema } from '../schemas/migration.js';

/**
 * The state document: everything the mock holds, as one JSON value (GET /_mock/state exports it, PUT
 * /_mock/state and MOCK_STATE_FILE import it). Plans are stored as the lifecycle core made them, instants
 * in epoch milliseconds, so an imported mock answers byte for byte as the exporting one did.
 */

/** Bumped whenever the document's shape changes; an import refuses other versions. */
export const STATE_FORMAT_VERSION = 1;

/** Epoch milliseconds that `Date` can render (±8.64e15). */
const Instant = z.int().min(-8.64e15).max(8.64e15);
const IsoInstant = z.iso
  .datetime({ abort: true })
  .refine((s) => Number.isFinite(Date.parse(s)), 'must be a valid instant')
  .refine((s) => Date.parse(s) <= CLOCK_MAX, `must not be after ${new Date(CLOCK_MAX).toISOString()}`);

const StageMapOf = <T extends z.ZodType>(value: T) =>
  z.strictObject(
    Object.fromEntries(MIGRATION_STAGES.map((s) => [s, value])) as Record<
      (typeof MIGRATION_STAGES)[number],
      T
    >,
  );

const StagePlanSchema = z.strictObject({
  stage: MigrationStageSchema,
  start: Instant.nullable(),
  plannedEnd: Instant.nullable(),
  end: Instant.nullable(),
  itemsTotal: z.int().min(0),
  okFinal: z.int().min(0),
  failedFinal: z.int().min(0),
  failed: z.boolean(),
  errorMessage: z.string().nullable(),
  weight: z.number().min(0),
});

const ResourcePlanSchema = z.strictObject({
  id: z.string(),
  type: ResourceTypeSchema,
  tier: z.int().min(0),
  start: Instant.nullable(),
  plannedEnd: Instant.nullable(),
  end: Instant.nullable(),
  failed: z.boolean(),
  errorMessage: z.string().nullable(),
});

const RunPlanSchema = z.strictObject({
  startedAt: Instant,
  taskId: z.string(),
  inProgressAt: Instant,
  stages: z
    .array(StagePlanSchema)
    .length(MIGRATION_STAGES.length)
    .refine(
      (ss) => ss.every((s, i) => s.stage === MIGRATION_STAGES[i]),
      `must list the stages in order: ${MIGRATION_STAGES.join(', ')}`,
    ),
  resources: z.array(ResourcePlanSchema),
  endAt: Instant,
  outcome: z.enum(['completed', 'failed']),
  errorMessage: z.string().nullable(),
  estimatedCompletion: Instant,
});

/** The scenario behaviour a plan carries (the fixture's own schema, so a document needs no fixtures). */
const BehaviourSchema = ScenarioFixtureSchema.pick({
  name: true,
  timing: true,
  failure: true,
  cancel: true,
  advance: true,
  faults: true,
  tolerated_failures: true,
});

export const MigrationPlanSchema = z.strictObject({
  migrationId: z.string().min(1),
  internalId: z.string(),
  config: MigrationConfigSchema,
  behaviour: BehaviourSchema,
  createdAt: Instant,
  validatingUntil: Instant,
  validation: ValidationResultSchema,
  graph: DependencyGraphSchema.nullable(),
  items: StageMapOf(z.int().min(0)).nullable(),
  run: RunPlanSchema.nullable(),
  cancel: z.strictObject({ at: Instant, reason: z.string().nullable() }).nullable(),
});

export const StoredMigrationStateSchema = z.strictObject({
  plan: MigrationPlanSchema,
  /** Creation number (unique, below next_seq). */
  seq: z.int().min(0),
  /** Poll-driven migrations: the instant their last GET reached; null for time-driven ones. */
  pollAt: Instant.nullable(),
  /** GETs so far (scheduled faults count them). */
  polls: z.int().min(0),
  /** Events applied (start, cancel). */
  version: z.int().min(0),
});

export const StateDocumentSchema = z
  .strictObject({
    format_version: z.literal(STATE_FORMAT_VERSION),
    /** MOCK_SEED of the exporting mock; an import into a mock with another seed is refused. */
    seed: z.string(),
    clock: z.strictObject({
      mode: z.enum(['real', 'virtual']),
      now: IsoInstant,
      /** Where POST /_mock/reset takes a virtual clock back to; null for the real clock. */
      start: IsoInstant.nullable(),
    }),
    /** The creation number of the next migration (ids derive from it and the seed). */
    next_seq: z.int().min(0),
    migrations: z.array(StoredMigrationStateSchema),
  })
  .meta({ id: 'MockState', description: 'The whole mock state, as GET /_mock/state exports it.' });

export type StateDocument = z.infer<typeof StateDocumentSchema>;
export type StoredMigrationState = z.infer<typeof StoredMigrationStateSchema>;

// The schema must describe the lifecycle core's plans: a plan that parses is a MigrationPlan.
type Assignable<A extends B, B> = A;
export type PlanCheck = Assignable<z.infer<typeof MigrationPlanSchema>, MigrationPlan>;
