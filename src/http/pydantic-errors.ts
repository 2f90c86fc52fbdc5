/**
 * Request validation errors in the shape FastAPI/pydantic v2 gives them, which is what Mixpeek sends in
 * `error.details.validation_errors`: `{type, location, message}` with pydantic's error types and messages
 * (`missing` / "Field required", `string_type` / "Input should be a valid string", ...).
 *
 * Pure: works on zod issues (or the plain objects fastify-type-provider-zod turns them into) and the
 * input that failed, with no import from Fastify.
 */

export type Location = (string | number)[];

export interface PydanticError {
  type: string;
  location: Location;
  message: string;
}

/** The parts of a zod 4 issue this mapping reads; a `z.core.$ZodIssue` fits. */
export interface IssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly expected?: unknown;
  readonly values?: readonly unknown[];
  readonly origin?: unknown;
  readonly maximum?: unknown;
  readonly minimum?: unknown;
  readonly inclusive?: boolean;
  readonly keys?: readonly string[];
  readonly format?: unknown;
  readonly pattern?: unknown;
  readonly divisor?: unknown;
}

/** What Fastify calls each part of a request, renamed as FastAPI names it in `loc`. */
const LOCATIONS: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};
export const locationOf = (fastifyContext: string | undefined): string =>
  LOCATIONS[fastifyContext ?? 'body'] ?? fastifyContext ?? 'body';

const MISSING = Symbol('missing');

/** The minimal view of a zod 4 schema's definition that `schemaAt` walks. */
interface SchemaLike {
  readonly _zod: { readonly def: Record<string, unknown> & { type: string } };
}
const isSchema = (s: unknown): s is SchemaLike =>
  typeof s === 'object' && s !== null && '_zod' in s && typeof (s as SchemaLike)._zod?.def?.type === 'string';

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);
function unwrap(s: unknown): SchemaLike | undefined {
  let cur = s;
  while (isSchema(cur)) {
    const def = cur._zod.def;
    if (WRAPPERS.has(def.type)) cur = def.innerType;
    else if (def.type === 'pipe') cur = def.in;
    else if (def.type === 'lazy') cur = (def.getter as () => unknown)();
    else return cur;
  }
  return undefined;
}

/** The schema validating the value at `path` under `schema`, when it can be followed. */
function schemaAt(schema: unknown, path: readonly PropertyKey[]): SchemaLike | undefined {
  let cur = unwrap(schema);
  for (const key of path) {
    if (!cur) return undefined;
    const def = cur._zod.def;
    if (def.type === 'object') cur = unwrap((def.shape as Record<PropertyKey, unknown>)[key]);
    else if (def.type === 'array') cur = unwrap(def.element);
    else if (def.type === 'record') cur = unwrap(def.valueType);
    else return undefined;
  }
  return cur;
}

/** z.int() and friends: zod reports a non-number given to them as `expected: 'number'`. */
function isIntSchema(s: SchemaLike | undefined): boolean {
  if (s?._zod.def.type !== 'number') return false;
  const isInt = (def: Record<string, unknown> | undefined) => String(def?.format ?? '').includes('int');
  const checks = (s._zod.def.checks ?? []) as { _zod?: { def?: Record<string, unknown> } }[];
  return isInt(s._zod.def) || checks.some((c) => isInt(c._zod?.def));
}

/** The value at `path` in `input`, or MISSING when a member along the way is absent. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return MISSING;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur === undefined ? MISSING : cur;
}

/** Python's repr of a JSON value, as pydantic quotes allowed values: 'a', 1, True, None. */
function repr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  return String(v);
}

