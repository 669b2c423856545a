// Queues, cron and SyncRuns. The worker (queue processing) is registered only in the worker role; the cron
// only where the scheduler runs (api/all unless SCHEDULER_ENABLED=false).
import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import type { DynamicModule, Provider } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '../catalog/catalog.module.js';
import { MembersModule } from '../members/members.module.js';
import { ResultsModule } from '../results/results.module.js';
import { SeasonsModule } from '../seasons/seasons.module.js';
import { WeatherModule } from '../weather/weather.module.js';
import { SyncCronService } from './sync-cron.service.js';
import { SyncEvents } from './sync-events.js';
import { SyncHandlers } from './sync-handlers.js';
import { SyncMetrics } from './sync-metrics.js';
import { SyncRun } from './sync-run.entity.js';
import { SyncRunService } from './sync-run.service.js';
import { SyncResolver } from './sync.resolver.js';
import { SYNC_QUEUE } from './sync.queue.js';
import { SyncWorker } from './sync.worker.js';

export interface SchedulerModuleOptions {
  api: boolean;
  worker: boolean;
}

@Module({})
export class SchedulerModule {
  static forRoot(options: SchedulerModuleOptions): DynamicModule {
    const providers: Provider[] = [SyncRunService, SyncHandlers, SyncCronService, SyncMetrics, SyncEvents];
    if (options.api) providers.push(SyncResolver);
    if (options.worker) providers.push(SyncWorker);
    return {
      module: SchedulerModule,
      imports: [
        TypeOrmModule.forFeature([SyncRun]),
        BullModule.registerQueue({ name: SYNC_QUEUE }),
        ScheduleModule.forRoot(),
        CatalogModule,
        SeasonsModule,
        WeatherModule,
        ResultsModule,
        MembersModule,
      ],
      providers,
      exports: [SyncRunService, SyncCronService],
    };
  }
}
