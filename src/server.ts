/**
 * The only module that touches the process: reads the environment once, builds the app, listens, and
 * shuts down cleanly on SIGTERM/SIGINT (in-flight requests are answered; a second signal, or 5 s, ends it).
 * Start-up failures (bad setting, bad fixture, port in use) print one message to stderr and exit 2.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './http/app.js';

const SHUTDOWN_TIMEOUT_MS = 5_000;

function fatal(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mixpeek-migrations-mock: ${error instanceof ConfigError ? 'configuration error\n' : ''}${message}\n`);
  process.exit(2);
}

function handleSignals(app: FastifyInstance): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      app.log.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function main(): Promise<void> {
  let app: FastifyInstance;
  try {
    const config = loadConfig(process.env);
    app = await buildApp({ config });
    handleSignals(app);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    fatal(error);
  }
  const address = app.server.address();
  const url =
    typeof address === 'object' && address !== null
      ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      : String(address);
  app.log.info(`Mixpeek migrations mock on ${url} (docs ${url}/docs, OpenAPI ${url}/openapi.json)`);
}

await main();
