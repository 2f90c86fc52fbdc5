import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export const HealthResponseSchema = z.object({ status: z.literal('ok') });

/**
 * GET /healthz: 200 once the app is up. The engine (fixtures included) is built synchronously with the
 * app, so an app that answers has valid fixtures. Used by the Docker HEALTHCHECK.
 */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', { schema: { hide: true, response: { 200: HealthResponseSchema } } }, async () => ({
    status: 'ok' as const,
  }));
};
