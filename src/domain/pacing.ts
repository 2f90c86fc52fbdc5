import type { PACINGS } from '../scenarios/fixture-schemas.js';

export type Pacing = (typeof PACINGS)[number];

/** Pacing curves: monotone non-decreasing maps of [0,1] onto [0,1] with f(0)=0 and f(1)=1. Pure. */
export function pace(kind: Pacing, p: number): number {
  const x = Math.min(1, Math.max(0, p));
  switch (kind) {
    case 'linear':
      return x;
    case 'ease_in_out':
      return x * x * (3 - 2 * x);
    case 'front_loaded':
      return 1 - (1 - x) * (1 - x);
    case 'back_loaded':
      return x * x;
    case 'stepped':
      return x >= 1 ? 1 : Math.floor(x * 10) / 10;
  }
}
