import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import {
  CancelMigrationRequestSchema,
  CancelMigrationResponseSchema,
  CreateMigrationRequestSchema,
  CreateMigrationResponseSchema,
  ListMigrationsRequestSchema,
  ListMigrationsResponseSchema,
  MigrationIdParamsSchema,
  StartMigrationRequestSchema,
  StartMigrationResponseSchema,
  ValidateMigrationRequestSchema,
  ValidateMigrationResponseSchema,
} from '../../schemas/api.js';
import { ErrorResponseSchema } from '../../schemas/error.js';
import { GetMigrationResponseSchema } from '../../schemas/migration.js';
import { pollWithFaults } from '../plugins/faults.js';
import { parsePrefer } from '../prefer.js';

const TAG = 'Namespace Migrations';
const errors = (...codes: (400 | 401 | 403 | 404 | 409 | 422 | 429 | 500)[]) =>
  Object.fromEntries(codes.map((c) => [c, ErrorResponseSchema]));
const COMMON = [400, 401, 403, 404, 422, 500] as const;
const security = [{ bearerAuth: [] }];

/** Routes whose body is optional read a missing body as `{}`, as FastAPI does for defaulted bodies. */
const optionalBody = async (req: { body: unknown }) => {
  if (req.body === undefined || req.body === null) req.body = {};
};

/**
 * Mixpeek's seven migration endpoints, under /v1/namespaces/migrations. Handlers are thin: the engine
 * plans and answers; this file speaks HTTP.
 */
export const mixpeekRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/',
    {
      // Only the path with the trailing slash creates, as on Mixpeek's server.
      prefixTrailingSlash: 'slash',
      schema: {
        tags: [TAG],
        summary: 'Create Migration',
        description:
          'Creates a migration: the config is validated and the migration stored in draft with its validation_result; ' +
          '`start_immediately: true` starts it (validating → pending → in_progress). Mock: `Prefer: scenario=<name>` chooses the scenario, ' +
          '`Prefer: advance=poll` makes each GET move it one step.',
        operationId: 'create_migration_v1_namespaces_migrations__post',
        security,
        body: CreateMigrationRequestSchema,
        response: { 201: CreateMigrationResponseSchema, ...errors(...COMMON, 409) },
      },
    },
    async (req, reply) => {
      const prefer = parsePrefer(req.headers.prefer);
      if (prefer.advance !== undefined && prefer.advance !== 'poll' && prefer.advance !== 'time')
        throw new ApiError(400, `Unknown Prefer advance '${prefer.advance}': use advance=poll or advance=time`, {
          advance: prefer.advance,
          valid: ['poll', 'time'],
        });
      const engine = root.engine;
      const m = engine.create({
        config: req.body.config,
        startImmediately: req.body.start_immediately,
        scenario: prefer.scenario,
        advance: prefer.advance as 'poll' | 'time' | undefined,
      });
      return reply.code(201).send(engine.createResponse(m));
    },
  );

  app.post(
    '/list',
    {
      schema: {
        tags: [TAG],
        summary: 'List Migrations',
        description: 'Lists migrations, newest first (ties by id); filters combine with AND.',
        operationId: 'list_migrations_v1_namespaces_migrations_list_post',
        security,
        body: ListMigrationsRequestSchema,
        response: { 200: ListMigrationsResponseSchema, ...errors(...COMMON) },
      },
      preValidation: optionalBody,
    },
    async (req, reply) => {
      const engine = root.engine;
      const json = engine.listJson(req.body);
      if (engine.config.validateResponses) ListMigrationsResponseSchema.parse(JSON.parse(json));
      // Pre-serialised from the per-migration snapshot cache; sent as is.
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );

  app.post(
    '/validate',
    {
      schema: {
        tags: [TAG],
        summary: 'Validate Migration',
        description: 'Validates a config against the namespaces the mock knows; stores nothing.',
        operationId: 'validate_migration_v1_namespaces_migrations_validate_post',
        security,
        body: ValidateMigrationRequestSchema,
        response: { 200: ValidateMigrationResponseSchema, ...errors(...COMMON) },
      },
    },
    async (req) => root.engine.validateOnly(req.body.config, parsePrefer(req.headers.prefer).scenario),
  );

  app.get(
    '/:migration_id',
    {
      schema: {
        tags: [TAG],
        summary: 'Get Migration',
        description: 'Migration details and status, computed for the current instant of the mock clock.',
        operationId: 'get_migration_v1_namespaces_migrations__migration_id__get',
        security,
        params: MigrationIdParamsSchema,
        response: { 200: GetMigrationResponseSchema, ...errors(...COMMON) },
      },
    },
    async (req, reply) => {
      const engine = root.engine;
      const m = engine.find(req.params.migration_id);
      // Counts the poll; a scheduled fault answers without moving the migration, else a poll-driven one steps.
      if ((await pollWithFaults(engine, m, req, reply)) === 'dropped') return reply;
      const json = engine.snapshotJson(m);
      if (engine.config.validateResponses) GetMigrationResponseSchema.parse(JSON.parse(json));
      // A pre-serialised string with a JSON content type is sent as is (Fastify skips serialisation).
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );

  app.delete(
    '/:migration_id',
    {
      schema: {
        tags: [TAG],
        summary: 'Delete Migration',
        description: 'Deletes a migration in draft, completed, failed or cancelled; 400 otherwise.',
        operationId: 'delete_migration_v1_namespaces_migrations__migration_id__delete',
        security,
        params: MigrationIdParamsSchema,
        response: { 204: z.undefined().describe('Successful Response'), ...errors(...COMMON) },
      },
      // FastAPI never reads the body of a route that declares none, but Fastify parses DELETE bodies (a
      // malformed one would be a 422): hide it from the parser so that whatever is sent is ignored.
      onRequest: async (req) => {
        delete req.raw.headers['content-type'];
        delete req.raw.headers['content-length'];
        delete req.raw.headers['transfer-encoding'];
      },
    },
    async (req, reply) => {
      root.engine.delete(req.params.migration_id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/:migration_id/start',
    {
      schema: {
        tags: [TAG],
        summary: 'Start Migration',
        description: 'Starts a draft migration (draft → pending); refused when invalid, a dry run, or with warnings and no force.',
        operationId: 'start_migration_v1_namespaces_migrations__migration_id__start_post',
        security,
        params: MigrationIdParamsSchema,
        body: StartMigrationRequestSchema,
        response: { 200: StartMigrationResponseSchema, ...errors(...COMMON) },
      },
      preValidation: optionalBody,
    },
    async (req) => root.engine.start(req.params.migration_id, req.body.force),
  );

  app.post(
    '/:migration_id/cancel',
    {
      schema: {
        tags: [TAG],
        summary: 'Cancel Migration',
        description: 'Cancels a validating, pending or in_progress migration; running stages and resources become cancelled.',
        operationId: 'cancel_migration_v1_namespaces_migrations__migration_id__cancel_post',
        security,
        params: MigrationIdParamsSchema,
        body: CancelMigrationRequestSchema,
        response: { 200: CancelMigrationResponseSchema, ...errors(...COMMON) },
      },
      preValidation: optionalBody,
    },
    async (req) => root.engine.cancel(req.params.migration_id, req.body.reason ?? null),
  );
};
