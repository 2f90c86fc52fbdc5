import { spawn } from 'node:child_process';
const p = spawn(process.execPath, ['dist/server.js'], { env: { ...process.env, PORT: "4633", LOG_LEVEL: 'warn', MOCK_TIME_SCALE: '100' }, stdio: 'inherit' });
await new Promise((r) => setTimeout(r, 4000));
const r = await fetch('http://127.0.0.1:4633/v1/namespaces/migrations/mig_reextract_completes', { headers: { authorization: 'Bearer sk_x' } });
console.log(r.status, [...r.headers]);
const t = await r.text(); console.log(t.length);
p.kill();
