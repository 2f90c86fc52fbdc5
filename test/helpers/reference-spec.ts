import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * Mixpeek's published OpenAPI document (the migrations part), kept outside the repository in
 * /work/shared/reference: read it in place, never copy it into the project.
 * test/helpers → test → repo → its parent, which holds shared/.
 */
export const REFERENCE_SPEC_PATH = fileURLToPath(
  new URL('../../../shared/reference/mixpeek-openapi-migrations.json', import.meta.url),
);

interface OpenApiDocument {
  readonly openapi: string;
  readonly components: { readonly schemas: Readonly<Record<string, unknown>> };
}

export const referenceSpec: OpenApiDocument = JSON.parse(readFileSync(REFERENCE_SPEC_PATH, 'utf8'));

// ajv-formats is CommonJS: under nodenext its default import is the module object or the function.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

const SPEC_ID = 'https://mixpeek.test/reference/mixpeek-openapi-migrations.json';

/** OpenAPI 3.1 schemas are JSON Schema 2020-12; `strict: false` tolerates `example`/`title`/etc. */
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// Only the components: `$ref: "#/components/schemas/X"` resolves against this document's id.
ajv.addSchema({ $id: SPEC_ID, components: referenceSpec.components });

const compiled = new Map<string, ValidateFunction>();

/** The names of the reference document's schema components. */
export const specComponentNames = (): string[] => Object.keys(referenceSpec.components.schemas);

/**
 * Validates `value` against the reference spec's component `componentName` (formats such as
 * `date-time` checked). Returns the errors as `"<instancePath> <message>"` strings; empty when valid.
 */
export function validateAgainstSpec(componentName: string, value: unknown): string[] {
  let validate = compiled.get(componentName);
  if (!validate) {
    if (!(componentName in referenceSpec.components.schemas))
      throw new Error(`The reference spec has no component '${componentName}'`);
    const found = ajv.getSchema(`${SPEC_ID}#/components/schemas/${componentName}`);
    if (!found) throw new Error(`Ajv could not compile component '${componentName}'`);
    validate = found;
    compiled.set(componentName, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}
