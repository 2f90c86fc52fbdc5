import { withConfigDefaults } from '../../src/domain/config-defaults.js';
import type { Behaviour, MigrationPlan } from '../../src/domain/plan.js';
import { planMigration } from '../../src/domain/plan.js';
import { type Validated, validateConfig } from '../../src/domain/validate.js';
import { randomFor } from '../../src/generate/random.js';
import type { ScenarioFixture } from '../../src/scenarios/fixture-schemas.js';
import { type Catalog, defaultFixturesDir, loadCatalog } from '../../src/scenarios/load.js';
import type { MigrationConfig } from '../../src/schemas/config.js';

/** The instant the virtual clock starts at by default (MOCK_VIRTUAL_START). */
export const T0 = Date.parse('2025-01-01T00:00:00.000Z');

let cached: Catalog | null = null;
/** The real fixtures/, loaded once per test file. */
export function fixtures(): Catalog {
  cached ??= loadCatalog(defaultFixturesDir());
  return cached;
}

export function scenarioNamed(name: string, catalog: Catalog = fixtures()): ScenarioFixture {
  const s = catalog.scenarios.get(name);
  if (!s) throw new Error(`no scenario '${name}' in fixtures/`);
  return s;
}

/** What the engine passes to the planner for a scenario (advance as the scenario says). */
export function behaviourOf(s: ScenarioFixture): Behaviour {
  return {
    name: s.name,
    timing: s.timing,
    failure: s.failure,
    cancel: s.cancel,
    advance: s.advance,
    faults: s.faults,
    tolerated_failures: s.tolerated_failures,
  };
}

export interface PlanOptions {
  readonly scenario: ScenarioFixture;
  readonly seed?: string;
  readonly migrationId?: string;
  readonly createdAt?: number;
  readonly startImmediately?: boolean;
  readonly timeScale?: number;
  readonly catalog?: Catalog;
}

export interface Planned {
  readonly plan: MigrationPlan;
  readonly config: MigrationConfig;
  readonly validated: Validated;
}

/**
 * Plans a scenario's migration with the pure core only, as the engine does at creation:
 * withConfigDefaults (generated target id from the seed) → validateConfig → planMigration.
 */
export function planScenario(opts: PlanOptions): Planned {
  const catalog = opts.catalog ?? fixtures();
  const seed = opts.seed ?? 'mixpeek';
  const migrationId = opts.migrationId ?? 'mig_test';
  const timeScale = opts.timeScale ?? 1;
  const random = randomFor(seed, migrationId);
  const config = withConfigDefaults(opts.scenario.config, `ns_${random('target_namespace_id').alnum(10)}`);
  const validated = validateConfig(config, {
    namespaces: catalog.namespaces,
    extractors: catalog.extractors,
    timing: opts.scenario.timing,
    timeScale,
  });
  const plan = planMigration({
    migrationId,
    internalId: 'int_test',
    config,
    validated,
    behaviour: behaviourOf(opts.scenario),
    createdAt: opts.createdAt ?? T0,
    startImmediately: opts.startImmediately ?? true,
    timeScale,
    random,
  });
  return { plan, config, validated };
}
