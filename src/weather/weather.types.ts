// GraphQL shapes of a race week's weather: iRacing's own summary, the computed forecast summary, the track state.
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: "iRacing's weather summary of the week's schedule, in °C and m/s." })
export class WeatherSummary {
  @Field(() => Float, { nullable: true })
  tempLowC: number | null;

  @Field(() => Float, { nullable: true })
  tempHighC: number | null;

  @Field(() => Float, { nullable: true })
  windLowMs: number | null;

  @Field(() => Float, { nullable: true })
  windHighMs: number | null;

  @Field(() => Int, { nullable: true, description: 'iRacing wind direction code.' })
  windDir: number | null;

  @Field(() => Float, { nullable: true, description: '%.' })
  precipChancePct: number | null;

  @Field(() => Float, { nullable: true, description: 'mm/h.' })
  maxPrecipRateMmh: number | null;

  @Field(() => String, { nullable: true })
  maxPrecipRateDesc: string | null;

  @Field(() => Int, { nullable: true })
  skiesLow: number | null;

  @Field(() => Int, { nullable: true })
  skiesHigh: number | null;
}

@ObjectType({ description: 'The forecast over the hours that affect a session.' })
export class ForecastSummary {
  @Field(() => Float, { nullable: true, description: '°C.' })
  minAirTempC: number | null;

  @Field(() => Float, { nullable: true, description: '°C.' })
  maxAirTempC: number | null;

  @Field(() => Float, { nullable: true, description: '%.' })
  maxPrecipChancePct: number | null;

  @Field(() => Boolean, { nullable: true })
  rainPossible: boolean | null;

  @Field(() => Float, { nullable: true, description: 'm/s.' })
  maxWindMs: number | null;

  @Field(() => Date)
  fetchedAt: Date;

  @Field(() => Int, { nullable: true, description: 'The forecast file version it was read from.' })
  version: number | null;
}

@ObjectType({ description: 'How the track is prepared (rubber and marbles) for the week.' })
export class TrackState {
  @Field(() => Boolean, { nullable: true })
  leaveMarbles: boolean | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Rubber laid in practice (iRacing percentage, -1 automatic).',
  })
  practiceRubber: number | null;

  @Field(() => Int, { nullable: true })
  qualifyRubber: number | null;

  @Field(() => Int, { nullable: true })
  warmupRubber: number | null;

  @Field(() => Int, { nullable: true })
  raceRubber: number | null;
}
