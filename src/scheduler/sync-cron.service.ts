// Cron ticks (UTC) that only enqueue. Each tick's trigger key is derived from its scheduled minute, so any
// number of scheduler replicas create one run per tick (the key is unique in sync_run).
import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../core/config/app-config.js';
import { syncDefinitions } from './sync-definition.js';
import type { SyncKind } from './sync-definition.js';
import { SyncTrigger } from './sync-run.entity.js';
import type { SyncRun } from './sync-run.entity.js';
import { SyncRunService } from './sync-run.service.js';

export interface Schedule {
  name: string;
  cron: string;
  kind: SyncKind;
  params: Record<string, unknown>;
}

@Injectable()
export class SyncCronService implements OnApplicationBootstrap {
  private readonly log = new Logger(SyncCronService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly runs: SyncRunService,
  ) {}

  /** Every feature's cron schedules, with the expression of its setting. */
  schedules(): Schedule[] {
    const env = this.config.env as unknown as Record<string, string>;
    return syncDefinitions().flatMap((d) =>
      (d.crons ?? []).map((c) => ({
        name: c.name,
        cron: env[c.setting],
        kind: d.kind,
        params: c.params as Record<string, unknown>,
      })),
    );
  }

  /** Whether this process ticks the schedules. */
  get enabled(): boolean {
    return this.config.runsScheduler;
  }

  onApplicationBootstrap(): void {
    if (!this.config.runsScheduler) return;
    // Runs whose job was lost (Redis flushed, or never added while Redis was down) are enqueued again; runs
    // whose job Bull failed after its workers died, or whose worker and job are both gone, are closed (an active
    // run blocks its dedupe key). Only runs without a sign of life for SYNC_STALE_RUN_MS are looked at.
    const stale = this.config.env.SYNC_STALE_RUN_MS;
    const reapEveryMs = Math.max(1000, Math.min(60_000, Math.round(stale / 2)));
    this.registry.addInterval(
      'reap-orphan-runs',
      setInterval(() => {
        this.runs
          .reapOrphans(stale)
          .catch((err: unknown) => this.log.error(`reaping orphan sync runs: ${String(err)}`));
      }, reapEveryMs),
    );
    for (const s of this.schedules()) {
      const job = new CronJob(
        s.cron,
        () => {
          this.tick(s, new Date()).catch((err: unknown) => this.log.error(`cron ${s.name}: ${String(err)}`));
        },
        null,
        false,
        'UTC',
      );
      this.registry.addCronJob(s.name, job);
      job.start();
      this.log.log(`cron ${s.name} "${s.cron}" (UTC), next at ${job.nextDate().toISO()}`);
    }
  }

  /** Enqueues the schedule's sync for the tick at `at` (rounded down to the minute). */
  tick(schedule: Schedule, at: Date): Promise<SyncRun> {
    const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
    return this.runs.enqueue(schedule.kind, schedule.params, SyncTrigger.CRON, {
      triggerKey: `cron:${schedule.name}:${minute}`,
    });
  }
}
