import { resolve } from 'node:path'; import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
const N = Number(process.env.N ?? 20000);
const specs = process.argv.slice(2); // build dirs, optionally dir@ENVJSON
const headers = { authorization: 'Bearer sk_bench' };
const apps = [];
let body;
for (const spec of specs) {
  const [d, envj] = spec.split('@');
  const at = (p) => pathToFileURL(resolve(d, 'dist', p)).href;
  const { loadConfig } = await import(at('config.js')); const { buildApp } = await import(at('http/app.js'));
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'warn', MOCK_TIME_SCALE: '100', ...(envj ? JSON.parse(envj) : {}) }) });
  await app.ready();
  const url = '/v1/namespaces/migrations/mig_reextract_completes';
  body ??= (await app.inject({ url, headers })).body;
  apps.push({ name: spec, app, url });
}
const ref = Fastify();
ref.addHook('onRequest', async (request, reply) => {
  const h = request.headers.authorization; const key = h === undefined ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h)?.[1];
  if (key === undefined || !(key.startsWith('sk_') && key.length > 3)) { reply.code(401).send('no'); return reply; }
});
ref.get('/v1/namespaces/migrations/:migration_id', async (req, reply) => reply.type('application/json; charset=utf-8').send(body));
await ref.ready();
apps.unshift({ name: 'reference', app: ref, url: '/v1/namespaces/migrations/mig_reextract_completes' });
const best = new Map();
for (let round = 0; round < 6; round++) for (const a of apps) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) { const r = await a.app.inject({ url: a.url, headers }); if (r.statusCode !== 200) throw new Error(a.name + ' ' + r.statusCode); }
  const c = process.cpuUsage(c0);
  if (round > 0) best.set(a.name, Math.min(best.get(a.name) ?? Infinity, (c.user + c.system) / N));
}
const r0 = best.get('reference');
for (const a of apps) console.log(a.name.padEnd(50), best.get(a.name).toFixed(1), 'µs CPU/req', `(+${(best.get(a.name) - r0).toFixed(1)})`);
