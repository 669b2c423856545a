// A subsession (`results/get`): one split of one session, with its conditions. A series race is linked to its
// Session (and so to its season and week); a league or hosted one (`kind`) to no series week at all.
import { Field, Int, ObjectType } from '@nestjs/graphql';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { SubsessionKind } from './subsession-kind.js';

@ObjectType('Subsession', { description: 'One split of a session: its results and conditions.' })
@Entity('event_result')
@Index(['seasonId', 'raceWeekNum'])
@Index('IDX_event_result_kind_start', ['kind', 'startTime'])
@Check('CHK_event_result_kind', `"kind" IN ('OFFICIAL', 'LEAGUE', 'HOSTED')`)
export class Subsession {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column({ name: 'subsession_id', type: 'int' })
  @Field(() => Int, { name: 'id', description: 'iRacing subsession_id.' })
  subsessionId: number;

  @Index()
  @Column({ name: 'session_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  sessionId: number | null;

  @Index()
  @Column({ name: 'event_instance_id', type: 'int', nullable: true })
  eventInstanceId: number | null;

  @ManyToOne('Session', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'event_instance_id' })
  eventInstance: unknown;

  @Column({ type: 'text', default: SubsessionKind.OFFICIAL })
  @Field(() => SubsessionKind)
  kind: SubsessionKind;

  /** Null unless a series race (iRacing sends 0 for league and hosted sessions). */
  @Column({ name: 'season_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Null for league and hosted sessions.' })
  seasonId: number | null;

  @Index()
  @Column({ name: 'series_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Null for league and hosted sessions.' })
  seriesId: number | null;

  @Column({ name: 'race_week_num', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: '0-based; null for league and hosted sessions.' })
  raceWeekNum: number | null;

  /** iRacing `league_id` of a league session (exposed as `league { id seasonId }`). */
  @Column({ name: 'league_id', type: 'int', nullable: true })
  leagueId: number | null;

  @Column({ name: 'league_season_id', type: 'int', nullable: true })
  leagueSeasonId: number | null;

  @Column({ name: 'session_name', type: 'text', nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'The name a league or hosted session was given (series races have none).',
  })
  sessionName: string | null;

  @Index()
  @Column({ name: 'start_time', type: 'timestamptz' })
  @Field(() => Date)
  startTime: Date;

  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  endTime: Date | null;

  @Column({ name: 'track_id', type: 'int' })
  @Field(() => Int, { description: 'The track configuration (TrackLayout id).' })
  trackId: number;

  @ManyToOne('TrackLayout', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'track_id' })
  layout: unknown;

  @Column({ name: 'event_type', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: '2 practice, 3 qualify, 4 time trial, 5 race.' })
  eventType: number | null;

  @Column({ name: 'official', type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  official: boolean | null;

  @Column({ name: 'license_category', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  licenseCategory: string | null;

  @Column({ name: 'num_drivers', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  numDrivers: number | null;

  @Column({ name: 'strength_of_field', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  strengthOfField: number | null;

  @Column({ name: 'num_cautions', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  numCautions: number | null;

  @Column({ name: 'num_caution_laps', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  numCautionLaps: number | null;

  @Column({ name: 'num_lead_changes', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  numLeadChanges: number | null;

  @Column({ name: 'event_laps_complete', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  lapsComplete: number | null;

  /** 1/10000 s, as iRacing gives lap times. */
  @Column({ name: 'event_best_lap_time', type: 'int', nullable: true })
  eventBestLapTime: number | null;

  @Column({ name: 'event_average_lap', type: 'int', nullable: true })
  eventAverageLap: number | null;

  @Column({ name: 'driver_changes', type: 'boolean', default: false })
  @Field({ description: 'A team race.' })
  driverChanges: boolean;

  @Column({ type: 'jsonb', nullable: true })
  weather: Record<string, unknown> | null;

  @Column({ name: 'track_state', type: 'jsonb', nullable: true })
  trackState: Record<string, unknown> | null;

  /** The simsessions (number, type, name), main event last. */
  @Column({ type: 'jsonb', default: [] })
  simsessions: {
    simsession_number: number;
    simsession_type: number | null;
    simsession_name: string | null;
  }[];

  @Column({ name: 'laps_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the laps of the main event were stored.' })
  lapsAt: Date | null;

  @Column({ type: 'jsonb', default: {} })
  raw: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
