import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { createEngine } from '../../src/engine.js';
import { MIGRATION_STATUSES, MIGRATION_TYPES } from '../../src/schemas/enums.js';

// The list route sends engine.listJson (built from cached per-migration JSON); it must be the same bytes
// as serialising engine.list, whatever the filters, page and instant.
describe('POST /v1/namespaces/migrations/list › pre-serialised body', () => {
  it('when any filters, page and instant are asked, then listJson equals JSON.stringify(list)', () => {
    const config = loadConfig({ MOCK_CLOCK: 'virtual' });
    const clock = new VirtualClock(config.virtualStart);
    const engine = createEngine({ config, clock });
    engine.create({ config: { migration_type: 'copy', source_namespace_id: 'ns_support_kb' }, startImmediately: false });
    engine.create({ config: { migration_type: 'copy', source_namespace_id: 'ns_support_kb' }, startImmediately: true, advance: 'poll' });
    fc.assert(
      fc.property(
        fc.record({
          status: fc.option(fc.constantFrom(...MIGRATION_STATUSES), { nil: undefined }),
          migration_type: fc.option(fc.constantFrom(...MIGRATION_TYPES), { nil: undefined }),
          source_namespace_id: fc.option(fc.constantFrom('ns_acme_media', 'ns_support_kb', 'ns_none'), { nil: undefined }),
          limit: fc.integer({ min: 1, max: 30 }),
          offset: fc.integer({ min: 0, max: 20 }),
        }),
        fc.integer({ min: 0, max: 120_000 }),
        (req, step) => {
          clock.advance(step);
          expect(engine.listJson(req)).toBe(JSON.stringify(engine.list(req)));
        },
      ),
      { seed: 20261203, numRuns: 150 },
    );
  });
});
