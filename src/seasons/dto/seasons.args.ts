// Filters and arguments of the seasons queries: series, seasons, race weeks and the race calendar (sessions).
import { ArgsType, Field, Float, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsDate,
  IsEnum,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Category } from '../../catalog/dto/catalog.args.js';
import { PageArgs } from '../../core/graphql/pagination.js';
import { EACH_POSITIVE_ID, ISO_DATE_TIME } from '../../core/graphql/validation.js';

const MAX_IDS = 200;

@InputType()
export class SeriesFilter {
  @Field({ nullable: true, description: 'Matches name or short name (case-insensitive).' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @Field(() => Category, { nullable: true })
  @IsOptional()
  @IsEnum(Category)
  category?: Category;

  @Field({ nullable: true, description: 'Only official (true) or unofficial (false) series.' })
  @IsOptional()
  @IsBoolean()
  official?: boolean;
}

@ArgsType()
export class SeriesListArgs extends PageArgs {
  @Field(() => SeriesFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SeriesFilter)
  filter?: SeriesFilter;
}

@InputType()
export class SeasonFilter {
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  seriesId?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;

  @Field(() => Int, { nullable: true, description: '1 to 4.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4)
  quarter?: number;

  @Field({ nullable: true, description: 'Only the seasons running now (true) or the others (false).' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@ArgsType()
export class SeasonsArgs extends PageArgs {
  @Field(() => SeasonFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SeasonFilter)
  filter?: SeasonFilter;
}

/** Fields shared by the race-week and session filters. */
@InputType({ isAbstract: true })
export abstract class CalendarFilter {
  @Field(() => Date, { nullable: true, description: 'From this time (inclusive).' })
  @IsOptional()
  @IsDate(ISO_DATE_TIME)
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Until this time (exclusive).' })
  @IsOptional()
  @IsDate(ISO_DATE_TIME)
  to?: Date;

  @Field(() => [Int], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_IDS)
  @IsInt({ each: true })
  @Min(1, EACH_POSITIVE_ID)
  seriesIds?: number[];

  @Field(() => [Int], { nullable: true, description: 'Track configurations (TrackLayout ids).' })
  @IsOptional()
  @ArrayMaxSize(MAX_IDS)
  @IsInt({ each: true })
  @Min(1, EACH_POSITIVE_ID)
  trackIds?: number[];

  @Field(() => [Int], { nullable: true, description: 'Weeks where one of these cars may race.' })
  @IsOptional()
  @ArrayMaxSize(MAX_IDS)
  @IsInt({ each: true })
  @Min(1, EACH_POSITIVE_ID)
  carIds?: number[];

  @Field({
    nullable: true,
    description: "Weeks whose forecast (else iRacing's summary) says rain is possible (true) or not (false).",
  })
  @IsOptional()
  @IsBoolean()
  rainPossible?: boolean;

  @Field(() => Float, { nullable: true, description: 'Weeks never colder than this in session, °C.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-60)
  @Max(60)
  minAirTempC?: number;

  @Field(() => Float, { nullable: true, description: 'Weeks never warmer than this in session, °C.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-60)
  @Max(60)
  maxAirTempC?: number;
}

@InputType()
export class RaceWeekFilter extends CalendarFilter {
  @Field(() => Category, {
    nullable: true,
    description: 'ROAD, OVAL, DIRT_ROAD, DIRT_OVAL by the track; SPORTS_CAR, FORMULA_CAR by the series.',
  })
  @IsOptional()
  @IsEnum(Category)
  category?: Category;
}

@ArgsType()
export class RaceWeeksArgs extends PageArgs {
  @Field(() => RaceWeekFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => RaceWeekFilter)
  filter?: RaceWeekFilter;
}

@InputType()
export class SessionFilter extends CalendarFilter {
  @Field(() => Int, {
    nullable: true,
    description:
      'Only weeks this member can race: a track they own (or free) and an allowed car they own (or free). Needs their owned content synced.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  ownedByCustId?: number;

  @Field(() => [Int], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_IDS)
  @IsInt({ each: true })
  @Min(1, EACH_POSITIVE_ID)
  carClassIds?: number[];
}

@ArgsType()
export class SessionsArgs extends PageArgs {
  @Field(() => SessionFilter, {
    nullable: true,
    description: 'Without `from`, sessions starting from now.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SessionFilter)
  filter?: SessionFilter;
}

/** Session starts of one event returned at most: a week of starts every 15 minutes is 672. */
export const MAX_INSTANCES = 1000;
export const DEFAULT_INSTANCES = 700;

@ArgsType()
export class InstancesArgs {
  @Field(() => Int, {
    nullable: true,
    description: `At most this many session starts, 1 to ${MAX_INSTANCES} (default ${DEFAULT_INSTANCES}: every start of a week).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INSTANCES)
  first?: number;

  @Field(() => Date, { nullable: true, description: 'From this time (inclusive).' })
  @IsOptional()
  @IsDate(ISO_DATE_TIME)
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Until this time (exclusive).' })
  @IsOptional()
  @IsDate(ISO_DATE_TIME)
  to?: Date;
}
