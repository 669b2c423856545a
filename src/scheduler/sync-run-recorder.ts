// Records what a worker execution does to its run (docs/architecture.md §4): started (or taken over), alive,
// how far, finished, retried or failed. Every write is a compare-and-set on the run's status and on the
// execution that owns it (`runner`), so a run closed as SUCCEEDED, PARTIAL or FAILED never changes again.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { errorMessage } from '../core/errors/domain-error.js';
import { combinePasses } from '../core/import/import-report.js';
import type { EntityCounts, ImportReport } from '../core/import/import-report.js';
import type { RequestStats } from '../iracing/request-stats.js';
import { SyncEvents } from './sync-events.js';
import { SyncStatus } from './sync-run.entity.js';
import type { SyncCounts, SyncRun, SyncUnitError } from './sync-run.entity.js';
import { SyncRunService } from './sync-run.service.js';
import { ACTIVE_SQL, rowsOf, totalsOf, written } from './sync-run.sql.js';

/** SUCCEEDED, PARTIAL (some units failed) or FAILED (all failed). */
function outcomeOf(report: ImportReport): SyncStatus {
  if (report.failures.length === 0) return SyncStatus.SUCCEEDED;
  return report.unitsSucceeded > 0 ? SyncStatus.PARTIAL : SyncStatus.FAILED;
}

function errorsOf(report: ImportReport, attempt: number): SyncUnitError[] {
  const at = new Date().toISOString();
  return report.failures.map((f) => ({
    unit: f.unit,
    message: f.message,
    endpoint: f.endpoint,
    attempt,
    at,
  }));
}

/** A failure of the whole run as a unit error (its endpoint when the error names one). */
function unitError(unit: string, err: unknown, attempt?: number): SyncUnitError {
  const { endpoint } = err as { endpoint?: unknown };
  return {
    unit,
    message: errorMessage(err),
    endpoint: typeof endpoint === 'string' ? endpoint : undefined,
    attempt,
    at: new Date().toISOString(),
  };
}

/** Per-table counts as a run records them (failures are counted per run, not per table). */
function withoutFailures(byEntity: EntityCounts): Record<string, SyncCounts> {
  return Object.fromEntries(Object.entries(byEntity).map(([k, c]) => [k, { ...c, failed: 0 }]));
}

@Injectable()
export class SyncRunRecorder {
  private readonly log = new Logger(SyncRunRecorder.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runs: SyncRunService,
    private readonly events: SyncEvents,
  ) {}

  private get(id: number): Promise<SyncRun> {
    return this.runs.get(id);
  }

  /**
   * Marks the run RUNNING for this worker execution (`runner`); null when the run is gone, already finished or
   * carried by another job. A run found RUNNING is being taken over from a worker that stopped (its job lock
   * expired): that is recorded on the run.
   */
  async start(id: number, attempt: number, jobId: string, runner: string): Promise<SyncRun | null> {
    const list = rowsOf<{ was: string }>(
      await this.db.query(
        `WITH before AS (SELECT id, status FROM sync_run WHERE id = $1 FOR UPDATE)
         UPDATE sync_run r SET status = 'RUNNING', attempts = $2, started_at = COALESCE(r.started_at, now()),
           runner = $4, heartbeat_at = now(), job_id = COALESCE(r.job_id, $3)
         FROM before WHERE r.id = before.id AND before.status IN ('QUEUED', 'RUNNING')
           AND (r.job_id IS NULL OR r.job_id = $3)
         RETURNING before.status AS "was"`,
        [id, attempt, jobId, runner],
      ),
    );
    if (!list.length) return null;
    if (list[0].was === SyncStatus.RUNNING) {
      const note: SyncUnitError = {
        unit: 'worker',
        message: 'the worker running this sync stopped (its job lock expired); another worker took it over',
        attempt,
        at: new Date().toISOString(),
      };
      this.log.warn(`sync run ${id}: ${note.message}`);
      await this.db.query(`UPDATE sync_run SET errors = errors || $2::jsonb WHERE id = $1`, [
        id,
        JSON.stringify([note]),
      ]);
    }
    void this.events.publish(id);
    return this.get(id);
  }

