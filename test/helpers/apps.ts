import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';

/**
 * Apps built for one test file, closed after each test: `appWith(env)` builds a ready app on the
 * virtual clock with silent logs (env laid over that). Import it in a test file to register the cleanup.
 */
const apps: FastifyInstance[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

export async function appWith(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', MOCK_CLOCK: 'virtual', ...env }) });
  await app.ready();
  apps.push(app);
  return app;
}
