/**
 * Mock preferences in the `Prefer` header (Prism's convention): `Prefer: scenario=fails_batch_processing`,
 * `Prefer: advance=poll`, `Prefer: latency=300`; several may be combined with commas or semicolons.
 */
export interface Preferences {
  scenario?: string;
  advance?: string;
  latency?: string;
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const out: Preferences = {};
  if (!header) return out;
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(/[,;]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (key === 'scenario' || key === 'advance' || key === 'latency') out[key] = value;
  }
  return out;
}
