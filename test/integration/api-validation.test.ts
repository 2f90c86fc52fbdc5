import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALIDATION_CODES } from '../../src/domain/validate.js';
import { AUTH_HEADER, buildTestApp, MIGRATIONS, type Schemas } from '../helpers/mixpeek-client.js';
import { validateAgainstSpec } from '../helpers/reference-spec.js';

/**
 * Pre-flight validation through Mixpeek's endpoints (app.inject): every error code through POST /validate
 * and through create, the cost warning, dependency inclusion, estimates, and the defaults of the stored
 * config. Every 2xx body is also checked against Mixpeek's published spec.
 */

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});
// No reset between tests: none depends on the instant or on other migrations (list counts are compared before/after).

type Json = Record<string, unknown>;
interface Issue {
  error_code: string;
  message: string;
  severity: 'error' | 'warning';
  loc: (string | number)[];
  msg: string;
  type: string;
}
type ValidationResult = Omit<Schemas['ValidationResult'], 'errors' | 'warnings'> & {
  errors: Issue[];
  warnings: Issue[];
};
type ValidateResponse = Omit<Schemas['ValidateMigrationResponse'], 'validation_result'> & {
  validation_result: ValidationResult;
};
type GetMigration = Omit<Schemas['GetMigrationResponse'], 'validation_result' | 'config'> & {
  validation_result: ValidationResult | null;
  config: Json;
};

async function call(method: InjectOptions['method'], url: string, body?: unknown, component?: string) {
  const res = await app.inject({
    method,
    url,
    headers: { authorization: AUTH_HEADER },
    ...(body === undefined ? {} : { payload: body as Json }),
  });
  if (component && res.statusCode < 300) expect(validateAgainstSpec(component, res.json())).toEqual([]);
  if (res.statusCode >= 400) expect(validateAgainstSpec('ErrorResponse', res.json())).toEqual([]);
  return res;
}
const validate = async (config: Json) => {
  const res = await call('POST', `${MIGRATIONS}/validate`, { config }, 'ValidateMigrationResponse');
  expect(res.statusCode).toBe(200);
  return res.json<ValidateResponse>();
};
const create = async (config: Json, startImmediately = false) => {
  const res = await call(
    'POST',
    `${MIGRATIONS}/`,
    { config, start_immediately: startImmediately },
    'CreateMigrationResponse',
  );
  expect(res.statusCode).toBe(201);
  return res.json<Schemas['CreateMigrationResponse'] & { validation_result: ValidationResult | null }>();
};
const get = async (id: string) => {
  const res = await call('GET', `${MIGRATIONS}/${id}`, undefined, 'GetMigrationResponse');
  expect(res.statusCode).toBe(200);
  return res.json<GetMigration>();
};
const total = async () =>
  (await call('POST', `${MIGRATIONS}/list`, {}, 'ListMigrationsResponse')).json<{ total: number }>().total;
const advance = async (seconds: number) =>
  expect(
    (await app.inject({ method: 'POST', url: '/_mock/clock/advance', payload: { seconds } })).statusCode,
  ).toBe(200);
const codes = (issues: readonly Issue[]) => issues.map((i) => i.error_code);

const ACME = 'ns_acme_media';
const copyOf = (extra: Json = {}): Json => ({ migration_type: 'copy', source_namespace_id: ACME, ...extra });
const reExtractOf = (extra: Json = {}): Json => ({
  migration_type: 're_extract',
  source_namespace_id: ACME,
  feature_extractors: [{ feature_extractor_name: 'text_extractor', version: 'v1' }],
  ...extra,
});

interface ErrorCase {
  readonly name: string;
  readonly code: keyof typeof VALIDATION_CODES;
  readonly config: Json;
  readonly loc: (string | number)[];
  readonly message: string | RegExp;
}

