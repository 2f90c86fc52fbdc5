#!/usr/bin/env node
/**
 * Micro-benchmark of the GET hot path's computation, without HTTP: `engine.snapshotJson(m)` at a new
 * instant every call (what the per-instant cache cannot save), for a migration of the default fixture
 * (12 resources) and a 1,000-resource one, both in progress (batch processing). Reports CPU time per call,
 * best of 5 rounds, so that it is steadier than `npm run bench` when other processes share the cores.
 *
 *   node bench/micro.mjs [iterations] [build-dir ...]
 *
 * With several build directories (each holding a dist/, e.g. a copy built before a change), the builds are
 * measured in the same process, round by round in turn, so that they see the same machine. Default: ./
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [n = '2000', ...dirs] = process.argv.slice(2);
const N = Number(n);
const builds = dirs.length > 0 ? dirs : [new URL('..', import.meta.url).pathname];

async function setup(dir) {
  const at = (p) => pathToFileURL(resolve(dir, 'dist', p)).href;
  const { loadConfig } = await import(at('config.js'));
  const { createEngine } = await import(at('engine.js'));
  // One engine per case (each has its own virtual clock); durations ×100 so that each migration stays
  // in batch processing for the whole measurement.
  const engineFor = () =>
    createEngine({ config: loadConfig({ LOG_LEVEL: 'silent', MOCK_CLOCK: 'virtual', MOCK_TIME_SCALE: '100' }) });
  const small = engineFor();
  const large = engineFor();
  const big = large.create({
    config: { ...large.scenario('large_namespace').config, source_namespace_id: 'ns_bench_1000', target_namespace_name: 'bench_1000_copy' },
    startImmediately: true,
    scenario: 'large_namespace',
  });
  const cases = [];
  for (const [label, engine, m, iterations] of [
    ['default fixture (12 resources)', small, small.find('mig_reextract_completes'), N],
    ['ns_bench_1000 (1,000 resources)', large, big, Math.max(50, Math.round(N / 20))],
  ]) {
    while (engine.snapshot(m).progress.current_stage !== 'batch_processing') engine.advance(30);
    engine.advance(60);
    cases.push({ label, engine, m, iterations, bytes: engine.snapshotJson(m).length });
  }
  return { dir, cases };
}

/**
 * CPU milliseconds for `n` calls at `n` fresh instants, the clock moving 1 ms per call. Each call also
 * takes the text's byte length, as Fastify does for Content-Length: that is where a string built from
 * pieces is flattened, a cost the HTTP path pays.
 */
function run(engine, m, n) {
  let sink = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    engine.setNow(engine.now() + 1); // a new instant every call: a cache miss
    sink += Buffer.byteLength(engine.snapshotJson(m));
  }
  const c = process.cpuUsage(c0);
  if (sink === 0) throw new Error('empty snapshots');
  return (c.user + c.system) / 1000;
}

const setups = [];
for (const dir of builds) setups.push(await setup(dir));
const best = new Map();
for (const s of setups) for (const c of s.cases) run(c.engine, c.m, c.iterations); // warm-up
for (let round = 0; round < 5; round++)
  for (const s of setups)
    for (const c of s.cases) {
      const ms = run(c.engine, c.m, c.iterations);
      const key = `${s.dir}\t${c.label}`;
      best.set(key, Math.min(best.get(key) ?? Infinity, (ms * 1000) / c.iterations));
    }
for (const s of setups)
  for (const c of s.cases) {
    if (c.engine.snapshot(c.m).progress.current_stage !== 'batch_processing') throw new Error(`${c.label}: left batch processing`);
    const us = best.get(`${s.dir}\t${c.label}`);
    console.log(`${setups.length > 1 ? `${s.dir}: ` : ''}${c.label}, ${c.bytes} bytes: ${us.toFixed(1)} µs CPU per snapshotJson (+ byteLength) at a new instant`);
  }
