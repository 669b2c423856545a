// Generic sync infrastructure (docs/architecture.md §4): the queue, SyncRuns, the worker, cron and the run
// queries. It knows no feature: each feature defines its kinds of sync (`<feature>.sync.ts`) and provides their
// handlers and mutations. Global, so that the features' handlers and mutations can queue runs. The worker
// (queue processing) is registered only in the worker role; the cron only where the scheduler runs (api/all
// unless SCHEDULER_ENABLED=false).
import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import type { DynamicModule, Provider } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SyncCronService } from './sync-cron.service.js';
import { SyncDispatcher } from './sync-dispatcher.js';
import { SyncEvents } from './sync-events.js';
import { SyncMetrics } from './sync-metrics.js';
import { SyncRun } from './sync-run.entity.js';
import { SyncRunRecorder } from './sync-run-recorder.js';
import { SyncRunService } from './sync-run.service.js';
import { SyncResolver } from './sync.resolver.js';
import { SYNC_QUEUES } from './sync.queue.js';
import { SyncWorker } from './sync.worker.js';

export interface SchedulerModuleOptions {
  api: boolean;
  worker: boolean;
}

@Module({})
export class SchedulerModule {
  static forRoot(options: SchedulerModuleOptions): DynamicModule {
    const providers: Provider[] = [SyncRunService, SyncCronService, SyncMetrics, SyncEvents];
    if (options.api) providers.push(SyncResolver);
    if (options.worker) providers.push(SyncWorker, SyncRunRecorder, SyncDispatcher);
    return {
      module: SchedulerModule,
      global: true,
      imports: [
        TypeOrmModule.forFeature([SyncRun]),
        BullModule.registerQueue(...SYNC_QUEUES.map((name) => ({ name }))),
        ScheduleModule.forRoot(),
      ],
      providers,
      exports: [SyncRunService, SyncCronService],
    };
  }
}
