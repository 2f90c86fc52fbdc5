/**
 * openapi/openapi.json: the OpenAPI document of the mock, generated from its zod schemas.
 *   tsx scripts/openapi.ts write   regenerate the file
 *   tsx scripts/openapi.ts check   exit 1 when the committed file differs from what the code generates
 * Built with the default configuration (the environment is ignored), so the output depends on the code only.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';

const FILE = new URL('../openapi/openapi.json', import.meta.url);
const RELATIVE = 'openapi/openapi.json';

/** The document's own sections in the order OpenAPI documents are read; anything else follows, sorted. */
const TOP = ['openapi', 'info', 'servers', 'tags', 'security', 'paths', 'components'];

/**
 * Keys sorted at every level so the file does not churn with registration order, except the members of
 * `properties`, which keep the schema's declaration order (the order Mixpeek documents them in).
 */
function sortKeys(value: unknown, keepOrder = false): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (!keepOrder) keys.sort();
  return Object.fromEntries(
    keys.map((k) => [k, sortKeys((value as Record<string, unknown>)[k], k === 'properties' && !keepOrder)]),
  );
}

async function generate(): Promise<string> {
  const app = await buildApp({ config: { ...loadConfig({}), logLevel: 'silent' } });
  try {
    await app.ready();
    const doc = sortKeys(app.swagger()) as Record<string, unknown>;
    const rank = (k: string) => (TOP.includes(k) ? TOP.indexOf(k) : TOP.length);
    const ordered = Object.fromEntries(
      Object.entries(doc).sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)),
    );
    return `${JSON.stringify(ordered, null, 2)}\n`;
  } finally {
    await app.close();
  }
}

function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) {
      return `first difference at line ${i + 1}:\n  committed: ${left[i] ?? '(end of file)'}\n  generated: ${right[i] ?? '(end of file)'}`;
    }
  }
  return '';
}

const mode = process.argv[2];
if (mode === 'write') {
  await writeFile(FILE, await generate());
  console.log(`wrote ${RELATIVE}`);
} else if (mode === 'check') {
  const generated = await generate();
  const committed = await readFile(FILE, 'utf8').catch(() => null);
  if (committed === null) {
    console.error(`${RELATIVE} is missing. Run: npm run openapi:generate`);
    process.exit(1);
  }
  if (committed !== generated) {
    console.error(
      `${RELATIVE} is out of date with the code. Run: npm run openapi:generate\n${firstDifference(committed, generated)}`,
    );
    process.exit(1);
  }
  console.log(`${RELATIVE} is up to date`);
} else {
  console.error('usage: tsx scripts/openapi.ts write|check');
  process.exit(2);
}