/** 'a', 'b' or 'c': pydantic's list of allowed values. */
function alternatives(values: readonly unknown[]): string {
  const shown = values.map(repr);
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

const plural = (n: unknown, word: string) => `${String(n)} ${word}${n === 1 ? '' : 's'}`;

const TYPE_BY_EXPECTED: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  number: ['float_type', 'Input should be a valid number'],
  int: ['int_type', 'Input should be a valid integer'],
  bigint: ['int_type', 'Input should be a valid integer'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  object: ['model_type', 'Input should be a valid dictionary or object to extract fields from'],
  record: ['dict_type', 'Input should be a valid dictionary'],
  map: ['dict_type', 'Input should be a valid dictionary'],
  array: ['list_type', 'Input should be a valid list'],
  tuple: ['tuple_type', 'Input should be a valid tuple'],
  set: ['set_type', 'Input should be a valid set'],
  null: ['none_required', 'Input should be None'],
  date: ['datetime_type', 'Input should be a valid datetime'],
};

const FORMATS: Record<string, [string, string]> = {
  datetime: ['datetime_from_date_parsing', 'Input should be a valid datetime'],
  date: ['date_from_datetime_parsing', 'Input should be a valid date'],
  time: ['time_parsing', 'Input should be in a valid time format'],
  url: ['url_parsing', 'Input should be a valid URL'],
  uuid: ['uuid_parsing', 'Input should be a valid UUID'],
  email: ['value_error', 'value is not a valid email address'],
};

/** One zod issue → the pydantic errors it stands for (several for unrecognized keys). */
function mapIssue(issue: IssueLike, location: string, input: unknown, schema: unknown): PydanticError[] {
  const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
  const loc: Location = [location, ...path];
  const value = valueAt(input, issue.path);
  const one = (type: string, message: string): PydanticError[] => [{ type, location: loc, message }];

  switch (issue.code) {
    case 'invalid_type': {
      if (value === MISSING) return one('missing', 'Field required');
      let expected = String(issue.expected);
      if (expected === 'number' && isIntSchema(schemaAt(schema, issue.path))) expected = 'int';
      if (expected === 'int' && typeof value === 'number' && Number.isFinite(value)) {
        return one('int_from_float', 'Input should be a valid integer, got a number with a fractional part');
      }
      const known = TYPE_BY_EXPECTED[expected];
      return known ? one(...known) : one(`${expected}_type`, `Input should be a valid ${expected}`);
    }
    case 'invalid_value': {
      if (value === MISSING) return one('missing', 'Field required');
      const values = issue.values ?? [];
      return values.length === 1
        ? one('literal_error', `Input should be ${alternatives(values)}`)
        : one('enum', `Input should be ${alternatives(values)}`);
    }
    case 'too_big':
    case 'too_small': {
      const big = issue.code === 'too_big';
      const bound = big ? issue.maximum : issue.minimum;
      const length = Array.isArray(value) || typeof value === 'string' ? value.length : undefined;
      if (issue.origin === 'string') {
        return big
          ? one('string_too_long', `String should have at most ${plural(bound, 'character')}`)
          : one('string_too_short', `String should have at least ${plural(bound, 'character')}`);
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        const not = length === undefined ? '' : `, not ${length}`;
        return big
          ? one('too_long', `List should have at most ${plural(bound, 'item')} after validation${not}`)
          : one('too_short', `List should have at least ${plural(bound, 'item')} after validation${not}`);
      }
      const inclusive = issue.inclusive !== false;
      if (big) {
        return inclusive
          ? one('less_than_equal', `Input should be less than or equal to ${String(bound)}`)
          : one('less_than', `Input should be less than ${String(bound)}`);
      }
      return inclusive
        ? one('greater_than_equal', `Input should be greater than or equal to ${String(bound)}`)
        : one('greater_than', `Input should be greater than ${String(bound)}`);
    }
    case 'not_multiple_of':
      return one('multiple_of', `Input should be a multiple of ${String(issue.divisor)}`);
    case 'unrecognized_keys':
      return (issue.keys ?? []).map((key) => ({
        type: 'extra_forbidden',
        location: [...loc, key],
        message: 'Extra inputs are not permitted',
      }));
    case 'invalid_format': {
      if (issue.format === 'regex') {
        return one('string_pattern_mismatch', `String should match pattern '${String(issue.pattern)}'`);
      }
      const known = FORMATS[String(issue.format)];
      return known ? one(...known) : one('value_error', `Value error, ${issue.message}`);
    }
    default:
      if (value === MISSING) return one('missing', 'Field required');
      return one('value_error', `Value error, ${issue.message}`);
  }
}

/**
 * Maps zod issues raised on one part of a request (`location`: 'body', 'query', 'path' or 'header') to
 * pydantic errors. `input` is the value that failed, used to tell a missing member from a wrong one;
 * `schema`, the zod schema that rejected it (optional), tells integer fields from other numbers.
 */
export function toPydanticErrors(
  issues: readonly IssueLike[],
  location: string,
  input: unknown,
  schema?: unknown,
): PydanticError[] {
  return issues.flatMap((issue) => mapIssue(issue, location, input, schema));
}

/** An entry of a Fastify validation error made by fastify-type-provider-zod (an issue, flattened). */
export interface FastifyZodValidationEntry {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/**
 * Rebuilds zod issues from the entries fastify-type-provider-zod puts in `error.validation` (it keeps
 * the issue's fields in `params` but joins its path with '/'); numeric segments become numbers where
 * the input holds an array, as pydantic reports list indices.
 */
export function issuesFromFastifyValidation(
  entries: readonly FastifyZodValidationEntry[],
  input: unknown,
): IssueLike[] {
  return entries.map((e) => {
    const segments =
      e.instancePath === '/' || e.instancePath === '' ? [] : e.instancePath.slice(1).split('/');
    const path: (string | number)[] = [];
    let cur: unknown = input;
    for (const seg of segments) {
      const key = Array.isArray(cur) && /^\d+$/.test(seg) ? Number(seg) : seg;
      path.push(key);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[key] : undefined;
    }
    return { ...e.params, code: e.keyword, path, message: e.message ?? '' };
  });
}

/**
 * The offset of the first character that makes `text` invalid JSON (RFC 8259), -1 when it is valid. This is
 * what Python's json module reports as the error's `pos`; V8's messages do not always carry a position.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const string = () => {
    i++; // the opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail();
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) i = NUMBER.lastIndex;
    else fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return -1;
  } catch (pos) {
    return typeof pos === 'number' ? pos : 0; // a RangeError: nesting too deep to scan
  }
}

/**
 * A body that is not JSON, as FastAPI reports it: `json_invalid` at `["body", <char offset>]`, the offset
 * of the first invalid character (the end of the text when it stops early).
 */
export function jsonDecodeError(text: string, parseError?: unknown): PydanticError {
  let pos = jsonErrorOffset(text);
  if (pos < 0) {
    // Valid JSON that the parser still refused (e.g. a forbidden __proto__ key): its position, if it gave one.
    const m = /at position (\d+)/.exec(parseError instanceof Error ? parseError.message : '');
    pos = m ? Number(m[1]) : 0;
  }
  return { type: 'json_invalid', location: ['body', pos], message: 'JSON decode error' };
}
