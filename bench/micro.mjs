#!/usr/bin/env node
/**
 * Micro-benchmark of the GET hot path's computation, without HTTP: `engine.snapshotJson(m)` at a new
 * instant every call (what the cache cannot save), for the default-fixture migration (12 resources) and
 * a 1,000-resource one, both in progress. CPU-bound and single-threaded, so less sensitive to the
 * machine's background load than `npm run bench`. Needs `npm run build`.
 *
 *   node bench/micro.mjs [iterations]
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../dist/config.js';
import { createEngine } from '../dist/engine.js';

const N = Number(process.argv[2] ?? 2000);
// Durations ×100 so that each stays in batch processing for the whole measurement.
const engine = createEngine({ config: loadConfig({ LOG_LEVEL: 'silent', MOCK_CLOCK: 'virtual', MOCK_TIME_SCALE: '100' }) });
const big = engine.create({
  config: { ...engine.scenario('large_namespace').config, source_namespace_id: 'ns_bench_1000', target_namespace_name: 'bench_1000_copy' },
  startImmediately: true,
  scenario: 'large_namespace',
});
const cases = [
  ['default fixture (12 resources)', engine.find('mig_reextract_completes')],
  ['ns_bench_1000 (1,000 resources)', big],
];
for (const [label, m] of cases) {
  while (engine.snapshot(m).progress.current_stage !== 'batch_processing') engine.advance(30);
  engine.advance(60);
  const start = engine.now();
  const { status } = engine.snapshot(m);
  const bytes = engine.snapshotJson(m).length;
  const run = (n, offset) => {
    let sink = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      engine.setNow(start + offset + i); // a new instant every call: a cache miss
      sink += engine.snapshotJson(m).length;
    }
    return { ms: performance.now() - t0, sink };
  };
  const iterations = label.includes('1,000') ? Math.max(50, Math.round(N / 20)) : N;
  run(iterations, 0); // warm-up
  const { ms } = run(iterations, iterations);
  if (engine.snapshot(m).progress.current_stage !== 'batch_processing') throw new Error(`${label}: left batch processing`);
  console.log(`${label}: ${status}, ${bytes} bytes: ${((ms * 1000) / iterations).toFixed(1)} µs per snapshotJson at a new instant`);
}
