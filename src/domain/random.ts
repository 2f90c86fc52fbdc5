/**
 * A source of generated values for one migration and one purpose. The engine builds it at the edge
 * (seeded faker, seeds from (global seed, migration id, purpose)); the domain only sees this interface,
 * so a plan never depends on the order of requests.
 */
export interface Random {
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** Float in [0, 1). */
  float(): number;
  /** `length` lowercase letters and digits. */
  alnum(length: number): string;
  pick<T>(items: readonly T[]): T;
}
export type RandomFactory = (purpose: string) => Random;
