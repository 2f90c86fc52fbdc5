import type { MigrationConfig } from '../schemas/config.js';
import { MIGRATION_STAGES, type ResourceType } from '../schemas/enums.js';
import type { DependencyGraph, ValidationIssue, ValidationResult } from '../schemas/migration.js';
import { buildDependencyGraph, type Scope, selectScope } from './graph.js';
import type { Extractor, Inventory } from './inventory.js';
import { stageItems, stageSeconds, type Timing } from './stages.js';
import { parseInstant } from './time.js';

export interface ValidationContext {
  readonly namespaces: ReadonlyMap<string, Inventory>;
  readonly extractors: readonly Extractor[];
  readonly timing: Timing;
  /** Multiplies planned durations (MOCK_TIME_SCALE). */
  readonly timeScale: number;
}

export interface Validated {
  readonly result: ValidationResult;
  /** Only when valid. */
  readonly graph: DependencyGraph | null;
  readonly scope: Scope | null;
}

/** Error codes of pre-flight validation; each has one cause and one message shape. */
export const VALIDATION_CODES = {
  SOURCE_NAMESPACE_NOT_FOUND: 'SOURCE_NAMESPACE_NOT_FOUND',
  TARGET_NAMESPACE_NAME_TAKEN: 'TARGET_NAMESPACE_NAME_TAKEN',
  TARGET_SAME_AS_SOURCE: 'TARGET_SAME_AS_SOURCE',
  FEATURE_EXTRACTORS_REQUIRED: 'FEATURE_EXTRACTORS_REQUIRED',
  UNKNOWN_FEATURE_EXTRACTOR: 'UNKNOWN_FEATURE_EXTRACTOR',
  UNKNOWN_EXTRACTOR_VERSION: 'UNKNOWN_EXTRACTOR_VERSION',
  COLLECTION_NOT_FOUND: 'COLLECTION_NOT_FOUND',
  TAXONOMY_NOT_FOUND: 'TAXONOMY_NOT_FOUND',
  CLUSTER_NOT_FOUND: 'CLUSTER_NOT_FOUND',
  RETRIEVER_NOT_FOUND: 'RETRIEVER_NOT_FOUND',
  INVALID_DATE_RANGE: 'INVALID_DATE_RANGE',
  NO_RESOURCES_SELECTED: 'NO_RESOURCES_SELECTED',
  RE_EXTRACT_COST_WARNING: 'RE_EXTRACT_COST_WARNING',
  DEPENDENCY_NOT_INCLUDED: 'DEPENDENCY_NOT_INCLUDED',
  FEATURE_EXTRACTORS_IGNORED: 'FEATURE_EXTRACTORS_IGNORED',
} as const;

const NOT_FOUND_CODE = {
  collection_ids: 'COLLECTION_NOT_FOUND',
  taxonomy_ids: 'TAXONOMY_NOT_FOUND',
  cluster_ids: 'CLUSTER_NOT_FOUND',
  retriever_ids: 'RETRIEVER_NOT_FOUND',
} as const;

/** One issue in both shapes Mixpeek's clients parse. */
export function issue(
  code: string,
  severity: 'error' | 'warning',
  message: string,
  loc: (string | number)[],
): ValidationIssue {
  return { error_code: code, message, severity, loc, msg: message, type: code.toLowerCase() };
}

/**
 * Pre-flight validation of a (defaulted) config against the namespaces the mock knows. Pure: the
 * result depends only on its arguments. `takenNames` are namespace names already in use.
 */
