import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The dashboard in a real browser against the BUILT server (`node dist/server.js`, virtual clock).
 *
 * - Build: dist/ is used as `npm run build` left it; this test runs the build first when dist/server.js
 *   or dist/ui/index.html is missing or older than any file under src/ or ui/ (so a fresh clone, as in
 *   CI, builds once here).
 * - Browser: Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it),
 *   driven by playwright-core; no browser is downloaded. Without it the test fails, it does not skip.
 * - Artefact: test-artifacts/dashboard.png (git-ignored); docs/dashboard.png is a copy of a good one.
 * - Any console error or uncaught page error fails the test.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const KEY = { authorization: 'Bearer sk_dashboard' };
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** The page updates within a second; a loaded CI machine gets more. */
const WAIT = { timeout: 15_000, interval: 100 };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const port = await freePort();
  // The server refuses unknown MOCK_* variables: start from an environment without any.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('MOCK_') && k !== 'PORT'),
  );
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', MOCK_CLOCK: 'virtual', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`dist/server.js exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { child, base, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`dist/server.js did not answer /healthz within 10 s:\n${output}`);
}

async function migration(base: string, id: string) {
  const res = await fetch(`${base}/v1/namespaces/migrations/list`, {
    method: 'POST',
    headers: { ...KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ limit: 1000 }),
  });
  const list = (await res.json()) as {
    results: { migration_id: string; status: string; error_message: string | null }[];
  };
  const m = list.results.find((r) => r.migration_id === id);
  if (!m) throw new Error(`no migration ${id}`);
  return m;
}

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the dashboard test needs Debian's chromium. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (.ci/run does).',
    );
  // dist/ is built by test/global-setup.ts when stale.
  server = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  // Reduced motion: progress bars jump to their value, so screenshots show settled bars.
  page = await browser.newPage({ viewport: { width: 1366, height: 768 }, reducedMotion: 'reduce' });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // The event stream is cut when the page closes; anything else failing is a defect.
    if (!request.url().endsWith('/_mock/ui/events')) problems.push(`request failed: ${request.url()}`);
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.child.exitCode === null) {
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
});

describe('dashboard at /_mock/ui, in headless Chromium, against the built server', () => {
  it('when a browser opens /, then it lands on the dashboard with the virtual clock and every migration', async () => {
    await page.goto(`${server.base}/`);
    expect(new URL(page.url()).pathname).toBe('/_mock/ui');
    await expect.poll(() => page.locator('.mode').textContent(), WAIT).toBe('virtual clock');
    await expect.poll(() => page.locator('#clock-now').textContent(), WAIT).toBe('2025-01-01 00:00:00 UTC');
    // Every pre-seeded migration has its card.
    await page.locator('article[data-migration-id="mig_fails_batch_processing"]').waitFor();
    expect(await page.locator('article.card').count()).toBeGreaterThanOrEqual(10);
  });

  it('when a migration is created from a scenario and the clock is moved to the end, then its card shows it completed', async () => {
    await page.getByLabel('Scenario').selectOption('copy_completes');
    await page.getByRole('button', { name: 'Create and start' }).click();
    const notice = page.getByRole('status');
    await expect.poll(() => notice.textContent(), WAIT).toMatch(/^Created mig_\w+ from copy_completes$/);
    const id = /Created (mig_\w+)/.exec((await notice.textContent()) ?? '')![1]!;
    const card = page.locator(`article[data-migration-id="${id}"]`);
    await expect.poll(() => card.locator('.badge').getAttribute('data-status'), WAIT).toBe('validating');

    // +10 s twice: mid-run, with stages and resources moving (the screenshot of docs/frontend.md).
    await page.getByRole('button', { name: '+10 s' }).click();
    await expect.poll(() => page.locator('#clock-now').textContent(), WAIT).toBe('2025-01-01 00:00:10 UTC');
    await page.getByRole('button', { name: '+10 s' }).click();
    await expect.poll(() => page.locator('#clock-now').textContent(), WAIT).toBe('2025-01-01 00:00:20 UTC');
    await expect.poll(() => card.locator('.badge').getAttribute('data-status'), WAIT).toBe('in_progress');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-running.png') });

    // Keyboard: focus the button and press Enter.
    await page.getByRole('button', { name: 'To the end' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => card.locator('.badge').getAttribute('data-status'), WAIT).toBe('completed');
    expect(await card.locator('.overall-percent').textContent()).toBe('100%');
    expect(await card.locator('.timeline .step-completed').count()).toBe(7);
    expect(
      await card
        .getByRole('progressbar', { name: `Overall progress of ${id}` })
        .getAttribute('aria-valuenow'),
    ).toBe('100');
    expect((await migration(server.base, id)).status).toBe('completed');
    expect(await page.locator('#clock-now').textContent()).not.toBe('2025-01-01 00:00:00 UTC');
  });

  it('when a failing scenario has run, then its error shows on its card, at the stage where it occurred', async () => {
    const failed = await migration(server.base, 'mig_fails_batch_processing');
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toBeTruthy();
    const card = page.locator('article[data-migration-id="mig_fails_batch_processing"]');
    expect(await card.locator('.badge').getAttribute('data-status')).toBe('failed');
    expect(await card.locator('.step-failed').getAttribute('title')).toMatch(/^Batch processing: failed/);
    expect(await card.locator('.step-failed .sr-only').first().textContent()).toBe('Batch processing');
    const stageError = card.locator('.stage-error');
    expect(await stageError.textContent()).toContain(failed.error_message!);
    expect(await stageError.isVisible()).toBe(true);
    // Resources that failed are listed, opened, with their own message.
    expect(await card.locator('.resource.status-failed .resource-error').first().isVisible()).toBe(true);
  });

  it('when a page on another origin calls the API with credentials and custom headers, then Chromium lets it read answers and errors', async () => {
    // http://localhost:PORT and http://127.0.0.1:PORT are different origins: real preflights, real CORS checks.
    const other = await browser.newPage();
    const otherProblems: string[] = [];
    other.on('console', (msg) => {
      // /healthz is a JSON page: the browser's own favicon request is a 404.
      if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico'))
        otherProblems.push(msg.text());
    });
    try {
      await other.goto(`${server.base.replace('127.0.0.1', 'localhost')}/healthz`);
      const results = await other.evaluate(async (api) => {
        const call = async (headers: Record<string, string>) => {
          const res = await fetch(`${api}/v1/namespaces/migrations/list`, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json', 'x-custom': 'yes', ...headers },
            body: JSON.stringify({ limit: 1 }),
          });
          return { status: res.status, body: await res.json() };
        };
        return [await call({ authorization: 'Bearer sk_cross_origin' }), await call({})];
      }, server.base);
      expect(results[0]!.status).toBe(200);
      expect(results[0]!.body.total).toBeGreaterThan(0);
      expect(results[1]!.status).toBe(401);
      expect(results[1]!.body.error.type).toBe('UnauthorizedError');
      // The browser logs the 401 itself; nothing else (no CORS error).
      expect(otherProblems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('when the run is over, then a screenshot is saved and no console error or page error occurred', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') });
    expect(problems).toEqual([]);
  });

  it('when the server gets SIGTERM with the dashboard still open, then its event stream does not hold the shutdown', async () => {
    const exited = new Promise<number | null>((resolve) =>
      server.child.once('exit', (code) => resolve(code)),
    );
    server.child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 4_000)),
    ]);
    expect(code, server.output()).toBe(0);
  });
});
