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

  /** Marks the run RUNNING for this attempt; null when the run is gone or already finished. */
  async start(id: number, attempt: number): Promise<SyncRun | null> {
    const rows = (await this.db.query(
      `UPDATE sync_run SET status = 'RUNNING', attempts = $2, started_at = COALESCE(started_at, now())
       WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING id`,
      [id, attempt],
    )) as [{ id: number }[], number] | { id: number }[];
    const list = Array.isArray(rows[0]) ? (rows[0] as { id: number }[]) : (rows as { id: number }[]);
    if (!list.length) return null;
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

  runsRepository(): Repository<SyncRun> {
    return this.runs;
  }
}
