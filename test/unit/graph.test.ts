import { describe, expect, it } from 'vitest';
import { withConfigDefaults } from '../../src/domain/config-defaults.js';
import { buildDependencyGraph, selectScope } from '../../src/domain/graph.js';
import type { Inventory, InventoryResource } from '../../src/domain/inventory.js';
import { VALIDATION_CODES, validateConfig } from '../../src/domain/validate.js';
import type { MigrationConfigInput } from '../../src/schemas/config.js';
import { fixtures } from '../helpers/plans.js';

const res = (
  id: string,
  type: InventoryResource['type'],
  dependencies: string[] = [],
  items = 0,
): InventoryResource => ({
  id,
  type,
  name: id,
  dependencies,
  items,
});

/**
 * A small namespace with every kind of lineage, in inventory order (buckets, collections, taxonomies,
 * clusters, retrievers):
 *   bkt_a → col_a1 → col_a2 (tier 2)      bkt_b → col_b1
 *   tax_a over col_a1; clust_x over col_a2 and col_b1; ret_a over col_a1 and tax_a.
 */
const inventory: Inventory = {
  namespaceId: 'ns_small',
  namespaceName: 'small',
  description: 'hand-built',
  resources: [
    res('bkt_a', 'bucket', [], 100),
    res('bkt_b', 'bucket', [], 50),
    res('col_a1', 'collection', ['bkt_a'], 100),
    res('col_a2', 'collection', ['col_a1'], 300),
    res('col_b1', 'collection', ['bkt_b'], 50),
    res('tax_a', 'taxonomy', ['col_a1']),
    res('clust_x', 'cluster', ['col_a2', 'col_b1']),
    res('ret_a', 'retriever', ['col_a1', 'tax_a']),
  ],
};

const ids = (rs: readonly InventoryResource[]) => rs.map((r) => r.id);
const filters = (f: NonNullable<MigrationConfigInput['filters']>) =>
  withConfigDefaults({ migration_type: 'copy', source_namespace_id: 'ns_small', filters: f }, 'ns_target')
    .filters;

describe('buildDependencyGraph', () => {
  it('when given a whole inventory, then tier 0 has no dependencies and each other tier is 1 + its deepest dependency', () => {
    const graph = buildDependencyGraph(inventory.resources);
    expect(Object.fromEntries(graph.nodes.map((n) => [n.resource_id, n.tier]))).toEqual({
      bkt_a: 0,
      bkt_b: 0,
      col_a1: 1,
      col_b1: 1,
      col_a2: 2,
      tax_a: 2,
      clust_x: 3,
      ret_a: 3,
    });
    expect(graph.nodes.find((n) => n.resource_id === 'ret_a')).toEqual({
      resource_id: 'ret_a',
      resource_type: 'retriever',
      dependencies: ['col_a1', 'tax_a'],
      tier: 3,
    });
  });

  it('when ordering execution, then resources run by tier, ties in inventory order', () => {
    const graph = buildDependencyGraph(inventory.resources);
    expect(graph.execution_order).toEqual([
      'bkt_a',
      'bkt_b',
      'col_a1',
      'col_b1',
      'col_a2',
      'tax_a',
      'clust_x',
      'ret_a',
    ]);
    // nodes stay in inventory order
    expect(graph.nodes.map((n) => n.resource_id)).toEqual(ids(inventory.resources));
  });

  it('when a dependency is outside the scope, then it is dropped from the node and the tier counts only what is in scope', () => {
    const scope = inventory.resources.filter((r) => ['col_a2', 'clust_x', 'col_b1'].includes(r.id));
    const graph = buildDependencyGraph(scope);
    expect(graph.nodes).toEqual([
      { resource_id: 'col_a2', resource_type: 'collection', dependencies: [], tier: 0 },
      { resource_id: 'col_b1', resource_type: 'collection', dependencies: [], tier: 0 },
      { resource_id: 'clust_x', resource_type: 'cluster', dependencies: ['col_a2', 'col_b1'], tier: 1 },
    ]);
    expect(graph.execution_order).toEqual(['col_a2', 'col_b1', 'clust_x']);
  });

  it('when the scope is empty, then the graph is empty', () => {
    expect(buildDependencyGraph([])).toEqual({ nodes: [], execution_order: [] });
  });

  it('when resources form a cycle (the loader forbids it), then building the graph still terminates with every node', () => {
    const graph = buildDependencyGraph([
      res('col_p', 'collection', ['col_q']),
      res('col_q', 'collection', ['col_p']),
    ]);
    expect([...graph.execution_order].sort()).toEqual(['col_p', 'col_q']);
  });

  it('when given the default namespace acme_media, then its tiers run 0–3 with the tier-2 keyframes collection and the retriever over a taxonomy at tier 3', () => {
    const acme = fixtures().namespaces.get('ns_acme_media')!;
    const graph = buildDependencyGraph(acme.resources);
    const tier = (id: string) => graph.nodes.find((n) => n.resource_id === id)?.tier;
    expect(Math.max(...graph.nodes.map((n) => n.tier))).toBe(3);
    expect(tier('bkt_marketing_assets')).toBe(0);
    expect(tier('col_campaign_videos')).toBe(1);
    expect(tier('col_video_keyframes')).toBe(2);
    expect(tier('tax_product_categories')).toBe(2);
    expect(tier('ret_product_search')).toBe(3);
    expect(tier('ret_editorial_search')).toBe(2);
    expect(graph.execution_order).toHaveLength(12);
  });
});