export function validateConfig(config: MigrationConfig, ctx: ValidationContext): Validated {
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const C = VALIDATION_CODES;
  const source = ctx.namespaces.get(config.source_namespace_id);
  if (!source) {
    errors.push(
      issue(C.SOURCE_NAMESPACE_NOT_FOUND, 'error', `Source namespace '${config.source_namespace_id}' not found`, [
        'config',
        'source_namespace_id',
      ]),
    );
  }
  if (config.target_namespace_id != null && config.target_namespace_id === config.source_namespace_id) {
    errors.push(
      issue(C.TARGET_SAME_AS_SOURCE, 'error', 'Target namespace must differ from the source namespace', [
        'config',
        'target_namespace_id',
      ]),
    );
  }
  if (config.target_namespace_name != null) {
    const taken = [...ctx.namespaces.values()].some((n) => n.namespaceName === config.target_namespace_name);
    if (taken)
      errors.push(
        issue(
          C.TARGET_NAMESPACE_NAME_TAKEN,
          'error',
          `Namespace name '${config.target_namespace_name}' is already in use`,
          ['config', 'target_namespace_name'],
        ),
      );
  }
  const extractors = config.feature_extractors ?? [];
  if (config.migration_type === 're_extract') {
    if (extractors.length === 0)
      errors.push(
        issue(C.FEATURE_EXTRACTORS_REQUIRED, 'error', 'RE_EXTRACT migration requires at least one feature extractor', [
          'config',
          'feature_extractors',
        ]),
      );
    warnings.push(
      issue(
        C.RE_EXTRACT_COST_WARNING,
        'warning',
        'RE_EXTRACT migration will reprocess all documents and incur processing costs',
        ['config', 'migration_type'],
      ),
    );
  } else if (extractors.length > 0) {
    warnings.push(
      issue(
        C.FEATURE_EXTRACTORS_IGNORED,
        'warning',
        `feature_extractors are only used by re_extract migrations and are ignored for ${config.migration_type}`,
        ['config', 'feature_extractors'],
      ),
    );
  }
  extractors.forEach((e, i) => {
    const known = ctx.extractors.find((x) => x.name === e.feature_extractor_name);
    if (!known)
      errors.push(
        issue(
          C.UNKNOWN_FEATURE_EXTRACTOR,
          'error',
          `Unknown feature extractor '${e.feature_extractor_name}'. Known: ${ctx.extractors.map((x) => x.name).join(', ')}`,
          ['config', 'feature_extractors', i, 'feature_extractor_name'],
        ),
      );
    else if (e.version != null && !known.versions.includes(e.version))
      errors.push(
        issue(
          C.UNKNOWN_EXTRACTOR_VERSION,
          'error',
          `Feature extractor '${e.feature_extractor_name}' has no version '${e.version}'. Known: ${known.versions.join(', ')}`,
          ['config', 'feature_extractors', i, 'version'],
        ),
      );
  });
  const range = config.filters?.date_range;
  if (range) {
    for (const [k, v] of Object.entries(range)) {
      if (k !== 'after' && k !== 'before')
        errors.push(issue(C.INVALID_DATE_RANGE, 'error', `date_range accepts only 'after' and 'before', not '${k}'`, ['config', 'filters', 'date_range', k]));
      else if (Number.isNaN(parseInstant(v)))
        errors.push(issue(C.INVALID_DATE_RANGE, 'error', `date_range.${k} must be an ISO-8601 date or date-time`, ['config', 'filters', 'date_range', k]));
    }
    if (range.after && range.before && parseInstant(range.after) > parseInstant(range.before))
      errors.push(issue(C.INVALID_DATE_RANGE, 'error', 'date_range.after must not be later than date_range.before', ['config', 'filters', 'date_range']));
  }

  let scope: Scope | null = null;
  if (source) {
    scope = selectScope(source, config.filters);
    for (const m of scope.missing)
      errors.push(
        issue(
          NOT_FOUND_CODE[m.field],
          'error',
          `${NOT_FOUND_CODE[m.field].split('_')[0]!.toLowerCase().replace(/^./, (c) => c.toUpperCase())} '${m.id}' not found in namespace '${source.namespaceId}'`,
          ['config', 'filters', m.field, m.index],
        ),
      );
    for (const x of scope.excluded)
      warnings.push(
        issue(
          C.DEPENDENCY_NOT_INCLUDED,
          'warning',
          `'${x.id}' depends on '${x.dependency}', which the filters leave out (auto_include_dependencies is false)`,
          ['config', 'filters', 'auto_include_dependencies'],
        ),
      );
    if (scope.resources.length === 0 && scope.missing.length === 0)
      errors.push(issue(C.NO_RESOURCES_SELECTED, 'error', 'The filters select no resources to migrate', ['config', 'filters']));
  }

  const valid = errors.length === 0;
  const estimated: Partial<Record<ResourceType, number>> = {};
  let seconds: number | null = null;
  if (scope && valid) {
    for (const r of scope.resources) estimated[r.type] = (estimated[r.type] ?? 0) + 1;
    const perStage = stageSeconds(stageItems(scope.resources, config), ctx.timing);
    seconds = Math.ceil(MIGRATION_STAGES.reduce((n, s) => n + perStage[s], 0) * ctx.timeScale);
  }
  return {
    result: { valid, errors, warnings, estimated_resources: estimated, estimated_duration_seconds: seconds },
    graph: valid && scope ? buildDependencyGraph(scope.resources) : null,
    scope: valid ? scope : null,
  };
}
