// The worker side of the sync queue: takes a job, runs the importer of its SyncRun with iRacing traffic counted,
// and records the outcome. Outages are retried by Bull (3 attempts, 60 s apart); bad data and other
// non-retryable errors fail the run at once; iRacing maintenance delays the job without using an attempt.
import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../core/config/app-config.js';
import { IracingMaintenanceError } from '../iracing/iracing.errors.js';
import { runWithProgress } from '../core/import/progress.js';
import type { ProgressSink } from '../core/import/progress.js';
import { RequestStats, runWithStats } from '../iracing/request-stats.js';
import { SyncHandlers } from './sync-handlers.js';
import { SYNC_ATTEMPTS, syncJobOptions, SYNC_QUEUE } from './sync.queue.js';
import type { SyncJobData } from './sync.queue.js';
import { SyncRunService } from './sync-run.service.js';
import { SyncStatus, SyncTrigger } from './sync-run.entity.js';
import type { SyncKind } from './sync-run.entity.js';

const PROGRESS_INTERVAL_MS = 500;

const isRetryable = (err: unknown) => (err as { retryable?: unknown })?.retryable !== false;

/** Every unit failed for a reason that may pass (an outage): the run is already back to QUEUED. */
class RetryRunError extends Error {}

@Injectable()
export class SyncWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SyncWorker.name);

  constructor(
    @InjectQueue(SYNC_QUEUE) private readonly queue: Queue<SyncJobData>,
    private readonly runs: SyncRunService,
    private readonly handlers: SyncHandlers,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.queue
      .process('*', this.config.env.WORKER_CONCURRENCY, (job) => this.handle(job))
      .catch((err: unknown) => {
        this.log.error(`the sync queue stopped processing: ${String(err)}`);
      });
    this.log.log(`processing the ${SYNC_QUEUE} queue (concurrency ${this.config.env.WORKER_CONCURRENCY})`);
  }

  async onApplicationShutdown(): Promise<void> {
    // Lets running jobs finish their current step; unfinished ones are picked up again after the stall timeout.
    await this.queue.close().catch(() => undefined);
  }

  async handle(job: Job<SyncJobData>): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? SYNC_ATTEMPTS;
    const run = await this.runs.start(job.data.runId, attempt);
    if (!run) {
      this.log.warn(`job ${job.id}: sync run ${job.data.runId} is missing or already finished; skipped`);
      return;
    }
    this.log.log(`sync run ${run.id} (${run.kind}) attempt ${attempt} started as job ${job.id}`);
    const stats = new RequestStats();
    const started = Date.now();
    try {
      const report = await runWithStats(stats, () =>
        runWithProgress(this.progressSink(run.id), () => this.handlers.get(run.kind)(run.params)),
      );
      const allFailed = report.failures.length > 0 && report.unitsSucceeded === 0;
      if (allFailed && attempt < maxAttempts && report.failures.some((f) => f.retryable)) {
        const first = report.failures[0];
        await this.runs.retrying(run.id, first.unit, first, stats, attempt);
        throw new RetryRunError(`sync run ${run.id}: every unit failed (${first.message}); retrying`);
      }
      const done = await this.runs.finish(run.id, report, stats, attempt);
      this.log.log(
        `sync run ${run.id} (${run.kind}) ${done.status} in ${Date.now() - started} ms: ${JSON.stringify(done.counts)}`,
      );
      if (done.status !== SyncStatus.FAILED) await this.queueFollowUp(run.id, run.kind, run.params);
    } catch (err) {
      if (err instanceof IracingMaintenanceError)
        return this.delayForMaintenance(job, run.id, err, stats, attempt);
      if (err instanceof RetryRunError) throw err;
      if (!isRetryable(err) || attempt >= maxAttempts) {
        await job.discard();
        await this.runs.finishWithError(run.id, run.kind.toLowerCase(), err, stats, attempt);
      } else {
        await this.runs.retrying(run.id, run.kind.toLowerCase(), err, stats, attempt);
      }
      throw err;
    }
  }

  /** Writes progress at most every PROGRESS_INTERVAL_MS (and at the end), never holding the import back. */
  private progressSink(runId: number): ProgressSink {
    let last = 0;
    let pending: { done: number; total: number } | undefined;
    let writing = false;
    const flush = () => {
      if (writing || !pending) return;
      const { done, total } = pending;
      pending = undefined;
      writing = true;
      last = Date.now();
      this.runs
        .progress(runId, done, total)
        .catch((err: unknown) => this.log.warn(`progress of sync run ${runId}: ${String(err)}`))
        .finally(() => {
          writing = false;
          // The last report (all units done) is never dropped behind a write in flight.
          if (pending && pending.done === pending.total) flush();
        });
    };
    return (done, total) => {
      pending = { done, total };
      if (done === total || Date.now() - last >= PROGRESS_INTERVAL_MS) flush();
    };
  }

  /** Queues the sync that follows this one (forecasts after seasons); the finished run stays as it is. */
  private async queueFollowUp(runId: number, kind: SyncKind, params: Record<string, unknown>): Promise<void> {
    const next = this.handlers.followUp(kind, params);
    if (!next) return;
    try {
      const queued = await this.runs.enqueue(next.kind, next.params, SyncTrigger.SYNC);
      this.log.log(`sync run ${runId} queued ${next.kind} as run ${queued.id}`);
    } catch (err) {
      this.log.warn(`sync run ${runId}: could not queue ${next.kind}: ${String(err)}`);
    }
  }

  /** Maintenance is not a failure: re-queue the same run after a delay, keeping its attempts. */
  private async delayForMaintenance(
    job: Job<SyncJobData>,
    runId: number,
    err: IracingMaintenanceError,
    stats: RequestStats,
    attempt: number,
  ): Promise<void> {
    await this.runs.retrying(runId, 'maintenance', err, stats, attempt);
    const jobId = `run-${runId}-maintenance-${Date.now()}`;
    await this.queue.add(job.name, job.data, {
      ...syncJobOptions(this.config.env.SYNC_BACKOFF_MS),
      jobId,
      delay: err.retryAfterMs,
    });
    await this.runs.setJob(runId, jobId);
    this.log.warn(
      `sync run ${runId}: iRacing in maintenance; retrying in ${Math.round(err.retryAfterMs / 1000)} s`,
    );
  }
}
