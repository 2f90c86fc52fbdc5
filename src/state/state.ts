import { snapshotAt, statusAt } from '../domain/snapshot.js';
import { iso } from '../domain/time.js';
import { pollSteps, timelineOf } from '../domain/timeline.js';
import type { MockEngine } from '../engine.js';
import { GetMigrationResponseSchema } from '../schemas/migration.js';
import type { StoredMigration } from '../store/migration-store.js';
import { STATE_FORMAT_VERSION, type StateDocument, StateDocumentSchema } from './document.js';

/**
 * Export and import of the whole mock state (src/state/document.ts). An import is all or nothing: the
 * document is checked completely (shape, seed, clock, every plan) before anything changes, then swapped in
 * at once by `MockEngine.replaceState`.
 */

export type JsonPath = (string | number)[];

/** One reason an import is refused, at a JSON path of the document. */
export interface StateIssue {
  readonly path: JsonPath;
  readonly reason: string;
}

/**
 * A refused import: 422 for a document that is not a valid state, 400 for a valid one this mock cannot
 * take (another seed, a virtual clock into a real one), 403 past MOCK_MAX_MIGRATIONS.
 */
export class StateImportError extends Error {
  override readonly name = 'StateImportError';
  constructor(
    readonly status: 400 | 403 | 422,
    readonly issues: readonly StateIssue[],
  ) {
    super(issues.map((i) => `${formatPath(i.path)}: ${i.reason}`).join('; '));
  }
}

/** `migrations[3].plan.run.stages[0].start`; the document itself is `(document)`. */
export function formatPath(path: JsonPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(document)' : out;
}

/** The whole state as one JSON-ready document. Reads only. */
export function exportState(engine: MockEngine): StateDocument {
  const clock = engine.clock;
  const migrations = [...engine.store.values()].map((m) => ({
    plan: m.plan,
    seq: m.seq,
    pollAt: m.pollAt,
    polls: m.polls,
    version: m.version,
  }));
  return {
    format_version: STATE_FORMAT_VERSION,
    seed: engine.config.seed,
    clock: {
      mode: clock.mode,
      now: iso(clock.now()),
      start: 'start' in clock && typeof clock.start === 'number' ? iso(clock.start) : null,
    },
    next_seq: engine.nextSeq,
    migrations: migrations as StateDocument['migrations'],
  };
}

/** A checked document, ready to be swapped in. */
export interface PreparedState {
  readonly migrations: StoredMigration[];
  readonly nextSeq: number;
  readonly clock: { start: number; now: number } | null;
}

/**
 * Checks `input` (a parsed JSON value) as a state document for `engine`, changing nothing. Throws
 * StateImportError with every problem found, each at its JSON path.
 */
