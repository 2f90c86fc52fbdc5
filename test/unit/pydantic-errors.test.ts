import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  issuesFromFastifyValidation,
  jsonDecodeError,
  jsonErrorOffset,
  locationOf,
  toPydanticErrors,
} from '../../src/http/pydantic-errors.js';
import { CreateMigrationRequestSchema, ListMigrationsRequestSchema } from '../../src/schemas/api.js';

/** Validates `input` with `schema` and maps the issues as the error handler does for a body. */
function errorsFor(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected the input to be rejected');
  return toPydanticErrors(result.error.issues, 'body', input, schema);
}

describe('toPydanticErrors', () => {
  it('when a required member is absent, then it is `missing` / "Field required" at its location', () => {
    expect(errorsFor(CreateMigrationRequestSchema, { config: { migration_type: 'copy' } })).toEqual([
      { type: 'missing', location: ['body', 'config', 'source_namespace_id'], message: 'Field required' },
    ]);
  });

  it('when the whole body is absent, then it is `missing` at ["body"]', () => {
    expect(errorsFor(CreateMigrationRequestSchema, undefined)).toEqual([
      { type: 'missing', location: ['body'], message: 'Field required' },
    ]);
  });

  it('when the body is not an object, then it is `model_type`', () => {
    expect(errorsFor(CreateMigrationRequestSchema, [1])).toEqual([
      {
        type: 'model_type',
        location: ['body'],
        message: 'Input should be a valid dictionary or object to extract fields from',
      },
    ]);
  });

  it('when an enum member has another value, then it is `enum` listing the values as pydantic does', () => {
    const errors = errorsFor(CreateMigrationRequestSchema, {
      config: { migration_type: 'move', source_namespace_id: 'ns_1' },
    });
    expect(errors).toEqual([
      {
        type: 'enum',
        location: ['body', 'config', 'migration_type'],
        message: "Input should be 're_extract', 'copy' or 'extend'",
      },
    ]);
  });

  it('when members have the wrong JSON types, then string_type, bool_type, int_type, list_type and dict_type', () => {
    const errors = errorsFor(CreateMigrationRequestSchema, {
      config: {
        migration_type: 'copy',
        source_namespace_id: 42,
        filters: { collection_ids: 'col_1', date_range: [] },
        batch_options: { batch_size: '10' },
        dry_run: 'yes',
      },
      start_immediately: 1,
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        {
          type: 'string_type',
          location: ['body', 'config', 'source_namespace_id'],
          message: 'Input should be a valid string',
        },
        {
          type: 'list_type',
          location: ['body', 'config', 'filters', 'collection_ids'],
          message: 'Input should be a valid list',
        },
        {
          type: 'dict_type',
          location: ['body', 'config', 'filters', 'date_range'],
          message: 'Input should be a valid dictionary',
        },
        {
          type: 'int_type',
          location: ['body', 'config', 'batch_options', 'batch_size'],
          message: 'Input should be a valid integer',
        },
        {
          type: 'bool_type',
          location: ['body', 'config', 'dry_run'],
          message: 'Input should be a valid boolean',
        },
        {
          type: 'bool_type',
          location: ['body', 'start_immediately'],
          message: 'Input should be a valid boolean',
        },
      ]),
    );
    expect(errors).toHaveLength(6);
  });

  it('when an integer field gets a fraction, then it is `int_from_float`', () => {
    expect(errorsFor(ListMigrationsRequestSchema, { limit: 2.5 })).toEqual([
      {
        type: 'int_from_float',
        location: ['body', 'limit'],
        message: 'Input should be a valid integer, got a number with a fractional part',
      },
    ]);
  });

  it('when numbers are out of bounds, then less_than_equal / greater_than_equal with the bound', () => {
    expect(errorsFor(ListMigrationsRequestSchema, { limit: 1001, offset: -1 })).toEqual([
      {
        type: 'less_than_equal',
        location: ['body', 'limit'],
        message: 'Input should be less than or equal to 1000',
      },
      {
        type: 'greater_than_equal',
        location: ['body', 'offset'],
        message: 'Input should be greater than or equal to 0',
      },
    ]);
  });

  it('when a bound is exclusive, then less_than / greater_than', () => {
    const schema = z.object({ a: z.number().lt(5), b: z.number().gt(1) });
    expect(errorsFor(schema, { a: 5, b: 1 }).map((e) => [e.type, e.message])).toEqual([
      ['less_than', 'Input should be less than 5'],
      ['greater_than', 'Input should be greater than 1'],
    ]);
  });

  it('when an array member is wrong, then its index is a number in the location', () => {
    const errors = errorsFor(CreateMigrationRequestSchema, {
      config: {
        migration_type: 'copy',
        source_namespace_id: 'ns_1',
        feature_extractors: [{ feature_extractor_name: 'a' }, {}],
      },
    });
    expect(errors).toEqual([
      {
        type: 'missing',
        location: ['body', 'config', 'feature_extractors', 1, 'feature_extractor_name'],
        message: 'Field required',
      },
    ]);
  });

  it('when a strict object gets unknown keys, then one `extra_forbidden` per key', () => {
    expect(errorsFor(z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 })).toEqual([
      { type: 'extra_forbidden', location: ['body', 'b'], message: 'Extra inputs are not permitted' },
      { type: 'extra_forbidden', location: ['body', 'c'], message: 'Extra inputs are not permitted' },
    ]);
  });

  it('when strings and lists break their length bounds, then pydantic length messages', () => {
    const schema = z.object({ s: z.string().min(3), l: z.array(z.string()).max(1) });
    expect(errorsFor(schema, { s: 'ab', l: ['a', 'b'] })).toEqual([
      {
        type: 'string_too_short',
        location: ['body', 's'],
        message: 'String should have at least 3 characters',
      },
      {
        type: 'too_long',
        location: ['body', 'l'],
        message: 'List should have at most 1 item after validation, not 2',
      },
    ]);
  });

  it('when a literal or a pattern does not match, then literal_error / string_pattern_mismatch', () => {
    const schema = z.object({ k: z.literal('a'), p: z.string().regex(/^x/) });
    expect(errorsFor(schema, { k: 'b', p: 'y' })).toEqual([
      { type: 'literal_error', location: ['body', 'k'], message: "Input should be 'a'" },
      {
        type: 'string_pattern_mismatch',
        location: ['body', 'p'],
        message: "String should match pattern '/^x/'",
      },
    ]);
  });

  it('when a custom refinement fails, then it is a `value_error` carrying its message', () => {
    const schema = z.object({ a: z.string().refine((s) => s.startsWith('ns_'), 'must start with ns_') });
    expect(errorsFor(schema, { a: 'x' })).toEqual([
      { type: 'value_error', location: ['body', 'a'], message: 'Value error, must start with ns_' },
    ]);
  });

  it('when the location is not the body, then it is the FastAPI name of that part', () => {
    expect([
      locationOf('body'),
      locationOf('querystring'),
      locationOf('params'),
      locationOf('headers'),
    ]).toEqual(['body', 'query', 'path', 'header']);
  });
});

