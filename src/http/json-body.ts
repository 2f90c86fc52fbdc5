import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { ApiError } from '../errors.js';
import { jsonDecodeError } from './pydantic-errors.js';

/**
 * JSON bodies as Mixpeek's FastAPI reads them: an empty body is "no body" (routes with an optional body
 * take it as `{}`); malformed JSON is a 422 `json_invalid`; prototype-poisoning keys are refused.
 */
export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  // Mixpeek's endpoints take JSON only: a text/plain body is a 415, not a string to validate.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (e) {
      done(new ApiError(422, 'Request validation failed', { validation_errors: [jsonDecodeError(text, e)] }), undefined);
    }
  });
}
