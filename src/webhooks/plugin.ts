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
 * `app.webhooks`; stopped (timers cleared, in-flight deliveries aborted) when the app closes.
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
    });
    app.decorate('webhooks', dispatcher);
    app.addHook('onClose', async () => dispatcher.close());
  },
  { name: 'webhooks' },
);
