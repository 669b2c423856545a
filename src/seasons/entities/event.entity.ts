// Events: what a member joins. For an official series, one event per race week, held on the week's track
// configuration (never null); later also special, hosted and league events. Its classes and session starts.
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
import type { RaceWeek } from './race-week.entity.js';

@ObjectType('Event', { description: "An event: for an official series, one race week's racing." })
@Entity('event')
export class Event {
  @PrimaryGeneratedColumn()
  @Field(() => Int)
  id: number;

  @Column({ type: 'text', default: 'SERIES' })
  @Field({ description: 'SERIES for an official series race week.' })
  kind: string;

  @Index({ unique: true })
  @Column({ name: 'race_week_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  raceWeekId: number | null;

  @ManyToOne('RaceWeek', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'race_week_id' })
  raceWeek: Relation<RaceWeek> | null;

  @Index()
  @Column({ name: 'series_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  seriesId: number | null;

  @Index()
  @Column({ name: 'season_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  seasonId: number | null;

  /** The track configuration: never null for a scheduled week. */
  @Index()
  @Column({ name: 'track_id', type: 'int' })
  @Field(() => Int)
  trackId: number;

  @ManyToOne('TrackLayout', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'track_id' })
  layout: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@ObjectType('EventClass', { description: 'A car class of an event, in order of relative speed.' })
@Entity('event_class')
@Unique('uq_event_class_event_class', ['eventId', 'carClassId'])
export class EventClass {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'event_id', type: 'int' })
  eventId: number;

  @ManyToOne('Event', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event: Relation<Event>;

  @Index()
  @Column({ name: 'car_class_id', type: 'int' })
  @Field(() => Int)
  carClassId: number;

  @ManyToOne('CarClass', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'car_class_id' })
  carClass: unknown;

  /** 0 for the fastest class of a multiclass event. */
  @Column({ type: 'int' })
  @Field(() => Int, { description: '0 for the fastest class (by relative speed).' })
  position: number;

  /** The week's own cars (`race_week_cars`) when the series changes cars week to week; else empty. */
  @Column({ name: 'car_ids', type: 'int', array: true, default: '{}' })
  carIds: number[];
}

@ObjectType('Session', { description: 'One session start of an event (an EventInstance), in UTC.' })
@Entity('event_instance')
@Unique('uq_event_instance_event_start', ['eventId', 'startTime'])
@Index(['startTime'])
export class Session {
  @PrimaryGeneratedColumn()
  @Field(() => Int)
  id: number;

  @Column({ name: 'event_id', type: 'int' })
  @Field(() => Int)
  eventId: number;

  @ManyToOne('Event', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event: Relation<Event>;

  @Column({ name: 'start_time', type: 'timestamptz' })
  @Field(() => Date)
  startTime: Date;

  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  endTime: Date | null;

  @Column({ name: 'session_minutes', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  sessionMinutes: number | null;

  @Column({ name: 'super_session', type: 'boolean', default: false })
  @Field()
  superSession: boolean;

  /** Generated from the schedule's race time descriptors (false: first seen in the race guide). */
  @Column({ type: 'boolean', default: true })
  @Field({ description: 'Predicted by the schedule (false: first seen in the race guide).' })
  predicted: boolean;

  @Index({ where: '"session_id" IS NOT NULL' })
  @Column({ name: 'session_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: "iRacing's session_id, once the race guide lists it." })
  sessionId: number | null;

  @Column({ name: 'entry_count', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Registered drivers, from the race guide.' })
  entryCount: number | null;

  @Column({ name: 'race_guide_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the race guide last listed it.' })
  raceGuideAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
