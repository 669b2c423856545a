// Participation in a season's races, counted from the splits `results/season_results` lists (season_result_split):
// per week, and per season for a series' trend. Sessions are distinct sessions (splits of one share it), drivers
// the sum over splits; strengths of field where iRacing computes one.
import { ArgsType, Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

@ObjectType('WeekParticipation', { description: "How many raced one week of a season's series." })
export class WeekParticipation {
  seasonId: number;

  @Field(() => Int, { description: '0-based.' })
  raceWeekNum: number;

  @Field(() => Int, { description: 'Sessions that ran (a session of several splits counts once).' })
  sessions: number;

  @Field(() => Int)
  splits: number;

  @Field(() => Int, { description: 'Drivers over every split.' })
  drivers: number;

  @Field(() => Int, { nullable: true, description: 'Mean strength of field of the splits.' })
  averageSof: number | null;

  @Field(() => Int, { nullable: true, description: 'The strongest split.' })
  peakSplitSof: number | null;
}

@ObjectType('SeasonParticipation', { description: 'How many raced one season of a series.' })
export class SeasonParticipation {
  seasonId: number;

  @Field(() => Int, { description: 'Weeks with races.' })
  weeks: number;

  @Field(() => Int)
  sessions: number;

  @Field(() => Int)
  splits: number;

  @Field(() => Int)
  drivers: number;

  @Field(() => Float, { description: 'Drivers per week with races.' })
  averageDriversPerWeek: number;

  @Field(() => Int, { nullable: true })
  averageSof: number | null;
}

export const MAX_TREND_SEASONS = 12;

@ArgsType()
export class ParticipationTrendArgs {
  @Field(() => Int, {
    nullable: true,
    description: `The latest seasons with results, 1 to ${MAX_TREND_SEASONS} (default 4).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TREND_SEASONS)
  seasons?: number;
}
