import { z } from 'zod';

/**
 * The server's configuration: one zod schema over the environment, parsed once at boot by `loadConfig`.
 * Nothing else reads `process.env`. Every setting is listed in `SETTINGS` (name, default, meaning), which
 * the README's table is generated from. An empty value means "use the default".
 */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** One entry per rejected variable, e.g. `Invalid setting PORT="abc": expected an integer 1..65535`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// Each setting is read from an optional string; '' and undefined both mean "the default".
const raw = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER as never;
}

const int = (min: number, max: number, fallback: number) =>
  raw.transform((s, ctx) => {
    if (s === undefined) return fallback;
    const n = /^\d+$/.test(s) ? Number(s) : Number.NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max
      ? n
      : fail(ctx, `expected an integer ${min}..${max}`);
  });

const text = (fallback: string) => raw.transform((s) => s ?? fallback);
const optionalText = raw;

const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  raw.transform((s, ctx): T[number] => {
    if (s === undefined) return fallback;
    const v = s.toLowerCase();
    return (values as readonly string[]).includes(v)
      ? (v as T[number])
      : fail(ctx, `expected one of ${values.join(', ')}`);
  });

const bool = (fallback: boolean) =>
  raw.transform((s, ctx) => {
    if (s === undefined) return fallback;
    const v = s.toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return fail(ctx, 'expected true, false, 1 or 0');
  });

const list = (item: (s: string) => boolean, expected: string, secret = false) =>
  raw.transform((s, ctx): string[] => {
    if (s === undefined) return [];
    const items = s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    const bad = items.find((x) => !item(x));
    return bad === undefined ? items : fail(ctx, secret ? expected : `${expected} (bad item "${bad}")`);
  });

const isOrigin = (s: string) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s.replace(/\/$/, '');
  } catch {
    return false;
  }
};

