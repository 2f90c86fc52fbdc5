import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiFailure, api, apiKey, type Migration, type MockClock, type Scenario, setApiKey } from './api.js';
import { ACTIVE, formatDuration, formatInstant, statusLabel } from './format.js';
import { type Action, MigrationCard } from './migration-card.js';
import { JournalPanel, WebhookPanel } from './side-panels.js';

const WEBHOOKS = '/_mock/webhooks';
const REQUESTS = '/_mock/requests';
const FILTERS = ['all', 'active', 'draft', 'completed', 'failed', 'cancelled'] as const;
type Filter = (typeof FILTERS)[number];

interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

/** Wall time, ticking every second while `enabled` (to show a real clock between loads). */
function useWallTime(enabled: boolean): number {
  const [t, setT] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    const id = setInterval(() => setT(Date.now()), 1000);
    return () => clearInterval(id);
  }, [enabled]);
  return t;
}

export function App() {
  const [clock, setClockState] = useState<(MockClock & { receivedAt: number }) | null>(null);
  const setClock = useCallback((c: MockClock) => setClockState({ ...c, receivedAt: Date.now() }), []);
  const [migrations, setMigrations] = useState<Migration[] | null>(null);
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  const [scenario, setScenario] = useState('');
  const [filter, setFilter] = useState<Filter>('all');
  const [problem, setProblem] = useState<ApiFailure | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState(false);
  const [webhooks, setWebhooks] = useState<unknown>(null);
  const [journal, setJournal] = useState<unknown>(null);
  const [keyDraft, setKeyDraft] = useState(apiKey());

  // Which optional control endpoints exist, from the OpenAPI document (asking blindly would log 404s).
  const features = useRef({ webhooks: false, requests: false });
  const busyRef = useRef(false);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const loadPanels = useCallback(async () => {
    const [w, r] = await Promise.all([
      features.current.webhooks ? api.optional(WEBHOOKS) : null,
      features.current.requests ? api.optional(REQUESTS) : null,
    ]);
    if (w === null) features.current.webhooks = false;
    if (r === null) features.current.requests = false;
    setWebhooks(w);
    setJournal(r);
  }, []);

  const load = useCallback(async () => {
    try {
      const [c, list] = await Promise.all([api.clock(), api.list(), loadPanels()]);
      setClock(c);
      setMigrations(list.results);
      setProblem(null);
    } catch (e) {
      setProblem(e instanceof ApiFailure ? e : new ApiFailure(0, String(e)));
    }
  }, [loadPanels, setClock]);

  // One load at a time; a change signalled meanwhile gives exactly one more.
  const inflight = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  const refresh = useCallback((): Promise<void> => {
    if (inflight.current) {
      again.current = true;
      return inflight.current;
    }
    const run = async () => {
      do {
        again.current = false;
        await load();
      } while (again.current);
    };
    inflight.current = run().finally(() => {
      inflight.current = null;
    });
    return inflight.current;
  }, [load]);

  const loadScenarios = useCallback(async () => {
    const list = await api.scenarios();
    setScenarios(list);
    setScenario((current) =>
      list.some((s) => s.name === current)
        ? current
        : ((list.find((s) => s.name === 'copy_completes') ?? list[0])?.name ?? ''),
    );
  }, []);

  // Start: features, scenarios, first load; then server-sent events say when something moved.
  useEffect(() => {
    let closed = false;
    refresh();
    loadScenarios().catch((e) => setProblem(e instanceof ApiFailure ? e : new ApiFailure(0, String(e))));
    api.paths().then(
      (paths) => {
        features.current = { webhooks: paths.includes(WEBHOOKS), requests: paths.includes(REQUESTS) };
        if (!closed) loadPanels();
      },
      () => {
        // no OpenAPI document: no optional panels
      },
    );
    const events = new EventSource('/_mock/ui/events');
    let connected = false;
    events.addEventListener('hello', () => {
      setLive(true);
      // A reconnection (the mock restarted, or the network came back): what changed meanwhile is unknown.
      if (connected) refresh();
      connected = true;
    });
    // During an action the page refetches once it is done: the events it causes need no load of their own.
    events.addEventListener('change', () => {
      if (!busyRef.current) refresh();
    });
    events.onerror = () => setLive(false);
    return () => {
      closed = true;
      events.close();
    };
  }, [refresh, loadScenarios, loadPanels]);

  // Polling where events cannot tell: a real clock moves on its own, webhook retries and the journal
  // change without engine events, and without the event stream everything is polled.
  const anyActive = migrations?.some((m) => ACTIVE.has(m.status)) ?? false;
  const tick = useRef(0);
  useEffect(() => {
    const id = setInterval(() => {
      tick.current++;
      if (!live || (clock?.mode === 'real' && anyActive)) refresh();
      else if (tick.current % 2 === 0 && (features.current.webhooks || features.current.requests))
        loadPanels();
    }, 1000);
    return () => clearInterval(id);
  }, [live, clock?.mode, anyActive, refresh, loadPanels]);

  const act = useCallback(
    async (f: () => Promise<string>) => {
      if (busyRef.current) return;
      busyRef.current = true;
      setBusy(true);
      try {
        setNotice({ kind: 'ok', text: await f() });
      } catch (e) {
        setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
      } finally {
        busyRef.current = false;
        setBusy(false);
        await refresh();
      }
    },
    [refresh],
  );

  const onAction = useCallback(
    (action: Action, id: string) =>
      act(async () => {
        if (action === 'start') {
          await api.start(id);
          return `Started ${id}`;
        }
        if (action === 'cancel') {
          await api.cancel(id);
          return `Cancelled ${id}`;
        }
        await api.remove(id);
        headingRef.current?.focus();
        return `Deleted ${id}`;
      }),
    [act],
  );

  const advance = (seconds: number) =>
    act(async () => {
      const c = await api.advance(seconds);
      setClock(c);
      return `Clock advanced by ${formatDuration(seconds * 1000)} to ${formatInstant(c.now)}`;
    });

  const toTheEnd = () =>
    act(async () => {
      const s = await api.settle();
      const ms = Date.parse(s.settles_at) - Date.parse(s.now);
      if (ms <= 0) return 'Nothing left to run: every time-driven migration has settled';
      const c = await api.advance(ms / 1000);
      setClock(c);
      return `Clock advanced by ${formatDuration(ms)} to ${formatInstant(c.now)}: every time-driven migration has settled`;
    });

  const reset = () =>
    act(async () => {
      const r = await api.reset();
      await loadScenarios();
      return `Reset: clock back to ${formatInstant(r.now)}, ${r.migrations} pre-seeded migrations`;
    });

  const create = (e: Event) => {
    e.preventDefault();
    if (!scenario) return;
    act(async () => {
      const m = await api.createFromScenario(scenario);
      return `Created ${m.migration_id} from ${scenario}`;
    });
  };

  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const m of migrations ?? []) c[m.status] = (c[m.status] ?? 0) + 1;
    return c;
  }, [migrations]);
  const shown = (migrations ?? []).filter((m) =>
    filter === 'all' ? true : filter === 'active' ? ACTIVE.has(m.status) : m.status === filter,
  );
  const selected = scenarios.find((s) => s.name === scenario);
  const virtual = clock?.mode === 'virtual';
  const wall = useWallTime(clock?.mode === 'real');
  const shownNow =
    clock &&
    (virtual
      ? clock.now
      : new Date(Date.parse(clock.now) + Math.max(0, wall - clock.receivedAt)).toISOString());
  const clockTitle = virtual
    ? 'The virtual clock moves only when told (buttons here, or POST /_mock/clock/advance)'
    : 'Real clock (MOCK_CLOCK=real): start the mock with MOCK_CLOCK=virtual to move it';

  return (
    <>
      <a class="skip" href="#migrations">
        Skip to migrations
      </a>
      <header class="topbar">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            M
          </span>
          <div>
            <h1>Namespace migrations</h1>
            <p class="muted">Mixpeek mock · dashboard</p>
          </div>
        </div>
        <div class="clock" title={clockTitle}>
          <span class={`mode mode-${clock?.mode ?? 'unknown'}`}>
            {clock ? `${clock.mode} clock` : 'clock'}
          </span>
          <time id="clock-now" dateTime={clock?.now}>
            {shownNow ? formatInstant(shownNow) : '…'}
          </time>
        </div>
        <fieldset class="clock-controls" disabled={!virtual}>
          <legend class="sr-only">Move the virtual clock</legend>
          <button type="button" onClick={() => advance(10)}>
            +10 s
          </button>
          <button type="button" onClick={() => advance(60)}>
            +1 min
          </button>
          <button type="button" onClick={toTheEnd} title="Advance by the longest remaining time">
            To the end
          </button>
        </fieldset>
        <button
          type="button"
          class="danger"
          onClick={reset}
          title="Clock to its start, created migrations gone"
        >
          Reset
        </button>
        <span
          class={`live ${live ? 'on' : 'off'}`}
          title={live ? 'Live: server-sent events' : 'Polling every second'}
        >
          {live ? 'live' : 'polling'}
        </span>
      </header>

      {problem && (
        <div class="banner" role="alert">
          {problem.status === 401 ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                setApiKey(keyDraft.trim());
                refresh();
              }}
            >
              <p>
                The mock refused the dashboard's API key <code>{apiKey()}</code> ({problem.message}).
                MOCK_API_KEYS is set: enter one of its keys.
              </p>
              <label for="api-key">API key</label>{' '}
              <input id="api-key" value={keyDraft} onInput={(e) => setKeyDraft(e.currentTarget.value)} />{' '}
              <button type="submit">Use this key</button>
            </form>
          ) : (
            <p>{problem.message}</p>
          )}
        </div>
      )}

      <main class="layout">
        <section class="migrations" id="migrations" aria-labelledby="migrations-h">
          <div class="section-head">
            <h2 id="migrations-h" tabIndex={-1} ref={headingRef}>
              Migrations <span class="count">{migrations?.length ?? '…'}</span>
            </h2>
            <p class="summary muted">
              {Object.entries(counts)
                .map(([s, n]) => `${n} ${statusLabel(s)}`)
                .join(' · ')}
            </p>
            <label class="filter">
              Status{' '}
              <select value={filter} onChange={(e) => setFilter(e.currentTarget.value as Filter)}>
                {FILTERS.map((f) => (
                  <option key={f} value={f}>
                    {f === 'all' ? 'all statuses' : statusLabel(f)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div class={`notice ${notice?.kind ?? ''}`} role="status" aria-live="polite">
            {notice?.text}
          </div>
          {migrations === null ? (
            <p class="muted">Loading…</p>
          ) : shown.length === 0 ? (
            <p class="muted empty">
              No migrations{filter === 'all' ? '' : ` with status ${filter}`}: create one from a scenario.
            </p>
          ) : (
            shown.map((m) => (
              <MigrationCard
                key={m.migration_id}
                migration={m}
                now={clock?.now ?? null}
                busy={busy}
                onAction={onAction}
              />
            ))
          )}
        </section>

        <aside class="side">
          <form class="panel create" onSubmit={create}>
            <h2>New migration</h2>
            <label for="scenario">Scenario</label>
            <select id="scenario" value={scenario} onChange={(e) => setScenario(e.currentTarget.value)}>
              {scenarios.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name}
                </option>
              ))}
            </select>
            {selected && (
              <p class="muted scenario-desc">
                {selected.description}{' '}
                <span class="tags">
                  <span class="tag">{selected.migration_type}</span>
                  <span class="tag">outcome: {selected.outcome}</span>
                  {selected.advance === 'poll' && <span class="tag">advances per GET</span>}
                  {selected.faults > 0 && <span class="tag">{selected.faults} faults</span>}
                </span>
              </p>
            )}
            <button type="submit" class="primary" disabled={!scenario}>
              Create and start
            </button>
          </form>
          {features.current.webhooks && webhooks !== null && <WebhookPanel data={webhooks} />}
          {features.current.requests && journal !== null && <JournalPanel data={journal} />}
          <nav class="panel links" aria-label="More">
            <h2>API</h2>
            <ul>
              <li>
                <a href="/docs">API reference (Swagger UI)</a>
              </li>
              <li>
                <a href="/openapi.json">OpenAPI document</a>
              </li>
            </ul>
          </nav>
        </aside>
      </main>
    </>
  );
}
