import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';

/**
 * CORS as a browser on another origin sees it (a Vite dev server on http://localhost:5173): preflights on
 * any path, actual answers and errors, and an allow list (MOCK_CORS_ORIGINS).
 */

const APP_ORIGIN = 'http://localhost:5173';
const KEY = { authorization: 'Bearer sk_frontend' };
const LIST = '/v1/namespaces/migrations/list';

async function appWith(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ...env }) });
  // A route that fails unexpectedly, for the 500.
  app.get('/v1/test-cors-boom', async () => {
    throw new Error('boom');
  });
  await app.ready();
  return app;
}

/** How many values of a header were sent: an array, or a comma-joined list, would be more than one. */
function sent(res: LightMyRequestResponse, name: string): number {
  const value = res.headers[name];
  if (value === undefined) return 0;
  return (Array.isArray(value) ? value : [String(value)]).flatMap((v) => v.split(',')).length;
}

const preflight = (app: FastifyInstance, url: string, method: string, headers: string, origin = APP_ORIGIN) =>
  app.inject({
    method: 'OPTIONS',
    url,
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });

function expectAllowedFrom(res: LightMyRequestResponse, origin = APP_ORIGIN) {
  expect(sent(res, 'access-control-allow-origin')).toBe(1);
  expect(res.headers['access-control-allow-origin']).toBe(origin);
  expect(res.headers['access-control-allow-credentials']).toBe('true');
  expect(String(res.headers.vary)).toMatch(/\bOrigin\b/);
}

let app: FastifyInstance;
beforeAll(async () => {
  app = await appWith();
});
afterAll(async () => {
  await app.close();
});

describe('CORS preflight (default MOCK_CORS_ORIGINS=*)', () => {
  it('when a page on http://localhost:5173 preflights a credentialed POST with custom headers, then 204 allows exactly that', async () => {
    const res = await preflight(app, LIST, 'POST', 'authorization,content-type,x-custom');
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectAllowedFrom(res);
    expect(res.headers['access-control-allow-methods']).toBe('POST');
    const allowed = String(res.headers['access-control-allow-headers'])
      .split(',')
      .map((h) => h.trim().toLowerCase());
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-custom']));
    expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(String(res.headers.vary)).toMatch(/Access-Control-Request-Headers/);
  });

  it('when the allowed origin is *, then the origin is still echoed, never *, since credentials may be sent', async () => {
    const res = await preflight(app, LIST, 'POST', 'authorization', 'https://app.example.com');
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  it.each([
    ['the create path, with its trailing slash', '/v1/namespaces/migrations/', 'POST'],
    ['the create path, without the slash', '/v1/namespaces/migrations', 'POST'],
    ['a known path with a trailing slash', '/v1/namespaces/migrations/list/', 'POST'],
    ['a migration, with a trailing slash', '/v1/namespaces/migrations/mig_copy_completes/', 'DELETE'],
    ['an unknown path with a trailing slash', '/v1/no/such/route/', 'GET'],
    ['the control API', '/_mock/clock/advance/', 'POST'],
  ])('when OPTIONS targets %s, then 204, never a redirect, 404 or 405', async (_, url, method) => {
    const res = await preflight(app, url, method, 'authorization,content-type');
    expect(res.statusCode).toBe(204);
    expect(res.headers.location).toBeUndefined();
    expectAllowedFrom(res);
    expect(res.headers['access-control-allow-methods']).toBe(method);
  });

  it('when a preflight carries no key, then it is not refused: authentication waits for the actual request', async () => {
    const res = await preflight(app, '/v1/namespaces/migrations/mig_copy_completes', 'GET', 'authorization');
    expect(res.statusCode).toBe(204);
  });
});

describe('CORS on actual responses, from http://localhost:5173', () => {
  it('when the list is read with a key, then 200 with one Access-Control-Allow-Origin', async () => {
    const res = await app.inject({
      method: 'POST',
      url: LIST,
      headers: { ...KEY, origin: APP_ORIGIN },
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    expectAllowedFrom(res);
  });

  it('when the key is missing, then the 401 carries the CORS headers, so the page sees the real error', async () => {
    const res = await app.inject({ method: 'POST', url: LIST, headers: { origin: APP_ORIGIN }, payload: {} });
    expect(res.statusCode).toBe(401);
    expectAllowedFrom(res);
    expect(res.json()).toMatchObject({ success: false, status: 401, error: { type: 'UnauthorizedError' } });
    // WWW-Authenticate is readable from the page.
    expect(String(res.headers['access-control-expose-headers'])).toMatch(/WWW-Authenticate/);
  });

  it('when the migration does not exist, then the 404 carries the CORS headers', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/namespaces/migrations/mig_nope',
      headers: { ...KEY, origin: APP_ORIGIN },
    });
    expect(res.statusCode).toBe(404);
    expectAllowedFrom(res);
    expect(res.json()).toMatchObject({ success: false, status: 404, error: { type: 'NotFoundError' } });
  });

  it('when no route has the path, then the 404 carries the CORS headers', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/nowhere',
      headers: { ...KEY, origin: APP_ORIGIN },
    });
    expect(res.statusCode).toBe(404);
    expectAllowedFrom(res);
  });

  it('when the method is not allowed, then the 405 carries the CORS headers and exposes Allow', async () => {
    const res = await app.inject({ method: 'PUT', url: LIST, headers: { ...KEY, origin: APP_ORIGIN } });
    expect(res.statusCode).toBe(405);
    expectAllowedFrom(res);
    expect(String(res.headers['access-control-expose-headers'])).toMatch(/\bAllow\b/);
  });

  it('when the body is invalid, then the 422 carries the CORS headers', async () => {
    const res = await app.inject({
      method: 'POST',
      url: LIST,
      headers: { ...KEY, origin: APP_ORIGIN },
      payload: { limit: 'many' },
    });
    expect(res.statusCode).toBe(422);
    expectAllowedFrom(res);
  });

  it('when a handler fails unexpectedly, then the 500 carries the CORS headers', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/test-cors-boom',
      headers: { ...KEY, origin: APP_ORIGIN },
    });
    expect(res.statusCode).toBe(500);
    expectAllowedFrom(res);
  });

  it('when the request has no Origin (curl, a server), then no CORS header but Vary: Origin', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(String(res.headers.vary)).toMatch(/\bOrigin\b/);
  });
});

