// Bundles the dashboard (Preact + esbuild) into dist/ui: index.html and content-hashed assets.
// Run by `npm run build` (through `npm run build:ui`, after a type check of ui/ with ui/tsconfig.json).
// Everything is bundled: the page loads nothing from outside the mock and works offline.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const out = new URL('dist/ui/', root);

// Built beside dist/ui, then swapped in: a server (or a test) reading dist/ui never sees it half-written.
const staging = new URL(`dist/ui.tmp-${process.pid}/`, root);
await rm(staging, { recursive: true, force: true });
const result = await build({
  absWorkingDir: fileURLToPath(root),
  entryPoints: { app: 'ui/src/main.tsx' },
  outdir: `dist/ui.tmp-${process.pid}/assets`,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === 'ui/src/main.tsx');
if (!entry) throw new Error('esbuild produced no bundle for ui/src/main.tsx');
const [jsPath, { cssBundle }] = entry;
const asset = (p) => `/_mock/ui/assets/${p.split('/').pop()}`;
const template = await readFile(new URL('ui/index.html', root), 'utf8');
const html = template
  .replace('%APP_JS%', asset(jsPath))
  .replace('%APP_CSS%', cssBundle ? asset(cssBundle) : '');
await writeFile(new URL('index.html', staging), html);
const old = new URL(`dist/ui.old-${process.pid}/`, root);
await rename(out, old).catch(() => {});
await rename(staging, out);
await rm(old, { recursive: true, force: true });
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `dashboard → dist/ui (${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB)`,
);