export function prepareImport(engine: MockEngine, input: unknown): PreparedState {
  const parsed = StateDocumentSchema.safeParse(input);
  if (!parsed.success) {
    throw new StateImportError(
      422,
      parsed.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        reason: i.message,
      })),
    );
  }
  // The document is used as sent (its members in its own order, so answers are byte-identical); the
  // schema only checks it. Members the schema would have filled in or dropped are refused instead.
  const drift = firstDifference(input, parsed.data, []);
  if (drift) throw new StateImportError(422, [drift]);
  const doc = input as StateDocument;

  if (doc.seed !== engine.config.seed)
    throw new StateImportError(400, [
      {
        path: ['seed'],
        reason: `the state was exported with seed "${doc.seed}" but this mock runs with "${engine.config.seed}": start it with MOCK_SEED="${doc.seed}"`,
      },
    ]);
  let clock: PreparedState['clock'] = null;
  if (engine.clock.mode === 'virtual') {
    const now = Date.parse(doc.clock.now);
    clock = { start: doc.clock.start === null ? now : Date.parse(doc.clock.start), now };
  } else if (doc.clock.mode === 'virtual') {
    throw new StateImportError(400, [
      {
        path: ['clock', 'mode'],
        reason:
          'the state has a virtual clock but this mock runs on the real clock: start it with MOCK_CLOCK=virtual',
      },
    ]);
  }

  const limit = engine.config.maxMigrations;
  if (doc.migrations.length > limit)
    throw new StateImportError(403, [
      {
        path: ['migrations'],
        reason: `the state holds ${doc.migrations.length} migrations; this mock holds at most ${limit} (MOCK_MAX_MIGRATIONS)`,
      },
    ]);

  const issues: StateIssue[] = [];
  const ids = new Map<string, number>();
  const seqs = new Map<number, number>();
  const now = clock?.now ?? engine.now();
  const migrations: StoredMigration[] = [];
  doc.migrations.forEach((m, i) => {
    const at = (...path: JsonPath) => ['migrations', i, ...path];
    const id = m.plan.migrationId;
    const sameId = ids.get(id);
    if (sameId !== undefined)
      issues.push({
        path: at('plan', 'migrationId'),
        reason: `duplicate id "${id}" (also migrations[${sameId}])`,
      });
    ids.set(id, i);
    const sameSeq = seqs.get(m.seq);
    if (sameSeq !== undefined)
      issues.push({ path: at('seq'), reason: `duplicate seq ${m.seq} (also migrations[${sameSeq}])` });
    seqs.set(m.seq, i);
    if (m.seq >= doc.next_seq)
      issues.push({ path: at('seq'), reason: `must be below next_seq (${doc.next_seq})` });
    const pollDriven = m.plan.behaviour.advance === 'poll';
    if (pollDriven !== (m.pollAt !== null))
      issues.push({
        path: at('pollAt'),
        reason: pollDriven
          ? 'a poll-driven migration needs the instant it reached'
          : 'must be null for a time-driven migration',
      });
    if (m.plan.createdAt > now)
      issues.push({
        path: at('plan', 'createdAt'),
        reason: `created at ${new Date(m.plan.createdAt).toISOString()}, after the clock's now (${new Date(now).toISOString()})`,
      });
    const problem = probe(m as StoredMigration, now);
    if (problem) issues.push({ path: at('plan'), reason: problem });
    migrations.push({ ...(m as Omit<StoredMigration, 'cache'>), cache: null });
  });
  if (issues.length > 0) throw new StateImportError(422, issues);
  return { migrations, nextSeq: doc.next_seq, clock };
}

/** Imports a state document: checks it whole, then replaces the engine's state at once. */
export function importState(engine: MockEngine, input: unknown): PreparedState {
  const prepared = prepareImport(engine, input);
  engine.replaceState(prepared);
  return prepared;
}

/**
 * A plan the lifecycle core cannot read would answer 500s later: it must render a snapshot at each of its
 * own instants, one that GetMigrationResponseSchema accepts at the instant it is read at now (schema
 * checks cost ~0.1 ms each: one per migration), and give a timeline and poll steps.
 */
function probe(m: StoredMigration, now: number): string | null {
  const p = m.plan;
  try {
    const current = m.pollAt ?? now;
    const checked = GetMigrationResponseSchema.safeParse(snapshotAt(p, current));
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      return `its snapshot at ${iso(current)} is invalid: ${formatPath(issue.path.map(String))}: ${issue.message}`;
    }
    const instants = [p.createdAt, p.validatingUntil];
    if (p.cancel) instants.push(p.cancel.at);
    if (p.run) {
      instants.push(p.run.startedAt, p.run.inProgressAt, p.run.endAt, p.run.estimatedCompletion);
      for (const s of p.run.stages)
        for (const t of [s.start, s.plannedEnd, s.end]) if (t !== null) instants.push(t);
    }
    for (const t of instants) {
      statusAt(p, t);
      snapshotAt(p, t);
    }
    timelineOf(p);
    pollSteps(p);
    return null;
  } catch (e) {
    return `the plan cannot be read: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * The first place where the schema's output differs from the document (a default filled in, a member
 * dropped). The path is built only on the way back from a difference: documents hold ~10^5 values.
 */
function firstDifference(input: unknown, output: unknown, path: JsonPath): StateIssue | null {
  const found = diff(input, output);
  return found && { path: [...path, ...found.path.reverse()], reason: found.reason };
}

function diff(input: unknown, output: unknown): { path: JsonPath; reason: string } | null {
  if (Array.isArray(input) && Array.isArray(output)) {
    for (let i = 0; i < input.length; i++) {
      const d = diff(input[i], output[i]);
      if (d) {
        d.path.push(i);
        return d;
      }
    }
    return null;
  }
  if (isObject(input) && isObject(output)) {
    for (const k in input) if (!Object.hasOwn(output, k)) return { path: [k], reason: 'unknown member' };
    for (const k in output) {
      if (!Object.hasOwn(input, k)) return { path: [k], reason: 'required' };
      const d = diff(input[k], output[k]);
      if (d) {
        d.path.push(k);
        return d;
      }
    }
    return null;
  }
  return Object.is(input, output) ? null : { path: [], reason: 'invalid value' };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