const ERROR_CASES: ErrorCase[] = [
  {
    name: 'an unknown source namespace',
    code: 'SOURCE_NAMESPACE_NOT_FOUND',
    config: copyOf({ source_namespace_id: 'ns_nowhere' }),
    loc: ['config', 'source_namespace_id'],
    message: "Source namespace 'ns_nowhere' not found",
  },
  {
    name: 'a target name already taken ("acme_media_v2")',
    code: 'TARGET_NAMESPACE_NAME_TAKEN',
    config: copyOf({ target_namespace_name: 'acme_media_v2' }),
    loc: ['config', 'target_namespace_name'],
    message: "Namespace name 'acme_media_v2' is already in use",
  },
  {
    name: 'the source as the target',
    code: 'TARGET_SAME_AS_SOURCE',
    config: copyOf({ target_namespace_id: ACME }),
    loc: ['config', 'target_namespace_id'],
    message: 'Target namespace must differ from the source namespace',
  },
  {
    name: 'a re_extract without feature_extractors',
    code: 'FEATURE_EXTRACTORS_REQUIRED',
    config: { migration_type: 're_extract', source_namespace_id: ACME },
    loc: ['config', 'feature_extractors'],
    message: 'RE_EXTRACT migration requires at least one feature extractor',
  },
  {
    name: 'a re_extract with an empty feature_extractors list',
    code: 'FEATURE_EXTRACTORS_REQUIRED',
    config: reExtractOf({ feature_extractors: [] }),
    loc: ['config', 'feature_extractors'],
    message: 'RE_EXTRACT migration requires at least one feature extractor',
  },
  {
    name: 'an extractor the catalog does not offer',
    code: 'UNKNOWN_FEATURE_EXTRACTOR',
    config: reExtractOf({
      feature_extractors: [{ feature_extractor_name: 'clip_vit_giant', version: 'v1' }],
    }),
    loc: ['config', 'feature_extractors', 0, 'feature_extractor_name'],
    message: /^Unknown feature extractor 'clip_vit_giant'\. Known: text_extractor, .*openai_text_embedding$/,
  },
  {
    name: 'a version the extractor does not have',
    code: 'UNKNOWN_EXTRACTOR_VERSION',
    config: reExtractOf({
      feature_extractors: [
        { feature_extractor_name: 'text_extractor', version: 'v1' },
        { feature_extractor_name: 'image_extractor', version: 'v9' },
      ],
    }),
    loc: ['config', 'feature_extractors', 1, 'version'],
    message: "Feature extractor 'image_extractor' has no version 'v9'. Known: v1, v2",
  },
  {
    name: "a collection of another namespace (support_kb's)",
    code: 'COLLECTION_NOT_FOUND',
    config: copyOf({ filters: { collection_ids: ['col_product_images', 'col_help_articles'] } }),
    loc: ['config', 'filters', 'collection_ids', 1],
    message: "Collection 'col_help_articles' not found in namespace 'ns_acme_media'",
  },
  {
    name: 'an unknown taxonomy',
    code: 'TAXONOMY_NOT_FOUND',
    config: copyOf({ filters: { taxonomy_ids: ['tax_nope'] } }),
    loc: ['config', 'filters', 'taxonomy_ids', 0],
    message: "Taxonomy 'tax_nope' not found in namespace 'ns_acme_media'",
  },
  {
    name: 'a collection id given as a taxonomy id',
    code: 'TAXONOMY_NOT_FOUND',
    config: copyOf({ filters: { taxonomy_ids: ['col_product_images'] } }),
    loc: ['config', 'filters', 'taxonomy_ids', 0],
    message: "Taxonomy 'col_product_images' not found in namespace 'ns_acme_media'",
  },
  {
    name: 'an unknown cluster',
    code: 'CLUSTER_NOT_FOUND',
    config: copyOf({ filters: { cluster_ids: ['clust_visual_styles', 'clust_nope'] } }),
    loc: ['config', 'filters', 'cluster_ids', 1],
    message: "Cluster 'clust_nope' not found in namespace 'ns_acme_media'",
  },
  {
    name: "a retriever of another namespace (support_kb's)",
    code: 'RETRIEVER_NOT_FOUND',
    config: copyOf({ filters: { retriever_ids: ['ret_support_answers'] } }),
    loc: ['config', 'filters', 'retriever_ids', 0],
    message: "Retriever 'ret_support_answers' not found in namespace 'ns_acme_media'",
  },
  {
    name: 'a date range whose after is later than its before',
    code: 'INVALID_DATE_RANGE',
    config: copyOf({ filters: { date_range: { after: '2025-02-01', before: '2025-01-01T00:00:00Z' } } }),
    loc: ['config', 'filters', 'date_range'],
    message: 'date_range.after must not be later than date_range.before',
  },
  {
    name: 'a date range with a date that does not parse',
    code: 'INVALID_DATE_RANGE',
    config: copyOf({ filters: { date_range: { after: 'yesterday' } } }),
    loc: ['config', 'filters', 'date_range', 'after'],
    message: 'date_range.after must be an ISO-8601 date or date-time',
  },
  {
    name: 'a date range with a key other than after and before',
    code: 'INVALID_DATE_RANGE',
    config: copyOf({ filters: { date_range: { since: '2025-01-01' } } }),
    loc: ['config', 'filters', 'date_range', 'since'],
    message: "date_range accepts only 'after' and 'before', not 'since'",
  },
  {
    name: 'filters that select nothing',
    code: 'NO_RESOURCES_SELECTED',
    config: copyOf({ filters: { collection_ids: [] } }),
    loc: ['config', 'filters'],
    message: 'The filters select no resources to migrate',
  },
];

