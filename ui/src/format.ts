import type { Migration } from './api.js';

/** The seven stages in order: the API's name, a label, and a short label for the timeline. */
export const STAGES = [
  ['namespace_setup', 'Namespace setup', 'Setup'],
  ['batch_creation', 'Batch creation', 'Batching'],
  ['batch_processing', 'Batch processing', 'Processing'],
  ['cluster_execution', 'Cluster execution', 'Clusters'],
  ['taxonomy_enrichment', 'Taxonomy enrichment', 'Taxonomies'],
  ['benchmark_evaluation', 'Benchmark evaluation', 'Benchmarks'],
  ['finalization', 'Finalization', 'Finalization'],
] as const;

export const stageLabel = (stage: string | null | undefined): string =>
  STAGES.find(([s]) => s === stage)?.[1] ?? stage ?? '—';

export const statusLabel = (status: string): string => status.replace('_', ' ');
export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export const ACTIVE = new Set(['validating', 'pending', 'in_progress']);
export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** `2025-01-01 00:02:05 UTC` */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `1 h 02 min`, `3 min 05 s`, `42 s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export const formatPercent = (p: number): string => `${p >= 100 ? 100 : Math.floor(p * 10) / 10}%`;

export const formatCount = (n: number): string => n.toLocaleString('en-US');

export const scenarioOf = (m: Migration): string | null => {
  const s = m.additional_data.mock_scenario;
  return typeof s === 'string' ? s : null;
};

/** Whether the Start button can succeed: a valid draft that is not a dry run (warnings are forced). */
export const canStart = (m: Migration): boolean =>
  m.status === 'draft' && m.validation_result?.valid === true && !m.config.dry_run;
export const canCancel = (m: Migration): boolean => ACTIVE.has(m.status);
export const canDelete = (m: Migration): boolean => m.status === 'draft' || TERMINAL.has(m.status);
