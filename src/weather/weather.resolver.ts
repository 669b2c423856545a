// The weather fields of RaceWeek: iRacing's schedule summary, the computed forecast summary, the hourly forecast
// (through a DataLoader), the simulated start time and the track state; and the deprecated fields of ForecastHour.
// Simulated times are local wall-clock times at the track (no zone), never turned into instants here.
import { Args, Context, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { cappedListComplexity } from '../core/graphql/pagination.js';
import { DEFAULT_FORECAST_HOURS, ForecastArgs, MAX_FORECAST_HOURS } from './dto/forecast.args.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { RaceWeek } from '../seasons/entities/race-week.entity.js';
import { ForecastHour } from './entities/forecast-hour.entity.js';
import { WeatherLoaders } from './weather.loaders.js';
import { ForecastSummary, TrackState, WeatherSummary } from './weather.types.js';
import { localDateTime } from './weather.units.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

@Resolver(() => RaceWeek)
export class RaceWeekWeatherResolver {
  @ResolveField(() => WeatherSummary, {
    nullable: true,
    description: "iRacing's own weather summary from the schedule, in °C and m/s.",
  })
  weatherSummary(@Parent() w: RaceWeek): WeatherSummary | null {
    const s = w.weatherSummary;
    if (!s) return null;
    return {
      tempLowC: num(s.temp_low_c),
      tempHighC: num(s.temp_high_c),
      windLowMs: num(s.wind_low_ms),
      windHighMs: num(s.wind_high_ms),
      windDir: num(s.wind_dir),
      precipChancePct: num(s.precip_chance_pct),
      maxPrecipRateMmh: num(s.max_precip_rate_mmh),
      maxPrecipRateDesc: typeof s.max_precip_rate_desc === 'string' ? s.max_precip_rate_desc : null,
      skiesLow: num(s.skies_low),
      skiesHigh: num(s.skies_high),
    };
  }

  @ResolveField(() => ForecastSummary, {
    nullable: true,
    description: 'The forecast over the hours that affect a session; null until the forecast is fetched.',
  })
  forecastSummary(@Parent() w: RaceWeek): ForecastSummary | null {
    if (!w.forecastFetchedAt) return null;
    return {
      minAirTempC: w.forecastMinAirTempC,
      maxAirTempC: w.forecastMaxAirTempC,
      maxPrecipChancePct: w.forecastMaxPrecipChancePct,
      rainPossible: w.forecastRainPossible,
      maxWindMs: w.forecastMaxWindMs,
      fetchedAt: w.forecastFetchedAt,
      version: w.forecastVersion,
    };
  }

  @ResolveField(() => [ForecastHour], {
    // Measured (npm run bench:hostile): a forecast hour costs about four session starts to read and answer.
    complexity: cappedListComplexity(DEFAULT_FORECAST_HOURS, MAX_FORECAST_HOURS, 4),
    description: 'The hourly forecast, in order (the first `first` hours).',
  })
  forecast(@Parent() w: RaceWeek, @Args() args: ForecastArgs, @Context() ctx: GraphQLContext) {
    return ctx.loaders
      .get(WeatherLoaders)
      .forecastOfWeek(args.first ?? DEFAULT_FORECAST_HOURS)
      .load(w.id);
  }

  @ResolveField(() => String, {
    nullable: true,
    description:
      'The simulated local time at the track when the race starts, ISO 8601 without zone (`2026-02-14T17:00:00`; the ' +
      "schedule's weather.simulated_start_time): the date and time of day the sim shows there, not a real-world " +
      'instant. Null when the schedule gives none.',
  })
  simulatedStartTime(@Parent() w: RaceWeek): string | null {
    return localDateTime(w.weather?.simulated_start_time);
  }

  @ResolveField(() => TrackState, { nullable: true })
  trackState(@Parent() w: RaceWeek): TrackState | null {
    const t = w.trackState;
    if (!t) return null;
    return {
      leaveMarbles: typeof t.leave_marbles === 'boolean' ? t.leave_marbles : null,
      practiceRubber: num(t.practice_rubber),
      qualifyRubber: num(t.qualify_rubber),
      warmupRubber: num(t.warmup_rubber),
      raceRubber: num(t.race_rubber),
    };
  }
}

@Resolver(() => ForecastHour)
export class ForecastHourResolver {
  @ResolveField('timeOffset', () => Int, {
    deprecationReason:
      'Use timeOffsetMinutes: the same minutes from the race start, under a name that says so.',
  })
  deprecatedTimeOffset(@Parent() f: ForecastHour): number {
    return f.timeOffsetMinutes;
  }

  @ResolveField('timestamp', () => Date, {
    deprecationReason:
      'Not a real-world instant: the simulated local time at the track written as if it were UTC. Use ' +
      'simulatedTime (the same wall-clock time, without zone) and timeOffsetMinutes (minutes from the race start).',
  })
  deprecatedTimestamp(@Parent() f: ForecastHour): Date {
    // What this field always served: the wall-clock time with `Z` appended.
    return new Date(`${f.simulatedTime}Z`);
  }
}
