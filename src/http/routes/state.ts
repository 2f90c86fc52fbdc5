import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ErrorResponseSchema } from '../../schemas/error.js';
import { StateDocumentSchema } from '../../state/document.js';
import { exportState, formatPath, importState, StateImportError } from '../../state/state.js';

const TAG = 'Mock control';

/** PUT /_mock/state takes documents up to this size, or MOCK_BODY_LIMIT_BYTES when that is larger. */
export const STATE_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

const ImportedSchema = z
  .object({ status: z.literal('imported'), now: z.iso.datetime(), migrations: z.int() })
  .meta({ id: 'MockStateImported' });

/** A refused import in the envelope: every problem with its JSON path and reason. */
export function stateImportApiError(e: StateImportError): ApiError {
  const [first] = e.issues;
  const where = first ? `: ${formatPath(first.path)}: ${first.reason}` : '';
  const more = e.issues.length > 1 ? ` (and ${e.issues.length - 1} more)` : '';
  const prefix = e.status === 422 ? 'Invalid state document' : 'State document refused';
  return new ApiError(e.status, `${prefix}${where}${more}`, {
    validation_errors: e.issues.map((i) => ({
      type: 'state_invalid',
      location: ['body', ...i.path],
      path: formatPath(i.path),
      message: i.reason,
    })),
  });
}

/**
 * GET /_mock/state exports the whole mock state as one JSON document; PUT /_mock/state imports one
 * (checked whole first: a refused document changes nothing).
 */
export const stateRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/state',
    {
      schema: {
        tags: [TAG],
        summary: 'Export the whole mock state',
        description:
          'Clock, seed, the creation counter and every migration with its plan (instants in epoch ms), poll position and counters. ' +
          'PUT it back (here or into another mock with the same MOCK_SEED) to get the same answers to the same requests.',
        response: { 200: StateDocumentSchema },
      },
    },
    async (_req, reply) =>
      // Serialised as is: the document's member order is the plans' own, which the import keeps.
      reply.type('application/json; charset=utf-8').send(JSON.stringify(exportState(root.engine)) as never),
  );

  app.put(
    '/state',
    {
      bodyLimit: Math.max(root.config.bodyLimit, STATE_BODY_LIMIT_BYTES),
      schema: {
        tags: [TAG],
        summary: 'Import a mock state',
        description:
          'Replaces the whole state with an exported document. Invalid: 422 with the JSON path and reason of each problem; ' +
          'another seed, or a virtual clock into a mock on the real clock: 400; more migrations than MOCK_MAX_MIGRATIONS: 403. ' +
          'A refused document changes nothing.',
        body: z.unknown().describe('A document exported by GET /_mock/state'),
        response: {
          200: ImportedSchema,
          400: ErrorResponseSchema,
          403: ErrorResponseSchema,
          422: ErrorResponseSchema,
        },
      },
    },
    async (req) => {
      if (req.body === undefined || req.body === null)
        throw stateImportApiError(
          new StateImportError(422, [{ path: [], reason: 'a state document is required' }]),
        );
      try {
        importState(root.engine, req.body);
      } catch (e) {
        if (e instanceof StateImportError) throw stateImportApiError(e);
        throw e;
      }
      return {
        status: 'imported' as const,
        now: new Date(root.engine.now()).toISOString(),
        migrations: root.engine.store.size,
      };
    },
  );
};
