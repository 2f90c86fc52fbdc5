import type { MigrationStatus } from '../schemas/enums.js';

/**
 * The legal status transitions of a migration.
 * - A plain create validates within the request: the migration appears in draft.
 * - start_immediately (and the control API) shows `validating` for the scenario's validation time, then
 *   goes on to pending, or back to draft when the config is invalid or a dry run.
 * - start: draft → pending; the worker picks it up: pending → in_progress → completed | failed.
 * - cancel: validating | pending | in_progress → cancelled. Terminal states never change.
 */
export const LEGAL_TRANSITIONS: Readonly<Record<MigrationStatus, readonly MigrationStatus[]>> = {
  draft: ['pending'],
  validating: ['draft', 'pending', 'cancelled'],
  pending: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};
/** Statuses a migration can be created in. */
export const INITIAL_STATUSES: readonly MigrationStatus[] = ['draft', 'validating'];

export const isLegalTransition = (from: MigrationStatus, to: MigrationStatus): boolean =>
  LEGAL_TRANSITIONS[from].includes(to);
