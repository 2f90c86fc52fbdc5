import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, ResponseSerializationError } from 'fastify-type-provider-zod';
import { ApiError, ERROR_TYPES, type ErrorStatus } from '../../errors.js';
import {
  issuesFromFastifyValidation,
  locationOf,
  type PydanticError,
  toPydanticErrors,
} from '../pydantic-errors.js';

/**
 * The one error handler: every error and every unmatched request is answered with Mixpeek's envelope
 * `{success:false, status, error:{message, type, details}}`, built from src/errors.ts.
 */

/** The 422 Mixpeek sends for a request that fails validation (FastAPI's RequestValidationError). */
export function requestValidationError(errors: PydanticError[]): ApiError {
  const first = errors[0];
  const where = first ? `: ${first.location.join('.')}: ${first.message}` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ApiError(422, `Request validation failed${where}${more}`, { validation_errors: errors });
}

/** Known Fastify errors → the status and message the envelope carries. */
function fromFastifyError(error: FastifyError, request: FastifyRequest): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(
        415,
        `Unsupported Media Type: ${request.headers['content-type'] ?? '(none)'}. Send application/json`,
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, `Request body is larger than ${request.routeOptions.bodyLimit ?? '?'} bytes`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return requestValidationError([
        { type: 'json_invalid', location: ['body', 0], message: 'JSON decode error' },
      ]);
  }
  return undefined;
}

const typeOf = (status: number) =>
  ERROR_TYPES[status as ErrorStatus] ?? (status >= 500 ? ERROR_TYPES[500] : ERROR_TYPES[400]);

function send(reply: FastifyReply, status: number, message: string, details: Record<string, unknown> | null) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ success: false, status, error: { message, type: typeOf(status), details } });
}

