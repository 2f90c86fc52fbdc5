import { z } from 'zod';
import type { MigrationPlan } from '../domain/plan.js';
import { snapshotAt } from '../domain/snapshot.js';
import { iso } from '../domain/time.js';
import type { TimelineEvent } from '../domain/timeline.js';
import { fakerFor, mixpeekId } from '../generate/seeded-faker.js';
import {
  MIGRATION_STATUSES,
  MigrationStageSchema,
  type MigrationStatus,
  MigrationStatusSchema,
} from '../schemas/enums.js';

/**
 * The body the mock POSTs to a migration's `webhook_url`. Mixpeek publishes no payload for migration
 * webhooks ("status notifications" only); this shape is ours, modelled on Mixpeek's other webhooks
 * (`event_id`, `event_type`, `occurred_at`, `namespace_id`, `subject`, `metadata`).
 */
export const WEBHOOK_EVENT_TYPES = [
  ...MIGRATION_STATUSES.map((s) => `migration.${s}` as const),
  'migration.stage_completed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WebhookEventSchema = z
  .object({
    event_id: z.string().describe('`evt_` + 16 characters, derived from (seed, migration id, event index)'),
    event_type: z.enum(WEBHOOK_EVENT_TYPES),
    occurred_at: z.iso.datetime().describe("The event's instant on the mock clock"),
    namespace_id: z.string().describe('The source namespace, as in GetMigrationResponse.namespace_id'),
    subject: z.object({ type: z.literal('migration'), id: z.string() }),
    metadata: z.object({
      status: MigrationStatusSchema,
      /** null on the first event and on stage completions (not a status transition). */
      previous_status: MigrationStatusSchema.nullable(),
      current_stage: MigrationStageSchema.nullable(),
      /** The stage a `migration.stage_completed` event reports; null otherwise. */
      completed_stage: MigrationStageSchema.nullable(),
      overall_progress_percent: z.number(),
    }),
  })
  .meta({ id: 'MockWebhookEvent' });
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/** The event type of a timeline event: `migration.<status>` or `migration.stage_completed`. Pure. */
export const eventTypeOf = (e: TimelineEvent): WebhookEventType =>
  e.kind === 'status' ? `migration.${e.status}` : 'migration.stage_completed';

/** Identity of a timeline event, stable across re-planning (start, cancel) of the same migration. Pure. */
export const eventKey = (e: TimelineEvent): string =>
  `${e.at}|${e.kind === 'status' ? e.status : `stage:${e.stage}`}`;

/** `evt_` + 16 lowercase alphanumerics from (seed, migration id, index): replays give the same ids. */
export const eventIdOf = (seed: string, migrationId: string, index: number): string =>
  mixpeekId(fakerFor(seed, 'webhook_event', migrationId, index), 'evt_', 16);

/**
 * The payload of one timeline event of `plan`. `index` is the event's position among the migration's
 * deliveries, `previous` the status its receiver last heard of. Metadata reads `snapshotAt(plan, e.at)`;
 * a status event reports its own status. Pure.
 */
export function webhookEventOf(
  plan: MigrationPlan,
  e: TimelineEvent,
  opts: { seed: string; index: number; previous: MigrationStatus | null },
): WebhookEvent {
  const snap = snapshotAt(plan, e.at);
  return {
    event_id: eventIdOf(opts.seed, plan.migrationId, opts.index),
    event_type: eventTypeOf(e),
    occurred_at: iso(e.at),
    namespace_id: snap.namespace_id,
    subject: { type: 'migration', id: plan.migrationId },
    metadata: {
      status: e.kind === 'status' ? e.status : snap.status,
      previous_status: e.kind === 'status' ? opts.previous : null,
      current_stage: snap.progress.current_stage ?? null,
      completed_stage: e.kind === 'stage_completed' ? e.stage : null,
      overall_progress_percent: snap.progress.overall_progress_percent ?? 0,
    },
  };
}
