import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { Extractor, Inventory, InventoryResource } from '../domain/inventory.js';
import { generateInventory } from '../generate/inventory.js';
import {
  ExtractorsFixtureSchema,
  type NamespaceFixture,
  NamespaceFixtureSchema,
  type PreseededFixture,
  PreseededFixtureSchema,
  type ScenarioFixture,
  ScenarioFixtureSchema,
} from './fixture-schemas.js';

/** A fixture that cannot be used: which file, where in it (a JSON path, `$` for the root) and why. */
export class FixtureError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${file}: at ${path}: ${reason}`);
    this.name = 'FixtureError';
  }
}

/** Everything fixtures/ holds, validated and resolved. */
export interface Catalog {
  /** Source namespaces by namespace id, generated parts expanded. */
  namespaces: ReadonlyMap<string, Inventory>;
  extractors: readonly Extractor[];
  /** Scenarios by name. */
  scenarios: ReadonlyMap<string, ScenarioFixture>;
  preseeded: PreseededFixture['migrations'];
}

type JsonPath = readonly PropertyKey[];

/** `['collections', 3, 'source', 'id']` → `$.collections[3].source.id`. */
export function jsonPath(path: JsonPath): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Node's JSON.parse says "at position N"; a line and column are what an editor needs. */
function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined || /\(line \d+/.test(message)) return `invalid JSON: ${message}`;
  const before = text.slice(0, Number(position)).split('\n');
  return `invalid JSON: ${message} (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FixtureError(
      file,
      '$',
      `cannot read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FixtureError(file, '$', describeJsonError(text, error));
  }
}

/** Parses with a fixture schema; the first issue becomes a FixtureError (the count of others is noted). */
function parseWith<S extends z.ZodType>(schema: S, value: unknown, file: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more issue${rest.length > 1 ? 's' : ''})` : '';
  throw new FixtureError(file, jsonPath(first?.path ?? []), `${first?.message ?? 'invalid'}${more}`);
}

function jsonFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new FixtureError(
      dir,
      '$',
      `cannot list: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return names
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

/** Expands a `generate` block (appended after the listed resources) and checks references again. */
function expandNamespace(fixture: NamespaceFixture, file: string): NamespaceFixture {
  if (!fixture.generate) return fixture;
  const generated = generateInventory(fixture.namespace_id, fixture.generate);
  const { generate: _expanded, ...listed } = fixture;
  return parseWith(
    NamespaceFixtureSchema,
    {
      ...listed,
      buckets: [...listed.buckets, ...generated.buckets],
      collections: [...listed.collections, ...generated.collections],
      taxonomies: [...listed.taxonomies, ...generated.taxonomies],
      clusters: [...listed.clusters, ...generated.clusters],
      retrievers: [...listed.retrievers, ...generated.retrievers],
    },
    file,
  );
}

/** Each resource id once per namespace, whatever its type. */
function checkUniqueIds(ns: NamespaceFixture, file: string): void {
  const entries: [string, JsonPath][] = [
    ...ns.buckets.map((r, i): [string, JsonPath] => [r.bucket_id, ['buckets', i, 'bucket_id']]),
    ...ns.collections.map((r, i): [string, JsonPath] => [
      r.collection_id,
      ['collections', i, 'collection_id'],
    ]),
    ...ns.taxonomies.map((r, i): [string, JsonPath] => [r.taxonomy_id, ['taxonomies', i, 'taxonomy_id']]),
    ...ns.clusters.map((r, i): [string, JsonPath] => [r.cluster_id, ['clusters', i, 'cluster_id']]),
    ...ns.retrievers.map((r, i): [string, JsonPath] => [r.retriever_id, ['retrievers', i, 'retriever_id']]),
  ];
  const seen = new Map<string, string>();
  for (const [id, path] of entries) {
    const first = seen.get(id);
    if (first !== undefined)
      throw new FixtureError(file, jsonPath(path), `duplicate resource id "${id}" (first at ${first})`);
    seen.set(id, jsonPath(path));
  }
}

/** Collections fed by collections must form a forest: following sources always reaches a bucket. */
function checkNoCollectionCycle(ns: NamespaceFixture, file: string): void {
  const sourceOf = new Map<string, string>();
  for (const c of ns.collections)
    if (c.source.type === 'collection') sourceOf.set(c.collection_id, c.source.id);
  const acyclic = new Set<string>();
  ns.collections.forEach((c, i) => {
    const chain: string[] = [];
    const onChain = new Set<string>();
    let current: string | undefined = c.collection_id;
    while (current !== undefined && !acyclic.has(current)) {
      if (onChain.has(current)) {
        const cycle = [...chain.slice(chain.indexOf(current)), current];
        throw new FixtureError(
          file,
          jsonPath(['collections', i, 'source', 'id']),
          `collections form a cycle: ${cycle.join(' → ')}`,
        );
      }
      chain.push(current);
      onChain.add(current);
      current = sourceOf.get(current);
    }
    for (const id of chain) acyclic.add(id);
  });
}

/** Collections must name an extractor extractors.json offers. */
function checkExtractors(ns: NamespaceFixture, extractors: readonly Extractor[], file: string): void {
  const known = new Set(extractors.map((e) => e.name));
  ns.collections.forEach((c, i) => {
    if (!known.has(c.feature_extractor))
      throw new FixtureError(
        file,
        jsonPath(['collections', i, 'feature_extractor']),
        `unknown feature extractor "${c.feature_extractor}" (not in extractors.json)`,
      );
  });
}

function toInventory(ns: NamespaceFixture): Inventory {
  const resources: InventoryResource[] = [
    ...ns.buckets.map((b) => ({
      id: b.bucket_id,
      type: 'bucket' as const,
      name: b.name,
      dependencies: [],
      items: b.object_count,
    })),
    ...ns.collections.map((c) => ({
      id: c.collection_id,
      type: 'collection' as const,
      name: c.name,
      dependencies: [c.source.id],
      items: c.document_count,
      featureExtractor: c.feature_extractor,
    })),
    ...ns.taxonomies.map((t) => ({
      id: t.taxonomy_id,
      type: 'taxonomy' as const,
      name: t.name,
      dependencies: [...t.collection_ids],
      items: 0,
    })),
    ...ns.clusters.map((k) => ({
      id: k.cluster_id,
      type: 'cluster' as const,
      name: k.name,
      dependencies: [...k.collection_ids],
      items: 0,
    })),
    ...ns.retrievers.map((r) => ({
      id: r.retriever_id,
      type: 'retriever' as const,
      name: r.name,
      dependencies: [...r.collection_ids, ...r.taxonomy_ids],
      items: 0,
    })),
  ];
  return {
    namespaceId: ns.namespace_id,
    namespaceName: ns.namespace_name,
    description: ns.description,
    resources,
  };
}

/**
 * Loads and validates every fixture under `fixturesDir` (synchronously; meant for start-up):
 * extractors.json, namespaces/*.json (generated parts expanded), scenarios/*.json and preseeded.json,
 * files in name order. Throws a FixtureError naming the file, the JSON path and the reason at the
 * first problem, including the cross-file ones (duplicate namespace ids or names, duplicate scenario
 * names, unknown source namespaces, unknown or duplicate preseeded entries, duplicate resource ids,
 * cycles among collections, collections naming an unknown extractor).
 */
export function loadCatalog(fixturesDir: string): Catalog {
  const extractorsFile = join(fixturesDir, 'extractors.json');
  const extractorsFixture = parseWith(ExtractorsFixtureSchema, readJson(extractorsFile), extractorsFile);
  const extractorNames = new Set<string>();
  extractorsFixture.extractors.forEach((e, i) => {
    if (extractorNames.has(e.name))
      throw new FixtureError(
        extractorsFile,
        jsonPath(['extractors', i, 'name']),
        `duplicate extractor "${e.name}"`,
      );
    extractorNames.add(e.name);
  });
  const extractors: Extractor[] = extractorsFixture.extractors.map((e) => ({
    name: e.name,
    versions: [...e.versions],
  }));

  const namespaces = new Map<string, Inventory>();
  const namespaceFileById = new Map<string, string>();
  const namespaceFileByName = new Map<string, string>();
  for (const file of jsonFilesIn(join(fixturesDir, 'namespaces'))) {
    const ns = expandNamespace(parseWith(NamespaceFixtureSchema, readJson(file), file), file);
    const sameId = namespaceFileById.get(ns.namespace_id);
    if (sameId !== undefined)
      throw new FixtureError(
        file,
        '$.namespace_id',
        `duplicate namespace id "${ns.namespace_id}" (also in ${sameId})`,
      );
    const sameName = namespaceFileByName.get(ns.namespace_name);
    if (sameName !== undefined)
      throw new FixtureError(
        file,
        '$.namespace_name',
        `duplicate namespace name "${ns.namespace_name}" (also in ${sameName})`,
      );
    checkUniqueIds(ns, file);
    checkNoCollectionCycle(ns, file);
    checkExtractors(ns, extractors, file);
    namespaceFileById.set(ns.namespace_id, file);
    namespaceFileByName.set(ns.namespace_name, file);
    namespaces.set(ns.namespace_id, toInventory(ns));
  }

  const scenarios = new Map<string, ScenarioFixture>();
  const scenarioFileByName = new Map<string, string>();
  for (const file of jsonFilesIn(join(fixturesDir, 'scenarios'))) {
    const scenario = parseWith(ScenarioFixtureSchema, readJson(file), file);
    const same = scenarioFileByName.get(scenario.name);
    if (same !== undefined)
      throw new FixtureError(file, '$.name', `duplicate scenario name "${scenario.name}" (also in ${same})`);
    if (!namespaces.has(scenario.config.source_namespace_id))
      throw new FixtureError(
        file,
        '$.config.source_namespace_id',
        `unknown namespace "${scenario.config.source_namespace_id}" (not in namespaces/)`,
      );
    scenarioFileByName.set(scenario.name, file);
    scenarios.set(scenario.name, scenario);
  }

  const preseededFile = join(fixturesDir, 'preseeded.json');
  const preseeded = parseWith(PreseededFixtureSchema, readJson(preseededFile), preseededFile).migrations;
  const migrationIds = new Set<string>();
  preseeded.forEach((m, i) => {
    if (!scenarios.has(m.scenario))
      throw new FixtureError(
        preseededFile,
        jsonPath(['migrations', i, 'scenario']),
        `unknown scenario "${m.scenario}" (not in scenarios/)`,
      );
    if (migrationIds.has(m.migration_id))
      throw new FixtureError(
        preseededFile,
        jsonPath(['migrations', i, 'migration_id']),
        `duplicate migration id "${m.migration_id}"`,
      );
    migrationIds.add(m.migration_id);
  });

  return { namespaces, extractors, scenarios, preseeded };
}

/**
 * The package's fixtures/ directory, found by walking up from this module until a directory holding
 * both fixtures/ and package.json: works from src/ (tsx, vitest) and from dist/ after a build.
 */
export function defaultFixturesDir(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'fixtures')) && existsSync(join(dir, 'package.json')))
      return join(dir, 'fixtures');
    if (dirname(dir) === dir) throw new Error(`no fixtures/ directory beside a package.json above ${start}`);
  }
}
