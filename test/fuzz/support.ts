import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { EnvSchema, loadConfig } from '../../src/config.js';
import { ERROR_TYPES, type ErrorStatus } from '../../src/errors.js';
import { buildApp } from '../../src/http/app.js';

/**
 * Shared by the fuzz suite and the limits tests: building an app from settings, checking Mixpeek's error
 * envelope, and raw HTTP/1.1 over a socket (for what app.inject cannot send: malformed request lines,
 * oversized heads, bytes Node's parser refuses).
 */

/** FUZZ_RUNS=n multiplies the number of cases (`npm run fuzz` sets it); the default suits `npm test`. */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? '0') || 0);
/** fast-check seed: fixed, so a failure in CI replays; FUZZ_SEED overrides it for longer runs. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? '20260601');
export const runs = (defaultRuns: number) => (FUZZ_RUNS > 1 ? FUZZ_RUNS : defaultRuns);

/** Settings the running build knows (colleagues add some): unknown MOCK_* names would stop loadConfig. */
export function knownEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k in EnvSchema.shape));
}

export async function appWith(
  env: Record<string, string> = {},
  opts: { logStream?: { write(line: string): void } } = {},
): Promise<FastifyInstance> {
  const config = loadConfig(knownEnv({ LOG_LEVEL: 'silent', MOCK_CLOCK: 'virtual', ...env }));
  const app = await buildApp({ config, ...opts });
  await app.ready();
  return app;
}

/**
 * Why `body` is not Mixpeek's envelope for `status`, or null when it is:
 * `{success:false, status, error:{message, type, details}}`, status equal to the HTTP status, the type
 * the one error table gives for it, no other members.
 */
export function envelopeProblem(status: number, body: string): string | null {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return `body is not JSON: ${JSON.stringify(body.slice(0, 200))}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'body is not an object';
  const e = v as Record<string, unknown>;
  const keys = Object.keys(e).sort().join(',');
  if (keys !== 'error,status,success') return `envelope members are ${keys}`;
  if (e.success !== false) return 'success is not false';
  if (e.status !== status) return `status ${String(e.status)} differs from the HTTP status ${status}`;
  const err = e.error as Record<string, unknown> | null;
  if (typeof err !== 'object' || err === null) return 'error is not an object';
  if (Object.keys(err).sort().join(',') !== 'details,message,type')
    return `error members are ${Object.keys(err).join(',')}`;
  if (typeof err.message !== 'string' || err.message === '') return 'error.message is not a non-empty string';
  const type = ERROR_TYPES[status as ErrorStatus];
  if (err.type !== type) return `error.type is ${String(err.type)}, expected ${type}`;
  if (err.details !== null && (typeof err.details !== 'object' || Array.isArray(err.details)))
    return 'error.details is neither an object nor null';
  return null;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The socket was closed by the server (or the response was complete with Connection: close). */
  readonly closed: boolean;
  readonly ms: number;
}

/**
 * Sends `data` on a fresh socket and reads one HTTP/1.1 response (Content-Length or chunked), until the
 * server closes or `timeoutMs` passes (then rejects: a hang). Bytes are sent as given.
 */
export function rawRequest(
  port: number,
  data: string | Buffer,
  opts: { timeoutMs?: number; head?: boolean; keepOpen?: (socket: net.Socket) => void } = {},
): Promise<RawResponse> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      let parsed: ReturnType<typeof parseResponse>;
      try {
        parsed = parseResponse(buf, opts.head === true);
      } catch (e) {
        done = true;
        clearTimeout(timer);
        socket.destroy();
        return reject(e);
      }
      if (!parsed) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parsed, closed, ms: performance.now() - started });
    };
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      socket.destroy();
      reject(
        new Error(
          `no complete response within ${timeoutMs} ms; got ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`,
        ),
      );
    }, timeoutMs);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => {
      finish(true);
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(
          new Error(
            `connection closed without a complete response: ${JSON.stringify(buf.toString('latin1').slice(0, 300))}`,
          ),
        );
      }
    });
    socket.on('error', () => undefined);
    socket.write(data, () => opts.keepOpen?.(socket));
  });
}

function parseResponse(buf: Buffer, head: boolean): Omit<RawResponse, 'closed' | 'ms'> | null {
  // Interim answers (100 Continue) come before the response.
  while (/^HTTP\/1\.[01] 1\d\d /.test(buf.subarray(0, 16).toString('latin1'))) {
    const interim = buf.indexOf('\r\n\r\n');
    if (interim < 0) return null;
    buf = buf.subarray(interim + 4);
  }
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const rest = buf.subarray(end + 4);
  if (head || status === 204 || status === 304) return { status, headers, body: '' };
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    return rest.length >= n ? { status, headers, body: rest.subarray(0, n).toString('utf8') } : null;
  }
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    let body = Buffer.alloc(0);
    let at = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = Number.parseInt(rest.subarray(at, eol).toString('latin1'), 16);
      if (size === 0) return { status, headers, body: body.toString('utf8') };
      if (rest.length < eol + 2 + size + 2) return null;
      body = Buffer.concat([body, rest.subarray(eol + 2, eol + 2 + size)]);
      at = eol + 2 + size + 2;
    }
  }
  return null;
}

/** Listens on a free loopback port; returns the port. */
export async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
