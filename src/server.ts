/**
 * The only module that touches the process: reads the environment once, builds the app, imports
 * MOCK_STATE_FILE, listens, and shuts down cleanly on SIGTERM/SIGINT: no new connections, in-flight
 * requests answered, exit 0; past MOCK_SHUTDOWN_TIMEOUT_MS exit 1; a second signal exits at once (128 +
 * the signal's number). Start-up failures (bad setting, bad fixture, bad state file, port in use) print
 * one message to stderr and exit 2.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './http/app.js';
import { loadStateFile } from './state/file.js';

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

function fatal(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `mixpeek-migrations-mock: ${error instanceof ConfigError ? 'configuration error\n' : ''}${message}\n`,
  );
  process.exit(2);
}

function handleSignals(app: FastifyInstance, timeoutMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
    }
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      app.log.error(`shutdown took longer than ${timeoutMs} ms (MOCK_SHUTDOWN_TIMEOUT_MS): exiting`);
      process.exit(1);
    }, timeoutMs).unref();
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
    if (config.stateFile !== undefined) {
      const { migrations } = loadStateFile(app.engine, config.stateFile);
      app.log.info({ file: config.stateFile, migrations }, 'state imported from MOCK_STATE_FILE');
    }
    handleSignals(app, config.shutdownTimeoutMs);
    try {
      await app.listen({ host: config.host, port: config.port });
    } catch (e) {
      // A host that does not resolve or is not this machine's, or a port in use: name the setting.
      const code = (e as NodeJS.ErrnoException).code;
      const setting = code === 'EADDRINUSE' || code === 'EACCES' ? `PORT=${config.port}` : `HOST=${config.host}`;
      throw new Error(`Cannot listen on ${config.host}:${config.port} (${setting}): ${(e as Error).message}`);
    }
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
