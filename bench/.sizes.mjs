import { loadConfig } from '../dist/config.js';
import { createEngine } from '../dist/engine.js';
const engine = createEngine({ config: loadConfig({ LOG_LEVEL: 'silent', MOCK_CLOCK: 'virtual' }) });
const m = engine.create({ config: engine.scenario('large_namespace').config, startImmediately: true, scenario: 'large_namespace' });
const m2 = engine.create({ config: { ...engine.scenario('large_namespace').config, source_namespace_id: 'ns_bench_1000', target_namespace_name: 'b1000' }, startImmediately: true, scenario: 'large_namespace' });
engine.advance(200);
for (const mm of [engine.find('mig_reextract_completes'), m, m2]) {
  const s = engine.snapshot(mm);
  const total = JSON.stringify(s).length;
  console.log(mm.plan.migrationId, s.status, 'total', total, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, JSON.stringify(v).length]).filter(([, n]) => n > 200)), 'resources', JSON.stringify(s.progress.resources).length, 'stages', JSON.stringify(s.progress.stages).length);
}
