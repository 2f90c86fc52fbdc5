import { spawn } from 'node:child_process';
import http from 'node:http';
const builds = process.argv.slice(2);
const get = (port) => new Promise((res) => { const r = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (x) => { x.resume(); res(x.statusCode); }); r.on('error', () => res(0)); });
const times = Object.fromEntries(builds.map((b) => [b, []]));
let port = 4700 + Math.floor(Math.random() * 200);
for (let i = 0; i < 6; i++) for (const b of builds) {
  port++;
  const t0 = performance.now();
  const p = spawn(process.execPath, [`${b}/dist/server.js`], { env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  while ((await get(port)) !== 200) await new Promise((r) => setTimeout(r, 2));
  times[b].push(performance.now() - t0);
  p.kill(); await new Promise((r) => p.once('exit', r));
}
for (const b of builds) { const s = times[b].sort((x, y) => x - y); console.log(b, 'median', s[3].toFixed(0), 'min', s[0].toFixed(0)); }
