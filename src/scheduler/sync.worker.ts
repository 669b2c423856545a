// The worker side of the sync queue: takes a job, runs the importer of its SyncRun with iRacing traffic counted,
// and records the outcome. Outages of iRacing are retried by Bull (3 attempts, 60 s apart); bad data and other
// non-retryable errors fail the run at once; iRacing maintenance delays the job without using an attempt.
// Units that failed because PostgreSQL or Redis went away are run again in the same attempt once they are back.
// Each execution owns its run through a token (compare-and-set on every write) and keeps a heartbeat on it;
// on SIGTERM the worker stops taking jobs, waits for running ones up to SHUTDOWN_GRACE_MS and leaves the rest
// to another worker (their job lock expires and Bull hands them over).
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../core/config/app-config.js';
import { errorMessage } from '../core/errors/domain-error.js';
import { isRetryable } from '../core/import/import-error.js';
import { DataVersion } from '../core/graphql/data-version.js';
import { addCounts, isConnectionError, runWithLiveCounts } from '../core/import/import-report.js';
import type { EntityCounts, ImportReport } from '../core/import/import-report.js';
import { IracingMaintenanceError } from '../iracing/iracing.errors.js';
import { runWithProgress } from '../core/import/progress.js';
import type { ProgressSink } from '../core/import/progress.js';
import { RequestStats, runWithStats } from '../iracing/request-stats.js';
import { SyncDispatcher } from './sync-dispatcher.js';
import { progressSink, RetryRunError, RunStoppedError, snapshot, sumCounts } from './sync-execution.js';
import type { Execution } from './sync-execution.js';
import type { SyncKind } from './sync-definition.js';
import { SyncRunRecorder } from './sync-run-recorder.js';
import { MEMBER_SYNC_QUEUE, SYNC_ATTEMPTS, syncJobOptions, SYNC_QUEUE, withTimeout } from './sync.queue.js';
import type { SyncJobData } from './sync.queue.js';
import { SyncRunService } from './sync-run.service.js';
import { SyncStatus, SyncTrigger } from './sync-run.entity.js';
import type { SyncRun } from './sync-run.entity.js';

/** How long a run waits for PostgreSQL (or Redis) to come back before giving the attempt up. */
const CONNECTION_WAIT_MS = 60_000;
/** Passes of a run's units in one attempt (the first included) when connections keep getting lost. */
const MAX_PASSES = 4;

