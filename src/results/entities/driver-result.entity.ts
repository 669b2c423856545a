// Results of one subsession's simsession: a row per team (team races) and per driver (every race).
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Relation } from 'typeorm';
import type { Subsession } from './subsession.entity.js';

/** Columns a team row and a driver row share (lap times in 1/10000 s, as iRacing gives them). */
@ObjectType({ isAbstract: true })
abstract class ResultColumns {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'event_result_id', type: 'int' })
  eventResultId: number;

  @Column({ name: 'simsession_number', type: 'int' })
  @Field(() => Int)
  simsessionNumber: number;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  displayName: string | null;

  @Index()
  @Column({ name: 'car_id', type: 'int', nullable: true })
  carId: number | null;

  @Column({ name: 'car_class_id', type: 'int', nullable: true })
  carClassId: number | null;

  /** 0-based, as iRacing gives it. */
  @Column({ name: 'finish_position', type: 'int', nullable: true })
  finishPosition: number | null;

  @Column({ name: 'finish_position_in_class', type: 'int', nullable: true })
  finishPositionInClass: number | null;

  @Column({ name: 'starting_position', type: 'int', nullable: true })
  startingPosition: number | null;

  @Column({ name: 'laps_complete', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  lapsComplete: number | null;

  @Column({ name: 'laps_lead', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  lapsLed: number | null;

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  incidents: number | null;

  @Column({ name: 'best_lap_time', type: 'int', nullable: true })
  bestLapTime: number | null;

  @Column({ name: 'best_lap_num', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  bestLapNum: number | null;

  @Column({ name: 'average_lap', type: 'int', nullable: true })
  averageLap: number | null;

  @Column({ name: 'interval', type: 'int', nullable: true })
  interval: number | null;

  @Column({ name: 'reason_out', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  reasonOut: string | null;

  @Column({ name: 'champ_points', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  champPoints: number | null;

  @Column({ type: 'jsonb', default: {} })
  raw: Record<string, unknown>;
}

@ObjectType('TeamResult', { description: "A team's result in one simsession of a team race." })
@Entity('team_result')
@Unique('uq_team_result', ['eventResultId', 'simsessionNumber', 'teamId'])
export class TeamResult extends ResultColumns {
  @ManyToOne('Subsession', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_result_id' })
  eventResult: Relation<Subsession>;

  @Column({ name: 'team_id', type: 'int' })
  @Field(() => Int, { description: "iRacing's team id (negative in results)." })
  teamId: number;
}

@ObjectType('DriverResult', { description: "A driver's result in one simsession." })
@Entity('participant_result')
@Unique('uq_participant_result', ['eventResultId', 'simsessionNumber', 'custId'])
@Index(['custId', 'eventResultId'])
export class DriverResult extends ResultColumns {
  @ManyToOne('Subsession', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_result_id' })
  eventResult: Relation<Subsession>;

  @Column({ name: 'cust_id', type: 'int' })
  @Field(() => Int)
  custId: number;

  @ManyToOne('Member', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cust_id' })
  member: unknown;

  /** The team the driver drove for, in a team race. */
  @Column({ name: 'team_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  teamId: number | null;

  @Column({ name: 'oldi_rating', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  iratingBefore: number | null;

  @Column({ name: 'newi_rating', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  iratingAfter: number | null;

  @Column({ name: 'old_license_level', type: 'int', nullable: true })
  oldLicenseLevel: number | null;

  @Column({ name: 'new_license_level', type: 'int', nullable: true })
  newLicenseLevel: number | null;

  @Column({ name: 'old_sub_level', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Safety rating × 100 before the session.' })
  safetyRatingBefore: number | null;

  @Column({ name: 'new_sub_level', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Safety rating × 100 after the session.' })
  safetyRatingAfter: number | null;
}
