import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../../errors.js';

export interface UiOptions {
  /** The built dashboard (index.html, assets/); default: the package's dist/ui. */
  dir?: string;
}

/** src/http/routes/ and dist/http/routes/ both sit three levels below the package root. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../../dist/ui/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Everything the page loads comes from this server: it works offline, and nothing else can run in it. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Dashboard not built</title>
<body style="font:16px system-ui;margin:3rem"><h1>The dashboard is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm run build:ui</code>) and reload this page.</p>
<p>The APIs work without it: <a href="/docs">/docs</a>.</p></body>`;

const HEARTBEAT_MS = 15_000;

/**
 * The dashboard, under /_mock/ui (hidden from the OpenAPI document):
 * - `GET /_mock/ui` (and `/_mock/ui/`): the page built by `npm run build:ui` into dist/ui;
 * - `GET /_mock/ui/assets/:file`: its content-hashed scripts and styles, cached for good;
 * - `GET /_mock/ui/events`: server-sent events, one `change` per engine event (created, started, cancelled,
 *   deleted, polled, clock, reset), so the page refetches only when something moved;
 * - `GET /_mock/ui/settle`: the instant at which every time-driven migration has settled, for the page's
 *   "to the end" button (which then moves the clock with the control API).
 * The page itself reads and steers the mock only through the public APIs (/v1 with a key, /_mock).
 */
export const uiRoutes: FastifyPluginAsync<UiOptions> = async (app, opts) => {
  const dir = opts.dir ?? DEFAULT_UI_DIR;
  const hide = { schema: { hide: true } };

  app.get('/', hide, async (_request, reply) => {
    let html: string;
    try {
      // Read per request (a few KB): a rebuilt dashboard shows without a restart.
      html = await readFile(`${dir}/index.html`, 'utf8');
    } catch {
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT);
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(html);
  });

  app.get<{ Params: { file: string } }>('/assets/:file', hide, async (request, reply) => {
    const { file } = request.params;
    const ext = /^[\w-]+(\.[\w-]+)*$/.test(file) ? file.slice(file.lastIndexOf('.')) : '';
    const type = TYPES[ext];
    if (type === undefined) throw new ApiError(404, `No dashboard asset '${file}'`, { file });
    let body: Buffer;
    try {
      body = await readFile(`${dir}/assets/${file}`);
    } catch {
      throw new ApiError(404, `No dashboard asset '${file}'`, { file });
    }
    return reply
      .type(type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  });

  app.get('/settle', hide, async () => {
    const now = app.engine.now();
    const settles = app.engine.settlesAt();
    return {
      now: new Date(now).toISOString(),
      settles_at: new Date(settles).toISOString(),
      remaining_seconds: Math.ceil((settles - now) / 1000),
      mode: app.engine.clock.mode,
    };
  });

  const streams = new Set<ServerResponse>();
  const unsubscribe = app.engine.on((event) => {
    const data = JSON.stringify({
      kind: event.kind,
      migration_id: 'migration' in event ? event.migration.plan.migrationId : null,
    });
    for (const res of streams) res.write(`event: change\ndata: ${data}\n\n`);
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  // Open streams would hold app.close() (and SIGTERM) until they end: end them first.
  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
    unsubscribe();
    for (const res of streams) res.end();
    streams.clear();
  });

  app.get('/events', hide, (request, reply) => {
    // HEAD (exposed by Fastify for every GET) says what a GET would be, without holding a stream open.
    if (request.method === 'HEAD') return reply.type('text/event-stream; charset=utf-8').send();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\nevent: hello\ndata: {}\n\n');
    streams.add(res);
    request.raw.on('close', () => streams.delete(res));
  });
};