@Injectable()
export class SyncWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(SyncWorker.name);
  private readonly executions = new Set<Execution>();
  private draining = false;
  private markClosed!: () => void;
  /** Resolved once the queue is closed on shutdown. */
  private readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    @InjectQueue(SYNC_QUEUE) private readonly queue: Queue<SyncJobData>,
    @InjectQueue(MEMBER_SYNC_QUEUE) private readonly memberQueue: Queue<SyncJobData>,
    private readonly runs: SyncRunService,
    private readonly record: SyncRunRecorder,
    private readonly dispatcher: SyncDispatcher,
    private readonly config: AppConfig,
    private readonly version: DataVersion,
  ) {}

  onApplicationBootstrap(): void {
    const env = this.config.env;
    for (const [queue, concurrency] of [
      [this.queue, env.WORKER_CONCURRENCY],
      [this.memberQueue, env.MEMBER_SYNC_CONCURRENCY],
    ] as const) {
      queue
        .process('*', concurrency, (job) => this.handle(job))
        .catch((err: unknown) => {
          this.log.error(`the ${queue.name} queue stopped processing: ${String(err)}`);
        });
      this.log.log(`processing the ${queue.name} queue (concurrency ${concurrency})`);
    }
  }

  private get queues(): Queue<SyncJobData>[] {
    return [this.queue, this.memberQueue];
  }

  /** Sync jobs this worker is running now. */
  get running(): number {
    return this.executions.size;
  }

  /**
   * Stops taking jobs, waits for the running ones up to SHUTDOWN_GRACE_MS, then closes the queue without them:
   * their job lock expires and another worker takes them over (the run counts what this one wrote).
   */
  async beforeApplicationShutdown(): Promise<void> {
    // Once only: pausing a closed queue would connect its blocking client again.
    if (this.draining) return;
    this.draining = true;
    try {
      // Local pause without waiting for active jobs: the wait below is the bounded one.
      await withTimeout(
        Promise.all(this.queues.map((q) => q.pause(true, true))),
        2000,
        'pausing the queues',
      ).catch(() => undefined);
      const grace = this.config.env.SHUTDOWN_GRACE_MS;
      const running = [...this.executions];
      if (running.length) {
        this.log.log(`shutting down: waiting up to ${grace} ms for ${running.length} running sync job(s)`);
        await withTimeout(
          Promise.all(running.map((e) => e.settled)),
          grace,
          'finishing the running sync jobs',
        ).catch(() => undefined);
      }
      const left = [...this.executions];
      for (const e of left) {
        e.abandoned = true;
        this.log.warn(
          `sync run ${e.runId} (${e.kind}) is still running at shutdown: left to another worker once its job ` +
            `lock expires (${this.config.env.SYNC_JOB_LOCK_MS} ms)`,
        );
      }
      // What they wrote so far, so the run taken over counts it.
      await Promise.all(
        left.map((e) =>
          withTimeout(
            this.record.heartbeat(e.runId, e.runner, this.snapshot(e)),
            2000,
            'a last heartbeat',
          ).catch(() => undefined),
        ),
      );
      for (const e of left) e.abandon();
      // Without waiting for the jobs left: Bull stops renewing their locks.
      await withTimeout(Promise.all(this.queues.map((q) => q.close(true))), 5000, 'closing the queues').catch(
        () => undefined,
      );
    } finally {
      this.markClosed();
    }
  }

  async handle(job: Job<SyncJobData>): Promise<void> {
    // A job handed over while shutting down is not started; it stays active until its lock expires and
    // another worker takes it (resolving only after the queue is closed keeps Bull from completing it).
    if (this.draining) return this.closed;
    const attempt = job.attemptsMade + 1;
    const runner = randomUUID();
    const run = await this.persist(() => this.record.start(job.data.runId, attempt, String(job.id), runner));
    if (!run) {
      this.log.warn(
        `job ${job.id}: sync run ${job.data.runId} is missing, already finished or carried by another job; skipped`,
      );
      return;
    }
    this.log.log(`sync run ${run.id} (${run.kind}) attempt ${attempt} started as job ${job.id}`);
    let abandon!: () => void;
    const abandoned = new Promise<void>((resolve) => (abandon = resolve));
    let settle!: () => void;
    const exec: Execution = {
      runId: run.id,
      kind: run.kind,
      runner,
      passes: [],
      live: {},
      lost: false,
      abandoned: false,
      closing: false,
      abandon,
      settled: new Promise<void>((resolve) => (settle = resolve)),
    };
    this.executions.add(exec);
    const beat = setInterval(() => void this.heartbeat(exec), this.config.env.SYNC_JOB_LOCK_MS / 2);
    beat.unref();
    const work = this.execute(exec, run, job, attempt).finally(() => {
      clearInterval(beat);
      this.executions.delete(exec);
      settle();
    });
    // A run left at shutdown: its importers are stopped as they go; its job must not complete here.
    work.catch(() => undefined);
    await Promise.race([work, abandoned.then(() => this.closed)]);
  }

  private async execute(
    exec: Execution,
    run: SyncRun,
    job: Job<SyncJobData>,
    attempt: number,
  ): Promise<void> {
    const maxAttempts = job.opts.attempts ?? SYNC_ATTEMPTS;
    const stats = new RequestStats();
    const started = Date.now();
    let report: ImportReport;
    try {
      report = await this.runPasses(exec, run, stats);
    } catch (err) {
      if (exec.lost || exec.abandoned) return this.stopped(exec, err);
      exec.closing = true;
      if (err instanceof IracingMaintenanceError)
        return this.delayForMaintenance(job, exec, err, stats, attempt);
      const unit = run.kind.toLowerCase();
      if (!isRetryable(err) || attempt >= maxAttempts) {
        await withTimeout(job.discard(), this.config.env.SYNC_ENQUEUE_TIMEOUT_MS, 'discarding the job').catch(
          () => undefined,
        );
        await this.persist(() =>
          this.record.finishWithError(run.id, unit, err, stats, attempt, exec.runner, this.snapshot(exec)),
        );
      } else {
        await this.persist(() =>
          this.record.retrying(run.id, exec.runner, unit, err, stats, attempt, this.snapshot(exec)),
        );
      }
      throw err;
    }
    if (exec.lost || exec.abandoned) return this.stopped(exec);
    exec.closing = true;
    const allFailed = report.failures.length > 0 && report.unitsSucceeded === 0;
    if (allFailed && attempt < maxAttempts && report.failures.some((f) => f.retryable)) {
      const first = report.failures[0];
      const counts = sumCounts([...exec.passes, report.byEntity]);
      if (
        !(await this.persist(() =>
          this.record.retrying(run.id, exec.runner, first.unit, first, stats, attempt, counts),
        ))
      )
        return this.stopped(exec);
      throw new RetryRunError(`sync run ${run.id}: every unit failed (${first.message}); retrying`);
    }
    // Everything the run wrote has committed: the data version moves on before the run reads as finished, so
    // whoever waits for it never gets an answer cached before its writes.
    await this.version.changed();
    const done = await this.persist(() =>
      this.record.finish(run.id, exec.runner, report, stats, attempt, exec.passes),
    );
    if (!done) return this.stopped(exec);
    this.log.log(
      `sync run ${run.id} (${run.kind}) ${done.status} in ${Date.now() - started} ms: ${JSON.stringify(done.counts)}`,
    );
    if (done.status !== SyncStatus.FAILED) await this.queueFollowUp(run.id, run.kind, run.params);
  }

  /**
   * Runs the run's handler; when units failed because PostgreSQL or Redis went away, waits for them to come back
   * and runs it again (the units done are skipped by their content hash, the failed ones imported).
   */
  private async runPasses(exec: Execution, run: SyncRun, stats: RequestStats): Promise<ImportReport> {
    for (let pass = 1; ; pass++) {
      exec.live = {};
      let report: ImportReport | undefined;
      let failure: unknown;
      try {
        report = await runWithStats(stats, () =>
          runWithProgress(this.progressSink(exec), () =>
            runWithLiveCounts(
              (entity, counts) => {
                addCounts(exec.live, entity, counts);
                // Committed rows: answers cached before them are not served again (docs/architecture.md §6.10).
                if (counts.created || counts.updated || counts.deleted) void this.version.changed();
              },
              () => this.dispatcher.run(run.kind, run.params, { runId: run.id }),
            ),
          ),
        );
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        failure = err;
      }
      const lostConnection = report ? report.failures.some((f) => f.connection) : true;
      const giveUp = () => {
        if (report) return report;
        throw failure;
      };
      if (!lostConnection || pass >= MAX_PASSES || exec.lost || exec.abandoned) return giveUp();
      const failed = report ? report.failures.filter((f) => f.connection).length : 'its';
      this.log.warn(
        `sync run ${run.id}: ${failed} unit(s) failed on a lost connection to PostgreSQL or Redis ` +
          `(${report ? report.failures.find((f) => f.connection)?.message : errorMessage(failure)}); ` +
          'waiting for it to come back to run them again',
      );
      if (!(await this.waitForConnections(exec))) return giveUp();
      exec.passes.push(report ? report.byEntity : exec.live);
    }
  }

  /** Waits (bounded) until PostgreSQL answers and the queue's Redis is connected again. */
  private async waitForConnections(exec: Execution): Promise<boolean> {
    const deadline = Date.now() + CONNECTION_WAIT_MS;
    const stop = () => exec.lost || exec.abandoned;
    if (!(await this.runs.waitForDatabase(CONNECTION_WAIT_MS, stop))) return false;
    while (!this.runs.queueReachable()) {
      if (stop() || Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
    return !stop();
  }

  /**
   * Runs a write of the run's record, waiting (bounded) for PostgreSQL when the connection was lost, so the
   * outcome of a run is not dropped by a short outage.
   */
  private async persist<T>(write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + CONNECTION_WAIT_MS;
    for (;;) {
      try {
        return await write();
      } catch (err) {
        if (!isConnectionError(err) || Date.now() > deadline) throw err;
        this.log.warn(`recording a sync run: ${errorMessage(err)}; waiting for PostgreSQL`);
        if (!(await this.runs.waitForDatabase(Math.max(0, deadline - Date.now())))) throw err;
      }
    }
  }

  /** What the execution has written so far, for its run's record. */
  private snapshot(exec: Execution): EntityCounts {
    return snapshot(exec);
  }

  private async heartbeat(exec: Execution): Promise<void> {
    if (exec.lost || exec.abandoned || exec.closing) return;
    try {
      const owned = await this.record.heartbeat(exec.runId, exec.runner, this.snapshot(exec));
      if (!owned && !exec.closing) this.markLost(exec);
    } catch (err) {
      this.log.warn(`heartbeat of sync run ${exec.runId}: ${errorMessage(err)}`);
    }
  }

  private markLost(exec: Execution): void {
    if (exec.lost) return;
    exec.lost = true;
    this.log.warn(
      `sync run ${exec.runId} was closed or taken over while this worker ran it: stopping without recording`,
    );
  }

  private stopped(exec: Execution, err?: unknown): void {
    if (exec.abandoned) return;
    this.markLost(exec);
    if (err && !(err instanceof RunStoppedError))
      this.log.warn(`sync run ${exec.runId}: stopped (${errorMessage(err)})`);
  }

  private progressSink(exec: Execution): ProgressSink {
    return progressSink(exec, this.record, () => this.markLost(exec), this.log);
  }

  /** Queues the sync that follows this one (forecasts after seasons); the finished run stays as it is. */
  private async queueFollowUp(runId: number, kind: SyncKind, params: Record<string, unknown>): Promise<void> {
    const next = this.dispatcher.followUp(kind, params);
    if (!next) return;
    try {
      // It must see what this run wrote: a duplicate already running is followed by a run of its own.
      const queued = await this.runs.enqueue(next.kind, next.params, SyncTrigger.SYNC, {
        afterRunning: true,
      });
      this.log.log(`sync run ${runId} queued ${next.kind} as run ${queued.id}`);
    } catch (err) {
      this.log.warn(`sync run ${runId}: could not queue ${next.kind}: ${String(err)}`);
    }
  }

  /**
   * Maintenance is not a failure: the same run is re-queued after a delay under a new job, keeping its
   * attempts. The run names its new job before the job exists: if Redis does not take it, the reaper adds it.
   */
  private async delayForMaintenance(
    job: Job<SyncJobData>,
    exec: Execution,
    err: IracingMaintenanceError,
    stats: RequestStats,
    attempt: number,
  ): Promise<void> {
    const runId = exec.runId;
    const jobId = `run-${runId}-m${Date.now().toString(36)}`;
    const owned = await this.persist(() =>
      this.record.retrying(
        runId,
        exec.runner,
        'maintenance',
        err,
        stats,
        attempt,
        this.snapshot(exec),
        jobId,
      ),
    );
    if (!owned) return this.stopped(exec);
    try {
      const adding = this.runs.queueOf(exec.kind).add(job.name, job.data, {
        ...syncJobOptions(this.config.env.SYNC_BACKOFF_MS),
        jobId,
        delay: err.retryAfterMs,
      });
      adding.catch(() => undefined);
      await withTimeout(adding, this.config.env.SYNC_ENQUEUE_TIMEOUT_MS, 'adding the delayed job');
    } catch (addErr) {
      this.log.warn(
        `sync run ${runId}: its delayed job could not be added (${errorMessage(addErr)}); the reaper will`,
      );
    }
    this.log.warn(
      `sync run ${runId}: iRacing in maintenance; retrying in ${Math.round(err.retryAfterMs / 1000)} s`,
    );
  }
}
