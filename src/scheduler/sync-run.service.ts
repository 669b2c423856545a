// Creates, enqueues and records SyncRuns. Deduplication is atomic in PostgreSQL: a partial unique index on the
// dedupe key of active runs makes a repeated trigger join the run in progress, and the unique trigger key of a
// cron tick makes every scheduler replica enqueue that tick once.
//
// A run is never lost, stuck or reopened:
// - its row and its Bull job id are written by one INSERT; the job is added afterwards, waiting at most
//   SYNC_ENQUEUE_TIMEOUT_MS for Redis, and a run whose job is missing is enqueued again by the reaper;
// - every change of status is a compare-and-set on the status (and on the worker execution that owns the run),
//   so a run closed as SUCCEEDED, PARTIAL or FAILED never changes again;
// - a RUNNING run is closed by the reaper only when its worker's heartbeat is stale and its job is not active.
import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource, Repository } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../core/config/app-config.js';
import { errorMessage, NotFoundError, ServiceUnavailableError } from '../core/errors/domain-error.js';
import { combinePasses, isConnectionError } from '../core/import/import-report.js';
import type { EntityCounts, ImportReport } from '../core/import/import-report.js';
import type { RequestStats } from '../iracing/request-stats.js';
import { SyncEvents } from './sync-events.js';
import { syncJobOptions, SYNC_QUEUE, withTimeout } from './sync.queue.js';
import type { SyncJobData } from './sync.queue.js';
import { SyncKind, SyncRun, SyncStatus, SyncTrigger } from './sync-run.entity.js';
import type { SyncCounts, SyncUnitError } from './sync-run.entity.js';

export interface EnqueueOptions {
  /** A unique key of the trigger (a cron tick): the same key never creates a second run. */
  triggerKey?: string;
}

/** A run to create: what `insertRuns` writes inside the caller's transaction. */
export interface RunSpec extends EnqueueOptions {
  kind: SyncKind;
  params: Record<string, unknown>;
  trigger: SyncTrigger;
}

/** A run row as created (or found active) by `insertRuns`: its job is added once the transaction commits. */
export interface RunRef {
  id: number;
  kind: SyncKind;
  jobId: string;
  status: SyncStatus;
  /** False when an active run (or the tick's run) with the same parameters already existed. */
  inserted: boolean;
}

/** What the reaper did: runs enqueued again (their job was missing) and runs closed as FAILED. */
export interface ReapResult {
  requeued: number[];
  closed: number[];
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

/** The dedupe key of a run: sha256 (hex) of its kind and canonical parameters, whatever their size. */
export function dedupeKey(kind: SyncKind, params: Record<string, unknown>): string {
  return createHash('sha256')
    .update(`${kind}:${stableJson(params)}`)
    .digest('hex');
}

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, affected]; an INSERT or SELECT as rows. */
function rowsOf<T>(result: unknown): T[] {
  const r = result as unknown[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}

/** The counts without `failed`, for the counts an execution wrote. */
function written(counts: EntityCounts): EntityCounts {
  const out: EntityCounts = {};
  for (const [k, c] of Object.entries(counts))
    out[k] = { created: c.created, updated: c.updated, unchanged: c.unchanged, deleted: c.deleted };
  return out;
}

function totalsOf(byEntity: EntityCounts, failed: number): SyncCounts {
  const t: SyncCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0, failed };
  for (const c of Object.values(byEntity)) {
    t.created += c.created;
    t.updated += c.updated;
    t.unchanged += c.unchanged;
    t.deleted += c.deleted;
  }
  return t;
}

