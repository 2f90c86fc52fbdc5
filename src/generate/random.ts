import type { Random, RandomFactory } from '../domain/random.js';
import { fakerFor } from './seeded-faker.js';

/**
 * The generated values of one migration: each purpose gets its own faker seeded from
 * (global seed, migration id, purpose), so no value depends on the order of requests.
 */
export function randomFor(seed: string, migrationId: string): RandomFactory {
  return (purpose: string): Random => {
    const f = fakerFor(seed, migrationId, purpose);
    return {
      int: (min, max) => f.number.int({ min, max }),
      float: () => f.number.float({ min: 0, max: 1, fractionDigits: 6 }) % 1,
      alnum: (length) => f.string.alphanumeric({ length, casing: 'lower' }),
      pick: (items) => f.helpers.arrayElement(items as unknown[]) as never,
    };
  };
}
