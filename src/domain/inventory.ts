import type { ResourceType } from '../schemas/enums.js';

/** One resource of a source namespace, with its upstream resources (lineage). */
export interface InventoryResource {
  readonly id: string;
  readonly type: ResourceType;
  readonly name: string;
  /** Ids of the resources this one is built from, all within the same namespace. */
  readonly dependencies: readonly string[];
  /** Objects in a bucket, documents in a collection; 0 for taxonomies, clusters, retrievers. */
  readonly items: number;
  /** For collections: the feature extractor that produced it. */
  readonly featureExtractor?: string;
}

/** A source namespace the mock knows, resolved from fixtures/ (generated parts expanded). */
export interface Inventory {
  readonly namespaceId: string;
  readonly namespaceName: string;
  readonly description: string;
  /** In a stable order: buckets, collections, taxonomies, clusters, retrievers, each as listed. */
  readonly resources: readonly InventoryResource[];
}

/** Everything the engine knows from fixtures/, as plain values. */
export interface Extractor {
  readonly name: string;
  readonly versions: readonly string[];
}
