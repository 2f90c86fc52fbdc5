import type { z } from 'zod';
import type {
  BucketFixtureSchema,
  ClusterFixtureSchema,
  CollectionFixtureSchema,
  InventoryGeneratorSchema,
  RetrieverFixtureSchema,
  TaxonomyFixtureSchema,
} from '../scenarios/fixture-schemas.js';
import { fakerFor, mixpeekId } from './seeded-faker.js';

export type InventoryGenerator = z.output<typeof InventoryGeneratorSchema>;
export type BucketFixture = z.output<typeof BucketFixtureSchema>;
export type CollectionFixture = z.output<typeof CollectionFixtureSchema>;
export type TaxonomyFixture = z.output<typeof TaxonomyFixtureSchema>;
export type ClusterFixture = z.output<typeof ClusterFixtureSchema>;
export type RetrieverFixture = z.output<typeof RetrieverFixtureSchema>;

/** Generated resources, in the shapes of a namespace fixture's lists. */
export interface GeneratedInventory {
  buckets: BucketFixture[];
  collections: CollectionFixture[];
  taxonomies: TaxonomyFixture[];
  clusters: ClusterFixture[];
  retrievers: RetrieverFixture[];
}

/** Share of the previous level's collections that get a derived collection at the next level. */
const DERIVED_SHARE = 0.25;

// Business areas a generated bucket (and everything descending from it) is named after.
const SUBJECTS = (
  'product support marketing legal claims invoice contract podcast lecture news patent medical design brand ' +
  'catalog customer ticket meeting training social hr finance compliance research sales partner vendor ' +
  'field_service warranty store'
).split(' ');
const BUCKET_KINDS = [
  'uploads',
  'raw_media',
  'assets',
  'archive',
  'ingest',
  'exports',
  'drops',
  'backfill',
] as const;
/** Collection name endings by the extractor that would plausibly produce them. */
const COLLECTION_KINDS: Readonly<Record<string, readonly string[]>> = {
  text_extractor: ['documents', 'articles', 'tickets', 'transcripts', 'notes', 'emails'],
  multimodal_extractor: ['videos', 'clips', 'scenes', 'media', 'recordings'],
  image_extractor: ['images', 'thumbnails', 'photos', 'frames', 'scans'],
  face_identity_extractor: ['faces', 'portraits', 'headshots'],
  document_graph_extractor: ['pdfs', 'contracts', 'reports', 'manuals', 'filings'],
  passthrough_extractor: ['metadata', 'records', 'events'],
};
const EXTRACTORS = Object.keys(COLLECTION_KINDS);
/** Derived (tier 2+) collections: what a collection-fed pipeline makes of its source. */
const DERIVED_KINDS: Readonly<Record<string, readonly string[]>> = {
  text_extractor: ['chunks', 'summaries', 'entities'],
  multimodal_extractor: ['keyframes', 'captions', 'highlights'],
  image_extractor: ['crops', 'captions', 'variants'],
  face_identity_extractor: ['face_crops'],
  document_graph_extractor: ['sections', 'tables', 'summaries'],
  passthrough_extractor: ['snapshots'],
};
/** A derived collection usually runs a different extractor over its source's output. */
const DERIVED_EXTRACTOR: Readonly<Record<string, string>> = {
  chunks: 'text_extractor',
  summaries: 'text_extractor',
  entities: 'text_extractor',
  keyframes: 'image_extractor',
  captions: 'text_extractor',
  highlights: 'multimodal_extractor',
  crops: 'image_extractor',
  variants: 'image_extractor',
  face_crops: 'face_identity_extractor',
  sections: 'text_extractor',
  tables: 'passthrough_extractor',
  snapshots: 'passthrough_extractor',
};
const TAXONOMY_KINDS = ['categories', 'topics', 'taxonomy', 'labels', 'genres', 'intents', 'tags'] as const;
const CLUSTER_KINDS = [
  'visual_clusters',
  'topic_clusters',
  'style_groups',
  'segments',
  'near_duplicates',
] as const;
const RETRIEVER_KINDS = [
  'search',
  'semantic_search',
  'hybrid_search',
  'recommendations',
  'lookup',
  'qa',
] as const;

/**
 * Expands a namespace fixture's `generate` block into resources, deterministically from the namespace id
 * only (one faker seeded by ('inventory', namespaceId)): same id and parameters, same inventory.
 *
 * Shape: `buckets` buckets; each feeds `collections_per_bucket` tier-1 collections; then
 * `derived_collection_depth` levels where a quarter (at least one) of the previous level's collections
 * feed a derived collection (tier 2, 3, ...); taxonomies and clusters over 1–3 collections of one bucket's
 * lineage; retrievers over 1–3 such collections and 0–2 taxonomies of the same lineage. Document counts
 * are uniform in `documents_per_collection`; a bucket's object count is about the sum of its tier-1
 * collections' documents (a few percent more: objects not yet processed).
 */