describe('selectScope', () => {
  it('when no filter names ids, then the whole inventory migrates', () => {
    for (const f of [null, filters({}), filters({ date_range: { after: '2024-01-01' } })]) {
      const scope = selectScope(inventory, f);
      expect(ids(scope.resources)).toEqual(ids(inventory.resources));
      expect(scope.missing).toEqual([]);
      expect(scope.excluded).toEqual([]);
    }
  });

  it('when a filter names a tier-2 collection with auto_include_dependencies, then its upstream collection and bucket come along, in inventory order', () => {
    const scope = selectScope(inventory, filters({ collection_ids: ['col_a2'] }));
    expect(ids(scope.resources)).toEqual(['bkt_a', 'col_a1', 'col_a2']);
    expect(scope.excluded).toEqual([]);
  });

  it('when a filter names a retriever with auto_include_dependencies, then everything upstream of it (taxonomy, collection, bucket) is pulled in', () => {
    const scope = selectScope(inventory, filters({ retriever_ids: ['ret_a'] }));
    expect(ids(scope.resources)).toEqual(['bkt_a', 'col_a1', 'tax_a', 'ret_a']);
  });

  it('when auto_include_dependencies is false, then only the named resources migrate and each left-out dependency is reported', () => {
    const scope = selectScope(
      inventory,
      filters({ cluster_ids: ['clust_x'], collection_ids: ['col_b1'], auto_include_dependencies: false }),
    );
    expect(ids(scope.resources)).toEqual(['col_b1', 'clust_x']);
    expect(scope.excluded).toEqual([
      { id: 'col_b1', dependency: 'bkt_b' },
      { id: 'clust_x', dependency: 'col_a2' },
    ]);
  });

  it('when a filter names an unknown id or an id of another type, then it is reported missing with its field and index', () => {
    const scope = selectScope(
      inventory,
      filters({ collection_ids: ['col_a1', 'col_nope', 'tax_a'], taxonomy_ids: ['tax_zzz'] }),
    );
    expect(scope.missing).toEqual([
      { field: 'collection_ids', index: 1, id: 'col_nope' },
      { field: 'collection_ids', index: 2, id: 'tax_a' },
      { field: 'taxonomy_ids', index: 0, id: 'tax_zzz' },
    ]);
    expect(ids(scope.resources)).toEqual(['bkt_a', 'col_a1']);
  });

  it('when an id list is present but empty, then nothing is selected', () => {
    expect(selectScope(inventory, filters({ collection_ids: [] })).resources).toEqual([]);
  });
});

describe('scope through validateConfig', () => {
  const ctx = {
    namespaces: new Map([['ns_small', inventory]]),
    extractors: [{ name: 'text_extractor', versions: ['v1'] }],
    timing: {
      validation_seconds: 2,
      queue_seconds: 3,
      stage_seconds: {},
      seconds_per_item: {},
      pacing: 'linear' as const,
      jitter: 0,
    },
    timeScale: 1,
  };
  const validate = (f: NonNullable<MigrationConfigInput['filters']>) =>
    validateConfig(
      withConfigDefaults(
        { migration_type: 'copy', source_namespace_id: 'ns_small', filters: f },
        'ns_target',
      ),
      ctx,
    );

  it('when auto_include_dependencies is false and a dependency is left out, then a DEPENDENCY_NOT_INCLUDED warning names both, and the migration stays valid', () => {
    const { result, graph } = validate({ collection_ids: ['col_a2'], auto_include_dependencies: false });
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        error_code: VALIDATION_CODES.DEPENDENCY_NOT_INCLUDED,
        severity: 'warning',
        loc: ['config', 'filters', 'auto_include_dependencies'],
        message: expect.stringMatching(/'col_a2' depends on 'col_a1'/),
      }),
    ]);
    expect(graph?.execution_order).toEqual(['col_a2']);
    expect(result.estimated_resources).toEqual({ collection: 1 });
  });

  it('when auto_include_dependencies is true, then no warning is given and the graph holds the pulled-in resources', () => {
    const { result, graph } = validate({ collection_ids: ['col_a2'] });
    expect(result.warnings).toEqual([]);
    expect(graph?.execution_order).toEqual(['bkt_a', 'col_a1', 'col_a2']);
    expect(result.estimated_resources).toEqual({ bucket: 1, collection: 2 });
  });
});