/** The environment, by variable name. `ConfigSchema` renames it to the camelCase `Config`. */
export const EnvSchema = z.object({
  PORT: int(1, 65535, 4010),
  HOST: text('127.0.0.1'),
  MOCK_SEED: text('mixpeek'),
  MOCK_CLOCK: oneOf(['real', 'virtual'], 'real'),
  MOCK_VIRTUAL_START: raw.transform((s, ctx) => {
    const v = s ?? '2025-01-01T00:00:00.000Z';
    const ok = z.iso.datetime().safeParse(v).success;
    return ok
      ? Date.parse(v)
      : fail(ctx, 'expected an ISO-8601 UTC instant such as 2025-01-01T00:00:00.000Z');
  }),
  MOCK_TIME_SCALE: raw.transform((s, ctx) => {
    if (s === undefined) return 1;
    const n = /^[0-9]*\.?[0-9]+(e[-+]?[0-9]+)?$/i.test(s) ? Number(s) : Number.NaN;
    return n > 0 && n <= 1000 ? n : fail(ctx, 'expected a number greater than 0 and at most 1000');
  }),
  MOCK_API_KEYS: list(
    (k) => /^\S+$/.test(k),
    'expected a comma-separated list of API keys without spaces',
    true,
  ),
  MOCK_FIXTURES_DIR: optionalText,
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  MOCK_VALIDATE_RESPONSES: bool(false),
  MOCK_BODY_LIMIT_BYTES: int(1, 1024 ** 3, 1_048_576),
  MOCK_MAX_URL_LENGTH: int(64, 1_048_576, 8192),
  MOCK_MAX_HEADER_BYTES: int(1024, 1_048_576, 16_384),
  MOCK_REQUEST_TIMEOUT_MS: int(100, 3_600_000, 30_000),
  MOCK_SHUTDOWN_TIMEOUT_MS: int(0, 600_000, 5_000),
  MOCK_MAX_MIGRATIONS: int(1, 10_000_000, 10_000),
  MOCK_JOURNAL_SIZE: int(0, 10_000_000, 500),
  MOCK_CORS_ORIGINS: raw.transform((s, ctx): string[] | '*' => {
    if (s === undefined || s === '*') return '*';
    const items = s
      .split(',')
      .map((x) => x.trim().replace(/\/$/, ''))
      .filter((x) => x !== '');
    const bad = items.find((x) => !isOrigin(x));
    return bad === undefined
      ? items
      : fail(
          ctx,
          `expected * or a comma-separated list of origins such as http://localhost:3000 (bad item "${bad}")`,
        );
  }),
  MOCK_LATENCY_MS: raw.transform((s, ctx) => {
    if (s === undefined) return { min: 0, max: 0 };
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(s);
    const min = Number(m?.[1]);
    const max = m?.[2] === undefined ? min : Number(m[2]);
    return m && min <= max && max <= 60_000
      ? { min, max }
      : fail(ctx, 'expected N or MIN-MAX in milliseconds, 0..60000, with MIN <= MAX');
  }),
  MOCK_WEBHOOK_SECRET: optionalText,
  MOCK_WEBHOOK_ALLOW: list(
    (p) => /^(\*\.)?[A-Za-z0-9.-]+(\.\*)?(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(p),
    'expected a comma-separated list of host patterns such as example.com, *.example.com, 10.1.* or localhost:8080',
  ),
  MOCK_WEBHOOK_MAX_ATTEMPTS: int(1, 20, 4),
  MOCK_WEBHOOK_BACKOFF_MS: int(0, 3_600_000, 1_000),
  MOCK_WEBHOOK_TIMEOUT_MS: int(1, 600_000, 5_000),
  MOCK_WEBHOOK_LOG_SIZE: int(0, 10_000_000, 500),
  MOCK_LATENCY_CAP_MS: int(0, 600_000, 10_000),
  MOCK_STATE_FILE: optionalText,
});

export const ConfigSchema = EnvSchema.transform((e) => ({
  port: e.PORT,
  host: e.HOST,
  seed: e.MOCK_SEED,
  clock: e.MOCK_CLOCK,
  /** Epoch milliseconds at which the virtual clock starts. */
  virtualStart: e.MOCK_VIRTUAL_START,
  /** Multiplies every planned duration (0.1 = ten times faster). */
  timeScale: e.MOCK_TIME_SCALE,
  /** Empty: any `sk_...` key is accepted. */
  apiKeys: e.MOCK_API_KEYS,
  /** undefined: the package's own fixtures/. */
  fixturesDir: e.MOCK_FIXTURES_DIR,
  logLevel: e.LOG_LEVEL,
  validateResponses: e.MOCK_VALIDATE_RESPONSES,
  bodyLimit: e.MOCK_BODY_LIMIT_BYTES,
  /** Longest accepted request target (path and query), in characters; longer: 414. */
  maxUrlLength: e.MOCK_MAX_URL_LENGTH,
  /** Node's maxHeaderSize: request line plus headers, in bytes; larger: 431. */
  maxHeaderBytes: e.MOCK_MAX_HEADER_BYTES,
  /** Longest time to receive a whole request (headers and body); slower: 408. */
  requestTimeoutMs: e.MOCK_REQUEST_TIMEOUT_MS,
  /** Grace period for in-flight requests after SIGTERM/SIGINT before the process exits 1. */
  shutdownTimeoutMs: e.MOCK_SHUTDOWN_TIMEOUT_MS,
  maxMigrations: e.MOCK_MAX_MIGRATIONS,
  journalSize: e.MOCK_JOURNAL_SIZE,
  corsOrigins: e.MOCK_CORS_ORIGINS,
  latencyMs: e.MOCK_LATENCY_MS,
  webhookSecret: e.MOCK_WEBHOOK_SECRET,
  /** Empty: webhooks may only target loopback and private addresses. */
  webhookAllow: e.MOCK_WEBHOOK_ALLOW,
  /** Attempts per webhook event, the first included. */
  webhookMaxAttempts: e.MOCK_WEBHOOK_MAX_ATTEMPTS,
  /** Delay before webhook attempt n+1: this × 2^(n-1) ms. */
  webhookBackoffMs: e.MOCK_WEBHOOK_BACKOFF_MS,
  /** Per-attempt webhook timeout, ms. */
  webhookTimeoutMs: e.MOCK_WEBHOOK_TIMEOUT_MS,
  /** Webhook delivery attempts kept for GET /_mock/webhooks. */
  webhookLogSize: e.MOCK_WEBHOOK_LOG_SIZE,
  /** Ceiling of `Prefer: latency=<ms>`. */
  latencyCapMs: e.MOCK_LATENCY_CAP_MS,
  stateFile: e.MOCK_STATE_FILE,
}));

export type Config = Readonly<z.output<typeof ConfigSchema>>;
export type EnvName = keyof typeof EnvSchema.shape;

/** Every setting with its default and meaning, in README order. */
export const SETTINGS: readonly { env: EnvName; default: string; description: string }[] = [
  { env: 'PORT', default: '4010', description: 'TCP port to listen on (1..65535).' },
  {
    env: 'HOST',
    default: '127.0.0.1',
    description: 'Interface to listen on; the Docker image sets 0.0.0.0.',
  },
  {
    env: 'MOCK_SEED',
    default: 'mixpeek',
    description: 'Global seed: same seed, same ids, names, counts and timelines.',
  },
  {
    env: 'MOCK_CLOCK',
    default: 'real',
    description: '`real` (wall clock) or `virtual` (starts at MOCK_VIRTUAL_START, moved by the control API).',
  },
  {
    env: 'MOCK_VIRTUAL_START',
    default: '2025-01-01T00:00:00.000Z',
    description: 'Start instant of the virtual clock (ISO-8601 UTC, with Z).',
  },
  {
    env: 'MOCK_TIME_SCALE',
    default: '1',
    description: 'Multiplies every planned duration (0 < x <= 1000; 0.1 runs ten times faster).',
  },
  {
    env: 'MOCK_API_KEYS',
    default: '(empty)',
    description: 'Comma-separated accepted API keys; empty accepts any key starting with `sk_`.',
  },
  {
    env: 'MOCK_FIXTURES_DIR',
    default: "(the package's fixtures/)",
    description: 'Directory of scenario and seed fixtures.',
  },
  { env: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent.' },
  {
    env: 'MOCK_VALIDATE_RESPONSES',
    default: 'false',
    description: 'Validate every response against its zod schema (slower; for contract testing).',
  },
  {
    env: 'MOCK_BODY_LIMIT_BYTES',
    default: '1048576',
    description: 'Largest accepted request body; larger bodies get 413.',
  },
  {
    env: 'MOCK_MAX_URL_LENGTH',
    default: '8192',
    description: 'Longest accepted request target (path and query, 64..1048576 characters); longer gets 414.',
  },
  {
    env: 'MOCK_MAX_HEADER_BYTES',
    default: '16384',
    description:
      "Largest request line plus headers (Node's maxHeaderSize, 1024..1048576 bytes); larger gets 431.",
  },
  {
    env: 'MOCK_REQUEST_TIMEOUT_MS',
    default: '30000',
    description:
      'Longest time to receive a whole request, headers and body (100..3600000 ms); slower gets 408.',
  },
  {
    env: 'MOCK_SHUTDOWN_TIMEOUT_MS',
    default: '5000',
    description:
      'After SIGTERM/SIGINT, how long in-flight requests may take before the process exits 1 (0..600000 ms).',
  },
  { env: 'MOCK_MAX_MIGRATIONS', default: '10000', description: 'Most migrations kept in memory.' },
  {
    env: 'MOCK_JOURNAL_SIZE',
    default: '500',
    description: 'Requests kept in the journal (`GET /_mock/requests`); 0 turns it off.',
  },
  {
    env: 'MOCK_CORS_ORIGINS',
    default: '*',
    description: '`*` or a comma-separated list of allowed browser origins.',
  },
  {
    env: 'MOCK_LATENCY_MS',
    default: '0',
    description:
      'Added latency on every request: `N` or `MIN-MAX` milliseconds (max 60000), drawn uniformly from a PRNG seeded by MOCK_SEED.',
  },
  {
    env: 'MOCK_LATENCY_CAP_MS',
    default: '10000',
    description: 'Ceiling of the per-request `Prefer: latency=<ms>` (0..600000); larger values are capped.',
  },
  {
    env: 'MOCK_WEBHOOK_SECRET',
    default: '(unset)',
    description:
      'Sent as `X-Mixpeek-Secret` with every webhook delivery; also keys `X-Mixpeek-Signature` (sha256=<hex HMAC-SHA256 of the body>).',
  },
  {
    env: 'MOCK_WEBHOOK_ALLOW',
    default: '(empty)',
    description:
      'Comma-separated host patterns webhooks may target besides loopback/private addresses (`*.example.com`, `10.1.*`, `host:port`).',
  },
  {
    env: 'MOCK_WEBHOOK_MAX_ATTEMPTS',
    default: '4',
    description:
      'Attempts per webhook event, the first included (1..20); a non-2xx, timeout or network error is retried.',
  },
  {
    env: 'MOCK_WEBHOOK_BACKOFF_MS',
    default: '1000',
    description: 'Backoff before attempt n+1 is this × 2^(n-1) ms: 1 s, 2 s, 4 s by default (0..3600000).',
  },
  {
    env: 'MOCK_WEBHOOK_TIMEOUT_MS',
    default: '5000',
    description: 'Timeout of one webhook attempt (1..600000 ms); a timeout counts as a failed attempt.',
  },
  {
    env: 'MOCK_WEBHOOK_LOG_SIZE',
    default: '500',
    description: 'Webhook delivery attempts kept for `GET /_mock/webhooks` (0 keeps none).',
  },
  {
    env: 'MOCK_STATE_FILE',
    default: '(unset)',
    description:
      'A state document (as exported by GET /_mock/state) imported at start-up; an invalid one stops start-up.',
  },
];

const KNOWN = new Set<string>(Object.keys(EnvSchema.shape));
/** Never echoed in error messages. */
const SECRET = new Set<string>(['MOCK_API_KEYS', 'MOCK_WEBHOOK_SECRET']);

/** Levenshtein distance, for "did you mean" hints on misspelled variables. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function unknownSetting(name: string): string {
  const best = [...KNOWN]
    .filter((k) => k.startsWith('MOCK_'))
    .sort((x, y) => distance(name, x) - distance(name, y))[0];
  const hint = best !== undefined && distance(name, best) <= 3 ? `; did you mean ${best}?` : '';
  return `Unknown setting ${name}${hint} (MOCK_* variables are reserved for this server)`;
}

/**
 * Parses the environment into a frozen `Config`. Throws one `ConfigError` listing every bad or unknown
 * variable (each named with its value and the reason). Pure: reads only `env`.
 */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const problems: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (name.startsWith('MOCK_') && !KNOWN.has(name)) problems.push(unknownSetting(name));
  }
  const picked: Record<string, string | undefined> = {};
  for (const name of KNOWN) picked[name] = env[name];
  const result = ConfigSchema.safeParse(picked);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0]);
      const shown = SECRET.has(name) ? '(hidden)' : JSON.stringify(picked[name] ?? '');
      problems.push(`Invalid setting ${name}=${shown}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return Object.freeze(result.data);
}

/** The settings as a Markdown table, for the README. */
export function describeSettings(): string {
  const rows = SETTINGS.map((s) => {
    const def = s.default.startsWith('(') ? s.default : `\`${s.default}\``;
    return `| \`${s.env}\` | ${def} | ${s.description} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