export function generateInventory(namespaceId: string, generator: InventoryGenerator): GeneratedInventory {
  const f = fakerFor('inventory', namespaceId);
  const ids = new Set<string>();
  const names = new Set<string>();
  const newId = (prefix: string): string => {
    for (;;) {
      const candidate = mixpeekId(f, prefix);
      if (!ids.has(candidate)) {
        ids.add(candidate);
        return candidate;
      }
    }
  };
  // Names are unique per namespace: a repeat becomes name_v2, name_v3, ...
  const newName = (base: string): string => {
    let candidate = base;
    for (let v = 2; names.has(candidate); v++) candidate = `${base}_v${v}`;
    names.add(candidate);
    return candidate;
  };
  const [lo, hi] = [...generator.documents_per_collection].sort((a, b) => a - b) as [number, number];
  const documents = () => f.number.int({ min: lo, max: hi });

  const out: GeneratedInventory = {
    buckets: [],
    collections: [],
    taxonomies: [],
    clusters: [],
    retrievers: [],
  };
  /** Per bucket, every collection descending from it (its lineage), for related picks below. */
  const lineages: string[][] = [];
  const subjects: string[] = [];
  const lineageOf = new Map<string, number>();

  let level: CollectionFixture[] = [];
  for (let b = 0; b < generator.buckets; b++) {
    const subject = f.helpers.arrayElement(SUBJECTS);
    const bucketId = newId('bkt_');
    const tier1: CollectionFixture[] = [];
    for (let c = 0; c < generator.collections_per_bucket; c++) {
      const extractor = f.helpers.arrayElement(EXTRACTORS);
      const kind = f.helpers.arrayElement(COLLECTION_KINDS[extractor] ?? ['documents']);
      tier1.push({
        collection_id: newId('col_'),
        name: newName(`${subject}_${kind}`),
        source: { type: 'bucket', id: bucketId },
        document_count: documents(),
        feature_extractor: extractor,
      });
    }
    const docs = tier1.reduce((sum, c) => sum + c.document_count, 0);
    out.buckets.push({
      bucket_id: bucketId,
      name: newName(`${subject}_${f.helpers.arrayElement(BUCKET_KINDS)}`),
      object_count: docs + f.number.int({ min: 0, max: Math.ceil(docs * 0.05) }),
    });
    lineages.push(tier1.map((c) => c.collection_id));
    subjects.push(subject);
    for (const c of tier1) lineageOf.set(c.collection_id, b);
    out.collections.push(...tier1);
    level.push(...tier1);
  }

  for (let depth = 0; depth < generator.derived_collection_depth && level.length > 0; depth++) {
    const parents = f.helpers.arrayElements(level, Math.max(1, Math.ceil(level.length * DERIVED_SHARE)));
    level = parents.map((parent) => {
      const kind = f.helpers.arrayElement(DERIVED_KINDS[parent.feature_extractor] ?? ['chunks']);
      const derived: CollectionFixture = {
        collection_id: newId('col_'),
        name: newName(`${parent.name}_${kind}`),
        source: { type: 'collection', id: parent.collection_id },
        document_count: documents(),
        feature_extractor: DERIVED_EXTRACTOR[kind] ?? 'text_extractor',
      };
      const lineage = lineageOf.get(parent.collection_id) ?? 0;
      lineageOf.set(derived.collection_id, lineage);
      lineages[lineage]?.push(derived.collection_id);
      return derived;
    });
    out.collections.push(...level);
  }

  /** 1–3 collections of one randomly chosen bucket lineage, and that lineage's index. */
  const pickCollections = (): [string[], number] => {
    const lineage = f.number.int({ min: 0, max: lineages.length - 1 });
    const pool = lineages[lineage] ?? [];
    return [f.helpers.arrayElements(pool, { min: 1, max: Math.min(3, pool.length) }), lineage];
  };
  const subjectOf = (lineage: number): string => subjects[lineage] ?? 'shared';

  const taxonomiesByLineage = new Map<number, string[]>();
  for (let t = 0; t < generator.taxonomies; t++) {
    const [collectionIds, lineage] = pickCollections();
    const taxonomyId = newId('tax_');
    out.taxonomies.push({
      taxonomy_id: taxonomyId,
      name: newName(`${subjectOf(lineage)}_${f.helpers.arrayElement(TAXONOMY_KINDS)}`),
      collection_ids: collectionIds,
    });
    taxonomiesByLineage.set(lineage, [...(taxonomiesByLineage.get(lineage) ?? []), taxonomyId]);
  }
  for (let k = 0; k < generator.clusters; k++) {
    const [collectionIds, lineage] = pickCollections();
    out.clusters.push({
      cluster_id: newId('clust_'),
      name: newName(`${subjectOf(lineage)}_${f.helpers.arrayElement(CLUSTER_KINDS)}`),
      collection_ids: collectionIds,
    });
  }
  for (let r = 0; r < generator.retrievers; r++) {
    const [collectionIds, lineage] = pickCollections();
    const related = taxonomiesByLineage.get(lineage) ?? [];
    out.retrievers.push({
      retriever_id: newId('ret_'),
      name: newName(`${subjectOf(lineage)}_${f.helpers.arrayElement(RETRIEVER_KINDS)}`),
      collection_ids: collectionIds,
      taxonomy_ids: f.helpers.arrayElements(related, { min: 0, max: Math.min(2, related.length) }),
    });
  }
  return out;
}
