// Arguments of RaceWeek.forecast: a week's forecast file has about 170 hours; the list is capped all the same.
import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_FORECAST_HOURS = 500;
export const DEFAULT_FORECAST_HOURS = 200;

@ArgsType()
export class ForecastArgs {
  @Field(() => Int, {
    nullable: true,
    description: `At most this many hours, 1 to ${MAX_FORECAST_HOURS} (default ${DEFAULT_FORECAST_HOURS}: a whole week).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_FORECAST_HOURS)
  first?: number;
}