describe('each validation error code', () => {
  it('when the cases are listed, then every error code of VALIDATION_CODES has one', () => {
    const warningsOnly = ['RE_EXTRACT_COST_WARNING', 'DEPENDENCY_NOT_INCLUDED', 'FEATURE_EXTRACTORS_IGNORED'];
    const errorCodes = Object.keys(VALIDATION_CODES).filter((c) => !warningsOnly.includes(c));
    expect(new Set(ERROR_CASES.map((c) => c.code))).toEqual(new Set(errorCodes));
  });

  describe.each(ERROR_CASES)('$code: $name', ({ code, config, loc, message }) => {
    it('when validated, then 200 with valid false, exactly this error (code, severity, loc, message), no graph and no estimate', async () => {
      const body = await validate(config);
      const r = body.validation_result;
      expect(r.valid).toBe(false);
      expect(codes(r.errors)).toEqual([code]);
      const e = r.errors[0]!;
      expect(e).toMatchObject({ error_code: code, severity: 'error', loc, type: code.toLowerCase() });
      expect(e.message).toMatch(message);
      expect(e.msg).toBe(e.message);
      expect(r.estimated_resources).toEqual({});
      expect(r.estimated_duration_seconds).toBeNull();
      expect(body.dependency_graph).toBeNull();
      expect(body.message).toBe('Configuration is invalid: 1 error(s)');
    });

    it('when created, then it is stored in draft with the same validation result, never leaves draft, and start is refused with 400', async () => {
      const expected = (await validate(config)).validation_result;
      const created = await create(config);
      expect(created.status).toBe('draft');
      expect(created.validation_result).toEqual(expected);
      expect(created.message).toContain('1 validation error(s)');

      const id = created.migration_id;
      const m = await get(id);
      expect(m).toMatchObject({
        status: 'draft',
        validation_result: expected,
        dependency_graph: null,
        task_id: null,
      });
      expect(m.progress.resources).toEqual([]);

      await advance(3600);
      expect((await get(id)).status).toBe('draft');
      const start = await call('POST', `${MIGRATIONS}/${id}/start`, { force: true });
      expect(start.statusCode).toBe(400);
      expect(start.json()).toEqual({
        success: false,
        status: 400,
        error: {
          message: `Migration '${id}' cannot be started: its configuration has 1 validation error(s)`,
          type: 'BadRequestError',
          details: { migration_id: id, errors: expected.errors },
        },
      });
      expect((await get(id)).status).toBe('draft');
    });

    it('when created with start_immediately, then it validates, lands in draft and never runs', async () => {
      const { migration_id: id, status } = await create(config, true);
      expect(status).toBe('validating');
      await advance(3600);
      const m = await get(id);
      expect(m).toMatchObject({ status: 'draft', task_id: null, started_at: null, completed_at: null });
      expect(m.validation_result?.valid).toBe(false);
    });
  });

  it('when a config has several problems, then every error is reported, in order', async () => {
    const r = (
      await validate({
        migration_type: 're_extract',
        source_namespace_id: ACME,
        target_namespace_name: 'support_kb',
        feature_extractors: [{ feature_extractor_name: 'nope' }],
        filters: { collection_ids: ['col_nope'], date_range: { after: 'soon' } },
      })
    ).validation_result;
    expect(codes(r.errors)).toEqual([
      'TARGET_NAMESPACE_NAME_TAKEN',
      'UNKNOWN_FEATURE_EXTRACTOR',
      'INVALID_DATE_RANGE',
      'COLLECTION_NOT_FOUND',
    ]);
    expect(codes(r.warnings)).toEqual(['RE_EXTRACT_COST_WARNING']);
  });
});

