import type { Faker } from '@faker-js/faker';
// The English entry point only: the package root loads every locale (≈ 240 ms and 30 MB at start-up).
// Its instance carries the Faker class and the merged en + base definitions; only fresh instances made from
// them are used, never that shared instance.
import { faker as english } from '@faker-js/faker/locale/en';

const FakerClass = english.constructor as new (opts: { locale: Faker['rawDefinitions'] }) => Faker;

/** Every seeded faker generates dates relative to this instant, so output never depends on the wall clock. */
export const FAKER_REF_DATE = new Date('2025-01-01T00:00:00Z');

const utf8 = new TextEncoder();

/**
 * The 32-bit FNV-1a hash of the UTF-8 bytes of the parts joined by U+0000 (so ('ab','c') and ('a','bc') differ).
 * Pure and stable across runs and platforms: use it to derive faker seeds from (global seed, id, purpose).
 */
export function seedFrom(...parts: (string | number)[]): number {
  const bytes = utf8.encode(parts.map(String).join('\u0000'));
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A fresh faker (English locale), seeded by `seedFrom(...parts)`, with a fixed reference date.
 * Never the global faker: values depend only on the parts, not on what was generated before.
 */
export function fakerFor(...parts: (string | number)[]): Faker {
  const f = new FakerClass({ locale: english.rawDefinitions });
  f.seed(seedFrom(...parts));
  f.setDefaultRefDate(FAKER_REF_DATE);
  return f;
}

/** A Mixpeek-style id: `prefix` followed by `len` lowercase alphanumerics, e.g. `col_k3j9x0a1bz`. */
export function mixpeekId(f: Faker, prefix: string, len = 10): string {
  return prefix + f.string.alphanumeric({ length: len, casing: 'lower' });
}
