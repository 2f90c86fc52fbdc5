#!/usr/bin/env node
/**
 * `npm run bench`: the mock against a bare Fastify reference, in one run on this machine.
 *
 * 1. Cold start of the mock (`node dist/server.js`, default fixtures): spawn → first 200 on /healthz, 5 times.
 * 2. The mock with production settings (real clock, LOG_LEVEL=warn, MOCK_VALIDATE_RESPONSES=false), on the
 *    package's fixtures plus the benchmark's two long scenarios (bench/fixtures/scenarios) and their
 *    pre-seeded, back-dated migrations, so that both are in_progress, mid batch processing, for ~2 hours.
 * 3. The reference (bench/reference-server.mjs): bare Fastify serving, pre-serialised, the very bytes the
 *    mock returned for each case, behind the same auth check.
 * 4. Each case loaded with autocannon, same settings for both: warm-up, then the measured time in alternating
 *    windows (reference, mock, ...), 32 connections; requests/s, p50/p99, and the server's CPU µs per request.
 * 5. 10,000 live migrations: a second mock holding them, loaded in windows alternating with the first one.
 *
 * Writes bench/results/latest.json and latest.md and prints the table. See bench/README.md.
 *
 * Environment (all optional): BENCH_WARMUP (s, 3), BENCH_DURATION (s, 10), BENCH_CONNECTIONS (32),
 * BENCH_LIVE (migrations created for the "live" case, 10000), BENCH_CASES (comma-separated case ids to run),
 * BENCH_PROFILE=1 (run the mock under `node --cpu-prof`; profile in bench/results/profiles/),
 * BENCH_NO_WRITE=1 (print only; leave latest.* alone), BENCH_ROUNDS (alternating windows per case, 4),
 * BENCH_SERVER (another build's server.js, to compare builds), BENCH_MOCK_ENV (extra mock settings, JSON).
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, 'bench');
const RESULTS = join(BENCH, 'results');
// BENCH_SERVER: another build's server.js (to compare builds); BENCH_MOCK_ENV: extra settings as JSON.
const SERVER = process.env.BENCH_SERVER ?? join(ROOT, 'dist', 'server.js');
const MOCK_ENV = process.env.BENCH_MOCK_ENV ? JSON.parse(process.env.BENCH_MOCK_ENV) : {};

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const WARMUP = num('BENCH_WARMUP', 3);
const DURATION = num('BENCH_DURATION', 10);
const CONNECTIONS = num('BENCH_CONNECTIONS', 32);
const LIVE = num('BENCH_LIVE', 10_000);
const ONLY = process.env.BENCH_CASES ? new Set(process.env.BENCH_CASES.split(',')) : null;
const PROFILE = process.env.BENCH_PROFILE === '1';
const WRITE = process.env.BENCH_NO_WRITE !== '1';
const ROUNDS = num('BENCH_ROUNDS', 4);
const COLD_STARTS = 5;

/** A port nothing listens on now (the OS picks it), so that runs never collide with other servers. */
async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
const MOCK_PORT = num('BENCH_MOCK_PORT', 0) || (await freePort());
const REF_PORT = num('BENCH_REF_PORT', 0) || (await freePort());
const COLD_PORT = num('BENCH_COLD_PORT', 0) || (await freePort());
const AUTH = { authorization: 'Bearer sk_bench_key' };
const RUNNING_ID = 'mig_bench_running';
const BIG_ID = 'mig_bench_1000';
const GET_PATH = (id) => `/v1/namespaces/migrations/${id}`;
const LIST_PATH = '/v1/namespaces/migrations/list';
const LIST_BODY = JSON.stringify({ limit: 20 });
const LIST_ROWS = 20;

