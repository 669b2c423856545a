// What an importer reports back to the sync that ran it: counts per entity and the failed units.
// Lives in core so feature importers need not know about the scheduler that records it on a SyncRun.
import type { DataSource, EntityManager } from 'typeorm';
import { errorMessage } from '../errors/domain-error.js';
import { zeroCounts } from '../database/bulk-upsert.js';
import type { WriteCounts } from '../database/bulk-upsert.js';

export interface ImportOptions {
  /** Re-import even when the payload's content hash is unchanged (and bypass cached answers). */
  refresh?: boolean;
  /** Run the whole import, then roll it back; the counts say what would have changed. */
  dryRun?: boolean;
}

export interface UnitFailure {
  unit: string;
  message: string;
  endpoint?: string;
  /** Whether running the unit again later may succeed (an outage rather than bad data). */
  retryable: boolean;
}

export class ImportReport {
  readonly byEntity: Record<string, WriteCounts> = {};
  readonly failures: UnitFailure[] = [];
  /** Runs this sync queued for others to do (the subsessions a search found). */
  readonly queued: { kind: string; runId: number; items: number }[] = [];
  unitsSucceeded = 0;

  add(entity: string, counts: Partial<WriteCounts>): void {
    const c = (this.byEntity[entity] ??= zeroCounts());
    c.created += counts.created ?? 0;
    c.updated += counts.updated ?? 0;
    c.unchanged += counts.unchanged ?? 0;
    c.deleted += counts.deleted ?? 0;
  }

  /** Counts every row of `rows` as unchanged (a payload skipped by its content hash). */
  unchanged(entity: string, rows: number): void {
    this.add(entity, { unchanged: rows });
  }

  /**
   * Records a failed unit. An error whose `scope` is `run` (iRacing maintenance) is not a unit failure: it is
   * thrown on, so the worker can delay the whole job instead.
   */
  fail(unit: string, err: unknown): void {
    if ((err as { scope?: unknown })?.scope === 'run') throw err;
    const { endpoint, retryable } = err as { endpoint?: unknown; retryable?: unknown };
    this.failures.push({
      unit,
      message: errorMessage(err),
      endpoint: typeof endpoint === 'string' ? endpoint : undefined,
      retryable: typeof retryable === 'boolean' ? retryable : !(err instanceof Error) ? false : true,
    });
  }

  merge(other: ImportReport): void {
    for (const [entity, c] of Object.entries(other.byEntity)) this.add(entity, c);
    this.failures.push(...other.failures);
    this.queued.push(...other.queued);
    this.unitsSucceeded += other.unitsSucceeded;
  }

  totals(): WriteCounts & { failed: number } {
    const t = { ...zeroCounts(), failed: this.failures.length };
    for (const c of Object.values(this.byEntity)) {
      t.created += c.created;
      t.updated += c.updated;
      t.unchanged += c.unchanged;
      t.deleted += c.deleted;
    }
    return t;
  }
}

/** Runs one unit of work in one transaction; a dry run rolls it back once the work has computed its counts. */
export async function unitTransaction(
  db: DataSource,
  options: ImportOptions,
  work: (em: EntityManager) => Promise<void>,
): Promise<void> {
  try {
    await db.transaction(async (em) => {
      await work(em);
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
}

/** Thrown inside a transaction to roll back a dry run after it computed its counts. */
export class DryRunRollback extends Error {
  constructor() {
    super('dry run: rolled back');
  }
}