/** Turns a Fastify route path (`/a/:id/b`, `/docs/*`) into a RegExp matching concrete paths. */
function routeMatcher(url: string): RegExp {
  let re = '';
  for (let i = 0; i < url.length; i++) {
    const c = url[i]!;
    if (c === ':' && url[i + 1] === ':') {
      re += ':';
      i++;
    } else if (c === ':') {
      let j = i + 1;
      while (j < url.length && /[\w-]/.test(url[j]!)) j++;
      if (url[j] === '(') {
        // a parameter with its own regex: :id(^\d+)
        let depth = 0;
        let k = j;
        for (; k < url.length; k++) {
          if (url[k] === '(') depth++;
          else if (url[k] === ')' && --depth === 0) break;
        }
        re += `(${url
          .slice(j + 1, k)
          .replace(/^\^/, '')
          .replace(/\$$/, '')})`;
        i = k;
      } else {
        re += '([^/]+)';
        i = j - 1;
      }
    } else if (c === '*') {
      re += '(.*)';
    } else {
      re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

const CREATE_PATH = '/v1/namespaces/migrations';

export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    // Every route registered after this plugin, to answer 405 with `Allow` for a path known under other methods.
    const routes: { matcher: RegExp; methods: Set<string> }[] = [];
    const byUrl = new Map<string, Set<string>>();
    app.addHook('onRoute', (route) => {
      const urls = [route.url];
      // A '/' route in a prefixed plugin answers both /prefix and /prefix/ unless told otherwise, but the
      // hook only sees /prefix.
      if (route.routePath === '' && route.prefix && (route.prefixTrailingSlash ?? 'both') === 'both') {
        urls.push(`${route.url}/`);
      }
      for (const url of urls) {
        let methods = byUrl.get(url);
        if (!methods) {
          methods = new Set();
          byUrl.set(url, methods);
          routes.push({ matcher: routeMatcher(url), methods });
        }
        for (const m of [route.method].flat()) methods.add(m.toUpperCase());
      }
    });
    const allowedMethods = (path: string): string[] => {
      const allowed = new Set<string>();
      for (const r of routes) if (r.matcher.test(path)) for (const m of r.methods) allowed.add(m);
      return [...allowed].sort();
    };
    const methodNotAllowed = (method: string, path: string, allowed: string[]) =>
      new ApiError(
        405,
        `Method ${method} not allowed on ${path}`,
        { method, allowed },
        { allow: allowed.join(', ') },
      );
    // FastAPI serves create at the trailing-slash path only: point the caller there.
    const createWithoutSlash = (path: string) => {
      const allowed = allowedMethods(path).filter((m) => m !== 'POST');
      return new ApiError(
        405,
        `Use POST ${CREATE_PATH}/ (with a trailing slash) to create a migration`,
        { method: 'POST', allowed, path },
        { allow: allowed.join(', ') },
      );
    };

    /** 405 when the path is known under other methods, else 404; the create path without its slash, 405 with a hint. */
    const unmatched = (method: string, url: string): ApiError => {
      const path = url.split('?')[0] ?? url;
      if (method === 'POST' && path === CREATE_PATH) return createWithoutSlash(path);
      const allowed = allowedMethods(path);
      // A route that serves this method and still answered "not found" (a wildcard route such as
      // /docs/static/* for a file it does not have) is a 404, never a 405 allowing the method itself.
      if (allowed.length > 0 && !allowed.includes(method)) return methodNotAllowed(method, path, allowed);
      return new ApiError(404, `No route matches ${method} ${path}`, { path });
    };

    // Starlette's routing, where the router matched more than it should: a named path parameter never
    // matches an empty segment (GET /v1/namespaces/migrations/ is not GET .../{migration_id}), and create
    // is not served without its slash even though a prefixed '/' route answers there by default.
    // After authentication, before the body is read.
    // Callback-style and allocation-free: it runs on every request.
    app.addHook('preParsing', (request, _reply, payload, done) => {
      const params = request.params as Record<string, unknown> | undefined;
      let emptyParam = false;
      if (params !== undefined)
        for (const k in params) if (k !== '*' && params[k] === '') emptyParam = true;
      if (emptyParam || (request.method === 'POST' && request.routeOptions.url === CREATE_PATH))
        return done(unmatched(request.method, request.url));
      done(null, payload);
    });

    app.setNotFoundHandler((request, reply) => sendApiError(reply, unmatched(request.method, request.url)));

    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof ApiError) {
        return sendApiError(reply, error);
      }

      if (hasZodFastifySchemaValidationErrors(error)) {
        const context = error.validationContext ?? 'body';
        const input = {
          body: request.body,
          querystring: request.query,
          params: request.params,
          headers: request.headers,
        }[context];
        const schema = (request.routeOptions.schema as Record<string, unknown> | undefined)?.[context];
        const issues = issuesFromFastifyValidation(error.validation, input);
        return sendApiError(
          reply,
          requestValidationError(toPydanticErrors(issues, locationOf(context), input, schema)),
        );
      }

      if (error instanceof ResponseSerializationError) {
        // Only with MOCK_VALIDATE_RESPONSES=true: the mock answered outside its own schema.
        request.log.error({ err: error }, 'response does not match its schema');
        const issues = error.cause.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
        return send(reply, 500, 'Response does not match its schema', { issues });
      }

      const known = fromFastifyError(error, request);
      if (known) return sendApiError(reply, known);

      if (Array.isArray(error.validation)) {
        // A route declared with plain JSON Schema (not zod): keep the shape, with fewer details.
        const location = locationOf(error.validationContext);
        const errors = error.validation.map((v) => ({
          type: 'value_error',
          location: [location, ...v.instancePath.split('/').filter(Boolean)],
          message: `Value error, ${v.message ?? 'invalid'}`,
        }));
        return sendApiError(reply, requestValidationError(errors));
      }

      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) return send(reply, status, error.message, null);
      if (status === 503) return send(reply, 503, 'Service unavailable', null);
      request.log.error({ err: error }, 'unhandled error');
      return send(reply, 500, 'Internal server error', null);
    });
  },
  { name: 'error-handler' },
);

function sendApiError(reply: FastifyReply, error: ApiError) {
  return reply
    .code(error.status)
    .headers(error.headers)
    .type('application/json; charset=utf-8')
    .send(error.toEnvelope());
}
