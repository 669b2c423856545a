// One hour of a race week's forecast (the `weather_url` file), in real units (docs/architecture.md §5.8). Its time
// is the simulated local time at the track (no zone, §5.9), read as text by WeatherService; the deprecated
// `timeOffset` and `timestamp` fields are resolved in weather.resolver.ts.
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Relation } from 'typeorm';
import type { RaceWeek } from '../../seasons/entities/race-week.entity.js';

@ObjectType('ForecastHour', { description: "One hour of a race week's forecast, in real units." })
@Entity('weather_forecast')
@Unique('uq_weather_forecast_week_offset', ['raceWeekId', 'timeOffsetMinutes'])
export class ForecastHour {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'race_week_id', type: 'int' })
  raceWeekId: number;

  @ManyToOne('RaceWeek', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'race_week_id' })
  raceWeek: Relation<RaceWeek>;

  /** iRacing's `time_offset`: minutes from the simulated race start (negative before it). */
  @Column({ name: 'time_offset', type: 'int' })
  @Field(() => Int, {
    description:
      "Minutes from the race start this hour is forecast for (iRacing's time_offset; negative before the start).",
  })
  timeOffsetMinutes: number;

  /**
   * The forecast's `timestamp`: the simulated local time at the track, stored as given in a
   * `timestamp without time zone`. Never selected as such: node-postgres would turn it into a Date in the server's
   * zone (shifting it, or moving an hour that falls in that zone's DST gap), so WeatherService reads it as text
   * into `simulatedTime`.
   */
  @Column({ name: 'timestamp', type: 'timestamp', select: false })
  storedTimestamp?: unknown;

  /** `YYYY-MM-DDTHH:MM:SS`, set by WeatherService from the `timestamp` column. */
  @Field(() => String, {
    description:
      'The simulated local time at the track of this hour, ISO 8601 without zone (`2026-02-14T18:00:00`): the ' +
      'time of day and date the sim shows there, not a real-world instant (a race run in September may simulate ' +
      'a February evening).',
  })
  simulatedTime: string;

  @Column({ name: 'air_temp_c', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: '°C.' })
  airTempC: number | null;

  @Column({ name: 'raw_air_temp_c', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: "°C, iRacing's raw_air_temp." })
  rawAirTempC: number | null;

  @Column({ name: 'precip_chance_pct', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Chance of precipitation, %.' })
  precipChancePct: number | null;

  @Column({ name: 'precip_amount_mmh', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Precipitation, mm/h.' })
  precipAmountMmh: number | null;

  @Column({ name: 'rel_humidity_pct', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Relative humidity, %.' })
  relHumidityPct: number | null;

  @Column({ name: 'wind_speed_ms', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'm/s.' })
  windSpeedMs: number | null;

  @Column({ name: 'wind_dir_deg', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Degrees.' })
  windDirDeg: number | null;

  @Column({ name: 'pressure_hpa', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'hPa.' })
  pressureHpa: number | null;

  @Column({ name: 'cloud_cover_pct', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: '%.' })
  cloudCoverPct: number | null;

  @Column({ name: 'is_sun_up', type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  isSunUp: boolean | null;

  @Column({ name: 'allow_precip', type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  allowPrecip: boolean | null;

  @Column({ name: 'affects_session', type: 'boolean', default: false })
  @Field({ description: 'Whether this hour falls in a session (the summary uses only these).' })
  affectsSession: boolean;
}
