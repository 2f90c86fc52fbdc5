import type { MigrationPlan } from '../domain/plan.js';

/** One stored migration: its plan plus what the HTTP edge counts about it. */
export interface StoredMigration {
  plan: MigrationPlan;
  /** Creation order, for stable tie-breaking and id derivation. */
  readonly seq: number;
  /** Poll-driven migrations: the instant on their own timeline the last GET reached. */
  pollAt: number | null;
  /** GETs of this migration so far (faults are scheduled by poll number). */
  polls: number;
  /** Bumped by every event (start, cancel); part of the snapshot cache key. */
  version: number;
  cache: { at: number; version: number; json: string } | null;
}

/** Migrations in memory, in creation order, behind a small interface. */
export class MigrationStore {
  private readonly byId = new Map<string, StoredMigration>();

  get size(): number {
    return this.byId.size;
  }
  get(id: string): StoredMigration | undefined {
    return this.byId.get(id);
  }
  has(id: string): boolean {
    return this.byId.has(id);
  }
  add(m: StoredMigration): void {
    this.byId.set(m.plan.migrationId, m);
  }
  delete(id: string): boolean {
    return this.byId.delete(id);
  }
  values(): IterableIterator<StoredMigration> {
    return this.byId.values();
  }
  clear(): void {
    this.byId.clear();
  }
}
