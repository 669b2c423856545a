// Shared plumbing, global: the validated config, PostgreSQL (TypeORM), Redis, Bull's connection, the
// DataLoader registry, the admin guard, who a request comes from (Requesters), the data version and the GraphQL
// response cache, /health and /metrics.
import { BullModule } from '@nestjs/bull';
import { Global, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DynamicModule, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminGuard } from './auth/admin.guard.js';
import { Requesters } from './auth/requester.js';
import { AppConfig } from './config/app-config.js';
import { MigrationRunner } from './database/migration-runner.js';
import { typeormOptions } from './database/typeorm-options.js';
import type { EntityList } from './database/typeorm-options.js';
import { DataLoaderService } from './graphql/dataloader.registry.js';
import { DataVersion } from './graphql/data-version.js';
import { ResponseCache, ResponseCacheMiddleware } from './graphql/response-cache.js';
import { SqlSelection } from './graphql/sql-selection.js';
import { DateTimeScalar } from './graphql/date-time.scalar.js';
import { GraphqlPassThroughFilter } from './graphql/graphql-exception.filter.js';
import { HealthController, PostgresProbe } from './health/health.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MemberErasure } from './member-erasure.js';
import { MetricsService } from './metrics/metrics.service.js';
import { RedisShutdown, redisProvider, REDIS } from './redis/redis.provider.js';

@Global()
@Module({})
export class CoreModule implements NestModule {
  /** The response cache answers repeated queries before Apollo (docs/architecture.md §6.10). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ResponseCacheMiddleware).forRoutes({ path: 'graphql', method: RequestMethod.ALL });
  }

  /** `entities`: every entity of the application, listed by the composition root. */
  static forRoot(config: AppConfig, entities: EntityList): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () =>
            typeormOptions(config.databaseUrl, entities, {
              // No request may hold a connection for minutes: the api's statements end at the limit. Imports
              // lift it inside their own transactions (unitTransaction), so a process running both roles
              // keeps its syncs whole.
              statementTimeoutMs: config.runsApi ? config.env.API_STATEMENT_TIMEOUT_MS : undefined,
            }),
        }),
        BullModule.forRoot({
          redis: config.redisUrl,
          prefix: config.env.QUEUE_PREFIX,
          // A job whose worker died is moved back to waiting by the other workers' stalled-job check once its
          // lock has expired; a job that stalls twice fails (and its SyncRun is then closed by the reaper).
          settings: {
            lockDuration: config.env.SYNC_JOB_LOCK_MS,
            lockRenewTime: config.env.SYNC_JOB_LOCK_MS / 2,
            stalledInterval: config.env.SYNC_JOB_LOCK_MS,
            maxStalledCount: 1,
          },
        }),
      ],
      controllers: config.runsApi ? [HealthController, MetricsController] : [],
      providers: [
        { provide: AppConfig, useValue: config },
        MigrationRunner,
        { provide: APP_FILTER, useClass: GraphqlPassThroughFilter },
        DataLoaderService,
        AdminGuard,
        Requesters,
        MemberErasure,
        DataVersion,
        ResponseCache,
        ResponseCacheMiddleware,
        SqlSelection,
        redisProvider,
        RedisShutdown,
        MetricsService,
        PostgresProbe,
        // Found by @nestjs/graphql among the providers: replaces its lenient DateTime for every Date field.
        DateTimeScalar,
      ],
      exports: [
        AppConfig,
        DataLoaderService,
        AdminGuard,
        Requesters,
        MemberErasure,
        REDIS,
        MetricsService,
        DataVersion,
        ResponseCache,
        SqlSelection,
      ],
    };
  }
}
