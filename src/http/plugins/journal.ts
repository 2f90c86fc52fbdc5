import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { iso } from '../../domain/time.js';
import { BoundedRing } from '../../webhooks/ring.js';

/** One request as GET /_mock/requests lists it. No header value is ever stored (tokens included). */
export const JournalEntrySchema = z
  .object({
    method: z.string(),
    url: z.string().describe('Path and query string'),
    status: z.int().nullable().describe('null when no response was sent (dropped connection)'),
    at: z.iso.datetime().describe("The mock clock's instant when the request arrived"),
    wall_at: z.iso.datetime().describe('Wall-clock instant when the request arrived'),
    latency_ms: z.number().describe('Time from arrival to response, injected latency and delays included'),
    migration_id: z.string().nullable().describe('The migration id of the path, if any'),
    effects: z
      .array(z.string())
      .describe('What the mock did besides answering: latency:<ms>, fault:<kind>, poll-advance'),
  })
  .meta({ id: 'MockJournalEntry' });
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

declare module 'fastify' {
  interface FastifyInstance {
    journal: RequestJournal;
  }
}

/** What is kept per request: plain values, formatted only when the journal is read. */
interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly status: number | null;
  readonly at: number;
  readonly wallAt: number;
  readonly latencyMs: number;
  readonly effects: string[];
}

/** The recent requests: a bounded ring of MOCK_JOURNAL_SIZE entries, cleared by POST /_mock/reset. */
export class RequestJournal {
  private readonly ring: BoundedRing<Recorded>;

  constructor(capacity: number) {
    this.ring = new BoundedRing(capacity);
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  add(entry: Recorded): void {
    this.ring.push(entry);
  }

  /** Newest first, optionally of one migration. */
  list(filter: { migrationId?: string | undefined } = {}): JournalEntry[] {
    const all = this.ring.newestFirst().map(entryOf);
    return filter.migrationId === undefined ? all : all.filter((e) => e.migration_id === filter.migrationId);
  }

  clear(): void {
    this.ring.clear();
  }
}

function entryOf(r: Recorded): JournalEntry {
  return {
    method: r.method,
    url: r.url,
    status: r.status,
    at: iso(r.at),
    wall_at: new Date(r.wallAt).toISOString(),
    latency_ms: r.latencyMs,
    migration_id: migrationIdOf(r.method, r.url),
    effects: r.effects,
  };
}

interface Pending {
  readonly started: number;
  readonly at: number;
  readonly wallAt: number;
  readonly effects: string[];
  done: boolean;
}

// Kept on the request itself (cheaper than a WeakMap entry per request, on every request).
const PENDING = Symbol('journal');
type Journalled = FastifyRequest & { [PENDING]?: Pending };
const pendingOf = {
  get: (request: FastifyRequest): Pending | undefined => (request as Journalled)[PENDING],
  set: (request: FastifyRequest, p: Pending): void => {
    (request as Journalled)[PENDING] = p;
  },
};

/** Notes something the mock did to this request (`latency:300`, `fault:429`, `poll-advance`). */
export function noteEffect(request: FastifyRequest, effect: string): void {
  pendingOf.get(request)?.effects.push(effect);
}

/** Not journalled: the journal's own reads, and the dashboard's assets. */
const excluded = (path: string) =>
  path === '/_mock/requests' || path === '/_mock/ui' || path.startsWith('/_mock/ui/');

const MIGRATION_IN_PATH = /^\/v1\/namespaces\/migrations\/([^/]+)/;
const NOT_IDS = new Set(['list', 'validate']);

function migrationIdOf(method: string, url: string): string | null {
  const q = url.indexOf('?');
  const m = MIGRATION_IN_PATH.exec(q < 0 ? url : url.slice(0, q))?.[1];
  if (m === undefined || (method === 'POST' && NOT_IDS.has(m))) return null;
  try {
    return decodeURIComponent(m);
  } catch {
    return m;
  }
}

/** Journals a request once: when its response was sent, or (status null) when it ended without one. */
export function finishJournal(app: FastifyInstance, request: FastifyRequest, status: number | null): void {
  const p = pendingOf.get(request);
  if (!p || p.done) return;
  p.done = true;
  app.journal.add({
    method: request.method,
    url: request.url,
    status,
    at: p.at,
    wallAt: p.wallAt,
    latencyMs: Math.round((performance.now() - p.started) * 10) / 10,
    effects: p.effects,
  });
}

/**
 * Records every request (but the exclusions) when its response has been sent, or when its connection
 * closed without one (a dropped-connection fault, a client gone). Registered before the latency hook,
 * so latency_ms includes the injected latency.
 */
export const journalPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('journal', new RequestJournal(app.config.journalSize));
    const off = app.engine.on((e) => {
      if (e.kind === 'reset') app.journal.clear();
    });
    app.addHook('onClose', async () => {
      off();
    });
    if (app.config.journalSize === 0) return;

    // Callback hooks, no per-request socket listener: this runs on every request.
    app.addHook('onRequest', (request, _reply, done) => {
      const url = request.url;
      if (url.startsWith('/_mock/') && excluded(url.split('?')[0] ?? url)) return done();
      pendingOf.set(request, {
        started: performance.now(),
        at: app.engine.now(),
        wallAt: Date.now(),
        effects: [],
        done: false,
      });
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      finishJournal(app, request, reply.statusCode);
      done();
    });
    // A client gone before the answer; a dropped-connection fault journals itself (finishJournal).
    app.addHook('onRequestAbort', (request, done) => {
      finishJournal(app, request, null);
      done();
    });
  },
  { name: 'journal', dependencies: [] },
);
