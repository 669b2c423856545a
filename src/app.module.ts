// The application, assembled for its role (docs/architecture.md §1.1): api (GraphQL, /health, cron), worker (Bull
// processors), or all of them in one process.
import { ApolloDriver } from '@nestjs/apollo';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { CatalogModule } from './catalog/catalog.module.js';
import type { AppConfig } from './core/config/app-config.js';
import { CoreModule } from './core/core.module.js';
import { DataLoaderService } from './core/graphql/dataloader.registry.js';
import { graphqlOptions } from './core/graphql/graphql.options.js';
import { ResponseCache } from './core/graphql/response-cache.js';
import { WebSocketPayloadLimit } from './core/graphql/ws-server.js';
import { ALL_ENTITIES } from './entities.js';
import { IracingModule } from './iracing/iracing.module.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { PlannerModule } from './planner/planner.module.js';
import { FeedModule } from './planner/feed.module.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';
import { SeasonsModule } from './seasons/seasons.module.js';
import { WeatherModule } from './weather/weather.module.js';
import { MembersModule } from './members/members.module.js';
import { ResultsModule } from './results/results.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const graphql = config.runsApi
      ? [
          GraphQLModule.forRootAsync<ApolloDriverConfig>({
            driver: ApolloDriver,
            inject: [DataLoaderService, ResponseCache],
            useFactory: (loaders: DataLoaderService, cache: ResponseCache) =>
              graphqlOptions(config, loaders, cache),
          }),
        ]
      : [];
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, ALL_ENTITIES),
        IracingModule,
        CatalogModule,
        SeasonsModule,
        WeatherModule,
        MembersModule,
        ResultsModule,
        AccountsModule,
        PlannerModule,
        FeedModule,
        SchedulerModule.forRoot({ api: config.runsApi, worker: config.runsWorker }),
        ...graphql,
      ],
      providers: config.runsApi ? [WebSocketPayloadLimit] : [],
    };
  }
}
