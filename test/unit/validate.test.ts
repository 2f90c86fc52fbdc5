import { describe, expect, it } from 'vitest';
import { withConfigDefaults } from '../../src/domain/config-defaults.js';
import { VALIDATION_CODES, type ValidationContext, validateConfig } from '../../src/domain/validate.js';
import type { MigrationConfigInput } from '../../src/schemas/config.js';
import type { ValidationIssue } from '../../src/schemas/migration.js';
import { fixtures, scenarioNamed } from '../helpers/plans.js';
import { validateAgainstSpec } from '../helpers/reference-spec.js';

const catalog = fixtures();
const defaultTiming = scenarioNamed('re_extract_completes').timing;
const ctx = (over: Partial<ValidationContext> = {}): ValidationContext => ({
  namespaces: catalog.namespaces,
  extractors: catalog.extractors,
  timing: defaultTiming,
  timeScale: 1,
  ...over,
});

const OPENAI = [{ feature_extractor_name: 'openai_text_embedding', version: 'v3' }];
const reExtract: MigrationConfigInput = {
  migration_type: 're_extract',
  source_namespace_id: 'ns_acme_media',
  feature_extractors: OPENAI,
};
const copy: MigrationConfigInput = { migration_type: 'copy', source_namespace_id: 'ns_acme_media' };

const validate = (input: MigrationConfigInput, c: ValidationContext = ctx()) =>
  validateConfig(withConfigDefaults(input, 'ns_generated01'), c);
const issues = (input: MigrationConfigInput) => {
  const { result } = validate(input);
  return [...result.errors, ...result.warnings];
};

type Code = keyof typeof VALIDATION_CODES;

/** One config per code that produces it, with the loc it must carry and its severity. */
const CASES: Record<
  Code,
  { input: MigrationConfigInput; loc: (string | number)[]; severity: 'error' | 'warning' }
> = {
  SOURCE_NAMESPACE_NOT_FOUND: {
    input: { ...copy, source_namespace_id: 'ns_nowhere' },
    loc: ['config', 'source_namespace_id'],
    severity: 'error',
  },
  TARGET_NAMESPACE_NAME_TAKEN: {
    input: { ...copy, target_namespace_name: 'acme_media_v2' },
    loc: ['config', 'target_namespace_name'],
    severity: 'error',
  },
  TARGET_SAME_AS_SOURCE: {
    input: { ...copy, target_namespace_id: 'ns_acme_media' },
    loc: ['config', 'target_namespace_id'],
    severity: 'error',
  },
  FEATURE_EXTRACTORS_REQUIRED: {
    input: { migration_type: 're_extract', source_namespace_id: 'ns_acme_media' },
    loc: ['config', 'feature_extractors'],
    severity: 'error',
  },
  UNKNOWN_FEATURE_EXTRACTOR: {
    input: {
      ...reExtract,
      feature_extractors: [...OPENAI, { feature_extractor_name: 'clip_vit_giant', version: 'v1' }],
    },
    loc: ['config', 'feature_extractors', 1, 'feature_extractor_name'],
    severity: 'error',
  },
  UNKNOWN_EXTRACTOR_VERSION: {
    input: {
      ...reExtract,
      feature_extractors: [{ feature_extractor_name: 'image_extractor', version: 'v9' }],
    },
    loc: ['config', 'feature_extractors', 0, 'version'],
    severity: 'error',
  },
  COLLECTION_NOT_FOUND: {
    input: { ...copy, filters: { collection_ids: ['col_product_images', 'col_missing'] } },
    loc: ['config', 'filters', 'collection_ids', 1],
    severity: 'error',
  },
  TAXONOMY_NOT_FOUND: {
    input: { ...copy, filters: { taxonomy_ids: ['tax_missing'] } },
    loc: ['config', 'filters', 'taxonomy_ids', 0],
    severity: 'error',
  },
  CLUSTER_NOT_FOUND: {
    input: { ...copy, filters: { cluster_ids: ['clust_missing'] } },
    loc: ['config', 'filters', 'cluster_ids', 0],
    severity: 'error',
  },
  RETRIEVER_NOT_FOUND: {
    input: { ...copy, filters: { retriever_ids: ['ret_product_search', 'ret_missing'] } },
    loc: ['config', 'filters', 'retriever_ids', 1],
    severity: 'error',
  },
  INVALID_DATE_RANGE: {
    input: { ...copy, filters: { date_range: { after: 'last tuesday' } } },
    loc: ['config', 'filters', 'date_range', 'after'],
    severity: 'error',
  },
  NO_RESOURCES_SELECTED: {
    input: { ...copy, filters: { collection_ids: [] } },
    loc: ['config', 'filters'],
    severity: 'error',
  },
  RE_EXTRACT_COST_WARNING: {
    input: reExtract,
    loc: ['config', 'migration_type'],
    severity: 'warning',
  },
  DEPENDENCY_NOT_INCLUDED: {
    input: {
      ...copy,
      filters: { collection_ids: ['col_video_keyframes'], auto_include_dependencies: false },
    },
    loc: ['config', 'filters', 'auto_include_dependencies'],
    severity: 'warning',
  },
  FEATURE_EXTRACTORS_IGNORED: {
    input: { ...copy, feature_extractors: OPENAI },
    loc: ['config', 'feature_extractors'],
    severity: 'warning',
  },
};

