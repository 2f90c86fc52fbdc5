/** Instants are epoch milliseconds (UTC) everywhere in the domain; this renders them for the wire. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** Parses an ISO-8601 instant; returns NaN when it is not one. */
export const parseInstant = (s: string): number => (/^\d{4}-\d{2}-\d{2}/.test(s) ? Date.parse(s) : Number.NaN);
