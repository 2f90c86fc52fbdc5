#!/usr/bin/env node
/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from `BENCH_PROFILE=1 npm run bench`): the functions
 * with the most self time, and optionally the heaviest by total (self + callees) time.
 *
 *   node bench/profile-top.mjs bench/results/profiles/CPU.*.cpuprofile [--top 30] [--total] [--by-file]
 *     [--filter dist/] [--window FROM:TO (seconds after the profile started)]
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const top = Number(opt('--top', 30));
const filter = opt('--filter', null);
if (!file) {
  console.error('usage: node bench/profile-top.mjs <file.cpuprofile> [--top N] [--total] [--filter substring]');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node: sample counts weighted by the time deltas; with --window A:B, only the samples
// taken between A and B seconds after the profile started (e.g. the measured window of a load).
const [from, to] = (opt('--window', '0:1e9') ?? '0:1e9').split(':').map((x) => Number(x) * 1e6);
const self = new Map();
let total = 0;
let clock = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  clock += dt;
  if (clock < from || clock > to) continue;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  total += dt;
}

const shortUrl = (u) => {
  const path = u.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return `nm:${path.slice(nm + 'node_modules/'.length)}`;
  return path.replace(/^.*\/(dist|src|bench)\//, '$1/');
};
const keyOf = (n) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
};

const selfByFn = new Map();
const totalByFn = new Map();
for (const [id, t] of self) {
  const k = keyOf(byId.get(id));
  selfByFn.set(k, (selfByFn.get(k) ?? 0) + t);
  // Total: add this sample's time to every distinct function on its stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const kk = keyOf(byId.get(cur));
    if (seen.has(kk)) continue;
    seen.add(kk);
    totalByFn.set(kk, (totalByFn.get(kk) ?? 0) + t);
  }
}

const print = (title, map) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
  const rows = [...map].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, t] of rows) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`);
};
print('self time', selfByFn);
if (args.includes('--by-file')) {
  const byFile = new Map();
  for (const [k, t] of selfByFn) {
    const m = / (\S+):\d+$/.exec(k);
    const file = m ? (m[1].startsWith('nm:') ? m[1].split('/').slice(0, m[1].startsWith('nm:@') ? 2 : 1).join('/') : m[1]) : k;
    byFile.set(file, (byFile.get(file) ?? 0) + t);
  }
  print('self time by file (packages grouped)', byFile);
}
if (args.includes('--total')) print('total time (self + callees)', totalByFn);
