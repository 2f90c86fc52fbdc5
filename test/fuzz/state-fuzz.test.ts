import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWith, envelopeProblem, FUZZ_RUNS, FUZZ_SEED, runs } from './support.js';

/**
 * PUT /_mock/state with exported documents mutated at random (a value replaced, a member removed or
 * added): the import is all or nothing (a refusal is a 4xx envelope and changes nothing), and whatever
 * it accepts never makes a later request fail with a 5xx, whatever the clock does next.
 */

const TIMEOUT = FUZZ_RUNS > 1 ? 24 * 3_600_000 : 60_000;
const AUTH = { authorization: 'Bearer sk_state_fuzz' };
let app: FastifyInstance;
let exported: string;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Every path to a value of `v`, containers included (the root excepted). */
function pathsOf(v: Json, at: Path = [], out: Path[] = []): Path[] {
  const children: [string | number, Json][] = Array.isArray(v)
    ? v.map((x, i) => [i, x])
    : v !== null && typeof v === 'object'
      ? Object.entries(v)
      : [];
  for (const [k, x] of children) {
    out.push([...at, k]);
    pathsOf(x, [...at, k], out);
  }
  return out;
}

function mutate(doc: Json, path: Path, how: 'replace' | 'delete' | 'add', value: Json): Json {
  const copy = structuredClone(doc);
  let parent = copy as Record<string | number, Json> | Json[];
  for (const p of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[p] as typeof parent;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    if (how === 'replace') parent[Number(last)] = value;
    else if (how === 'delete') parent.splice(Number(last), 1);
    else parent.push(value);
  } else if (how === 'replace') parent[last] = value;
  else if (how === 'delete') delete parent[last];
  else parent[`${String(last)}_extra`] = value;
  return copy;
}

beforeAll(async () => {
  app = await appWith({ MOCK_SEED: 'state-fuzz' });
  for (const scenario of [
    'copy_completes',
    'fails_batch_processing',
    'cancelled_mid_run',
    'poll_driven',
    'validation_fails',
  ])
    await app.inject({ method: 'POST', url: '/_mock/migrations', payload: { scenario } });
  await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds: 20 } });
  exported = (await app.inject({ method: 'GET', url: '/_mock/state' })).body;
});
afterAll(async () => {
  await app?.close();
});

describe('PUT /_mock/state fuzzed with mutated exports', () => {
  it(
    'when a mutated document is sent, then it is refused with a 4xx envelope and nothing changes, or accepted and every later answer is below 500',
    async () => {
      const doc = JSON.parse(exported) as Json;
      // The plans are most of the document: weigh the paths evenly, a few thousand of them.
      const paths = pathsOf(doc);
      const value = fc.oneof(
        fc.constantFrom<Json>(
          null,
          0,
          -1,
          1e308,
          0.5,
          -8.64e15,
          8.64e15,
          '',
          'x',
          [],
          {},
          true,
          '2025-01-01T00:00:00.000Z',
        ),
        fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...paths),
          fc.constantFrom('replace', 'delete', 'add', 'replace') as fc.Arbitrary<
            'replace' | 'delete' | 'add'
          >,
          value,
          async (path, how, v) => {
            // Start each case from the exported state.
            await app.inject({
              method: 'PUT',
              url: '/_mock/state',
              payload: exported,
              headers: { 'content-type': 'application/json' },
            });
            const mutated = JSON.stringify(mutate(doc, path, how, v));
            const res = await app.inject({
              method: 'PUT',
              url: '/_mock/state',
              payload: mutated,
              headers: { 'content-type': 'application/json' },
            });
            const where = `${how} ${JSON.stringify(path)} = ${JSON.stringify(v)?.slice(0, 100)}`;
            if (res.statusCode >= 500)
              throw new Error(`${res.statusCode} on import (${where}): ${res.body.slice(0, 300)}`);
            if (res.statusCode !== 200) {
              expect(res.statusCode, where).toBeGreaterThanOrEqual(400);
              expect(envelopeProblem(res.statusCode, res.body), where).toBeNull();
              expect(
                (await app.inject({ method: 'GET', url: '/_mock/state' })).body,
                `${where} changed the state`,
              ).toBe(exported);
              return;
            }
            // Accepted: the mock must keep answering, now and at later instants.
            expect((await app.inject({ method: 'GET', url: '/_mock/state' })).body, where).toBe(mutated);
            for (const seconds of [0, 5, 600, 86_400]) {
              if (seconds > 0)
                await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds } });
              const state = JSON.parse((await app.inject({ method: 'GET', url: '/_mock/state' })).body) as {
                migrations: { plan: { migrationId: string; behaviour: { faults: unknown[] } } }[];
              };
              for (const m of state.migrations) {
                // Scheduled faults (429/500/503, drops) are 5xx on purpose.
                if (m.plan.behaviour.faults.length > 0) continue;
                const get = await app.inject({
                  method: 'GET',
                  url: `/v1/namespaces/migrations/${encodeURIComponent(m.plan.migrationId)}`,
                  headers: AUTH,
                });
                if (get.statusCode >= 500)
                  throw new Error(
                    `${get.statusCode} on GET ${m.plan.migrationId} at +${seconds}s after (${where}): ${get.body.slice(0, 300)}`,
                  );
              }
              const list = await app.inject({
                method: 'POST',
                url: '/v1/namespaces/migrations/list',
                headers: AUTH,
                payload: {},
              });
              if (list.statusCode >= 500)
                throw new Error(`${list.statusCode} on list at +${seconds}s after (${where})`);
            }
          },
        ),
        { seed: FUZZ_SEED, numRuns: runs(60) },
      );
    },
    TIMEOUT,
  );
});
