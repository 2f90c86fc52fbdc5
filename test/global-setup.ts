// Builds dist/ (server and dashboard) once before any test file runs, when it is missing or older than
// its sources, so that tests reading the build (the dashboard e2e test, the shutdown smoke test, routes
// serving /_mock/ui) never race each other's builds or see a half-written one.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const outputs = [join(ROOT, 'dist/server.js'), join(ROOT, 'dist/ui/index.html')];
  const sources = Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'ui')));
  if (outputs.every((f) => existsSync(f) && statSync(f).mtimeMs >= sources)) return;
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
}
