// The forecast refresh (docs/architecture.md §4): parameters, handler, cron and mutation. It follows every
// seasons sync that wrote something; a long list of race weeks is split into runs of RUN_SPLIT_SIZE weeks.
import { Injectable, UseGuards } from '@nestjs/common';
import { Args, Field, InputType, Int, Mutation, Resolver } from '@nestjs/graphql';
import { ArrayMaxSize, IsBoolean, IsInt, IsOptional, Min } from 'class-validator';
import { AdminGuard } from '../core/auth/admin.guard.js';
import { EACH_POSITIVE_ID } from '../core/graphql/validation.js';
import type { ImportReport } from '../core/import/import-report.js';
import { defineSync } from '../scheduler/sync-definition.js';
import type { SyncHandler } from '../scheduler/sync-definition.js';
import { SyncRun, SyncTrigger } from '../scheduler/sync-run.entity.js';
import { SyncRunService } from '../scheduler/sync-run.service.js';
import { WeatherImporter } from './weather.importer.js';

@InputType()
export class RefreshForecastsInput {
  @Field(() => [Int], { nullable: true, description: 'Only these race weeks (RaceWeek ids).' })
  @IsOptional()
  @ArrayMaxSize(5000)
  @IsInt({ each: true })
  @Min(1, EACH_POSITIVE_ID)
  raceWeekIds?: number[];

  @Field(() => [Int], { nullable: true, description: 'Only the weeks of these seasons.' })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, EACH_POSITIVE_ID)
  seasonIds?: number[];

  @Field({ nullable: true, description: 'Fetch even the forecasts that are fresh.' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  @Field({ nullable: true, description: 'Run the whole refresh and roll it back, returning the counts.' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

@Injectable()
export class ForecastsSync implements SyncHandler<RefreshForecastsInput> {
  constructor(private readonly importer: WeatherImporter) {}

  run(params: RefreshForecastsInput): Promise<ImportReport> {
    return this.importer.refreshForecasts(params);
  }
}

export const FORECASTS_SYNC = defineSync({
  kind: 'FORECASTS',
  command: 'forecasts',
  params: RefreshForecastsInput,
  handler: ForecastsSync,
  // The split runs may name more weeks than a mutation may.
  splitOn: 'raceWeekIds',
  crons: [{ name: 'forecasts', setting: 'CRON_FORECASTS', params: {} }],
});

@Resolver()
export class WeatherSyncResolver {
  constructor(private readonly runs: SyncRunService) {}

  @Mutation(() => SyncRun, {
    description:
      'Queues a forecast refresh: the weeks named (or those of the seasons named, or every week not yet over) whose forecast is missing or stale, or all of them with force; returns its run at once.',
  })
  @UseGuards(AdminGuard)
  refreshForecasts(@Args('input', { nullable: true }) input?: RefreshForecastsInput): Promise<SyncRun> {
    return this.runs.enqueue(FORECASTS_SYNC.kind, { ...input }, SyncTrigger.GRAPHQL);
  }
}