  /**
   * Records that the execution `runner` is alive, with the counts it has written so far; false when the run is
   * no longer its own (closed, or taken over): the execution should stop.
   */
  async heartbeat(id: number, runner: string, counts?: EntityCounts): Promise<boolean> {
    const rows = rowsOf(
      await this.db.query(
        `UPDATE sync_run SET heartbeat_at = now(),
           attempt_counts = CASE WHEN $3::jsonb IS NULL THEN attempt_counts
                            ELSE jsonb_set(attempt_counts, ARRAY[$2::text], $3::jsonb) END
         WHERE id = $1 AND status = 'RUNNING' AND runner = $2 RETURNING id`,
        [id, runner, counts ? JSON.stringify(written(counts)) : null],
      ),
    );
    return rows.length > 0;
  }

  /** Records how far a running run is (with a heartbeat), for `SyncRun.progress` and its subscribers. */
  async progress(
    id: number,
    runner: string,
    done: number,
    total: number,
    counts?: EntityCounts,
  ): Promise<boolean> {
    const percent = total > 0 ? Math.round((done / total) * 1000) / 10 : 0;
    const rows = rowsOf(
      await this.db.query(
        `UPDATE sync_run SET progress = $3, heartbeat_at = now(),
           attempt_counts = CASE WHEN $4::jsonb IS NULL THEN attempt_counts
                            ELSE jsonb_set(attempt_counts, ARRAY[$2::text], $4::jsonb) END
         WHERE id = $1 AND status = 'RUNNING' AND runner = $2 RETURNING id`,
        [
          id,
          runner,
          JSON.stringify({ done, total, percent }),
          counts ? JSON.stringify(written(counts)) : null,
        ],
      ),
    );
    if (rows.length) void this.events.publish(id);
    return rows.length > 0;
  }

  /**
   * Records the outcome of an import: SUCCEEDED, PARTIAL (some units failed) or FAILED (all failed). The counts
   * add what earlier executions (a worker that died, an attempt retried) and earlier passes of this one wrote.
   * Null when the run is no longer this execution's (closed or taken over under it): nothing is changed.
   */
  async finish(
    id: number,
    runner: string,
    report: ImportReport,
    stats: RequestStats,
    attempt: number,
    earlierPasses: EntityCounts[] = [],
  ): Promise<SyncRun | null> {
    const status = outcomeOf(report);
    const errors = errorsOf(report, attempt);
    const done = await this.db.transaction(async (em) => {
      const [row] = rowsOf<{ counts: Record<string, EntityCounts> }>(
        await em.query(
          `SELECT attempt_counts AS counts FROM sync_run
           WHERE id = $1 AND status = 'RUNNING' AND runner = $2 FOR UPDATE`,
          [id, runner],
        ),
      );
      if (!row) return false;
      const others = Object.entries(row.counts ?? {})
        .filter(([token]) => token !== runner)
        .map(([, c]) => c);
      const byEntity = combinePasses([...others, ...earlierPasses], report.byEntity);
      const countsByEntity = withoutFailures(byEntity);
      await em.query(
        `UPDATE sync_run SET status = $2, counts = $3, counts_by_entity = $4, errors = errors || $5::jsonb,
           api_calls = api_calls + $6, rate_limit_wait_ms = rate_limit_wait_ms + $7, finished_at = now(),
           queued_runs = queued_runs || $8::jsonb, warnings = warnings || $9::jsonb, heartbeat_at = now(),
           progress = CASE WHEN progress IS NULL THEN NULL
                      ELSE jsonb_build_object('done', progress->'total', 'total', progress->'total', 'percent', 100) END
         WHERE id = $1`,
        [
          id,
          status,
          JSON.stringify(totalsOf(byEntity, report.failures.length)),
          JSON.stringify(countsByEntity),
          JSON.stringify(errors),
          stats.apiCalls,
          Math.round(stats.rateLimitWaitMs),
          JSON.stringify(report.queued),
          JSON.stringify(report.warnings.map((w) => ({ ...w, attempt, at: new Date().toISOString() }))),
        ],
      );
      return true;
    });
    if (!done) return null;
    void this.events.publish(id);
    return this.get(id);
  }

