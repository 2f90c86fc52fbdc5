#!/usr/bin/env node
/**
 * Checks that `snapshotJsonAt(plan, t)` (the GET's serialiser, which reuses unchanged parts) is byte for
 * byte `JSON.stringify(snapshotAt(plan, t))`, for every scenario (started and in draft), a 1,000-resource
 * migration, cancelled migrations, at instants on a grid, at random (so that reuse goes backwards in time
 * too) and at every stage boundary ±1 ms. Needs `npm run build`. Exits 1 on any mismatch.
 *
 *   node bench/verify-snapshot-json.mjs
 */
import { loadConfig } from '../dist/config.js';
import { createEngine } from '../dist/engine.js';
import { snapshotAt, snapshotJsonAt } from '../dist/domain/snapshot.js';
const engine = createEngine({ config: loadConfig({ LOG_LEVEL: 'silent', MOCK_CLOCK: 'virtual' }) });
const ms = [];
for (const s of engine.catalog.scenarios.values()) {
  ms.push(engine.create({ config: s.config, startImmediately: true, scenario: s.name }));
  ms.push(engine.create({ config: s.config, startImmediately: false, scenario: s.name }));
}
ms.push(engine.create({ config: { ...engine.scenario('large_namespace').config, source_namespace_id: 'ns_bench_1000', target_namespace_name: 'x' }, startImmediately: false, scenario: 'large_namespace' }));
ms.push(engine.create({ config: { ...engine.scenario('large_namespace').config, source_namespace_id: 'ns_bench_1000', target_namespace_name: 'x' }, startImmediately: true, scenario: 'fails_batch_processing' }));
ms.push(...engine.store.values());
let n = 0, bad = 0;
let seed = 42; const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const t0 = engine.now();
for (const m of new Set(ms)) {
  const plans = [m.plan];
  // also a started and a cancelled variant when possible
  for (const p of plans) {
    const end = (p.run?.endAt ?? p.validatingUntil) + 5000;
    const ts = [];
    for (let t = p.createdAt - 1000; t <= end; t += Math.max(1, Math.floor((end - p.createdAt) / 400))) ts.push(t);
    for (let i = 0; i < 400; i++) ts.push(Math.floor(p.createdAt - 1000 + rnd() * (end - p.createdAt + 2000)));
    for (const s of p.run?.stages ?? []) if (s.start !== null) ts.push(s.start, s.start - 1, s.start + 1, s.end, s.end - 1, s.end + 1);
    for (const t of ts) {
      n++;
      const a = snapshotJsonAt(p, t), b = JSON.stringify(snapshotAt(p, t));
      if (a !== b) { bad++; if (bad < 3) console.log('MISMATCH', p.migrationId, t, a.length, b.length); }
    }
  }
}
// cancelled ones via engine
for (const m of [...engine.store.values()].slice(0, 40)) {
  try { engine.advance(7); engine.cancel(m.plan.migrationId, 'because'); } catch {}
  for (let k = 0; k < 50; k++) { const t = engine.now() + k * 333; n++; if (snapshotJsonAt(m.plan, t) !== JSON.stringify(snapshotAt(m.plan, t))) bad++; }
}
console.log({ checked: n, mismatches: bad });
if (bad > 0) process.exit(1);