if (!existsSync(SERVER)) {
  console.error(`bench: ${SERVER} is missing: run \`npm run bench\` (it builds first) or \`npm run build\``);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------- processes

const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function start(args, env) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stderrText = () => stderr;
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function stop(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(port, method, path, body, { keepAlive = true } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { ...AUTH };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = http.request(
      { host: '127.0.0.1', port, method, path, headers, agent: keepAlive ? agent : false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls /healthz until 200; resolves with the elapsed milliseconds since `t0`. */
async function waitHealthy(child, port, t0, timeoutMs = 30_000) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${child.stderrText()}`);
    try {
      const r = await request(port, 'GET', '/healthz', undefined, { keepAlive: false });
      if (r.status === 200) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`no 200 on :${port}/healthz after ${timeoutMs} ms`);
    await sleep(2);
  }
}

/** Resident set size of a process, in MB (VmRSS of /proc/<pid>/status). */
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------- load

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
const round = (x, d = 2) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

function cannon(opts, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections: CONNECTIONS, ...opts, pipelining: 1 }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
    if (onResponse) instance.on('response', onResponse);
  });
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc/<pid>/stat. */
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
  } catch {
    return null;
  }
}

function requestOptions(port, { method = 'GET', path, body }) {
  return {
    url: `http://127.0.0.1:${port}${path}`,
    method,
    headers: body === undefined ? AUTH : { ...AUTH, 'content-type': 'application/json' },
    body,
  };
}

/** A fresh accumulator for one server's measured windows of one case. */
function tally() {
  return { latencies: new Float64Array(1 << 16), n: 0, ok: 0, seconds: 0, non2xx: 0, errors: 0, timeouts: 0, cpu_ms: 0 };
}

/** One measured window into `t`; latencies recorded per response, with sub-millisecond precision. */
async function window(server, req, seconds, t, connections) {
  const cpu0 = cpuMs(server.pid);
  const w0 = performance.now();
  const result = await cannon({ ...requestOptions(server.port, req), connections, duration: seconds }, (_client, status, _bytes, ms) => {
    if (status < 200 || status > 299) return;
    if (t.n === t.latencies.length) {
      const bigger = new Float64Array(t.latencies.length * 2);
      bigger.set(t.latencies);
      t.latencies = bigger;
    }
    t.latencies[t.n++] = ms;
  });
  const cpu1 = cpuMs(server.pid);
  // Where this window falls in the server's CPU profile (seconds after its spawn), for profile-top --window.
  if (server.spawnedAt !== undefined)
    (t.windows ??= []).push(`${round((w0 - server.spawnedAt) / 1000, 1)}:${round((performance.now() - server.spawnedAt) / 1000, 1)}`);
  t.ok += result['2xx'];
  t.seconds += result.duration || seconds;
  t.non2xx += result.non2xx;
  t.errors += result.errors;
  t.timeouts += result.timeouts;
  if (cpu0 !== null && cpu1 !== null) t.cpu_ms += cpu1 - cpu0;
}

function summary(t) {
  const sorted = t.latencies.subarray(0, t.n).sort();
  return {
    rps: round(t.ok / t.seconds, 0),
    p50_ms: round(quantile(sorted, 0.5), 3),
    p99_ms: round(quantile(sorted, 0.99), 3),
    max_ms: round(sorted[sorted.length - 1], 3),
    requests: t.ok,
    seconds: round(t.seconds, 2),
    non2xx: t.non2xx,
    errors: t.errors,
    timeouts: t.timeouts,
    // CPU the server process spent per answered request: robust to other load on the machine.
    cpu_us_per_request: t.ok > 0 ? round((t.cpu_ms * 1000) / t.ok, 1) : null,
    cpu_percent: round((100 * t.cpu_ms) / (t.seconds * 1000), 0),
    ...(PROFILE && t.windows ? { profile_windows: t.windows } : {}),
  };
}

/**
 * Loads the reference and the mock with the same request: a warm-up of each, then the measured time cut
 * into ROUNDS alternating windows (reference, mock, reference, mock, ...), so that a change in the
 * machine's background load during the case weighs on both alike.
 */
async function compare(reference, mock, req, { connections = CONNECTIONS, warmup = WARMUP, duration = DURATION, warmReference = true } = {}) {
  if (warmReference) await cannon({ ...requestOptions(reference.port, req), connections, duration: warmup });
  await cannon({ ...requestOptions(mock.port, req), connections, duration: warmup });
  const ref = tally();
  const m = tally();
  for (let i = 0; i < ROUNDS; i++) {
    await window(reference, req, duration / ROUNDS, ref, connections);
    await window(mock, req, duration / ROUNDS, m, connections);
  }
  return { ref: summary(ref), mock: summary(m) };
}

// ---------------------------------------------------------------------------------------------- setup

/** The package's fixtures plus the benchmark's scenarios and their back-dated, pre-seeded migrations. */
function benchFixtures() {
  const dir = mkdtempSync(join(os.tmpdir(), 'mixpeek-bench-fixtures-'));
  cpSync(join(ROOT, 'fixtures'), dir, { recursive: true });
  for (const f of readdirSync(join(BENCH, 'fixtures', 'scenarios')))
    cpSync(join(BENCH, 'fixtures', 'scenarios', f), join(dir, 'scenarios', f));
  const preseeded = JSON.parse(readFileSync(join(dir, 'preseeded.json'), 'utf8'));
  // 30 minutes into a ~2 h 20 min plan: set-up stages done, batch processing at ~16 %, for ~1 h 40 min more.
  preseeded.migrations.push(
    { migration_id: RUNNING_ID, scenario: 'bench_running', created_seconds_ago: 1800 },
    { migration_id: BIG_ID, scenario: 'bench_1000_running', created_seconds_ago: 1800 },
  );
  writeFileSync(join(dir, 'preseeded.json'), `${JSON.stringify(preseeded, null, 2)}\n`);
  return dir;
}

const PRODUCTION = { LOG_LEVEL: 'warn', MOCK_VALIDATE_RESPONSES: 'false', MOCK_CLOCK: 'real', MOCK_TIME_SCALE: '1', HOST: '127.0.0.1' };

function machine() {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8' }));
    if (m) model = m[1].trim();
  } catch {
    // lscpu missing: os.cpus() it is
  }
  let nproc = os.availableParallelism?.() ?? os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // keep Node's figure
  }
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  return { nproc, cpu: model, node: process.version, os: `${os.type()} ${os.release()}`, memory_gb: round(os.totalmem() / 1024 ** 3, 1), commit, load_average_at_start: os.loadavg().map((x) => round(x, 2)) };
}

// ---------------------------------------------------------------------------------------------- run

const log = (...a) => console.error('bench:', ...a);
const t0 = performance.now();
const results = {
  date: new Date().toISOString(),
  machine: machine(),
  settings: { server: SERVER, extra_env: MOCK_ENV, warmup_s: WARMUP, duration_s: DURATION, connections: CONNECTIONS, pipelining: 1, live_migrations: LIVE, tool: 'autocannon (programmatic)', mock_env: PRODUCTION, profiled: PROFILE },
  cold_start: null,
  rss_mb: {},
  cases: [],
};

// 1. Cold start, with the package's own fixtures, as `npm start` would.
{
  const times = [];
  const rss = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const start0 = performance.now();
    const child = start([SERVER], { ...PRODUCTION, PORT: String(COLD_PORT) });
    times.push(await waitHealthy(child, COLD_PORT, start0));
    rss.push(rssMb(child.pid));
    if (i === COLD_STARTS - 1) {
      // Idle RSS of the mock as shipped (`npm start`): a second after start-up, before any load.
      await sleep(1000);
      results.rss_mb.idle_package_fixtures = rssMb(child.pid);
    }
    await stop(child);
  }
  results.cold_start = { median_ms: round(median(times), 1), runs_ms: times.map((t) => round(t, 1)), rss_at_first_200_mb: round(median(rss), 1) };
  log(`cold start: median ${results.cold_start.median_ms} ms (${results.cold_start.runs_ms.join(', ')})`);
}

