/**
 * The dashboard's HTTP client. It reads and steers the mock through the same public APIs a user has:
 * Mixpeek's endpoints under /v1 (with an API key) and the control API under /_mock.
 */
import type { GetMigrationResponse } from '../../src/schemas/migration.js';

export type Migration = GetMigrationResponse;

export interface MockClock {
  now: string;
  mode: 'real' | 'virtual';
}

export interface Scenario {
  name: string;
  description: string;
  outcome: string;
  advance: 'time' | 'poll';
  migration_type: string;
  source_namespace_id: string;
  preseeded_ids: string[];
  faults: number;
}

export interface Settle {
  now: string;
  settles_at: string;
  remaining_seconds: number;
  mode: 'real' | 'virtual';
}

/** An answer other than 2xx, with the message of Mixpeek's error envelope when there is one. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const KEY_STORAGE = 'mixpeek-mock.api-key';
export const DEFAULT_KEY = 'sk_dashboard';

/** The key sent to /v1; another one can be chosen when MOCK_API_KEYS does not accept the default. */
export function apiKey(): string {
  try {
    return localStorage.getItem(KEY_STORAGE) || DEFAULT_KEY;
  } catch {
    return DEFAULT_KEY;
  }
}
export function setApiKey(key: string): void {
  try {
    if (key && key !== DEFAULT_KEY) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // private mode: the key lasts until reload
  }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (url.startsWith('/v1/')) headers.authorization = `Bearer ${apiKey()}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiFailure(0, 'The mock is not reachable');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const message = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
    throw new ApiFailure(
      res.status,
      typeof message === 'string' ? message : `${method} ${url}: HTTP ${res.status}`,
    );
  }
  return json as T;
}

const MIGRATIONS = '/v1/namespaces/migrations';
const id = (migrationId: string) => `${MIGRATIONS}/${encodeURIComponent(migrationId)}`;

export const api = {
  clock: () => call<MockClock>('GET', '/_mock/clock'),
  advance: (seconds: number) => call<MockClock>('POST', '/_mock/clock/advance', { seconds }),
  settle: () => call<Settle>('GET', '/_mock/ui/settle'),
  reset: () => call<{ status: 'reset'; now: string; migrations: number }>('POST', '/_mock/reset'),
  scenarios: () => call<Scenario[]>('GET', '/_mock/scenarios'),
  createFromScenario: (scenario: string) => call<Migration>('POST', '/_mock/migrations', { scenario }),
  list: () =>
    call<{ results: Migration[]; total: number }>('POST', `${MIGRATIONS}/list`, { limit: 1000, offset: 0 }),
  start: (migrationId: string) => call<unknown>('POST', `${id(migrationId)}/start`, { force: true }),
  cancel: (migrationId: string) =>
    call<unknown>('POST', `${id(migrationId)}/cancel`, { reason: 'Cancelled from the dashboard' }),
  remove: (migrationId: string) => call<void>('DELETE', id(migrationId)),
  /** The paths of the OpenAPI document: which optional control endpoints this mock has. */
  paths: async () =>
    Object.keys((await call<{ paths?: Record<string, unknown> }>('GET', '/openapi.json')).paths ?? {}),
  /** An optional endpoint (webhook deliveries, request journal): null when the mock has none. */
  optional: async (url: string): Promise<unknown> => {
    try {
      return await call<unknown>('GET', url);
    } catch (e) {
      if (e instanceof ApiFailure && (e.status === 404 || e.status === 405)) return null;
      throw e;
    }
  },
};
