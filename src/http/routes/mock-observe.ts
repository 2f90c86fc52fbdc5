import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WebhookDeliverySchema } from '../../webhooks/dispatcher.js';
import { JournalEntrySchema } from '../plugins/journal.js';
import { TAG_CONTROL } from '../plugins/openapi.js';

const FilterSchema = z.object({
  migration_id: z.string().min(1).optional().describe('Only entries of this migration'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .optional()
    .describe('At most this many, newest first'),
});

const WebhookDeliveriesSchema = z
  .object({
    capacity: z.int().describe('MOCK_WEBHOOK_LOG_SIZE: attempts kept'),
    deliveries: z.array(WebhookDeliverySchema),
  })
  .meta({ id: 'MockWebhookDeliveries' });

const JournalSchema = z
  .object({
    capacity: z.int().describe('MOCK_JOURNAL_SIZE: requests kept'),
    requests: z.array(JournalEntrySchema),
  })
  .meta({ id: 'MockJournal' });

/** What the mock saw and did, under /_mock: webhook delivery attempts and the request journal. */
export const mockObserveRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/webhooks',
    {
      schema: {
        tags: [TAG_CONTROL],
        summary: 'List webhook delivery attempts, newest first',
        description:
          'Every attempt to POST a migration event to its webhook_url: delivered, retrying, failed or refused (target outside MOCK_WEBHOOK_ALLOW). Cleared by reset.',
        querystring: FilterSchema,
        response: { 200: WebhookDeliveriesSchema },
      },
    },
    async (req) => {
      const all = root.webhooks.deliveries({ migrationId: req.query.migration_id });
      return { capacity: root.webhooks.capacity, deliveries: all.slice(0, req.query.limit ?? all.length) };
    },
  );

  app.get(
    '/requests',
    {
      schema: {
        tags: [TAG_CONTROL],
        summary: 'List recent requests, newest first',
        description:
          'The journal: method, path and query, status, mock and wall instants, latency and what the mock did (latency, faults, poll steps). No header is stored. Cleared by reset.',
        querystring: FilterSchema,
        response: { 200: JournalSchema },
      },
    },
    async (req) => {
      const all = root.journal.list({ migrationId: req.query.migration_id });
      return { capacity: root.journal.capacity, requests: all.slice(0, req.query.limit ?? all.length) };
    },
  );
};
