import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSettings, loadConfig, SETTINGS } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { defaultFixturesDir, loadCatalog } from '../../src/scenarios/load.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('when a newcomer reads it, then it shows the two commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it('when settings exist, then the README table is the one generated from src/config.ts', () => {
    for (const s of SETTINGS) expect(readme, s.env).toContain(`\`${s.env}\``);
    expect(readme, 'run npm run readme:settings').toContain(describeSettings());
  });

  it('when fixtures define scenarios and well-known ids, then every one is listed', () => {
    const catalog = loadCatalog(defaultFixturesDir());
    for (const name of catalog.scenarios.keys()) expect(readme, name).toContain(`\`${name}\``);
    for (const p of catalog.preseeded) expect(readme, p.migration_id).toContain(`\`${p.migration_id}\``);
  });
});

// The curl session in the README is replayed here: its answers must stay exactly what it shows.
describe('README › curl session', () => {
  const H = { authorization: 'Bearer sk_test_123' };
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    app = await buildApp({ config: loadConfig({ MOCK_CLOCK: 'virtual', LOG_LEVEL: 'silent' }) });
    await app.ready();
  });
  afterAll(() => app.close());

  it('when replayed against a fresh virtual-clock server, then every shown answer matches', async () => {
    const shown = (fragment: string) => expect(readme).toContain(fragment);
    const create = await app.inject({
      method: 'POST',
      url: '/v1/namespaces/migrations/',
      headers: H,
      payload: { config: { migration_type: 'copy', source_namespace_id: 'ns_support_kb', target_namespace_name: 'support_kb_copy' } },
    });
    expect(create.statusCode).toBe(201);
    const id = create.json().migration_id;
    shown(`"migration_id":"${id}","status":"draft"`);
    shown(`"estimated_duration_seconds":${create.json().validation_result.estimated_duration_seconds}}`);
    const start = await app.inject({ method: 'POST', url: `/v1/namespaces/migrations/${id}/start`, headers: H });
    shown(`"task_id":"${start.json().task_id}"`);
    await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 10 } });
    const got = (await app.inject({ method: 'GET', url: `/v1/namespaces/migrations/${id}`, headers: H })).json();
    shown(
      `{"status":"${got.status}","stage":"${got.progress.current_stage}","pct":${got.progress.overall_progress_percent}}`,
    );
    const cancel = await app.inject({
      method: 'POST',
      url: `/v1/namespaces/migrations/${id}/cancel`,
      headers: H,
      payload: { reason: 'wrong target' },
    });
    shown(JSON.stringify(cancel.json()));
    const list = await app.inject({
      method: 'POST',
      url: '/v1/namespaces/migrations/list',
      headers: H,
      payload: { status: 'cancelled', limit: 5 },
    });
    shown(JSON.stringify({ total: list.json().total, ids: list.json().results.map((r: { migration_id: string }) => r.migration_id) }));
    const del = await app.inject({ method: 'DELETE', url: `/v1/namespaces/migrations/${id}`, headers: H });
    expect(del.statusCode).toBe(204);
    const gone = await app.inject({ method: 'GET', url: `/v1/namespaces/migrations/${id}`, headers: H });
    shown(gone.body);
  });
});