describe('RE_EXTRACT_COST_WARNING', () => {
  const COST = {
    error_code: 'RE_EXTRACT_COST_WARNING',
    severity: 'warning',
    message: 'RE_EXTRACT migration will reprocess all documents and incur processing costs',
    msg: 'RE_EXTRACT migration will reprocess all documents and incur processing costs',
    loc: ['config', 'migration_type'],
    type: 're_extract_cost_warning',
  };

  it.each([
    ['a valid re_extract of acme_media', reExtractOf()],
    [
      'a filtered re_extract of support_kb',
      reExtractOf({
        source_namespace_id: 'ns_support_kb',
        filters: { collection_ids: ['col_help_articles'] },
      }),
    ],
    ['a dry-run re_extract', reExtractOf({ dry_run: true })],
    [
      'an invalid re_extract (unknown extractor)',
      reExtractOf({ feature_extractors: [{ feature_extractor_name: 'nope' }] }),
    ],
    ['a re_extract without extractors', { migration_type: 're_extract', source_namespace_id: ACME }],
    ['a re_extract of an unknown namespace', reExtractOf({ source_namespace_id: 'ns_nowhere' })],
  ])('when validating %s, then it warns RE_EXTRACT_COST_WARNING once', async (_name, config) => {
    const r = (await validate(config)).validation_result;
    expect(r.warnings.filter((w) => w.error_code === 'RE_EXTRACT_COST_WARNING')).toEqual([COST]);
  });

  it('when the re_extract is valid, then it is still valid (a warning, not an error) and the message counts the warning', async () => {
    const body = await validate(reExtractOf());
    expect(body.validation_result.valid).toBe(true);
    expect(body.message).toBe('Configuration is valid with 1 warning');
  });

  it.each([
    ['copy', copyOf()],
    ['extend', { migration_type: 'extend', source_namespace_id: 'ns_support_kb' }],
  ])('when validating a %s, then there is no warning', async (_type, config) => {
    const body = await validate(config);
    expect(body.validation_result.warnings).toEqual([]);
    expect(body.message).toBe('Configuration is valid');
  });
});

describe('auto_include_dependencies', () => {
  const RETRIEVER_SCOPE = [
    { resource_id: 'bkt_marketing_assets', resource_type: 'bucket', dependencies: [], tier: 0 },
    {
      resource_id: 'col_product_images',
      resource_type: 'collection',
      dependencies: ['bkt_marketing_assets'],
      tier: 1,
    },
    {
      resource_id: 'col_campaign_videos',
      resource_type: 'collection',
      dependencies: ['bkt_marketing_assets'],
      tier: 1,
    },
    {
      resource_id: 'col_video_keyframes',
      resource_type: 'collection',
      dependencies: ['col_campaign_videos'],
      tier: 2,
    },
    {
      resource_id: 'tax_product_categories',
      resource_type: 'taxonomy',
      dependencies: ['col_product_images'],
      tier: 2,
    },
    {
      resource_id: 'ret_product_search',
      resource_type: 'retriever',
      dependencies: ['col_product_images', 'col_video_keyframes', 'tax_product_categories'],
      tier: 3,
    },
  ];

  it.each([
    ['left out (default true)', { retriever_ids: ['ret_product_search'] }],
    ['true', { retriever_ids: ['ret_product_search'], auto_include_dependencies: true }],
  ])(
    'when it is %s and a retriever is filtered, then its collections, their buckets (and upstream collections) and its taxonomies are pulled in',
    async (_name, filters) => {
      const body = await validate(copyOf({ filters }));
      expect(body.validation_result).toMatchObject({
        valid: true,
        errors: [],
        warnings: [],
        estimated_resources: { bucket: 1, collection: 3, taxonomy: 1, retriever: 1 },
      });
      expect(body.dependency_graph).toEqual({
        nodes: RETRIEVER_SCOPE,
        execution_order: RETRIEVER_SCOPE.map((n) => n.resource_id),
      });
    },
  );

  it('when a cluster over a tier-2 collection is filtered, then the whole lineage up to the bucket is pulled in', async () => {
    const body = await validate(copyOf({ filters: { cluster_ids: ['clust_visual_styles'] } }));
    expect(body.dependency_graph?.execution_order).toEqual([
      'bkt_marketing_assets',
      'col_product_images',
      'col_campaign_videos',
      'col_video_keyframes',
      'clust_visual_styles',
    ]);
    expect(body.dependency_graph?.nodes?.find((n) => n.resource_id === 'clust_visual_styles')?.tier).toBe(3);
    expect(body.validation_result.estimated_resources).toEqual({ bucket: 1, collection: 3, cluster: 1 });
  });

  it('when it is false, then only the named resources migrate and each left-out dependency is a DEPENDENCY_NOT_INCLUDED warning', async () => {
    const body = await validate(
      copyOf({ filters: { retriever_ids: ['ret_product_search'], auto_include_dependencies: false } }),
    );
    const r = body.validation_result;
    expect(r.valid).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.estimated_resources).toEqual({ retriever: 1 });
    expect(codes(r.warnings)).toEqual([
      'DEPENDENCY_NOT_INCLUDED',
      'DEPENDENCY_NOT_INCLUDED',
      'DEPENDENCY_NOT_INCLUDED',
    ]);
    expect(r.warnings.map((w) => w.message)).toEqual(
      ['col_product_images', 'col_video_keyframes', 'tax_product_categories'].map(
        (d) =>
          `'ret_product_search' depends on '${d}', which the filters leave out (auto_include_dependencies is false)`,
      ),
    );
    for (const w of r.warnings)
      expect(w).toMatchObject({
        severity: 'warning',
        loc: ['config', 'filters', 'auto_include_dependencies'],
      });
    expect(body.dependency_graph).toEqual({
      nodes: [{ resource_id: 'ret_product_search', resource_type: 'retriever', dependencies: [], tier: 0 }],
      execution_order: ['ret_product_search'],
    });
  });

  it('when it is false and the filters name some dependencies, then only the ones left out are warned about', async () => {
    const body = await validate(
      copyOf({
        filters: {
          retriever_ids: ['ret_editorial_search'],
          collection_ids: ['col_editorial_articles', 'col_press_pdfs'],
          auto_include_dependencies: false,
        },
      }),
    );
    const r = body.validation_result;
    expect(r.valid).toBe(true);
    expect(r.estimated_resources).toEqual({ collection: 2, retriever: 1 });
    // Buckets cannot be filtered: the collections' bucket is left out; the retriever has all it needs.
    expect(r.warnings.map((w) => w.message)).toEqual(
      ['col_editorial_articles', 'col_press_pdfs'].map(
        (c) =>
          `'${c}' depends on 'bkt_editorial_archive', which the filters leave out (auto_include_dependencies is false)`,
      ),
    );
    expect(body.dependency_graph?.nodes?.find((n) => n.resource_id === 'ret_editorial_search')).toEqual({
      resource_id: 'ret_editorial_search',
      resource_type: 'retriever',
      dependencies: ['col_editorial_articles', 'col_press_pdfs'],
      tier: 1,
    });
  });
});

