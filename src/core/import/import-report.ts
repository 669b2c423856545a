// What an importer reports back to the sync that ran it: counts per entity and the failed units.
// Lives in core so feature importers need not know about the scheduler that records it on a SyncRun.
import { AsyncLocalStorage } from 'node:async_hooks';
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
  /** It failed because PostgreSQL or Redis could not be reached: the unit is run again once they are back. */
  connection?: boolean;
}

/** Something a run should tell that is not a failure (the run stays SUCCEEDED): an owned package no catalog lists. */
export interface ImportWarning {
  unit: string;
  message: string;
  endpoint?: string;
}

/** Counts per entity (`{ sim_car: { created, … } }`). */
export type EntityCounts = Record<string, WriteCounts>;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a lost or refused PostgreSQL connection (class 08, shutdown, too many connections). */
const PG_CONNECTION_STATES = /^(08...|57P01|57P02|57P03|53300)$/;
const CONNECTION_MESSAGES =
  /Connection terminated|Connection is closed|connect ECONNREFUSED|read ECONNRESET|terminating connection|not currently accepting connections|timeout exceeded when trying to connect|Client has encountered a connection error|Reached the max retries per request limit|Stream isn't writeable|the database system is (starting up|shutting down)/i;

/**
 * Whether an error means PostgreSQL or Redis could not be reached (ECONNREFUSED, a terminated backend, ioredis
 * "Connection is closed", …): the work may succeed once they are back. iRacing's own outages (errors naming an
 * endpoint) are not: the iRacing client and the job attempts deal with them.
 */
export function isConnectionError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as {
    code?: unknown;
    endpoint?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof e.endpoint === 'string') return false;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || PG_CONNECTION_STATES.test(e.code)))
    return true;
  if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
  if (Array.isArray((err as { errors?: unknown }).errors))
    return (err as { errors: unknown[] }).errors.some((x) => isConnectionError(x, depth + 1));
  return isConnectionError(e.driverError, depth + 1) || isConnectionError(e.cause, depth + 1);
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
   * Records a failed unit. An error whose `scope` is `run` (iRacing maintenance) is not a unit failure: it is
   * thrown on, so the worker can delay the whole job instead.
   */
  fail(unit: string, err: unknown): void {
    if ((err as { scope?: unknown })?.scope === 'run') throw err;
    const { endpoint, retryable } = err as { endpoint?: unknown; retryable?: unknown };
    const connection = isConnectionError(err);
    this.failures.push({
      unit,
      message: errorMessage(err),
      endpoint: typeof endpoint === 'string' ? endpoint : undefined,
      retryable:
        connection || (typeof retryable === 'boolean' ? retryable : !(err instanceof Error) ? false : true),
      ...(connection ? { connection } : {}),
    });
  }

  merge(other: ImportReport): void {
    // Already reported live when they were added to `other`.
    for (const [entity, c] of Object.entries(other.byEntity)) this.count(entity, c);
    this.failures.push(...other.failures);
    this.queued.push(...other.queued);
    this.warnings.push(...other.warnings);
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
export class DryRunRollback extends Error {
  constructor() {
    super('dry run: rolled back');
  }
}
