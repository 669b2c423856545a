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
import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource, Repository } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../core/config/app-config.js';
import { errorMessage, NotFoundError, ServiceUnavailableError } from '../core/errors/domain-error.js';
import { isConnectionError } from '../core/import/import-report.js';
import { prepareParams, queueNameOf } from './sync-definition.js';
import type { SyncKind } from './sync-definition.js';
import { SyncEvents } from './sync-events.js';
import { chunks, MEMBER_SYNC_QUEUE, syncJobOptions, SYNC_QUEUE, withTimeout } from './sync.queue.js';
import type { SyncJobData } from './sync.queue.js';
import { SyncRun, SyncStatus, SyncTrigger } from './sync-run.entity.js';
import type { SyncUnitError } from './sync-run.entity.js';
import { ACTIVE_SQL, dedupeKey, delay, queuedRunOf, rowsOf, stableJson } from './sync-run.sql.js';

export { dedupeKey, stableJson } from './sync-run.sql.js';

/** A run queued by another sync, as its report lists it. */
export interface QueuedRunRef {
  kind: string;
  runId: number;
  items: number;
}

export interface EnqueueOptions {
  /** A unique key of the trigger (a cron tick): the same key never creates a second run. */
  triggerKey?: string;
  /** A follow-up (§4.10): a duplicate already RUNNING may have read too early, so a run is queued to follow it. */
  afterRunning?: boolean;
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

@Injectable()
export class SyncRunService {
  private readonly log = new Logger(SyncRunService.name);

  constructor(
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(SYNC_QUEUE) private readonly queue: Queue<SyncJobData>,
    @InjectQueue(MEMBER_SYNC_QUEUE) private readonly memberQueue: Queue<SyncJobData>,
    private readonly config: AppConfig,
    private readonly events: SyncEvents,
  ) {}

  /**
   * Creates a QUEUED run and its job, or returns the active run (or the tick's run) it duplicates. Its parameters
   * are checked by its kind's definition first (a BadInputError names what is wrong). The run is
   * recorded before Redis is asked: when the queue does not answer within SYNC_ENQUEUE_TIMEOUT_MS this throws
   * SERVICE_UNAVAILABLE at once, and the reaper enqueues the recorded run once Redis is back.
   */
  async enqueue(
    kind: SyncKind,
    params: Record<string, unknown>,
    trigger: SyncTrigger,
    options: EnqueueOptions = {},
  ): Promise<SyncRun> {
    const checked = prepareParams(kind, params);
    const [ref] = await this.insertRuns(this.db.manager, [{ kind, params: checked, trigger, ...options }]);
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

  private async insertRun(em: EntityManager, spec: RunSpec, following = false): Promise<RunRef> {
    const clean = JSON.parse(stableJson(spec.params)) as Record<string, unknown>;
    const follower = dedupeKey(`${spec.kind}:after`, clean);
    const key = following ? follower : dedupeKey(spec.kind, clean);
    if (spec.afterRunning && !following) {
      // A follower queued while a duplicate ran is still to run: it reads after this request too.
      const queued = await this.queuedFollower(em, spec.kind, follower);
      if (queued) return queued;
    }
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
      if (existing && spec.afterRunning && !following && existing.status === SyncStatus.RUNNING)
        return this.insertRun(em, spec, true);
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

  private async queuedFollower(em: EntityManager, kind: SyncKind, key: string): Promise<RunRef | undefined> {
    const q = await queuedRunOf(em, key);
    const jobId = q?.jobId ?? `run-${q?.id}-${randomBytes(4).toString('hex')}`;
    return q ? { id: q.id, kind, jobId, status: SyncStatus.QUEUED, inserted: false } : undefined;
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
        const adding = this.queueOf(ref.kind).add(
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

  /** The queue of a kind's runs: the member queue for syncs acting as one member, else the sync queue. */
  queueOf(kind: SyncKind): Queue<SyncJobData> {
    return queueNameOf(kind) === MEMBER_SYNC_QUEUE ? this.memberQueue : this.queue;
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
   * Queues `ids` as runs of `kind` (the list under `key`, at most RUN_SPLIT_SIZE ids each), leaving out those an
   * active run lists already. The runs are recorded in one transaction with `alsoWrite` (a search checkpoint): if
   * they cannot be recorded, neither is it. Their jobs are added after the commit; a job Redis does not take is
   * added by the reaper (the run is recorded with its job id).
   */
  async queueIds(
    kind: SyncKind,
    key: string,
    ids: number[],
    alsoWrite?: (em: EntityManager) => Promise<void>,
  ): Promise<QueuedRunRef[]> {
    const sorted = [...ids].sort((a, b) => a - b);
    const refs = await this.db.transaction(async (em) => {
      const slices = chunks(await this.notQueued(kind, key, sorted, em));
      const inserted = await this.insertRuns(
        em,
        slices.map((slice) => ({ kind, params: { [key]: slice }, trigger: SyncTrigger.SYNC })),
      );
      await alsoWrite?.(em);
      return inserted.map((ref, i) => ({ ref, items: slices[i].length }));
    });
    await this.addJobs(refs.map((r) => r.ref).filter((r) => r.inserted || r.status === SyncStatus.QUEUED));
    return refs.map(({ ref, items }) => ({ kind, runId: ref.id, items }));
  }

  /**
   * Queues one run of `kind` per id (`{ [key]: id }`), each joining the active run it duplicates, in one
   * transaction; their jobs are added after the commit (the reaper adds any Redis did not take).
   */
  async queueEach(kind: SyncKind, key: string, ids: number[], trigger: SyncTrigger): Promise<QueuedRunRef[]> {
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    const refs = await this.db.transaction((em) =>
      this.insertRuns(
        em,
        sorted.map((id) => ({ kind, params: { [key]: id }, trigger })),
      ),
    );
    await this.addJobs(refs.filter((r) => r.inserted || r.status === SyncStatus.QUEUED));
    return refs.map((ref) => ({ kind, runId: ref.id, items: 1 }));
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
        const job = await withTimeout(this.queueOf(run.kind).getJob(jobId), timeout, 'reading the job');
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
