// Arguments of the results queries.
import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsDate, IsEnum, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { PageArgs } from '../../core/graphql/pagination.js';
import { ISO_DATE_TIME } from '../../core/graphql/validation.js';
import { SubsessionKind } from '../entities/subsession-kind.js';

@InputType()
export class ResultsFilter {
  @Field(() => Int, { nullable: true, description: 'Subsessions this member drove in.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  custId?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  seriesId?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  seasonId?: number;

  @Field(() => SubsessionKind, { nullable: true, description: 'Series races, league or hosted sessions.' })
  @IsOptional()
  @IsEnum(SubsessionKind)
  kind?: SubsessionKind;

  @Field(() => Date, { nullable: true, description: 'Started at or after.' })
  @IsOptional()
  @IsDate(ISO_DATE_TIME)
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Started before.' })
  @IsOptional()
  @IsDate(ISO_DATE_TIME)
  to?: Date;
}

@ArgsType()
export class ResultsArgs extends PageArgs {
  @Field(() => ResultsFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ResultsFilter)
  filter?: ResultsFilter;
}

@ArgsType()
export class RecentResultsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 10, description: 'At most this many (1 to 50).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  first?: number;
}