describe('validateConfig: error codes', () => {
  it('when the code table is listed, then every code of VALIDATION_CODES has a case here', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(VALIDATION_CODES).sort());
  });

  for (const [code, c] of Object.entries(CASES) as [Code, (typeof CASES)[Code]][]) {
    it(`when the config triggers ${code}, then it is reported as an ${c.severity} at ${JSON.stringify(c.loc)}`, () => {
      const { result } = validate(c.input);
      const list = c.severity === 'error' ? result.errors : result.warnings;
      const found = list.filter((i) => i.error_code === code);
      expect(found, JSON.stringify([...result.errors, ...result.warnings], null, 1)).toHaveLength(1);
      expect(found[0]!.loc).toEqual(c.loc);
      expect(found[0]!.severity).toBe(c.severity);
      expect(result.valid).toBe(c.severity === 'warning' ? result.errors.length === 0 : false);
      if (c.severity === 'error') {
        expect(result.estimated_resources).toEqual({});
        expect(result.estimated_duration_seconds).toBeNull();
      }
    });
  }

  it('when any issue is reported, then it carries both shapes (error_code/message/severity and loc/msg/type) and validates as the spec ValidationError', () => {
    for (const { input } of Object.values(CASES)) {
      for (const i of issues(input)) {
        expect(i.msg).toBe(i.message);
        expect(i.type).toBe(i.error_code.toLowerCase());
        expect(i.message.length).toBeGreaterThan(0);
        expect(validateAgainstSpec('ValidationError', i)).toEqual([]);
      }
    }
  });

  it('when the date range has an unknown key or after is later than before, then each is an INVALID_DATE_RANGE at its own loc', () => {
    const found = (dr: Record<string, string>) =>
      validate({ ...copy, filters: { date_range: dr } }).result.errors.map((i: ValidationIssue) => [
        i.error_code,
        i.loc,
      ]);
    expect(found({ since: '2024-01-01' })).toEqual([
      ['INVALID_DATE_RANGE', ['config', 'filters', 'date_range', 'since']],
    ]);
    expect(found({ after: '2024-06-01', before: '2024-01-01T00:00:00Z' })).toEqual([
      ['INVALID_DATE_RANGE', ['config', 'filters', 'date_range']],
    ]);
    expect(found({ after: '2024-01-01', before: '2024-06-01T12:00:00Z' })).toEqual([]);
  });

  it('when the source namespace is unknown, then filters are not checked and no scope, graph or estimate is given', () => {
    const v = validate({
      ...copy,
      source_namespace_id: 'ns_nowhere',
      filters: { collection_ids: ['col_missing'] },
    });
    expect(v.result.errors.map((i) => i.error_code)).toEqual(['SOURCE_NAMESPACE_NOT_FOUND']);
    expect(v.graph).toBeNull();
    expect(v.scope).toBeNull();
  });

  it('when several problems exist, then all of them are reported, not only the first', () => {
    const v = validate({
      migration_type: 're_extract',
      source_namespace_id: 'ns_acme_media',
      target_namespace_id: 'ns_acme_media',
      target_namespace_name: 'support_kb',
      feature_extractors: [{ feature_extractor_name: 'nope' }],
      filters: { cluster_ids: ['clust_missing'] },
    });
    expect(v.result.errors.map((i) => i.error_code).sort()).toEqual(
      [
        'CLUSTER_NOT_FOUND',
        'TARGET_NAMESPACE_NAME_TAKEN',
        'TARGET_SAME_AS_SOURCE',
        'UNKNOWN_FEATURE_EXTRACTOR',
      ].sort(),
    );
  });
});

