// A season of a series (`series/seasons`, `series/past_seasons`): a quarter's schedule of race weeks.
import { Field, Int, ObjectType } from '@nestjs/graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Relation } from 'typeorm';
import type { Series } from './series.entity.js';

@ObjectType('Season', { description: "A season of a series: one quarter's schedule of race weeks." })
@Entity('season')
@Index(['year', 'quarter'])
export class Season {
  @PrimaryColumn({ name: 'season_id', type: 'int' })
  @Field(() => Int, { name: 'id', description: 'iRacing season_id.' })
  seasonId: number;

  @Index()
  @Column({ name: 'series_id', type: 'int' })
  @Field(() => Int)
  seriesId: number;

  @ManyToOne('Series', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'series_id' })
  series: Relation<Series>;

  @Column({ type: 'text' })
  @Field()
  name: string;

  @Column({ name: 'short_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  shortName: string | null;

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  year: number | null;

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: '1 to 4.' })
  quarter: number | null;

  @Column({ type: 'boolean', default: false })
  @Field()
  active: boolean;

  @Column({ type: 'boolean', default: false })
  @Field()
  complete: boolean;

  @Column({ type: 'boolean', default: true })
  @Field()
  official: boolean;

  @Column({ type: 'boolean', default: false })
  @Field()
  multiclass: boolean;

  @Column({ name: 'fixed_setup', type: 'boolean', default: false })
  @Field()
  fixedSetup: boolean;

  @Column({ name: 'license_group', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  licenseGroup: number | null;

  @Column({ name: 'car_class_ids', type: 'int', array: true, default: '{}' })
  @Field(() => [Int])
  carClassIds: number[];

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Weeks dropped from the championship.' })
  drops: number | null;

  @Column({ name: 'max_weeks', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  maxWeeks: number | null;

  /** iRacing's `race_week`: the current week, 0-based. */
  @Column({ name: 'current_race_week', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: "The current week (iRacing's 0-based race_week_num)." })
  currentRaceWeek: number | null;

  @Column({ name: 'start_date', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  startDate: Date | null;

  @Column({ name: 'schedule_description', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Such as "Races every hour at :15".' })
  scheduleDescription: string | null;

  @Column({ name: 'driver_changes', type: 'boolean', default: false })
  @Field({ description: 'A team event (drivers change during the race).' })
  driverChanges: boolean;

  /** iRacing's payload as sent, for the record: no query reads it unless it selects it by name. */
  @Column({ type: 'jsonb', default: {}, select: false })
  raw: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
