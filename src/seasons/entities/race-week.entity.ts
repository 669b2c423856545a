// One week of a season (`schedules[]`): its track configuration, session lengths, classes, cars and weather.
import { Field, Int, ObjectType } from '@nestjs/graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { Relation } from 'typeorm';
import type { TrackLayout } from '../../catalog/entities/track-layout.entity.js';
import type { Season } from './season.entity.js';

@ObjectType('RaceWeek', { description: 'One week of a season: where and how it races.' })
@Entity('race_week')
@Unique('uq_race_week_season_week', ['seasonId', 'raceWeekNum'])
@Index(['startTime', 'endTime'])
export class RaceWeek {
  @PrimaryGeneratedColumn()
  @Field(() => Int)
  id: number;

  @Column({ name: 'season_id', type: 'int' })
  @Field(() => Int)
  seasonId: number;

  @ManyToOne('Season', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'season_id' })
  season: Relation<Season>;

  @Index()
  @Column({ name: 'series_id', type: 'int' })
  @Field(() => Int)
  seriesId: number;

  /** iRacing's 0-based week number. */
  @Column({ name: 'race_week_num', type: 'int' })
  @Field(() => Int, { description: "iRacing's 0-based week number (week 1 is 0)." })
  raceWeekNum: number;

  @Index()
  @Column({ name: 'track_id', type: 'int' })
  @Field(() => Int, { description: 'The track configuration (TrackLayout id).' })
  trackId: number;

  @ManyToOne('TrackLayout', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'track_id' })
  layout: Relation<TrackLayout>;

  @Column({ name: 'start_time', type: 'timestamptz' })
  @Field(() => Date, { description: 'The week starts (00:00 UTC of its start date).' })
  startTime: Date;

  @Column({ name: 'end_time', type: 'timestamptz' })
  @Field(() => Date, { description: 'The week ends (iRacing week_end_time).' })
  endTime: Date;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  category: string | null;

  @Column({ name: 'schedule_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  scheduleName: string | null;

  @Column({ name: 'race_lap_limit', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Race length in laps, when the race is lap-limited.' })
  raceLapLimit: number | null;

  @Column({ name: 'race_time_limit', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Race length in minutes, when the race is timed.' })
  raceTimeLimit: number | null;

  @Column({ name: 'practice_length', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Minutes.' })
  practiceLength: number | null;

  @Column({ name: 'qualify_length', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Minutes.' })
  qualifyLength: number | null;

  @Column({ name: 'qualify_laps', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  qualifyLaps: number | null;

  @Column({ name: 'warmup_length', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Minutes.' })
  warmupLength: number | null;

  @Column({ name: 'start_type', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Rolling or Standing.' })
  startType: string | null;

  @Column({ name: 'restart_type', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  restartType: string | null;

  /** The week's car classes: `race_week_car_class_ids` when given, else the season's. */
  @Column({ name: 'car_class_ids', type: 'int', array: true, default: '{}' })
  @Field(() => [Int], { description: "The week's car classes (the season's unless the week changes them)." })
  carClassIds: number[];

  /** `race_week_cars`: the cars of a week that changes them (empty: the classes' cars). */
  @Column({ name: 'car_ids', type: 'int', array: true, default: '{}' })
  @Field(() => [Int], {
    description: 'Cars of this week when the series changes cars week to week; else empty.',
  })
  carIds: number[];

  @Column({ name: 'race_time_descriptors', type: 'jsonb', default: [] })
  raceTimeDescriptors: Record<string, unknown>[];

  @Column({ name: 'track_state', type: 'jsonb', nullable: true })
  trackState: Record<string, unknown> | null;

  /** The schedule's weather configuration (without its summary and link, kept apart). */
  @Column({ type: 'jsonb', nullable: true })
  weather: Record<string, unknown> | null;

  /** A presigned link: expires, and its query string changes on every read of the schedule. */
  @Column({ name: 'weather_url', type: 'text', nullable: true })
  weatherUrl: string | null;

  @Column({ name: 'weather_version', type: 'int', nullable: true })
  weatherVersion: number | null;

  /** iRacing's `weather_summary` normalised to °C and m/s (see weather-summary.ts). */
  @Column({ name: 'weather_summary', type: 'jsonb', nullable: true })
  weatherSummary: Record<string, number | string | null> | null;

  // The forecast summary over the hours that affect a session, written by the weather module.

  @Column({ name: 'forecast_min_air_temp_c', type: 'double precision', nullable: true })
  forecastMinAirTempC: number | null;

  @Column({ name: 'forecast_max_air_temp_c', type: 'double precision', nullable: true })
  forecastMaxAirTempC: number | null;

  @Column({ name: 'forecast_max_precip_chance_pct', type: 'double precision', nullable: true })
  forecastMaxPrecipChancePct: number | null;

  @Column({ name: 'forecast_rain_possible', type: 'boolean', nullable: true })
  forecastRainPossible: boolean | null;

  @Column({ name: 'forecast_max_wind_ms', type: 'double precision', nullable: true })
  forecastMaxWindMs: number | null;

  @Column({ name: 'forecast_fetched_at', type: 'timestamptz', nullable: true })
  forecastFetchedAt: Date | null;

  /** The `weather_version` the stored forecast was read at. */
  @Column({ name: 'forecast_version', type: 'int', nullable: true })
  forecastVersion: number | null;

  /** The forecast file (the link without its signature) the stored forecast was read from. */
  @Column({ name: 'forecast_path', type: 'text', nullable: true })
  forecastPath: string | null;

  /** iRacing's payload as sent, for the record: no query reads it unless it selects it by name. */
  @Column({ type: 'jsonb', default: {}, select: false })
  raw: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
