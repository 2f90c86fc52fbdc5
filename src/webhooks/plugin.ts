import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { WebhookDispatcher } from './dispatcher.js';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookDispatcher;
  }
}

/**
 * The webhook dispatcher of the app's engine, configured from MOCK_WEBHOOK_* settings, decorated as
 * `app.webhooks`; stopped when the app closes: timers cleared, in-flight and queued deliveries aborted and recorded
 * (and logged) as `abandoned`.
 */
export const webhooksPlugin = fp(
  async (app: FastifyInstance) => {
    const { config } = app;
    const dispatcher = new WebhookDispatcher({
      engine: app.engine,
      seed: config.seed,
      secret: config.webhookSecret,
      allow: config.webhookAllow,
      maxAttempts: config.webhookMaxAttempts,
      backoffMs: config.webhookBackoffMs,
      timeoutMs: config.webhookTimeoutMs,
      logSize: config.webhookLogSize,
      onError: (err) => app.log.error({ err }, 'webhook dispatcher error'),
      onAbandon: (d) =>
        app.log.warn(
          { event_id: d.event_id, event_type: d.event_type, migration_id: d.migration_id, attempt: d.attempt },
          'webhook delivery abandoned at shutdown',
        ),
    });
    app.decorate('webhooks', dispatcher);
    app.addHook('onClose', async () => dispatcher.close());
  },
  { name: 'webhooks' },
);
