import { resolve } from 'node:path'; import { pathToFileURL } from 'node:url';
const at = (d, p) => pathToFileURL(resolve(d, 'dist', p)).href;
const out = [];
for (const d of process.argv.slice(2)) {
  const { loadConfig } = await import(at(d, 'config.js')); const { createEngine } = await import(at(d, 'engine.js'));
  const e = createEngine({ config: loadConfig({ LOG_LEVEL: 'silent', MOCK_CLOCK: 'virtual' }) });
  for (let i = 0; i < 20; i++) e.create({ config: e.scenario('large_namespace').config, startImmediately: true, scenario: 'large_namespace' });
  out.push(JSON.stringify([...e.catalog.namespaces.values()]) + JSON.stringify([...e.store.values()].map((m) => e.snapshot(m))));
}
console.log('identical:', out.every((x) => x === out[0]), out[0].length);