// 2. The mock, production settings, bench fixtures.
const fixturesDir = benchFixtures();
const profileDir = join(RESULTS, 'profiles');
if (PROFILE) mkdirSync(profileDir, { recursive: true });
const mockArgs = PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profileDir, SERVER] : [SERVER];
const mockEnv = {
  ...PRODUCTION,
  PORT: String(MOCK_PORT),
  MOCK_FIXTURES_DIR: fixturesDir,
  MOCK_MAX_MIGRATIONS: String(Math.max(10_100, LIVE + 100)),
  ...MOCK_ENV,
};
const mockSpawnedAt = performance.now();
const mock = start(mockArgs, mockEnv);
{
  const ms = await waitHealthy(mock, MOCK_PORT, performance.now());
  await sleep(1000);
  results.rss_mb.idle_bench_fixtures = rssMb(mock.pid);
  log(`mock up in ${round(ms, 0)} ms; idle RSS ${results.rss_mb.idle_bench_fixtures} MB (${results.rss_mb.idle_package_fixtures} MB with the package's fixtures)`);
}

/** POST /_mock/migrations `count` times, `concurrency` at a time. */
async function createMigrations(count, port = MOCK_PORT, concurrency = 8) {
  let next = 0;
  const body = JSON.stringify({ scenario: 'bench_running' });
  const worker = async () => {
    while (next < count) {
      next++;
      const r = await request(port, 'POST', '/_mock/migrations', body);
      if (r.status !== 201) throw new Error(`POST /_mock/migrations: ${r.status} ${r.body.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

// The list case reads the newest 20: create them (they run the long scenario too).
await createMigrations(LIST_ROWS);
// bench_running validates for 1 s and queues for 1 s: wait until the 20 are in_progress, the state they
// stay in for the whole run (so that the list body, fetched below for the reference, keeps its size).
await sleep(2500);

async function mockBody(method, path, body) {
  const r = await request(MOCK_PORT, method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return r.body;
}
const runningBody = await mockBody('GET', GET_PATH(RUNNING_ID));
const bigBody = await mockBody('GET', GET_PATH(BIG_ID));
const listBody = await mockBody('POST', LIST_PATH, LIST_BODY);
for (const [id, b] of [
  [RUNNING_ID, runningBody],
  [BIG_ID, bigBody],
]) {
  const s = JSON.parse(b);
  if (s.status !== 'in_progress') throw new Error(`${id} is ${s.status}, expected in_progress`);
  log(`${id}: ${s.status}, stage ${s.progress.current_stage}, ${s.progress.resources.length} resources, ${Buffer.byteLength(b)} bytes`);
}
{
  const rows = JSON.parse(listBody).results;
  if (rows.length !== LIST_ROWS) throw new Error('the list case does not return 20 results');
  if (rows.some((r) => r.status !== 'in_progress')) throw new Error('the list case has migrations not yet in_progress');
}

// 3. The reference, serving those very bytes.
const bodiesFile = join(fixturesDir, 'reference-bodies.json');
writeFileSync(bodiesFile, JSON.stringify({ get: { [RUNNING_ID]: runningBody, [BIG_ID]: bigBody }, list: listBody }));
const reference = start([join(BENCH, 'reference-server.mjs')], { PORT: String(REF_PORT), BENCH_BODIES: bodiesFile });
await waitHealthy(reference, REF_PORT, performance.now());
for (const [method, path, body, expected] of [
  ['GET', GET_PATH(RUNNING_ID), undefined, runningBody],
  ['GET', GET_PATH(BIG_ID), undefined, bigBody],
  ['POST', LIST_PATH, LIST_BODY, listBody],
]) {
  const r = await request(REF_PORT, method, path, body);
  if (r.status !== 200 || r.body !== expected) throw new Error(`reference: ${method} ${path} does not return the mock's bytes`);
}

const servers = { reference: { pid: reference.pid, port: REF_PORT }, mock: { pid: mock.pid, port: MOCK_PORT, spawnedAt: mockSpawnedAt } };

async function runCase(id, label, req, extra = {}) {
  if (ONLY && !ONLY.has(id)) return null;
  const { body_bytes, connections = CONNECTIONS, mockServer = servers.mock, short = false, ...rest } = extra;
  // Supplementary cases get a shorter load (the whole run stays within ~3 minutes).
  // (The reference has then already served that path, warmed up, in the case before.)
  const timing = short
    ? { warmup: Math.min(WARMUP, 2), duration: Math.min(DURATION, 6), warmReference: false }
    : { warmup: WARMUP, duration: DURATION };
  const { ref, mock: m } = await compare(servers.reference, mockServer, req, { connections, ...timing });
  const row = {
    id,
    label,
    connections,
    measured_s_per_server: timing.duration,
    body_bytes,
    reference: ref,
    mock: m,
    ratio_rps: round(m.rps / ref.rps, 3),
    ratio_p99: round(m.p99_ms / ref.p99_ms, 3),
    ratio_cpu: round(m.cpu_us_per_request / ref.cpu_us_per_request, 3),
    ...rest,
  };
  // The mock's body now, against the bytes the reference serves (progress moves: a few bytes apart at most).
  const now = await request(mockServer.port, req.method ?? 'GET', req.path, req.body);
  row.body_bytes_mock_after = Buffer.byteLength(now.body);
  if (body_bytes && Math.abs(row.body_bytes_mock_after - body_bytes) > body_bytes * 0.01)
    log(`  WARNING: the mock's body is now ${row.body_bytes_mock_after} bytes, the reference's ${body_bytes}`);
  results.cases.push(row);
  log(
    `${label}: mock ${m.rps} req/s p99 ${m.p99_ms} ms ${m.cpu_us_per_request} µs CPU/req | ` +
      `reference ${ref.rps} req/s p99 ${ref.p99_ms} ms ${ref.cpu_us_per_request} µs CPU/req | ratio ${row.ratio_rps}`,
  );
  for (const [who, r] of [
    ['mock', m],
    ['reference', ref],
  ])
    if (r.non2xx || r.errors || r.timeouts) log(`  WARNING ${who}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  if (m.profile_windows) log(`  mock profile windows (s after spawn): ${m.profile_windows.join(' ')}`);
  return row;
}

// 4. The cases.
const live0 = 14 + LIST_ROWS; // the package's 12 pre-seeded + the 2 bench ones + the list's 20
const bytes = (s) => Buffer.byteLength(s);
await runCase('get_running', `GET running migration (default fixture ns_acme_media, ${live0} in store)`, { path: GET_PATH(RUNNING_ID) }, { body_bytes: bytes(runningBody) });
await runCase('get_1000', 'GET 1,000-resource migration (ns_bench_1000)', { path: GET_PATH(BIG_ID) }, { body_bytes: bytes(bigBody) });
await runCase('get_1000_1conn', 'GET 1,000-resource migration, 1 connection (service time)', { path: GET_PATH(BIG_ID) }, { body_bytes: bytes(bigBody), connections: 1, short: true });
await runCase('list_20', 'POST list, 20 results', { method: 'POST', path: LIST_PATH, body: LIST_BODY }, { body_bytes: bytes(listBody) });
results.rss_mb.after_load = rssMb(mock.pid);

// Opt-in (BENCH_CASES=...,get_running_nojournal): the first case against a second mock with
// MOCK_JOURNAL_SIZE=0 (same fixtures, so the same migration, a few bytes apart), to price the request journal.
if (ONLY?.has('get_running_nojournal')) {
  const port = await freePort();
  const lean = start([SERVER], { ...mockEnv, PORT: String(port), MOCK_JOURNAL_SIZE: '0' });
  await waitHealthy(lean, port, performance.now());
  const body = await request(port, 'GET', GET_PATH(RUNNING_ID)).then((r) => r.body);
  await runCase(
    'get_running_nojournal',
    'GET running migration, MOCK_JOURNAL_SIZE=0',
    { path: GET_PATH(RUNNING_ID) },
    { body_bytes: bytes(body), mockServer: { pid: lean.pid, port }, short: true },
  );
  await stop(lean);
}

if (!ONLY || ONLY.has('get_running_live')) {
  // A second mock, same settings and fixtures, holding LIVE more migrations. It is loaded in windows
  // alternating with the reference and the first mock (34 migrations), so the "few" and "live" figures
  // come from the same minutes of the machine.
  const port = await freePort();
  const live = start([SERVER], { ...mockEnv, ...MOCK_ENV, PORT: String(port) });
  await waitHealthy(live, port, performance.now());
  const c0 = performance.now();
  await createMigrations(LIVE, port);
  const createMs = performance.now() - c0;
  results.rss_mb.after_create_live = rssMb(live.pid);
  log(`created ${LIVE} migrations in ${round(createMs / 1000, 1)} s; RSS ${results.rss_mb.after_create_live} MB`);
  const req = { path: GET_PATH(RUNNING_ID) };
  const liveServer = { pid: live.pid, port };
  await cannon({ ...requestOptions(port, req), duration: WARMUP });
  const [ref, few, many] = [tally(), tally(), tally()];
  const seconds = Math.min(DURATION, 8); // three servers: 8 s each keeps the run within ~3 minutes
  for (let i = 0; i < ROUNDS; i++) {
    await window(servers.reference, req, seconds / ROUNDS, ref, CONNECTIONS);
    await window(servers.mock, req, seconds / ROUNDS, few, CONNECTIONS);
    await window(liveServer, req, seconds / ROUNDS, many, CONNECTIONS);
  }
  results.rss_mb.after_load_live = rssMb(live.pid);
  const [r, f, m] = [summary(ref), summary(few), summary(many)];
  const row = {
    id: 'get_running_live',
    label: `GET running migration, ${LIVE + 14} migrations in store (a second mock)`,
    connections: CONNECTIONS,
    measured_s_per_server: seconds,
    body_bytes: bytes(runningBody),
    reference: r,
    mock: m,
    few_migrations_mock: f,
    ratio_rps: round(m.rps / r.rps, 3),
    ratio_p99: round(m.p99_ms / r.p99_ms, 3),
    ratio_cpu: round(m.cpu_us_per_request / r.cpu_us_per_request, 3),
    live_migrations: LIVE + 14, // its 14 pre-seeded ones and the LIVE created
    create_seconds: round(createMs / 1000, 1),
    // Against the first mock (34 migrations) measured in the same alternating windows.
    vs_few_migrations_rps: round(m.rps / f.rps, 3),
    vs_few_migrations_cpu: round(m.cpu_us_per_request / f.cpu_us_per_request, 3),
  };
  results.cases.push(row);
  log(
    `${row.label}: mock ${m.rps} req/s p99 ${m.p99_ms} ms ${m.cpu_us_per_request} µs CPU/req | ` +
      `same windows, ${live0} migrations: ${f.rps} req/s ${f.cpu_us_per_request} µs CPU/req | reference ${r.rps} req/s | ` +
      `live/few ${row.vs_few_migrations_rps} (req/s), ${row.vs_few_migrations_cpu} (CPU/req)`,
  );
  await stop(live);
}

await stop(reference);
await stop(mock, PROFILE ? 'SIGINT' : 'SIGTERM');
rmSync(fixturesDir, { recursive: true, force: true });
results.total_seconds = round((performance.now() - t0) / 1000, 1);
results.machine.load_average_at_end = os.loadavg().map((x) => round(x, 2));

// ---------------------------------------------------------------------------------------------- report

const byId = Object.fromEntries(results.cases.map((c) => [c.id, c]));
const target = (name, value, goal, ok) => ({ target: name, value, goal, met: value === null || value === undefined ? null : ok });
results.targets = [
  target('GET running: req/s mock/reference', byId.get_running?.ratio_rps, '≥ 0.9', byId.get_running?.ratio_rps >= 0.9),
  target('GET running: p99 mock/reference', byId.get_running?.ratio_p99, '≤ 1.2', byId.get_running?.ratio_p99 <= 1.2),
  // The same goal in CPU per request, which other load on the machine moves much less than req/s.
  target('GET running: CPU/req mock/reference', byId.get_running?.ratio_cpu, '≤ 1.11', byId.get_running?.ratio_cpu <= 1 / 0.9),
  target('GET 1,000 resources: p99 (ms)', byId.get_1000?.mock.p99_ms, '≤ 20', byId.get_1000?.mock.p99_ms <= 20),
  target('GET 1,000 resources, 1 connection: p99 (ms)', byId.get_1000_1conn?.mock.p99_ms, '≤ 20', byId.get_1000_1conn?.mock.p99_ms <= 20),
  target(`GET with ${LIVE} live: req/s vs ${live0} migrations (same windows)`, byId.get_running_live?.vs_few_migrations_rps, '≥ 0.9', byId.get_running_live?.vs_few_migrations_rps >= 0.9),
  target(`GET with ${LIVE} live: CPU/req vs ${live0} migrations (same windows)`, byId.get_running_live?.vs_few_migrations_cpu, '≤ 1.11', byId.get_running_live?.vs_few_migrations_cpu <= 1 / 0.9),
  target(`RSS with ${LIVE} live, after load (MB)`, results.rss_mb.after_load_live, '≤ 300', results.rss_mb.after_load_live <= 300),
  target('cold start, median of 5 (ms)', results.cold_start.median_ms, '≤ 500', results.cold_start.median_ms <= 500),
  target('idle RSS, package fixtures (MB)', results.rss_mb.idle_package_fixtures, '≤ 100', results.rss_mb.idle_package_fixtures <= 100),
];

const fmt = (x, d = 0) => (x === null || x === undefined ? '—' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const mc = results.machine;
const lines = [
  `Run ${results.date} on ${mc.nproc} × ${mc.cpu}, Node ${mc.node}, ${mc.os}${mc.commit ? `, commit ${mc.commit}` : ''}; load average ${mc.load_average_at_start[0]} at the start, ${mc.load_average_at_end[0]} at the end (other processes share the cores: compare ratios within a run, and CPU/req).`,
  `autocannon, ${CONNECTIONS} connections unless said, ${WARMUP} s warm-up each, then ${DURATION} s measured per server and case (the 1-connection case: ${Math.min(WARMUP, 2)} s + ${Math.min(DURATION, 6)} s; the 10,000-migration case: 8 s per server, alternating with the first mock) in ${ROUNDS} alternating windows; load generator on the same cores. CPU/req: the server process's CPU time (/proc/<pid>/stat) per answered request.`,
  '',
  '| case | body (bytes) | reference req/s | mock req/s | mock/ref req/s | reference p50 / p99 (ms) | mock p50 / p99 (ms) | mock/ref p99 | CPU/req reference / mock (µs) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.cases.map(
    (c) =>
      `| ${c.label} | ${fmt(c.body_bytes)} | ${fmt(c.reference.rps)} | ${fmt(c.mock.rps)} | ${fmt(c.ratio_rps, 2)} | ${fmt(c.reference.p50_ms, 2)} / ${fmt(c.reference.p99_ms, 2)} | ${fmt(c.mock.p50_ms, 2)} / ${fmt(c.mock.p99_ms, 2)} | ${fmt(c.ratio_p99, 2)} | ${fmt(c.reference.cpu_us_per_request)} / ${fmt(c.mock.cpu_us_per_request)} |`,
  ),
  '',
  `| other | value |`,
  '|---|---:|',
  `| cold start, spawn → first 200 on /healthz (median of ${COLD_STARTS}) | ${fmt(results.cold_start.median_ms, 0)} ms |`,
  `| RSS idle, package fixtures (\`npm start\`, 1 s after start-up) | ${fmt(results.rss_mb.idle_package_fixtures, 1)} MB |`,
  `| RSS idle, bench fixtures (+ a pre-seeded 1,000-resource migration), before load | ${fmt(results.rss_mb.idle_bench_fixtures, 1)} MB |`,
  `| RSS after load (${live0} migrations) | ${fmt(results.rss_mb.after_load, 1)} MB |`,
  `| RSS after creating ${fmt(LIVE)} migrations | ${fmt(results.rss_mb.after_create_live, 1)} MB |`,
  `| RSS after load with ${fmt(LIVE)} migrations | ${fmt(results.rss_mb.after_load_live, 1)} MB |`,
  '',
  '| target | goal | measured | met |',
  '|---|---|---:|:---:|',
  ...results.targets.map((t) => `| ${t.target} | ${t.goal} | ${fmt(t.value, 2)} | ${t.met === null ? '—' : t.met ? 'yes' : '**no**'} |`),
];
const md = `${lines.join('\n')}\n`;
console.log(md);
if (WRITE) {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'latest.md'), md);
  log(`wrote bench/results/latest.json and latest.md (${results.total_seconds} s)`);
}
process.exit(0);
