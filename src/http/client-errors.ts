import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorStatus } from '../errors.js';

/**
 * Requests Fastify's router or Node's HTTP parser refuse before any hook runs, answered with Mixpeek's
 * envelope like everything else instead of Fastify's own `{error, message, statusCode}` bodies.
 */

/** What the parser's error codes mean for the client (anything else: 400). */
function parserError(code: string | undefined, limits: { maxHeaderBytes: number }): ApiError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        431,
        `Request line and headers are larger than ${limits.maxHeaderBytes} bytes (MOCK_MAX_HEADER_BYTES)`,
        { limit: limits.maxHeaderBytes },
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(408, 'The request was not received in time (MOCK_REQUEST_TIMEOUT_MS)');
    case 'HPE_INVALID_METHOD':
      return new ApiError(400, 'Malformed HTTP request: unknown method');
    case 'HPE_INVALID_URL':
      return new ApiError(400, 'Malformed HTTP request: invalid request target');
    case 'HPE_INVALID_VERSION':
      return new ApiError(400, 'Malformed HTTP request: invalid HTTP version');
    default:
      return new ApiError(400, 'Malformed HTTP request');
  }
}

const REASONS: Partial<Record<ErrorStatus, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the bytes (bad request line, unknown method, NUL
 * or control characters, headers over MOCK_MAX_HEADER_BYTES, a request slower than
 * MOCK_REQUEST_TIMEOUT_MS). Writes the envelope on the raw socket and closes it, as Node would.
 */
export function makeClientErrorHandler(limits: { maxHeaderBytes: number }) {
  return function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket) {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const error = parserError(err.code, limits);
    this.log.debug({ code: err.code, status: error.status }, 'malformed request refused');
    if (socket.writable) {
      const body = JSON.stringify(error.toEnvelope());
      socket.write(
        `HTTP/1.1 ${error.status} ${REASONS[error.status] ?? 'Bad Request'}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy();
  };
}

/**
 * Fastify's `frameworkErrors`: the router refused the URL before routing (a malformed percent-encoding,
 * a path parameter longer than maxParamLength, which is MOCK_MAX_URL_LENGTH).
 */
export function makeFrameworkErrors(
  limits: { maxUrlLength: number },
  cors?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
) {
  return async function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    // CORS first: a preflight is answered (204) whatever its path, and an error carries the CORS headers.
    if (cors) {
      try {
        await cors(request, reply);
      } catch (e) {
        if (e instanceof ApiError) return reply.code(e.status).type('application/json; charset=utf-8').send(JSON.stringify(e.toEnvelope()));
        throw e;
      }
      if (reply.sent) return reply;
    }
    const e =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new ApiError(
            414,
            `Request URL is longer than ${limits.maxUrlLength} characters (MOCK_MAX_URL_LENGTH)`,
            {
              limit: limits.maxUrlLength,
            },
          )
        : error.code === 'FST_ERR_BAD_URL'
          ? new ApiError(400, 'Malformed URL: invalid percent-encoding in the path')
          : new ApiError(400, 'Bad request');
    return reply.code(e.status).type('application/json; charset=utf-8').send(JSON.stringify(e.toEnvelope()));
  };
}

/**
 * An onRequest hook for what Node's parser lets through but the mock refuses: request targets longer
 * than MOCK_MAX_URL_LENGTH (414; those longer than MOCK_MAX_HEADER_BYTES never get here, Node answers
 * 431) and HTTP/1.1 requests without a Host header (400; Node's own check is turned off with
 * `requireHostHeader: false` because it answers with an empty body).
 */
export function requestLineHook(maxUrlLength: number) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    try {
      check(request);
      done();
    } catch (e) {
      done(e as Error);
    }
  };
  function check(request: FastifyRequest): void {
    const length = request.raw.url?.length ?? 0;
    if (length > maxUrlLength)
      throw new ApiError(
        414,
        `Request URL is ${length} characters long; the limit is ${maxUrlLength} (MOCK_MAX_URL_LENGTH)`,
        { limit: maxUrlLength, length },
      );
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined)
      throw new ApiError(400, 'Malformed HTTP request: an HTTP/1.1 request needs a Host header', null, {
        connection: 'close',
      });
  }
}

/**
 * CONNECT (a proxy tunnel request) reaches Node's 'connect' event, not Fastify; with no listener Node drops
 * the connection without an answer. This mock is no proxy: 405 in the envelope, then the socket closes.
 */
export function answerConnect(_request: unknown, socket: Socket): void {
  const error = new ApiError(405, 'Method CONNECT not allowed: this server is not a proxy', {
    method: 'CONNECT',
    allowed: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'],
  });
  const body = JSON.stringify(error.toEnvelope());
  if (socket.writable)
    socket.write(
      'HTTP/1.1 405 Method Not Allowed\r\n' +
        'Allow: DELETE, GET, HEAD, OPTIONS, POST, PUT\r\n' +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  socket.destroy();
}
