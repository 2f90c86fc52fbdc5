import type { MigrationConfig } from '../schemas/config.js';
import type { ResourceType } from '../schemas/enums.js';
import type { DependencyGraph } from '../schemas/migration.js';
import type { Inventory, InventoryResource } from './inventory.js';

/** A filter id that names no resource of its type in the source namespace. */
export interface MissingFilterId {
  readonly field: 'collection_ids' | 'taxonomy_ids' | 'cluster_ids' | 'retriever_ids';
  readonly index: number;
  readonly id: string;
}
/** An upstream resource a selected one needs but that the filters leave out. */
export interface ExcludedDependency {
  readonly id: string;
  readonly dependency: string;
}

export interface Scope {
  /** The resources that migrate, in inventory order. */
  readonly resources: readonly InventoryResource[];
  readonly missing: readonly MissingFilterId[];
  readonly excluded: readonly ExcludedDependency[];
}

const FILTER_TYPES = {
  collection_ids: 'collection',
  taxonomy_ids: 'taxonomy',
  cluster_ids: 'cluster',
  retriever_ids: 'retriever',
} as const satisfies Record<MissingFilterId['field'], ResourceType>;

/**
 * The resources a migration moves: all of them without id filters; otherwise those named by any id
 * filter, plus (with auto_include_dependencies) everything upstream of them. Pure.
 */
export function selectScope(inventory: Inventory, filters: MigrationConfig['filters']): Scope {
  const byId = new Map(inventory.resources.map((r) => [r.id, r]));
  const lists = filters
    ? (Object.keys(FILTER_TYPES) as MissingFilterId['field'][]).filter((k) => filters[k] != null)
    : [];
  if (!filters || lists.length === 0) return { resources: inventory.resources, missing: [], excluded: [] };

  const missing: MissingFilterId[] = [];
  const selected = new Set<string>();
  for (const field of lists) {
    (filters[field] ?? []).forEach((id, index) => {
      const r = byId.get(id);
      if (r && r.type === FILTER_TYPES[field]) selected.add(id);
      else missing.push({ field, index, id });
    });
  }
  const excluded: ExcludedDependency[] = [];
  if (filters.auto_include_dependencies) {
    const stack = [...selected];
    while (stack.length > 0) {
      const r = byId.get(stack.pop()!);
      for (const d of r?.dependencies ?? []) {
        if (!selected.has(d)) {
          selected.add(d);
          stack.push(d);
        }
      }
    }
  } else {
    for (const id of selected) {
      for (const d of byId.get(id)?.dependencies ?? []) if (!selected.has(d)) excluded.push({ id, dependency: d });
    }
  }
  return { resources: inventory.resources.filter((r) => selected.has(r.id)), missing, excluded };
}

/**
 * The dependency graph of a scope: dependencies restricted to the scope, tier 0 for a resource with none,
 * otherwise 1 + the highest tier among them; execution order by tier, then inventory order. Pure.
 */
export function buildDependencyGraph(scope: readonly InventoryResource[]): DependencyGraph {
  const inScope = new Set(scope.map((r) => r.id));
  const tiers = new Map<string, number>();
  const byId = new Map(scope.map((r) => [r.id, r]));
  const tierOf = (id: string, seen: Set<string>): number => {
    const known = tiers.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // fixtures are checked acyclic; guard anyway
    seen.add(id);
    const deps = (byId.get(id)?.dependencies ?? []).filter((d) => inScope.has(d));
    const tier = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => tierOf(d, seen)));
    tiers.set(id, tier);
    return tier;
  };
  const nodes = scope.map((r) => ({
    resource_id: r.id,
    resource_type: r.type,
    dependencies: r.dependencies.filter((d) => inScope.has(d)),
    tier: tierOf(r.id, new Set()),
  }));
  const order = nodes
    .map((n, i) => ({ n, i }))
    .sort((a, b) => a.n.tier - b.n.tier || a.i - b.i)
    .map(({ n }) => n.resource_id);
  return { nodes, execution_order: order };
}
