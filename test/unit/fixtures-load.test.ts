import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/domain/inventory.js';
import { generateInventory } from '../../src/generate/inventory.js';
import { fakerFor, mixpeekId, seedFrom } from '../../src/generate/seeded-faker.js';
import { type Catalog, defaultFixturesDir, FixtureError, loadCatalog } from '../../src/scenarios/load.js';

const BAD = fileURLToPath(new URL('../fixtures-bad/', import.meta.url));

/** Longest dependency chain below each resource (0 = no dependencies), as the dependency graph's tier. */
function depths(inventory: Inventory): Map<string, number> {
  const byId = new Map(inventory.resources.map((r) => [r.id, r]));
  const depth = new Map<string, number>();
  const of = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const deps = byId.get(id)?.dependencies ?? [];
    const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(of));
    depth.set(id, d);
    return d;
  };
  for (const r of inventory.resources) of(r.id);
  return depth;
}

function expectFixtureError(load: () => unknown): FixtureError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(FixtureError);
    return error as FixtureError;
  }
  throw new Error('expected a FixtureError, nothing was thrown');
}

describe('seeded faker', () => {
  it('when the same parts are hashed, then the seed is the same 32-bit FNV-1a value', () => {
    expect(seedFrom('a')).toBe(0xe40c292c); // the published FNV-1a test vector
    expect(seedFrom('inventory', 'ns_x')).toBe(seedFrom('inventory', 'ns_x'));
    expect(seedFrom('ab', 'c')).not.toBe(seedFrom('a', 'bc'));
  });

  it('when two fakers are made from the same parts, then they generate the same values, independently of others', () => {
    const a = fakerFor('test', 1);
    fakerFor('test', 2).string.alphanumeric(50); // drawing from another instance must not matter
    const b = fakerFor('test', 1);
    expect(mixpeekId(a, 'col_')).toBe(mixpeekId(b, 'col_'));
    expect(a.date.past().toISOString()).toBe(b.date.past().toISOString());
    expect(mixpeekId(fakerFor('x'), 'bkt_')).toMatch(/^bkt_[a-z0-9]{10}$/);
  });
});