describe('issuesFromFastifyValidation', () => {
  it('when fastify-type-provider-zod flattened the issues, then the path is rebuilt with numeric indices in arrays', () => {
    const input = { config: { feature_extractors: [{}] } };
    const issues = issuesFromFastifyValidation(
      [
        {
          keyword: 'invalid_type',
          instancePath: '/config/feature_extractors/0/feature_extractor_name',
          message: 'Invalid input',
          params: { expected: 'string' },
        },
        {
          keyword: 'invalid_type',
          instancePath: '/',
          message: 'Invalid input',
          params: { expected: 'object' },
        },
      ],
      input,
    );
    expect(issues).toEqual([
      {
        code: 'invalid_type',
        path: ['config', 'feature_extractors', 0, 'feature_extractor_name'],
        message: 'Invalid input',
        expected: 'string',
      },
      { code: 'invalid_type', path: [], message: 'Invalid input', expected: 'object' },
    ]);
    expect(toPydanticErrors(issues, 'body', input)[0]).toEqual({
      type: 'missing',
      location: ['body', 'config', 'feature_extractors', 0, 'feature_extractor_name'],
      message: 'Field required',
    });
  });
});

describe('jsonDecodeError', () => {
  it('when the parser reports a position, then the location is ["body", position]', () => {
    const text = '{"config": }';
    let error: unknown;
    try {
      JSON.parse(text);
    } catch (e) {
      error = e;
    }
    expect(jsonDecodeError(text, error)).toEqual({
      type: 'json_invalid',
      location: ['body', 11],
      message: 'JSON decode error',
    });
  });

  it('when the text ends early, then the position is its length', () => {
    expect(jsonDecodeError('{"a":', new SyntaxError('Unexpected end of JSON input')).location).toEqual([
      'body',
      5,
    ]);
  });
});

describe('jsonErrorOffset', () => {
  it.each([
    ['{"config": }', 11],
    ['{"a" 1}', 5],
    ['{"a":1,}', 7],
    ["{'a': 1}", 1],
    ['[1, 2', 5],
    ['{} x', 3],
    ['{"a": tru}', 6],
    ['"raw\ttab"', 4], // a control character inside a string, as Python's strict mode refuses
    ['"bad \\q escape"', 5],
    ['  ', 2],
    ['{"a": [1, -2.5e3, true, null, "x\\u00e9"]}', -1],
    ['01', 1],
  ])('when the text is %j, then the first invalid character is at %i', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  it('when the text is valid JSON, then it agrees with JSON.parse', () => {
    const text = JSON.stringify({ a: [1, { b: 'c\n"' }], d: null, e: -0.5 });
    expect(jsonErrorOffset(text)).toBe(-1);
  });
});
