// Inputs of the sync mutations and the syncRuns query.
import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageArgs } from '../../core/graphql/pagination.js';
import { EACH_POSITIVE_ID } from '../../core/graphql/validation.js';
import { SyncKind, SyncStatus, SyncTrigger } from '../sync-run.entity.js';

@InputType()
export class SyncCatalogInput {
  @Field({ nullable: true, description: 'Re-import even when the payloads are unchanged.' })
  @IsOptional()
  @IsBoolean()
  refresh?: boolean;

  @Field({ nullable: true, description: 'Run the whole import and roll it back, returning the counts.' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

@InputType()
export class SyncRaceGuideInput extends SyncCatalogInput {}

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

  @Field(() => Int, { nullable: true, description: 'At most this many seasons.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  limit?: number;
}

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

@InputType()
export class SyncSeriesResultsInput {
  @Field(() => Int, { description: 'The season whose races to match and import.' })
  @IsInt()
  @Min(1)
  seasonId: number;

  @Field(() => Int, { nullable: true, description: "One week only (iRacing's 0-based race_week_num)." })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(52)
  raceWeekNum?: number;
}

@InputType()
export class SyncRunFilter {
  @Field(() => SyncKind, { nullable: true })
  @IsOptional()
  @IsEnum(SyncKind)
  kind?: SyncKind;

  @Field(() => SyncStatus, { nullable: true })
  @IsOptional()
  @IsEnum(SyncStatus)
  status?: SyncStatus;

  @Field(() => SyncTrigger, { nullable: true })
  @IsOptional()
  @IsEnum(SyncTrigger)
  trigger?: SyncTrigger;
}

@ArgsType()
export class SyncRunsArgs extends PageArgs {
  @Field(() => SyncRunFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SyncRunFilter)
  filter?: SyncRunFilter;
}
