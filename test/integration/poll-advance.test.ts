import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { snapshotAt } from '../../src/domain/snapshot.js';
import { pollSteps } from '../../src/domain/timeline.js';
import { appWith } from '../helpers/apps.js';

const AUTH = { authorization: 'Bearer sk_test_polls' };

const get = (app: FastifyInstance, id: string) =>
  app.inject({ method: 'GET', url: `/v1/namespaces/migrations/${id}`, headers: AUTH });

async function createPollDriven(app: FastifyInstance, name: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/namespaces/migrations/',
    headers: { ...AUTH, prefer: 'scenario=copy_completes, advance=poll' },
    payload: {
      config: { migration_type: 'copy', source_namespace_id: 'ns_acme_media', target_namespace_name: name },
      start_immediately: true,
    },
  });
  expect(res.statusCode).toBe(201);
  return res.json().migration_id;
}

/** GETs `id` until it is terminal (at most `max` times); returns the bodies. */
async function pollToEnd(app: FastifyInstance, id: string, max = 500) {
  const bodies: Record<string, unknown>[] = [];
  for (let i = 0; i < max; i++) {
    const res = await get(app, id);
    expect(res.statusCode).toBe(200);
    bodies.push(res.json());
    if (['completed', 'failed', 'cancelled'].includes(res.json().status)) break;
  }
  return bodies;
}

const dedupe = <T>(xs: T[]) => xs.filter((x, i) => i === 0 || x !== xs[i - 1]);

describe('GET of a poll-driven migration', () => {
  it('when mig_poll_driven is polled N times, then GET n answers the snapshot at the n-th step of pollSteps(plan)', async () => {
    const app = await appWith();
    const m = app.engine.find('mig_poll_driven');
    const steps = pollSteps(m.plan);
    expect(steps[0]).toBe(m.plan.createdAt);
    for (let n = 1; n < steps.length; n++) {
      const res = await get(app, 'mig_poll_driven');
      expect(res.json()).toEqual(JSON.parse(JSON.stringify(snapshotAt(m.plan, steps[n]!))));
    }
    expect((await get(app, 'mig_poll_driven')).json().status).toBe('completed');
  });

  it('when polled to the end, then it goes pending → in_progress → completed with a non-decreasing percent, and stays completed', async () => {
    const app = await appWith();
    const bodies = await pollToEnd(app, 'mig_poll_driven');
    const steps = pollSteps(app.engine.find('mig_poll_driven').plan);
    expect(bodies).toHaveLength(steps.length - 1);
    expect(dedupe(bodies.map((b) => b.status))).toEqual(['pending', 'in_progress', 'completed']);
    const percents = bodies.map(
      (b) => (b.progress as { overall_progress_percent: number }).overall_progress_percent,
    );
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1]!)).toBe(true);
    expect(percents.at(-1)).toBe(100);
    const again = await get(app, 'mig_poll_driven');
    const andAgain = await get(app, 'mig_poll_driven');
    expect(again.json()).toEqual(bodies.at(-1));
    expect(andAgain.body).toBe(again.body);
  });

  it('when a migration is created with Prefer: advance=poll, then each GET steps it along its plan', async () => {
    const app = await appWith();
    const id = await createPollDriven(app, 'polled_copy');
    const plan = app.engine.find(id).plan;
    const steps = pollSteps(plan);
    const bodies = await pollToEnd(app, id);
    expect(bodies).toEqual(steps.slice(1).map((t) => JSON.parse(JSON.stringify(snapshotAt(plan, t)))));
    expect(dedupe(bodies.map((b) => b.status))).toEqual(['pending', 'in_progress', 'completed']);
  });

  it('when one poll-driven migration is polled, then an untouched one does not move, nor with the clock', async () => {
    const app = await appWith();
    const polled = await createPollDriven(app, 'polled_a');
    const untouched = await createPollDriven(app, 'polled_b');
    const before = app.engine.snapshotJson(app.engine.find(untouched));
    await pollToEnd(app, polled);
    await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 3600 } });
    expect(app.engine.snapshotJson(app.engine.find(untouched))).toBe(before);
    expect(app.engine.find(untouched).pollAt).toBe(app.engine.find(untouched).plan.createdAt);
    // Listing reads without stepping.
    await app.inject({ method: 'POST', url: '/v1/namespaces/migrations/list', headers: AUTH, payload: {} });
    expect(app.engine.snapshotJson(app.engine.find(untouched))).toBe(before);
    // Its first GET is its first step.
    const first = await get(app, untouched);
    expect(first.json().status).toBe('pending');
  });

  it('when a time-driven migration is polled, then it does not move while the clock stands still', async () => {
    const app = await appWith();
    await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 7 } });
    const a = await get(app, 'mig_copy_completes');
    const b = await get(app, 'mig_copy_completes');
    expect(a.json().status).toBe('in_progress');
    expect(b.body).toBe(a.body);
  });

  it('when a running migration is read, then X-Poll-Interval suggests when to poll; none once it is terminal', async () => {
    const app = await appWith();
    // Time-driven: seconds to the next event, rounded up, between 1 and 5.
    const first = await get(app, 'mig_copy_completes');
    expect(first.json().status).toBe('validating');
    expect(first.headers['x-poll-interval']).toBe('2');
    await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 2 } });
    expect((await get(app, 'mig_copy_completes')).headers['x-poll-interval']).toBe('3');
    await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 3600 } });
    const done = await get(app, 'mig_copy_completes');
    expect(done.json().status).toBe('completed');
    expect(done.headers['x-poll-interval']).toBeUndefined();
    // Poll-driven: the next poll moves it.
    expect((await get(app, 'mig_poll_driven')).headers['x-poll-interval']).toBe('1');
    // A draft does not move by itself: no hint.
    expect((await get(app, 'mig_validation_fails')).headers['x-poll-interval']).toBeUndefined();
  });

  it('when a GET steps a poll-driven migration, then the journal notes poll-advance; at the end it does not', async () => {
    const app = await appWith();
    const steps = pollSteps(app.engine.find('mig_poll_driven').plan).length - 1;
    for (let i = 0; i <= steps; i++) await get(app, 'mig_poll_driven');
    const journal = (
      await app.inject({ method: 'GET', url: '/_mock/requests?migration_id=mig_poll_driven' })
    ).json();
    const effects = journal.requests.map((r: { effects: string[] }) => r.effects);
    expect(effects[0]).toEqual([]);
    expect(effects.slice(1)).toEqual(Array(steps).fill(['poll-advance']));
  });
});