describe('CORS with an allow list (MOCK_CORS_ORIGINS=http://localhost:5173)', () => {
  let strict: FastifyInstance;
  beforeAll(async () => {
    strict = await appWith({ MOCK_CORS_ORIGINS: `${APP_ORIGIN},https://staging.example.com` });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('when a listed origin preflights, then it is allowed', async () => {
    const res = await preflight(strict, LIST, 'POST', 'authorization,content-type');
    expect(res.statusCode).toBe(204);
    expectAllowedFrom(res);
  });

  it('when another origin preflights, then 403 in the envelope, naming the origin, with no CORS header', async () => {
    const res = await preflight(strict, LIST, 'POST', 'authorization', 'http://evil.test');
    expect(res.statusCode).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
    expect(String(res.headers.vary)).toMatch(/\bOrigin\b/);
    expect(res.json()).toEqual({
      success: false,
      status: 403,
      error: {
        message:
          "Origin 'http://evil.test' is not allowed: add it to MOCK_CORS_ORIGINS (or set MOCK_CORS_ORIGINS=*)",
        type: 'ForbiddenError',
        details: { origin: 'http://evil.test', allowed_origins: [APP_ORIGIN, 'https://staging.example.com'] },
      },
    });
  });

  it('when another origin sends an actual request, then it is answered without CORS headers (the browser hides it)', async () => {
    const res = await strict.inject({
      method: 'POST',
      url: LIST,
      headers: { ...KEY, origin: 'http://evil.test' },
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('when a listed origin gets an error, then the error carries its CORS headers', async () => {
    const res = await strict.inject({
      method: 'POST',
      url: LIST,
      headers: { origin: APP_ORIGIN },
      payload: {},
    });
    expect(res.statusCode).toBe(401);
    expectAllowedFrom(res);
  });
});