const ACTIVE_SQL = `status IN ('QUEUED', 'RUNNING')`;
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  /**
   * Creates a QUEUED run and its job, or returns the active run (or the tick's run) it duplicates. The run is
   * recorded before Redis is asked: when the queue does not answer within SYNC_ENQUEUE_TIMEOUT_MS this throws
   * SERVICE_UNAVAILABLE at once, and the reaper enqueues the recorded run once Redis is back.
   */
  async enqueue(
    kind: SyncKind,
    params: Record<string, unknown>,
    trigger: SyncTrigger,
    options: EnqueueOptions = {},
  ): Promise<SyncRun> {
    const [ref] = await this.insertRuns(this.db.manager, [{ kind, params, trigger, ...options }]);
    // A joined QUEUED run gets its job again too (the same id: a no-op when it exists), so a trigger repeated
    // after an outage does not wait for the reaper.
    if (ref.inserted || ref.status === SyncStatus.QUEUED) await this.addJobs([ref], true);
    return this.get(ref.id);
  }

  /**
   * Inserts QUEUED runs with their job ids through `em` (the caller's transaction), or finds the active run
   * each duplicates. Their jobs are added by `addJobs` once the transaction has committed.
   */
  async insertRuns(em: EntityManager, specs: RunSpec[]): Promise<RunRef[]> {
    const refs: RunRef[] = [];
    for (const spec of specs) refs.push(await this.insertRun(em, spec));
    return refs;
  }

  private async insertRun(em: EntityManager, spec: RunSpec): Promise<RunRef> {
    const clean = JSON.parse(stableJson(spec.params)) as Record<string, unknown>;
    const key = dedupeKey(spec.kind, clean);
    // Unique and known before Redis is asked: a run id alone could name a finished job Bull still keeps (after
    // sync_run was emptied or restored), which Bull would silently ignore.
    const suffix = randomBytes(4).toString('hex');
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = rowsOf<{ id: number; jobId: string }>(
        await em.query(
          `WITH n AS (SELECT nextval(pg_get_serial_sequence('sync_run', 'id'))::int AS id)
           INSERT INTO sync_run (id, kind, params, trigger, status, dedupe_key, trigger_key, dry_run, job_id)
           SELECT n.id, $1, $2, $3, 'QUEUED', $4, $5, $6, 'run-' || n.id || '-' || $7 FROM n
           ON CONFLICT DO NOTHING RETURNING id, job_id AS "jobId"`,
          [
            spec.kind,
            JSON.stringify(clean),
            spec.trigger,
            key,
            spec.triggerKey ?? null,
            clean.dryRun === true,
            suffix,
          ],
        ),
      );
      if (inserted.length)
        return { ...inserted[0], kind: spec.kind, status: SyncStatus.QUEUED, inserted: true };
      const [existing] = rowsOf<{ id: number; jobId: string | null; status: SyncStatus }>(
        await em.query(
          `SELECT id, job_id AS "jobId", status FROM sync_run
           WHERE ($1::text IS NOT NULL AND trigger_key = $1) OR (dedupe_key = $2 AND ${ACTIVE_SQL})
           ORDER BY (trigger_key IS NOT DISTINCT FROM $1) DESC LIMIT 1`,
          [spec.triggerKey ?? null, key],
        ),
      );
      if (existing)
        return {
          id: existing.id,
          kind: spec.kind,
          jobId: existing.jobId ?? `run-${existing.id}-${suffix}`,
          status: existing.status,
          inserted: false,
        };
      // The duplicate finished between the insert and the look-up: try again.
    }
    throw new Error(`could not create a ${spec.kind} sync run (conflicting runs kept changing)`);
  }

  /**
   * Adds the Bull jobs of recorded runs, waiting at most SYNC_ENQUEUE_TIMEOUT_MS for Redis. `strict`: throws
   * SERVICE_UNAVAILABLE when the queue is unavailable; otherwise returns false and leaves the runs QUEUED for
   * the reaper. Adding a job id that exists is a no-op in Bull, so this is safe to repeat.
   */
  async addJobs(refs: Pick<RunRef, 'id' | 'kind' | 'jobId'>[], strict = false): Promise<boolean> {
    for (const ref of refs) {
      try {
        if (!this.queueReachable()) throw new Error('Redis is not connected');
        const adding = this.queue.add(
          ref.kind,
          { runId: ref.id },
          { ...syncJobOptions(this.config.env.SYNC_BACKOFF_MS), jobId: ref.jobId },
        );
        // An add that completes after the timeout is harmless (same job id); one that fails is the reaper's.
        adding.catch(() => undefined);
        await withTimeout(adding, this.config.env.SYNC_ENQUEUE_TIMEOUT_MS, 'adding the job');
      } catch (err) {
        this.log.warn(
          `sync run ${ref.id} is recorded as QUEUED but its job ${ref.jobId} could not be added ` +
            `(${errorMessage(err)}); it is enqueued once the queue is back`,
        );
        if (strict)
          throw new ServiceUnavailableError(
            `The job queue is unavailable: sync run ${ref.id} is recorded as QUEUED and will be enqueued once the queue is back`,
            { runId: ref.id },
          );
        return false;
      }
      void this.events.publish(ref.id);
    }
    return true;
  }

  /**
   * Whether the queue's Redis connection is up, or coming up for the first time; false once it was lost (while
   * ioredis reconnects, or after it gave up), so a trigger does not wait for a connection that is failing.
   */
  queueReachable(): boolean {
    // ioredis counts its reconnection attempts (reset once ready); not in its typings.
    const client = this.queue.client as unknown as { status?: string; retryAttempts?: number } | undefined;
    if (!client || client.status === 'ready') return true;
    return ['wait', 'connecting', 'connect'].includes(client.status ?? '') && !client.retryAttempts;
  }

  async get(id: number): Promise<SyncRun> {
    const run = await this.runs.findOneBy({ id });
    if (!run) throw new NotFoundError('SyncRun', id);
    return run;
  }

  async find(id: number): Promise<SyncRun | null> {
    return this.runs.findOneBy({ id });
  }

  /** The ids of `ids` that no active run of `kind` lists under `key` yet (so a search does not queue them twice). */
  async notQueued(kind: SyncKind, key: string, ids: number[], em: EntityManager = this.db.manager) {
    if (ids.length === 0) return [];
    const rows = rowsOf<{ id: number }>(
      await em.query(
        `SELECT x AS id FROM unnest($1::int[]) x
         EXCEPT SELECT (jsonb_array_elements_text(params->$3))::int FROM sync_run WHERE kind = $2 AND ${ACTIVE_SQL}
         ORDER BY id`,
        [[...new Set(ids)], kind, key],
      ),
    );
    return rows.map((r) => r.id);
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
      const countsByEntity: Record<string, SyncCounts> = {};
      for (const [k, c] of Object.entries(byEntity)) countsByEntity[k] = { ...c, failed: 0 };
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
    const { endpoint } = err as { endpoint?: unknown };
    const error: SyncUnitError = {
      unit,
      message: errorMessage(err),
      endpoint: typeof endpoint === 'string' ? endpoint : undefined,
      attempt,
      at: new Date().toISOString(),
    };
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
          byEntity
            ? JSON.stringify(
                Object.fromEntries(Object.entries(byEntity).map(([k, c]) => [k, { ...c, failed: 0 }])),
              )
            : null,
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

  /**
   * Waits until PostgreSQL answers again, polling with a growing delay, for at most `maxMs`; false if it did
   * not come back (or `stop()` said to give up).
   */
  async waitForDatabase(maxMs: number, stop: () => boolean = () => false): Promise<boolean> {
    const deadline = Date.now() + maxMs;
    let wait = 200;
    for (;;) {
      try {
        await this.db.query('SELECT 1');
        return true;
      } catch (err) {
        if (!isConnectionError(err)) throw err;
      }
      if (stop() || Date.now() + wait > deadline) return false;
      await delay(wait);
      wait = Math.min(wait * 1.5, 2000);
    }
  }

  /**
   * Looks at active runs whose last sign of life (heartbeat, else creation) is older than `staleMs`:
   * - QUEUED with its job missing from Redis (lost, or never added because Redis was down): the job is added
   *   again under the same id, so nothing is lost;
   * - QUEUED or RUNNING whose job Bull ended without the worker recording an outcome (a job that stalled more
   *   than once after its workers died), or RUNNING whose job is gone: closed as FAILED. A RUNNING run whose job
   *   is active (its worker holds the lock) is never closed, nor one whose worker's heartbeat is fresh.
   * Nothing is done while Redis is unreachable. Safe to run from several replicas at once.
   */
  async reapOrphans(staleMs = this.config.env.SYNC_STALE_RUN_MS): Promise<ReapResult> {
    const result: ReapResult = { requeued: [], closed: [] };
    const stale = rowsOf<{ id: number; kind: SyncKind; status: SyncStatus; jobId: string | null }>(
      await this.db.query(
        `SELECT id, kind, status, job_id AS "jobId" FROM sync_run
         WHERE ${ACTIVE_SQL} AND COALESCE(heartbeat_at, created_at) <= now() - make_interval(secs => $1)
         ORDER BY id`,
        [staleMs / 1000],
      ),
    );
    if (!stale.length || !this.queueReachable()) return result;
    const timeout = this.config.env.SYNC_ENQUEUE_TIMEOUT_MS;
    for (const run of stale) {
      let jobId = run.jobId;
      if (!jobId) {
        // A run recorded before job ids were written with it: give it one.
        const [set] = rowsOf<{ jobId: string }>(
          await this.db.query(
            `UPDATE sync_run SET job_id = 'run-' || id || '-' || $2 WHERE id = $1 AND job_id IS NULL
             RETURNING job_id AS "jobId"`,
            [run.id, randomBytes(4).toString('hex')],
          ),
        );
        if (!set) continue;
        jobId = set.jobId;
      }
      let state: string;
      try {
        const job = await withTimeout(this.queue.getJob(jobId), timeout, 'reading the job');
        // 'stuck': Bull finds the job in none of its lists.
        state = job ? await withTimeout(job.getState(), timeout, 'reading the job state') : 'missing';
        if (job && state === 'failed' && job.failedReason) state = `failed (${job.failedReason})`;
      } catch (err) {
        this.log.warn(`reaping sync runs: the queue is unavailable (${errorMessage(err)}); trying later`);
        break;
      }
      const missing = state === 'missing' || state === 'stuck';
      if (run.status === SyncStatus.QUEUED && missing) {
        if (!(await this.addJobs([{ id: run.id, kind: run.kind, jobId }]))) break;
        this.log.warn(`sync run ${run.id}: its job ${jobId} was missing from the queue; enqueued again`);
        result.requeued.push(run.id);
        continue;
      }
      if (!missing && !state.startsWith('failed') && state !== 'completed') continue;
      const why = missing
        ? `its job ${jobId} is no longer in the queue and its worker stopped`
        : `its job ${jobId} ended ${state} without an outcome`;
      if (await this.close(run.id, run.status, jobId, staleMs, `${why}; trigger the sync again`))
        result.closed.push(run.id);
    }
    return result;
  }

  /** Closes a run as FAILED if it is still as the reaper saw it (same status and job, still stale). */
  private async close(
    id: number,
    status: SyncStatus,
    jobId: string,
    staleMs: number,
    message: string,
  ): Promise<boolean> {
    const error: SyncUnitError = { unit: 'queue', message, at: new Date().toISOString() };
    const updated = rowsOf(
      await this.db.query(
        `UPDATE sync_run SET status = 'FAILED', errors = errors || $2::jsonb, finished_at = now(),
           counts = jsonb_set(counts, '{failed}', to_jsonb((counts->>'failed')::int + 1))
         WHERE id = $1 AND status = $3 AND job_id = $4
           AND COALESCE(heartbeat_at, created_at) <= now() - make_interval(secs => $5)
         RETURNING id`,
        [id, JSON.stringify([error]), status, jobId, staleMs / 1000],
      ),
    );
    if (!updated.length) return false;
    this.log.warn(`sync run ${id} closed as FAILED: ${message}`);
    void this.events.publish(id);
    return true;
  }

  runsRepository(): Repository<SyncRun> {
    return this.runs;
  }
}
