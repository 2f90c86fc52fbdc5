import { useState } from 'preact/hooks';

/**
 * Webhook deliveries (GET /_mock/webhooks) and the request journal (GET /_mock/requests). Their shapes
 * belong to the control API, so the panels read them tolerantly: a list, or the first list inside an
 * object, and the first present member among a few likely names for each column.
 */

type Row = Record<string, unknown>;

export function rowsOf(data: unknown): Row[] {
  if (Array.isArray(data)) return data.filter((r): r is Row => typeof r === 'object' && r !== null);
  if (typeof data === 'object' && data !== null) {
    for (const v of Object.values(data)) if (Array.isArray(v)) return rowsOf(v);
  }
  return [];
}

/** The first member present among `names`, looked up in the row and one level down. */
function pick(row: Row, names: readonly string[]): unknown {
  for (const n of names) if (row[n] !== undefined && row[n] !== null) return row[n];
  for (const v of Object.values(row)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const n of names) {
        const inner = (v as Row)[n];
        if (inner !== undefined && inner !== null) return inner;
      }
    }
  }
  return undefined;
}

const text = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** `00:02:05` (the date is in the cell's title). */
const timeOf = (v: unknown): string => {
  const s = text(v);
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(s) ? s.slice(11, 19) : s;
};

interface Column {
  title: string;
  /** The value: the first member present among these names, or computed from the row. */
  value: readonly string[] | ((row: Row) => unknown);
  format?: (v: unknown) => string;
  className?: string;
}

const WEBHOOK_COLUMNS: Column[] = [
  { title: 'When', value: ['mock_instant', 'occurred_at', 'at', 'instant', 'timestamp'], format: timeOf },
  {
    title: 'Event',
    value: ['event_type', 'event', 'type'],
    format: (v) => text(v).replace(/^migration\./, ''),
  },
  { title: 'Migration', value: ['migration_id', 'subject_id'] },
  { title: 'Try', value: ['attempt', 'attempts'] },
  {
    title: 'Result',
    value: (r) =>
      [pick(r, ['status_code', 'response_status']) ?? pick(r, ['error']), pick(r, ['outcome'])]
        .filter((x) => x !== undefined && x !== null && x !== '')
        .map(text)
        .join(' · '),
    className: 'result',
  },
];

const JOURNAL_COLUMNS: Column[] = [
  { title: 'When', value: ['at', 'instant', 'timestamp', 'time'], format: timeOf },
  { title: 'Method', value: ['method'] },
  {
    title: 'Path',
    value: ['url', 'path'],
    // The emulated API's long prefix, shortened (the cell's title has the whole path).
    format: (v) => text(v).replace(/^\/v1\/namespaces\/migrations/, '…/migrations'),
    className: 'path',
  },
  { title: 'Status', value: ['status', 'status_code', 'statusCode'], className: 'result' },
  {
    title: 'ms',
    value: ['latency_ms', 'duration_ms', 'latency'],
    format: (v) => (typeof v === 'number' ? String(Math.round(v)) : text(v)),
  },
  {
    title: 'Effects',
    value: ['effects'],
    format: (v) => (Array.isArray(v) ? v.map(text).join(', ') : text(v)),
  },
];

function resultClass(v: string): string {
  const n = Number.parseInt(v, 10);
  if (/fail|error|refused|timeout|retrying/i.test(v)) return 'bad';
  if (Number.isInteger(n) && n >= 100) return n < 400 ? 'ok' : 'bad';
  return /delivered/.test(v) ? 'ok' : '';
}

function Table({ rows, columns, caption }: { rows: Row[]; columns: Column[]; caption: string }) {
  return (
    <div class="table-scroll">
      <table>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.title} scope="col">
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => {
                const raw = typeof c.value === 'function' ? c.value(row) : pick(row, c.value);
                const v = (c.format ?? text)(raw);
                const cls = c.className === 'result' ? `result ${resultClass(v)}` : (c.className ?? '');
                return (
                  <td key={c.title} class={cls} title={text(raw)}>
                    {v}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const LIMIT = 50;

export function WebhookPanel({ data }: { data: unknown }) {
  const rows = rowsOf(data);
  return (
    <details class="panel" open>
      <summary>
        <h2>Webhook deliveries</h2> <span class="count">{rows.length}</span>
      </summary>
      {rows.length === 0 ? (
        <p class="muted">No deliveries yet: set a webhook_url in a migration's config.</p>
      ) : (
        <Table
          rows={rows.slice(0, LIMIT)}
          columns={WEBHOOK_COLUMNS}
          caption="Webhook deliveries, newest first"
        />
      )}
    </details>
  );
}

export function JournalPanel({ data }: { data: unknown }) {
  const [showControl, setShowControl] = useState(false);
  const all = rowsOf(data);
  // The dashboard's own calls to /_mock and /openapi.json would drown what the app under test sent.
  const rows = showControl
    ? all
    : all.filter((r) => {
        const path = text(pick(r, ['url', 'path']));
        return !path.startsWith('/_mock') && !path.startsWith('/openapi.json');
      });
  return (
    <details class="panel" open>
      <summary>
        <h2>Request journal</h2> <span class="count">{rows.length}</span>
      </summary>
      <label class="check">
        <input
          type="checkbox"
          checked={showControl}
          onChange={(e) => setShowControl(e.currentTarget.checked)}
        />
        Show control API requests (/_mock)
      </label>
      {rows.length === 0 ? (
        <p class="muted">No requests recorded yet.</p>
      ) : (
        <Table
          rows={rows.slice(0, LIMIT)}
          columns={JOURNAL_COLUMNS}
          caption="Recent requests, newest first"
        />
      )}
    </details>
  );
}
