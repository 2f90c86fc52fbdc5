/**
 * The benchmark's reference: bare Fastify (defaults, no logger, no plugins) answering the mock's routes
 * with fixed, pre-serialised bodies — the bytes the mock itself returned for each case, fetched by
 * bench/run.mjs just before — behind the same auth check as the mock (Bearer key starting with sk_).
 * It is the ceiling: what Fastify costs on this machine for a response of that size, with no work behind it.
 *
 *   BENCH_BODIES=/path/to/bodies.json PORT=4100 node bench/reference-server.mjs
 *
 * bodies.json: { "get": { "<migration_id>": "<body>" }, "list": "<body>" }
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const bodies = JSON.parse(readFileSync(process.env.BENCH_BODIES, 'utf8'));
const get = new Map(Object.entries(bodies.get ?? {}));
const list = bodies.list ?? '{"results":[],"total":0,"limit":20,"offset":0}';
const JSON_TYPE = 'application/json; charset=utf-8';
const unauthorized = '{"success":false,"status":401,"error":{"message":"Invalid API key","type":"unauthorized","details":null}}';
const notFound = '{"success":false,"status":404,"error":{"message":"Not found","type":"not_found","details":null}}';

const app = Fastify();

// The mock's check (src/http/plugins/auth.ts) with MOCK_API_KEYS empty: a Bearer key starting with sk_.
app.addHook('onRequest', async (request, reply) => {
  if (!request.url.startsWith('/v1/') || request.method === 'OPTIONS') return;
  const header = request.headers.authorization;
  const key = header === undefined ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
  if (key === undefined || !(key.startsWith('sk_') && key.length > 3)) {
    reply.code(401).header('www-authenticate', 'Bearer').type(JSON_TYPE).send(unauthorized);
    return reply;
  }
});

app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/v1/namespaces/migrations/:migration_id', async (request, reply) => {
  const body = get.get(request.params.migration_id);
  if (body === undefined) return reply.code(404).type(JSON_TYPE).send(notFound);
  return reply.type(JSON_TYPE).send(body);
});
app.post('/v1/namespaces/migrations/list', async (_request, reply) => reply.type(JSON_TYPE).send(list));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 4100) });
