// Creates, enqueues and records SyncRuns. Deduplication is atomic in PostgreSQL: a partial unique index on the
// dedupe key of active runs makes a repeated trigger join the run in progress, and the unique trigger key of a
// cron tick makes every scheduler replica enqueue that tick once.
import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource, In, Repository } from 'typeorm';
import { AppConfig } from '../core/config/app-config.js';
import { errorMessage, NotFoundError } from '../core/errors/domain-error.js';
import type { ImportReport } from '../core/import/import-report.js';
import type { RequestStats } from '../iracing/request-stats.js';
import { SyncEvents } from './sync-events.js';
import { syncJobOptions, SYNC_QUEUE } from './sync.queue.js';
import type { SyncJobData } from './sync.queue.js';
import { ACTIVE_STATUSES, SyncRun, SyncStatus, SyncTrigger } from './sync-run.entity.js';
import type { SyncCounts, SyncKind, SyncUnitError } from './sync-run.entity.js';

export interface EnqueueOptions {
  /** A unique key of the trigger (a cron tick): the same key never creates a second run. */
  triggerKey?: string;
}

/** JSON with sorted keys and no undefined values, so equal parameters give equal dedupe keys. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

@Injectable()
export class SyncRunService {
  private readonly log = new Logger(SyncRunService.name);

  constructor(
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(SYNC_QUEUE) private readonly queue: Queue<SyncJobData>,
    private readonly config: AppConfig,
    private readonly events: SyncEvents,
  ) {}

  /** Creates a QUEUED run and its job, or returns the active run (or the tick's run) it duplicates. */
  async enqueue(
    kind: SyncKind,
    params: Record<string, unknown>,
    trigger: SyncTrigger,
    options: EnqueueOptions = {},
  ): Promise<SyncRun> {
    const clean = JSON.parse(stableJson(params)) as Record<string, unknown>;
    const dedupeKey = `${kind}:${stableJson(clean)}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = (await this.db.query(
        `INSERT INTO sync_run (kind, params, trigger, status, dedupe_key, trigger_key, dry_run)
         VALUES ($1, $2, $3, 'QUEUED', $4, $5, $6)
         ON CONFLICT DO NOTHING RETURNING id`,
        [kind, JSON.stringify(clean), trigger, dedupeKey, options.triggerKey ?? null, clean.dryRun === true],
      )) as { id: number }[];
      if (inserted.length) return this.addJob(inserted[0].id, kind, options.triggerKey);
      const existing =
        (options.triggerKey && (await this.runs.findOneBy({ triggerKey: options.triggerKey }))) ||
        (await this.runs.findOneBy({ dedupeKey, status: In([...ACTIVE_STATUSES]) }));
      if (existing) return existing;
      // The duplicate finished between the insert and the look-up: try again.
    }
    throw new Error(`could not create a ${kind} sync run (conflicting runs kept changing)`);
  }

  private async addJob(runId: number, kind: SyncKind, triggerKey?: string): Promise<SyncRun> {
    // A run id alone could name a finished job Bull still keeps (after sync_run was emptied or restored), which
    // Bull would silently ignore: the creation time makes it unique.
    const jobId = triggerKey ?? `run-${runId}-${Date.now().toString(36)}`;
    try {
      await this.queue.add(kind, { runId }, { ...syncJobOptions(this.config.env.SYNC_BACKOFF_MS), jobId });
      await this.runs.update(runId, { jobId });
      await this.events.publish(runId);
    } catch (err) {
      await this.finishWithError(runId, 'enqueue', err);
      throw err;
    }
    return this.get(runId);
  }

  async get(id: number): Promise<SyncRun> {
    const run = await this.runs.findOneBy({ id });
    if (!run) throw new NotFoundError('SyncRun', id);
    return run;
  }

  async find(id: number): Promise<SyncRun | null> {
    return this.runs.findOneBy({ id });
  }

  /**
   * Marks the run RUNNING for this attempt; null when the run is gone or already finished. A run found RUNNING
   * is being taken over from a worker that stopped (its job lock expired): that is recorded on the run.
   */
  async start(id: number, attempt: number): Promise<SyncRun | null> {
    const rows = (await this.db.query(
      `WITH before AS (SELECT id, status FROM sync_run WHERE id = $1 FOR UPDATE)
       UPDATE sync_run r SET status = 'RUNNING', attempts = $2, started_at = COALESCE(r.started_at, now())
       FROM before WHERE r.id = before.id AND before.status IN ('QUEUED', 'RUNNING')
       RETURNING before.status AS "was"`,
      [id, attempt],
    )) as [{ was: string }[], number] | { was: string }[];
    const list = Array.isArray(rows[0]) ? (rows[0] as { was: string }[]) : (rows as { was: string }[]);
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
    await this.events.publish(id);
    return this.get(id);
  }

  /** Records the outcome of an import: SUCCEEDED, PARTIAL (some units failed) or FAILED (all failed). */
  async finish(id: number, report: ImportReport, stats: RequestStats, attempt: number): Promise<SyncRun> {
    const totals = report.totals();
    const status =
      report.failures.length === 0
        ? SyncStatus.SUCCEEDED
        : report.unitsSucceeded > 0
          ? SyncStatus.PARTIAL
          : SyncStatus.FAILED;
    const errors: SyncUnitError[] = report.failures.map((f) => ({
      unit: f.unit,
      message: f.message,
      endpoint: f.endpoint,
      attempt,
      at: new Date().toISOString(),
    }));
    const byEntity: Record<string, SyncCounts> = {};
    for (const [k, c] of Object.entries(report.byEntity)) byEntity[k] = { ...c, failed: 0 };
    await this.db.query(
      `UPDATE sync_run SET status = $2, counts = $3, counts_by_entity = $4, errors = errors || $5::jsonb,
         api_calls = api_calls + $6, rate_limit_wait_ms = rate_limit_wait_ms + $7, finished_at = now(),
         queued_runs = queued_runs || $8::jsonb,
         progress = CASE WHEN progress IS NULL THEN NULL
                    ELSE jsonb_build_object('done', progress->'total', 'total', progress->'total', 'percent', 100) END
       WHERE id = $1`,
      [
        id,
        status,
        JSON.stringify(totals),
        JSON.stringify(byEntity),
        JSON.stringify(errors),
        stats.apiCalls,
        Math.round(stats.rateLimitWaitMs),
        JSON.stringify(report.queued),
      ],
    );
    await this.events.publish(id);
    return this.get(id);
  }

  /** Records how far a running run is, for `SyncRun.progress` and its subscribers. */
  async progress(id: number, done: number, total: number): Promise<void> {
    const percent = total > 0 ? Math.round((done / total) * 1000) / 10 : 0;
    await this.db.query(`UPDATE sync_run SET progress = $2 WHERE id = $1 AND status = 'RUNNING'`, [
      id,
      JSON.stringify({ done, total, percent }),
    ]);
    await this.events.publish(id);
  }

  /** Records a failed attempt that will be retried: back to QUEUED, the error kept. */
  async retrying(
    id: number,
    unit: string,
    err: unknown,
    stats: RequestStats,
    attempt: number,
  ): Promise<void> {
    await this.appendError(id, unit, err, stats, attempt, SyncStatus.QUEUED, false);
  }

  /** Records a run that ended without an import report (a failure of the whole run). */
  async finishWithError(
    id: number,
    unit: string,
    err: unknown,
    stats?: RequestStats,
    attempt?: number,
  ): Promise<void> {
    await this.appendError(id, unit, err, stats, attempt, SyncStatus.FAILED, true);
  }

  private async appendError(
    id: number,
    unit: string,
    err: unknown,
    stats: RequestStats | undefined,
    attempt: number | undefined,
    status: SyncStatus,
    finished: boolean,
  ): Promise<void> {
    const { endpoint } = err as { endpoint?: unknown };
    const error: SyncUnitError = {
      unit,
      message: errorMessage(err),
      endpoint: typeof endpoint === 'string' ? endpoint : undefined,
      attempt,
      at: new Date().toISOString(),
    };
    if (finished) this.log.warn(`sync run ${id} failed: ${error.message}`);
    await this.db.query(
      `UPDATE sync_run SET status = $2, errors = errors || $3::jsonb,
         counts = jsonb_set(counts, '{failed}', to_jsonb((counts->>'failed')::int + $6)),
         api_calls = api_calls + $4, rate_limit_wait_ms = rate_limit_wait_ms + $5,
         finished_at = CASE WHEN $7 THEN now() ELSE finished_at END
       WHERE id = $1`,
      [
        id,
        status,
        JSON.stringify([error]),
        stats?.apiCalls ?? 0,
        Math.round(stats?.rateLimitWaitMs ?? 0),
        finished ? 1 : 0,
        finished,
      ],
    );
    await this.events.publish(id);
  }

  /** Records the Bull job now carrying the run (a maintenance delay re-queues it under a new job id). */
  async setJob(id: number, jobId: string): Promise<void> {
    await this.runs.update(id, { jobId });
  }

  /**
   * Closes active runs whose Bull job can no longer finish them: the job is gone from Redis, or Bull ended it
   * without the worker recording an outcome (a job that stalled more than once after its workers died). Runs
   * younger than `minAgeMs` are left alone. Returns the ids closed; safe to run from several replicas at once.
   */
  async reapOrphans(minAgeMs: number): Promise<number[]> {
    const active = (await this.db.query(
      `SELECT id, job_id AS "jobId" FROM sync_run
       WHERE status IN ('QUEUED', 'RUNNING') AND job_id IS NOT NULL AND created_at < now() - make_interval(secs => $1)`,
      [minAgeMs / 1000],
    )) as { id: number; jobId: string }[];
    const closed: number[] = [];
    for (const { id, jobId } of active) {
      const job = await this.queue.getJob(jobId);
      // 'stuck': Bull finds the job in none of its lists.
      const state = job ? await job.getState() : 'missing';
      if (!['missing', 'stuck', 'failed', 'completed'].includes(state)) continue;
      const why =
        state === 'missing' || state === 'stuck'
          ? `its job ${jobId} is no longer in the queue`
          : `its job ${jobId} ended ${state}${job?.failedReason ? ` (${job.failedReason})` : ''} without an outcome`;
      const error: SyncUnitError = {
        unit: 'queue',
        message: `${why}; trigger the sync again`,
        at: new Date().toISOString(),
      };
      const rows = (await this.db.query(
        `UPDATE sync_run SET status = 'FAILED', errors = errors || $2::jsonb, finished_at = now(),
           counts = jsonb_set(counts, '{failed}', to_jsonb((counts->>'failed')::int + 1))
         WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') AND job_id = $3 RETURNING id`,
        [id, JSON.stringify([error]), jobId],
      )) as unknown[];
      // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, affected].
      const updated = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows;
      if (!updated.length) continue;
      this.log.warn(`sync run ${id} closed as FAILED: ${error.message}`);
      closed.push(id);
      await this.events.publish(id);
    }
    return closed;
  }

  runsRepository(): Repository<SyncRun> {
    return this.runs;
  }
}
