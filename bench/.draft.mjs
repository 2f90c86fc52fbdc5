import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
for (const dir of process.argv.slice(2)) {
  const at = (p) => pathToFileURL(resolve(dir, 'dist', p)).href;
  const { loadConfig } = await import(at('config.js'));
  const { createEngine } = await import(at('engine.js'));
  const engine = createEngine({ config: loadConfig({ LOG_LEVEL: 'silent', MOCK_CLOCK: 'virtual' }) });
  const m = engine.create({ config: { ...engine.scenario('large_namespace').config, source_namespace_id: 'ns_bench_1000', target_namespace_name: 'x' }, startImmediately: false, scenario: 'large_namespace' });
  engine.advance(10);
  for (let i = 0; i < 50; i++) engine.snapshot(m);
  let best = Infinity;
  for (let r = 0; r < 5; r++) { const c0 = process.cpuUsage(); for (let i = 0; i < 100; i++) engine.snapshot(m); const c = process.cpuUsage(c0); best = Math.min(best, (c.user + c.system) / 100); }
  console.log(dir, engine.snapshot(m).status, engine.snapshot(m).progress.resources.length, 'resources:', best.toFixed(0), 'µs per snapshotAt (draft)');
}
