import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ClockError } from '../../domain/clock.js';
import { parseInstant } from '../../domain/time.js';
import { ApiError } from '../../errors.js';
import { ErrorResponseSchema } from '../../schemas/error.js';
import { MigrationConfigInputSchema } from '../../schemas/config.js';
import { GetMigrationResponseSchema } from '../../schemas/migration.js';
import { requestValidationError } from '../plugins/error-handler.js';
import { toPydanticErrors } from '../pydantic-errors.js';

const TAG = 'Mock control';
const Err = { 400: ErrorResponseSchema, 404: ErrorResponseSchema, 409: ErrorResponseSchema, 422: ErrorResponseSchema };

const ClockSchema = z.object({ now: z.iso.datetime(), mode: z.enum(['real', 'virtual']) }).meta({ id: 'MockClock' });
const ScenarioSummarySchema = z
  .object({
    name: z.string(),
    description: z.string(),
    outcome: z.string(),
    advance: z.enum(['time', 'poll']),
    migration_type: z.string(),
    source_namespace_id: z.string(),
    preseeded_ids: z.array(z.string()),
    faults: z.int(),
  })
  .meta({ id: 'MockScenario' });
const NamespaceSummarySchema = z
  .object({
    namespace_id: z.string(),
    namespace_name: z.string(),
    description: z.string(),
    resources: z.partialRecord(z.enum(['bucket', 'collection', 'taxonomy', 'cluster', 'retriever']), z.array(z.string())),
  })
  .meta({ id: 'MockNamespace' });

/** Raises clock refusals as 400s in the envelope. */
function clockOp<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ClockError) throw new ApiError(400, e.message);
    throw e;
  }
}

/** The control API under /_mock: clock, scenarios, scenario-driven creation, reset. */
export const controlRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const clock = () => ({ now: new Date(root.engine.now()).toISOString(), mode: root.engine.clock.mode });

  app.get('/clock', { schema: { tags: [TAG], summary: 'Read the mock clock', response: { 200: ClockSchema } } }, async () => clock());

  app.post(
    '/clock/advance',
    {
      schema: {
        tags: [TAG],
        summary: 'Advance the virtual clock',
        body: z.object({ seconds: z.number().min(0).max(10 * 365 * 86400) }),
        response: { 200: ClockSchema, ...Err },
      },
    },
    async (req) => {
      clockOp(() => root.engine.advance(req.body.seconds));
      return clock();
    },
  );

  app.put(
    '/clock',
    {
      schema: {
        tags: [TAG],
        summary: 'Set the virtual clock (never backwards)',
        body: z.object({ now: z.string().describe('ISO-8601 instant, e.g. 2025-01-01T00:05:00Z') }),
        response: { 200: ClockSchema, ...Err },
      },
    },
    async (req) => {
      const ms = parseInstant(req.body.now);
      if (Number.isNaN(ms))
        throw new ApiError(422, 'Request validation failed', {
          validation_errors: [{ type: 'datetime_parsing', location: ['body', 'now'], message: 'Input should be a valid datetime' }],
        });
      clockOp(() => root.engine.setNow(ms));
      return clock();
    },
  );

  app.get(
    '/scenarios',
    { schema: { tags: [TAG], summary: 'List the scenarios', response: { 200: z.array(ScenarioSummarySchema) } } },
    async () =>
      [...root.engine.catalog.scenarios.values()].map((s) => ({
        name: s.name,
        description: s.description,
        outcome: s.outcome,
        advance: s.advance,
        migration_type: s.config.migration_type,
        source_namespace_id: s.config.source_namespace_id,
        preseeded_ids: root.engine.catalog.preseeded.filter((p) => p.scenario === s.name).map((p) => p.migration_id),
        faults: s.faults.length,
      })),
  );

  app.get(
    '/namespaces',
    { schema: { tags: [TAG], summary: 'List the source namespaces the mock knows', response: { 200: z.array(NamespaceSummarySchema) } } },
    async () =>
      [...root.engine.catalog.namespaces.values()].map((n) => {
        const resources: Record<string, string[]> = {};
        for (const r of n.resources) (resources[r.type] ??= []).push(r.id);
        return { namespace_id: n.namespaceId, namespace_name: n.namespaceName, description: n.description, resources };
      }),
  );

  app.post(
    '/migrations',
    {
      schema: {
        tags: [TAG],
        summary: 'Create and start a migration from a scenario',
        description:
          "Creates a migration from the scenario's config (members of `config` laid over it) at the current instant and starts it.",
        body: z.object({
          scenario: z.string(),
          migration_id: z
            .string()
            .regex(/^mig_[A-Za-z0-9_]{1,64}$/, 'must be mig_ followed by 1 to 64 letters, digits or _')
            .optional(),
          config: z.record(z.string(), z.unknown()).optional(),
        }),
        response: { 201: GetMigrationResponseSchema, ...Err },
      },
    },
    async (req, reply) => {
      const e = root.engine;
      const s = e.scenario(req.body.scenario);
      const merged = { ...s.config, ...(req.body.config ?? {}) };
      const parsed = MigrationConfigInputSchema.safeParse(merged);
      if (!parsed.success)
        throw requestValidationError(
          toPydanticErrors(parsed.error.issues, 'body', merged, MigrationConfigInputSchema).map((v) => ({
            ...v,
            location: ['body', 'config', ...v.location.slice(1)],
          })),
        );
      const m = e.create({ config: parsed.data, startImmediately: true, scenario: s.name, migrationId: req.body.migration_id });
      return reply.code(201).send(e.snapshot(m));
    },
  );

  app.post(
    '/reset',
    {
      schema: {
        tags: [TAG],
        summary: 'Reset: fixtures reloaded, clock to its start, created migrations gone',
        response: { 200: z.object({ status: z.literal('reset'), now: z.iso.datetime(), migrations: z.int() }) },
      },
    },
    async () => {
      root.engine.reset();
      return { status: 'reset' as const, now: new Date(root.engine.now()).toISOString(), migrations: root.engine.store.size };
    },
  );
};