describe('estimates', () => {
  it('when a whole namespace is validated, then estimated_resources counts its resources by type and the graph holds them all', async () => {
    const res = await app.inject({ method: 'GET', url: '/_mock/namespaces' });
    const namespaces = res.json<{ namespace_id: string; resources: Record<string, string[]> }[]>();
    expect(namespaces.length).toBeGreaterThanOrEqual(6);
    for (const ns of namespaces) {
      const body = await validate({ migration_type: 'copy', source_namespace_id: ns.namespace_id });
      const counts = Object.fromEntries(
        Object.entries(ns.resources).map(([type, ids]) => [type, ids.length]),
      );
      expect(body.validation_result.estimated_resources, ns.namespace_id).toEqual(counts);
      const n = Object.values(counts).reduce((a, b) => a + b, 0);
      expect(body.dependency_graph?.nodes).toHaveLength(n);
      expect(new Set(body.dependency_graph?.execution_order)).toEqual(
        new Set(Object.values(ns.resources).flat()),
      );
      const seconds = body.validation_result.estimated_duration_seconds;
      expect(Number.isInteger(seconds) && seconds! > 0).toBe(true);
    }
  });

  it('when the scope is smaller, then the estimated duration is shorter', async () => {
    const all = (await validate(copyOf())).validation_result.estimated_duration_seconds!;
    const one = (await validate(copyOf({ filters: { collection_ids: ['col_press_pdfs'] } })))
      .validation_result;
    expect(one.estimated_resources).toEqual({ bucket: 1, collection: 1 });
    expect(one.estimated_duration_seconds!).toBeLessThan(all);
  });
});

describe('validate stores nothing', () => {
  it('when configs (valid or not) are validated, then the list total is unchanged and no id is used', async () => {
    const before = await total();
    await validate(copyOf());
    await validate(reExtractOf({ feature_extractors: [{ feature_extractor_name: 'nope' }] }));
    await validate(copyOf({ filters: { retriever_ids: ['ret_product_search'] } }));
    expect(await total()).toBe(before);
    const list = await call('POST', `${MIGRATIONS}/list`, { limit: 1000 });
    expect(list.json<{ results: unknown[] }>().results).toHaveLength(before);
  });
});