describe('validateConfig: RE_EXTRACT_COST_WARNING', () => {
  it('when the migration is a re_extract, then the cost warning is there, valid or not', () => {
    for (const input of [
      reExtract,
      CASES.UNKNOWN_FEATURE_EXTRACTOR.input,
      CASES.FEATURE_EXTRACTORS_REQUIRED.input,
      { ...reExtract, source_namespace_id: 'ns_nowhere' },
    ]) {
      const { result } = validate(input);
      expect(result.warnings.filter((w) => w.error_code === 'RE_EXTRACT_COST_WARNING')).toEqual([
        {
          error_code: 'RE_EXTRACT_COST_WARNING',
          message: 'RE_EXTRACT migration will reprocess all documents and incur processing costs',
          severity: 'warning',
          loc: ['config', 'migration_type'],
          msg: 'RE_EXTRACT migration will reprocess all documents and incur processing costs',
          type: 're_extract_cost_warning',
        },
      ]);
    }
  });

  it('when the migration is a copy or an extend, then there is no cost warning', () => {
    for (const migration_type of ['copy', 'extend'] as const) {
      const { result } = validate({ ...copy, migration_type });
      expect(result.valid).toBe(true);
      expect(result.warnings).toEqual([]);
    }
  });
});

describe('validateConfig: estimates', () => {
  it('when the whole default namespace migrates, then estimated_resources counts each type in scope', () => {
    const { result } = validate(reExtract);
    expect(result.valid).toBe(true);
    expect(result.estimated_resources).toEqual({
      bucket: 2,
      collection: 5,
      taxonomy: 2,
      cluster: 1,
      retriever: 2,
    });
  });

  it('when the default scenario is validated, then estimated_duration_seconds is the ceiling of the summed stage seconds (54.69 s → 55)', () => {
    // setup 2+12×0.1, batches 1+41×0.05, documents 4+4040×0.006, clusters 3+1×2, taxonomies 3+2×1.5,
    // retrievers 3+2×1.5, finalization 2+12×0.1
    expect(validate(reExtract).result.estimated_duration_seconds).toBe(55);
    expect(validate(reExtract, ctx({ timeScale: 0.5 })).result.estimated_duration_seconds).toBe(28); // ceil(27.345)
  });

  it('when a filtered extend leaves stages empty, then those stages count 0.5 s each and batches follow batch_size', () => {
    const extend = scenarioNamed('extend_completes');
    const c = ctx({ timing: extend.timing });
    // scope: bkt_support_exports + col_support_tickets (1,380 documents, 14 batches of 100)
    // 2+2×0.2, 1+14×0.05, 3+1380×0.008, 0.5, 0.5, 0.5, 2+2×0.2 = 22.04 → 23
    const { result, graph } = validate(extend.config, c);
    expect(result.estimated_resources).toEqual({ bucket: 1, collection: 1 });
    expect(result.estimated_duration_seconds).toBe(23);
    expect(graph?.execution_order).toEqual(['bkt_support_exports', 'col_support_tickets']);
    // batch_size 10: 138 batches, 1+138×0.05 = 7.9 s instead of 1.7 s → 28.24 → 29
    const small = validate({ ...extend.config, batch_options: { batch_size: 10 } }, c).result;
    expect(small.estimated_duration_seconds).toBe(29);
  });

  it('when the config is invalid, then there is no estimate, no graph and no scope', () => {
    const v = validate(CASES.UNKNOWN_EXTRACTOR_VERSION.input);
    expect(v.result).toMatchObject({
      valid: false,
      estimated_resources: {},
      estimated_duration_seconds: null,
    });
    expect(v.graph).toBeNull();
    expect(v.scope).toBeNull();
  });

  it('when validated twice, then the result is the same (pure)', () => {
    expect(validate(reExtract)).toEqual(validate(reExtract));
  });

  it('when a result is produced, then it validates as the spec ValidationResult', () => {
    for (const { input } of Object.values(CASES))
      expect(validateAgainstSpec('ValidationResult', validate(input).result)).toEqual([]);
  });
});
