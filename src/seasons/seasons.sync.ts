// The seasons and race guide syncs (docs/architecture.md §4): parameters, handlers, crons and mutations. A
// seasons sync that wrote something is followed by a forecast sync (the weather feature's kind).
import { Injectable, UseGuards } from '@nestjs/common';
import { Args, Field, InputType, Int, Mutation, Resolver } from '@nestjs/graphql';
import { ArrayMaxSize, IsBoolean, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { SyncCatalogInput } from '../catalog/catalog.sync.js';
import { AdminGuard } from '../core/auth/admin.guard.js';
import { BadInputError } from '../core/errors/domain-error.js';
import { EACH_POSITIVE_ID } from '../core/graphql/validation.js';
import type { ImportReport } from '../core/import/import-report.js';
import { defineSync } from '../scheduler/sync-definition.js';
import type { SyncHandler } from '../scheduler/sync-definition.js';
import { SyncRun, SyncTrigger } from '../scheduler/sync-run.entity.js';
import { SyncRunService } from '../scheduler/sync-run.service.js';
import { RaceGuideImporter } from './race-guide.importer.js';
import { SeasonsImporter } from './seasons.importer.js';

/** The weather feature's kind, queued after a seasons sync (named here: weather builds on seasons). */
const FORECASTS = 'FORECASTS';

@InputType()
export class SyncSeasonsInput extends SyncCatalogInput {
  @Field({ nullable: true, description: "Also import past seasons (each one's schedule, once)." })
  @IsOptional()
  @IsBoolean()
  includePast?: boolean;

  @Field(() => Int, {
    nullable: true,
    description: 'With seasonQuarter: that quarter instead of current and future.',
  })
  @IsOptional()
  @IsInt()
  @Min(2000)
  @Max(2100)
  seasonYear?: number;

  @Field(() => Int, { nullable: true, description: '1 to 4, with seasonYear.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4)
  seasonQuarter?: number;

  @Field(() => [Int], { nullable: true, description: 'Only these series.' })
  @IsOptional()
  @ArrayMaxSize(500)
  @IsInt({ each: true })
  @Min(1, EACH_POSITIVE_ID)
  seriesIds?: number[];

  @Field(() => [Int], {
    nullable: true,
    description:
      'Only these seasons (of the current and future ones, or of the quarter; and past ones with includePast).',
  })
  @IsOptional()
  @ArrayMaxSize(500)
  @IsInt({ each: true })
  @Min(1, EACH_POSITIVE_ID)
  seasonIds?: number[];

  @Field(() => Int, { nullable: true, description: 'At most this many seasons.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  limit?: number;
}

@InputType()
export class SyncRaceGuideInput extends SyncCatalogInput {
  /** Sessions from this time (default: now); not offered by the mutation. */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
}

@Injectable()
export class SeasonsSync implements SyncHandler<SyncSeasonsInput> {
  constructor(private readonly importer: SeasonsImporter) {}

  run(params: SyncSeasonsInput): Promise<ImportReport> {
    return this.importer.sync(params);
  }
}

@Injectable()
export class RaceGuideSync implements SyncHandler<SyncRaceGuideInput> {
  constructor(private readonly importer: RaceGuideImporter) {}

  run(params: SyncRaceGuideInput): Promise<ImportReport> {
    return this.importer.sync({ ...params, from: params.from ? new Date(params.from) : undefined });
  }
}

export const SEASONS_SYNC = defineSync({
  kind: 'SEASONS',
  command: 'seasons',
  params: SyncSeasonsInput,
  handler: SeasonsSync,
  check: (p) => {
    if ((p.seasonYear === undefined) !== (p.seasonQuarter === undefined))
      throw new BadInputError('seasonYear and seasonQuarter go together: give both or neither');
  },
  followUp: (p) => (p.dryRun ? null : { kind: FORECASTS, params: {} }),
  crons: [
    { name: 'seasons', setting: 'CRON_SEASONS', params: {} },
    { name: 'past-seasons', setting: 'CRON_PAST_SEASONS', params: { includePast: true } },
  ],
});

export const RACE_GUIDE_SYNC = defineSync({
  kind: 'RACE_GUIDE',
  command: 'race-guide',
  params: SyncRaceGuideInput,
  handler: RaceGuideSync,
  crons: [{ name: 'race-guide', setting: 'CRON_RACE_GUIDE', params: {} }],
});

@Resolver()
export class SeasonsSyncResolver {
  constructor(private readonly runs: SyncRunService) {}

  @Mutation(() => SyncRun, {
    description:
      'Queues a seasons sync (series, current and future seasons, or one quarter, optionally past seasons); returns its run at once.',
  })
  @UseGuards(AdminGuard)
  syncSeasons(@Args('input', { nullable: true }) input?: SyncSeasonsInput): Promise<SyncRun> {
    return this.runs.enqueue(SEASONS_SYNC.kind, { ...input }, SyncTrigger.GRAPHQL);
  }

  @Mutation(() => SyncRun, {
    description:
      'Queues a race guide sync (sessions of the coming hours with entry counts); returns its run at once.',
  })
  @UseGuards(AdminGuard)
  syncRaceGuide(@Args('input', { nullable: true }) input?: SyncRaceGuideInput): Promise<SyncRun> {
    return this.runs.enqueue(RACE_GUIDE_SYNC.kind, { ...input }, SyncTrigger.GRAPHQL);
  }
}