describe('loadCatalog(fixtures/)', () => {
  const catalog: Catalog = loadCatalog(defaultFixturesDir());

  it('when the real fixtures load, then every namespace, scenario and pre-seeded migration is there', () => {
    expect([...catalog.namespaces.keys()].sort()).toEqual([
      'ns_acme_media',
      'ns_acme_media_v2',
      'ns_bench_1000',
      'ns_enterprise_archive',
      'ns_retail_catalog',
      'ns_support_kb',
    ]);
    expect(catalog.scenarios.size).toBe(12);
    expect(catalog.scenarios.get('re_extract_completes')?.config.source_namespace_id).toBe('ns_acme_media');
    expect(catalog.preseeded.map((m) => m.migration_id)).toContain('mig_reextract_completes');
    expect(catalog.extractors.find((e) => e.name === 'openai_text_embedding')?.versions).toEqual(['v3']);
  });

  it('when a scenario names a source namespace, then that namespace exists', () => {
    for (const scenario of catalog.scenarios.values())
      expect(catalog.namespaces.has(scenario.config.source_namespace_id), scenario.name).toBe(true);
  });

  it('when a scenario is stored in a file, then its name is the file name and a pre-seeded migration runs it', () => {
    const files = readdirSync(join(defaultFixturesDir(), 'scenarios')).map((f) => f.replace(/\.json$/, ''));
    expect([...catalog.scenarios.keys()].sort()).toEqual(files.sort());
    const preseeded = new Set(catalog.preseeded.map((m) => m.scenario));
    for (const name of catalog.scenarios.keys()) expect(preseeded.has(name), name).toBe(true);
  });

  it('when a namespace is resolved, then resources come as buckets, collections, taxonomies, clusters, retrievers with their lineage', () => {
    const acme = catalog.namespaces.get('ns_acme_media')!;
    const order = ['bucket', 'collection', 'taxonomy', 'cluster', 'retriever'];
    const ranks = acme.resources.map((r) => order.indexOf(r.type));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const byId = new Map(acme.resources.map((r) => [r.id, r]));
    expect(byId.get('col_video_keyframes')).toMatchObject({
      dependencies: ['col_campaign_videos'],
      items: 1520,
      featureExtractor: 'image_extractor',
    });
    expect(byId.get('ret_product_search')?.dependencies).toEqual([
      'col_product_images',
      'col_video_keyframes',
      'tax_product_categories',
    ]);
    expect(byId.get('bkt_marketing_assets')?.items).toBe(1634);
    expect(byId.get('tax_content_topics')?.items).toBe(0);
    expect(acme.resources.filter((r) => r.type === 'collection').reduce((n, r) => n + r.items, 0)).toBe(4040);
  });

  it('when resource ids are compared across namespaces, then none is used twice', () => {
    const ids = [...catalog.namespaces.values()].flatMap((ns) => ns.resources.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when the large namespace is generated, then it has at least 500 resources over at least 3 dependency depths', () => {
    const large = catalog.namespaces.get('ns_enterprise_archive')!;
    expect(large.resources.length).toBeGreaterThanOrEqual(500);
    expect(new Set(depths(large).values()).size).toBeGreaterThanOrEqual(3);
    // Collections themselves are chained: some collection is fed by a collection fed by a collection.
    const collectionDepths = large.resources
      .filter((r) => r.type === 'collection')
      .map((r) => depths(large).get(r.id));
    expect(Math.max(...(collectionDepths as number[]))).toBeGreaterThanOrEqual(3);
  });

  it('when the benchmark namespace is generated, then it has 1,000 resources', () => {
    expect(catalog.namespaces.get('ns_bench_1000')?.resources.length).toBe(1000);
  });

  it('when the fixtures are loaded twice, then the generated inventories are equal', () => {
    const again = loadCatalog(defaultFixturesDir());
    expect(again.namespaces).toEqual(catalog.namespaces);
    expect(again.scenarios).toEqual(catalog.scenarios);
  });

  it('when an inventory is generated for another namespace id, then it differs (seeded by the id only)', () => {
    const params = {
      buckets: 3,
      collections_per_bucket: 2,
      derived_collection_depth: 1,
      taxonomies: 2,
      clusters: 1,
      retrievers: 2,
      documents_per_collection: [10, 20] as [number, number],
    };
    const a = generateInventory('ns_a', params);
    expect(generateInventory('ns_a', params)).toEqual(a);
    expect(generateInventory('ns_b', params)).not.toEqual(a);
    expect(a.collections).toHaveLength(3 * 2 + 2); // a quarter (rounded up) of 6 tier-1 collections is derived
    for (const c of a.collections) expect(c.document_count).toSatisfy((n: number) => n >= 10 && n <= 20);
    for (const b of a.buckets) {
      const docs = a.collections
        .filter((c) => c.source.id === b.bucket_id)
        .reduce((n, c) => n + c.document_count, 0);
      expect(b.object_count).toBeGreaterThanOrEqual(docs);
      expect(b.object_count).toBeLessThanOrEqual(Math.ceil(docs * 1.05));
    }
  });

  it('when the default scenario runs on acme_media, then its planned duration is about 60 s', () => {
    // Items per stage as documented in fixtures/README.md; durations = base + per-item × items.
    const scenario = catalog.scenarios.get('re_extract_completes')!;
    const acme = catalog.namespaces.get('ns_acme_media')!;
    const count = (t: string) => acme.resources.filter((r) => r.type === t).length;
    const docs = acme.resources.filter((r) => r.type === 'collection').reduce((n, r) => n + r.items, 0);
    const items = {
      namespace_setup: acme.resources.length,
      batch_creation: Math.ceil(docs / 100),
      batch_processing: docs,
      cluster_execution: count('cluster'),
      taxonomy_enrichment: count('taxonomy'),
      benchmark_evaluation: count('retriever'),
      finalization: acme.resources.length,
    };
    const { timing } = scenario;
    const total = Object.entries(items).reduce(
      (sum, [stage, n]) =>
        sum +
        (timing.stage_seconds[stage as keyof typeof items] ?? 0) +
        (timing.seconds_per_item[stage as keyof typeof items] ?? 0) * n,
      timing.validation_seconds + timing.queue_seconds,
    );
    expect(total).toBeGreaterThan(55);
    expect(total).toBeLessThan(65);
  });
});

describe('loadCatalog(a broken fixtures dir)', () => {
  const cases = [
    {
      dir: 'invalid-json',
      file: 'namespaces/support_kb.json',
      path: '$',
      reason: /invalid JSON: .*line 4, column 3/,
    },
    {
      dir: 'wrong-id-prefix',
      file: 'namespaces/support_kb.json',
      path: '$.retrievers[0].retriever_id',
      reason: /must start with "ret_"/,
    },
    {
      dir: 'dangling-collection-source',
      file: 'namespaces/support_kb.json',
      path: '$.collections[1].source.id',
      reason: /unknown bucket "bkt_support_archive"/,
    },
    {
      dir: 'unknown-preseeded-scenario',
      file: 'preseeded.json',
      path: '$.migrations[0].scenario',
      reason: /unknown scenario "poll_drivn"/,
    },
    {
      dir: 'duplicate-scenario-name',
      file: 'scenarios/poll_driven_copy.json',
      path: '$.name',
      reason: /duplicate scenario name "poll_driven"/,
    },
    {
      dir: 'collection-cycle',
      file: 'namespaces/support_kb.json',
      path: '$.collections[0].source.id',
      reason: /cycle: col_help_articles → col_support_tickets → col_help_articles/,
    },
    {
      dir: 'duplicate-resource-id',
      file: 'namespaces/support_kb.json',
      path: '$.collections[1].collection_id',
      reason: /duplicate resource id "col_help_articles" \(first at \$\.collections\[0\]\.collection_id\)/,
    },
    {
      dir: 'unknown-source-namespace',
      file: 'scenarios/poll_driven.json',
      path: '$.config.source_namespace_id',
      reason: /unknown namespace "ns_support_kbase"/,
    },
    {
      dir: 'duplicate-migration-id',
      file: 'preseeded.json',
      path: '$.migrations[1].migration_id',
      reason: /duplicate migration id "mig_poll_driven"/,
    },
    {
      dir: 'duplicate-namespace-name',
      file: 'namespaces/support_kb_copy.json',
      path: '$.namespace_name',
      reason: /duplicate namespace name "support_kb"/,
    },
    {
      dir: 'unknown-feature-extractor',
      file: 'namespaces/support_kb.json',
      path: '$.collections[0].feature_extractor',
      reason: /unknown feature extractor "text_extractor_v9"/,
    },
  ];

  it.each(cases)(
    'when $dir, then a FixtureError names $file, $path and the reason',
    ({ dir, file, path, reason }) => {
      const error = expectFixtureError(() => loadCatalog(join(BAD, dir)));
      const fullFile = join(BAD, dir, file);
      expect(error.file).toBe(fullFile);
      expect(error.path).toBe(path);
      expect(error.reason).toMatch(reason);
      expect(error.message).toBe(`${fullFile}: at ${path}: ${error.reason}`);
    },
  );

  it('when the directory does not exist, then a FixtureError names the missing file', () => {
    const error = expectFixtureError(() => loadCatalog(join(BAD, 'no-such-dir')));
    expect(error.message).toMatch(/no-such-dir\/extractors\.json: at \$: cannot read: ENOENT/);
  });
});
