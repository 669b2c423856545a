// What an importer reports back to the sync that ran it: counts per entity and the failed units.
// Lives in core so feature importers need not know about the scheduler that records it on a SyncRun.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import { zeroCounts } from '../database/bulk-upsert.js';
import type { WriteCounts } from '../database/bulk-upsert.js';
import { describeFailure, isRunScoped } from './import-error.js';
import type { FailureDetails } from './import-error.js';

export { isConnectionError } from './import-error.js';

export interface ImportOptions {
  /** Re-import even when the payload's content hash is unchanged (and bypass cached answers). */
  refresh?: boolean;
  /** Run the whole import, then roll it back; the counts say what would have changed. */
  dryRun?: boolean;
}

/** A unit of the run that failed, and why (see ImportError). */
export interface UnitFailure extends FailureDetails {
  unit: string;
}

/** Something a run should tell that is not a failure (the run stays SUCCEEDED): an owned package no catalog lists. */
export interface ImportWarning {
  unit: string;
  message: string;
  endpoint?: string;
}

/** Counts per entity (`{ sim_car: { created, … } }`). */
export type EntityCounts = Record<string, WriteCounts>;

/** How `ImportReport.merge` takes in another report. */
export interface MergeOptions {
  /**
   * False for a dependency imported on the way (the catalog a season needs, the schedule of a subsession's season):
   * its counts, warnings and queued runs are this run's, its succeeded units are not. Default true.
   */
  units?: boolean;
  /**
   * What its failed units become here: failures of this run (default); warnings, when this run went on without
   * what failed; or nothing, when the caller's own failure names them as its cause (`ImportError.causedBy`).
   */
  failures?: 'fail' | 'warn' | 'omit';
}

/**
 * Where the counts of committed work go as they happen (the worker records them on the run as it goes, so a run
 * taken over after its worker died still counts what that worker wrote). Counts added inside a unit transaction
 * reach it when the transaction commits; the final report stays the authority for a run that finishes.
 */
export type LiveCountsSink = (entity: string, counts: Partial<WriteCounts>) => void;

const liveCounts = new AsyncLocalStorage<LiveCountsSink>();

export function runWithLiveCounts<T>(sink: LiveCountsSink, work: () => Promise<T>): Promise<T> {
  return liveCounts.run(sink, work);
}

export class ImportReport {
  readonly byEntity: Record<string, WriteCounts> = {};
  readonly failures: UnitFailure[] = [];
  /** Runs this sync queued for others to do (the subsessions a search found). */
  readonly queued: { kind: string; runId: number; items: number }[] = [];
  readonly warnings: ImportWarning[] = [];
  unitsSucceeded = 0;

  /** Records a warning: told on the run, without failing a unit. */
  warn(unit: string, message: string, endpoint?: string): void {
    this.warnings.push({ unit, message, ...(endpoint ? { endpoint } : {}) });
  }

  add(entity: string, counts: Partial<WriteCounts>): void {
    this.count(entity, counts);
    liveCounts.getStore()?.(entity, counts);
  }

  /** Counts every row of `rows` as unchanged (a payload skipped by its content hash). */
  unchanged(entity: string, rows: number): void {
    this.add(entity, { unchanged: rows });
  }

  /**
   * Records a failed unit: its message and, when the error says (an ImportError, an iRacing error), the endpoint,
   * parameters and status that caused it and whether it may be retried (see `isRetryable`). An error of scope
   * `run` (iRacing maintenance, a run taken over) is not a unit failure: it is thrown on, for the worker.
   */
  fail(unit: string, err: unknown): void {
    if (isRunScoped(err)) throw err;
    this.failures.push({ unit, ...describeFailure(err) });
  }

  /**
   * Takes in another report: its counts (already reported live when they were added to it), failures, warnings,
   * queued runs and succeeded units, as `options` says. Every import of several parts (units, passes,
   * dependencies) adds them up through here.
   */
  merge(other: ImportReport, options: MergeOptions = {}): void {
    for (const [entity, c] of Object.entries(other.byEntity)) this.count(entity, c);
    this.queued.push(...other.queued);
    this.warnings.push(...other.warnings);
    const failures = options.failures ?? 'fail';
    if (failures === 'fail') this.failures.push(...other.failures);
    else if (failures === 'warn') for (const f of other.failures) this.warn(f.unit, f.message, f.endpoint);
    if (options.units !== false) this.unitsSucceeded += other.unitsSucceeded;
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

  private count(entity: string, counts: Partial<WriteCounts>): void {
    const c = (this.byEntity[entity] ??= zeroCounts());
    c.created += counts.created ?? 0;
    c.updated += counts.updated ?? 0;
    c.unchanged += counts.unchanged ?? 0;
    c.deleted += counts.deleted ?? 0;
  }
}

/**
 * The counts of a run done in several passes (attempts, a takeover, units run again after a lost connection):
 * rows written by an earlier pass are found unchanged by the last one, so written rows add up across passes
 * and the unchanged ones are the last pass's less what the earlier passes wrote.
 */
export function combinePasses(earlier: EntityCounts[], last: EntityCounts): EntityCounts {
  const out: EntityCounts = {};
  const written: Record<string, number> = {};
  for (const counts of [...earlier, last])
    for (const [entity, c] of Object.entries(counts)) {
      const o = (out[entity] ??= zeroCounts());
      o.created += c.created ?? 0;
      o.updated += c.updated ?? 0;
      o.deleted += c.deleted ?? 0;
    }
  for (const counts of earlier)
    for (const [entity, c] of Object.entries(counts))
      written[entity] = (written[entity] ?? 0) + (c.created ?? 0) + (c.updated ?? 0);
  for (const [entity, c] of Object.entries(last))
    out[entity].unchanged = Math.max(0, (c.unchanged ?? 0) - (written[entity] ?? 0));
  return out;
}

/** Sums counts per entity. */
export function addCounts(into: EntityCounts, entity: string, counts: Partial<WriteCounts>): void {
  const c = (into[entity] ??= zeroCounts());
  c.created += counts.created ?? 0;
  c.updated += counts.updated ?? 0;
  c.unchanged += counts.unchanged ?? 0;
  c.deleted += counts.deleted ?? 0;
}

/** Runs one unit of work in one transaction; a dry run rolls it back once the work has computed its counts. */
export async function unitTransaction(
  db: DataSource,
  options: ImportOptions,
  work: (em: EntityManager) => Promise<void>,
): Promise<void> {
  const outer = liveCounts.getStore();
  // Counts of the unit reach the live sink only once it has committed (or, for a dry run, rolled back).
  const pending: EntityCounts = {};
  const run = () =>
    db.transaction(async (em) => {
      // An api process's pool limits its statements (API_STATEMENT_TIMEOUT_MS); a unit of a sync is not a request.
      await em.query('SET LOCAL statement_timeout = 0');
      await work(em);
      if (options.dryRun) throw new DryRunRollback();
    });
  try {
    await (outer ? liveCounts.run((e, c) => addCounts(pending, e, c), run) : run());
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  if (outer) for (const [entity, c] of Object.entries(pending)) outer(entity, c);
}

/** Thrown inside a transaction to roll back a dry run after it computed its counts. */
class DryRunRollback extends Error {
  constructor() {
    super('dry run: rolled back');
  }
}