  /**
   * Records a failed attempt that will be retried: back to QUEUED, the error kept and the counts this execution
   * wrote remembered (`jobId`: the job that carries the run from now on, for a maintenance delay). False when
   * the run is no longer this execution's.
   */
  async retrying(
    id: number,
    runner: string,
    unit: string,
    err: unknown,
    stats: RequestStats,
    attempt: number,
    counts?: EntityCounts,
    jobId?: string,
  ): Promise<boolean> {
    return this.appendError(id, runner, unit, err, stats, attempt, SyncStatus.QUEUED, counts, jobId);
  }

  /**
   * Records a run that ended without an import report (a failure of the whole run). With `runner`, only while
   * that execution owns the run; without, only while the run is active. False when nothing was changed.
   */
  async finishWithError(
    id: number,
    unit: string,
    err: unknown,
    stats?: RequestStats,
    attempt?: number,
    runner?: string,
    counts?: EntityCounts,
  ): Promise<boolean> {
    return this.appendError(id, runner, unit, err, stats, attempt, SyncStatus.FAILED, counts);
  }

  private async appendError(
    id: number,
    runner: string | undefined,
    unit: string,
    err: unknown,
    stats: RequestStats | undefined,
    attempt: number | undefined,
    status: SyncStatus,
    counts?: EntityCounts,
    jobId?: string,
  ): Promise<boolean> {
    const finished = status !== SyncStatus.QUEUED;
    const error = unitError(unit, err, attempt);
    const done = await this.db.transaction(async (em) => {
      const [row] = rowsOf<{ counts: Record<string, EntityCounts>; total: SyncCounts }>(
        await em.query(
          `SELECT attempt_counts AS counts, counts AS total FROM sync_run
           WHERE id = $1 AND ${runner === undefined ? ACTIVE_SQL : `status = 'RUNNING' AND runner = $2`}
           FOR UPDATE`,
          runner === undefined ? [id] : [id, runner],
        ),
      );
      if (!row) return false;
      const attempts = { ...(row.counts ?? {}) };
      if (runner !== undefined && counts) attempts[runner] = written(counts);
      // A failed run still says what its executions wrote.
      const byEntity = finished ? combinePasses(Object.values(attempts), {}) : null;
      await em.query(
        `UPDATE sync_run SET status = $2, errors = errors || $3::jsonb, attempt_counts = $8::jsonb,
           counts = COALESCE($9::jsonb, counts) || jsonb_build_object('failed', (counts->>'failed')::int + $6),
           counts_by_entity = COALESCE($10::jsonb, counts_by_entity),
           api_calls = api_calls + $4, rate_limit_wait_ms = rate_limit_wait_ms + $5, heartbeat_at = now(),
           finished_at = CASE WHEN $7 THEN now() ELSE finished_at END, job_id = COALESCE($11, job_id)
         WHERE id = $1`,
        [
          id,
          status,
          JSON.stringify([error]),
          stats?.apiCalls ?? 0,
          Math.round(stats?.rateLimitWaitMs ?? 0),
          finished ? 1 : 0,
          finished,
          JSON.stringify(attempts),
          byEntity ? JSON.stringify(totalsOf(byEntity, row.total?.failed ?? 0)) : null,
          byEntity ? JSON.stringify(withoutFailures(byEntity)) : null,
          jobId ?? null,
        ],
      );
      return true;
    });
    if (!done) return false;
    if (finished) this.log.warn(`sync run ${id} failed: ${error.message}`);
    void this.events.publish(id);
    return true;
  }
}