describe('defaults of the stored config', () => {
  it('when only the required members are sent, then GET shows every option with Mixpeek defaults and a generated target_namespace_id', async () => {
    const { migration_id: id } = await create({ migration_type: 'copy', source_namespace_id: ACME });
    const m = await get(id);
    expect(m.config).toEqual({
      migration_type: 'copy',
      source_namespace_id: ACME,
      target_namespace_id: expect.stringMatching(/^ns_[A-Za-z0-9]{10}$/),
      target_namespace_name: null,
      feature_extractors: null,
      filters: {
        collection_ids: null,
        taxonomy_ids: null,
        cluster_ids: null,
        retriever_ids: null,
        date_range: null,
        auto_include_dependencies: true,
      },
      batch_options: { batch_size: 100, max_workers: 10, retry_failed: true },
      taxonomy_options: {
        preserve_taxonomy_ids: true,
        preserve_enrichment_fields: true,
        re_run_enrichment: false,
        migrate_reference_collections: true,
      },
      cluster_options: {
        preserve_cluster_ids: true,
        preserve_assignments: true,
        migrate_artifacts: true,
        preserve_centroids: true,
        recompute_clusters: false,
      },
      retriever_options: {
        preserve_retriever_ids: false,
        migrate_interactions: false,
        migrate_execution_history: false,
        validate_references: true,
      },
      preserve_resource_ids: false,
      dry_run: false,
      webhook_url: null,
    });
    expect(m.config.target_namespace_id).not.toBe(ACME);
    // Each migration gets its own generated target.
    const other = await get(
      (await create({ migration_type: 'copy', source_namespace_id: ACME })).migration_id,
    );
    expect(other.config.target_namespace_id).toMatch(/^ns_[A-Za-z0-9]{10}$/);
    expect(other.config.target_namespace_id).not.toBe(m.config.target_namespace_id);
  });

  it('when options are sent in part or as null, then the missing members are filled and the given ones kept', async () => {
    const { migration_id: id } = await create({
      migration_type: 're_extract',
      source_namespace_id: ACME,
      target_namespace_id: 'ns_my_target',
      feature_extractors: [{ feature_extractor_name: 'text_extractor' }],
      filters: { collection_ids: ['col_press_pdfs'] },
      batch_options: { batch_size: 250 },
      taxonomy_options: { re_run_enrichment: true },
      cluster_options: null,
      retriever_options: { migrate_interactions: true },
      preserve_resource_ids: true,
    });
    const c = (await get(id)).config;
    expect(c).toMatchObject({
      target_namespace_id: 'ns_my_target',
      feature_extractors: [{ feature_extractor_name: 'text_extractor', version: null, parameters: null }],
      filters: {
        collection_ids: ['col_press_pdfs'],
        taxonomy_ids: null,
        cluster_ids: null,
        retriever_ids: null,
        date_range: null,
        auto_include_dependencies: true,
      },
      batch_options: { batch_size: 250, max_workers: 10, retry_failed: true },
      taxonomy_options: {
        preserve_taxonomy_ids: true,
        preserve_enrichment_fields: true,
        re_run_enrichment: true,
        migrate_reference_collections: true,
      },
      cluster_options: {
        preserve_cluster_ids: true,
        preserve_assignments: true,
        migrate_artifacts: true,
        preserve_centroids: true,
        recompute_clusters: false,
      },
      retriever_options: {
        preserve_retriever_ids: false,
        migrate_interactions: true,
        migrate_execution_history: false,
        validate_references: true,
      },
      preserve_resource_ids: true,
      dry_run: false,
      webhook_url: null,
    });
  });

  it('when the batch size is given, then the batch-creation stage counts batches of that size', async () => {
    const { migration_id: id } = await create(
      copyOf({ filters: { collection_ids: ['col_press_pdfs'] }, batch_options: { batch_size: 100 } }),
    );
    const { migration_id: big } = await create(
      copyOf({ filters: { collection_ids: ['col_press_pdfs'] }, batch_options: { batch_size: 1000 } }),
    );
    const batches = async (mid: string) =>
      (await get(mid)).progress.stages?.find((s) => s.stage === 'batch_creation')?.items_total;
    expect(await batches(id)).toBe(3); // 260 documents
    expect(await batches(big)).toBe(1);
  });
});
