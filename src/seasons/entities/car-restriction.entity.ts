// Balance of performance for one car in one race week (`car_restrictions[]`), and the history of its changes.
import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
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
import type { Car } from '../../catalog/entities/car.entity.js';
import type { RaceWeek } from './race-week.entity.js';

@ObjectType({ description: 'BOP values of a car in a race week.' })
export class RestrictionValues {
  @Field(() => Int, { nullable: true })
  maxDryTireSets: number | null;

  @Field(() => Float, { nullable: true, description: 'Fuel fill limit, % of the tank.' })
  maxPctFuelFill: number | null;

  @Field(() => Float, { nullable: true, description: 'Engine power adjustment, % (negative is less power).' })
  powerAdjustPct: number | null;

  @Field(() => Float, { nullable: true, description: 'Ballast, kg.' })
  weightPenaltyKg: number | null;

  @Field(() => Int, { nullable: true, description: 'The fixed race setup, when the week imposes one.' })
  raceSetupId: number | null;

  @Field(() => Int, { nullable: true, description: 'The fixed qualifying setup, when the week imposes one.' })
  qualSetupId: number | null;
}

@ObjectType('CarRestriction', { description: 'Balance of performance of one car in one race week.' })
@Entity('car_restriction')
@Unique('uq_car_restriction_week_car', ['raceWeekId', 'carId'])
export class CarRestriction {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'race_week_id', type: 'int' })
  @Field(() => Int)
  raceWeekId: number;

  @ManyToOne('RaceWeek', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'race_week_id' })
  raceWeek: Relation<RaceWeek>;

  @Index()
  @Column({ name: 'car_id', type: 'int' })
  @Field(() => Int)
  carId: number;

  @ManyToOne('Car', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'car_id' })
  car: Relation<Car>;

  @Column({ name: 'max_dry_tire_sets', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  maxDryTireSets: number | null;

  @Column({ name: 'max_pct_fuel_fill', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Fuel fill limit, % of the tank.' })
  maxPctFuelFill: number | null;

  @Column({ name: 'power_adjust_pct', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Engine power adjustment, % (negative is less power).' })
  powerAdjustPct: number | null;

  @Column({ name: 'weight_penalty_kg', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Ballast, kg.' })
  weightPenaltyKg: number | null;

  @Column({ name: 'race_setup_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'The fixed race setup, when the week imposes one.' })
  raceSetupId: number | null;

  @Column({ name: 'qual_setup_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'The fixed qualifying setup, when the week imposes one.' })
  qualSetupId: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export enum RestrictionChangeKind {
  ADDED = 'ADDED',
  CHANGED = 'CHANGED',
  REMOVED = 'REMOVED',
}
registerEnumType(RestrictionChangeKind, { name: 'RestrictionChangeKind' });

@ObjectType('CarRestrictionChange', {
  description: 'A BOP change of one car in one race week, between two syncs.',
})
@Entity('car_restriction_change')
@Index(['raceWeekId', 'seenAt'])
export class CarRestrictionChange {
  @PrimaryGeneratedColumn()
  @Field(() => Int)
  id: number;

  @Column({ name: 'race_week_id', type: 'int' })
  @Field(() => Int)
  raceWeekId: number;

  @ManyToOne('RaceWeek', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'race_week_id' })
  raceWeek: Relation<RaceWeek>;

  @Column({ name: 'car_id', type: 'int' })
  @Field(() => Int)
  carId: number;

  @Column({ type: 'text' })
  @Field(() => RestrictionChangeKind)
  change: RestrictionChangeKind;

  /** The values before the change (null when added), as stored columns in snake_case. */
  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, number | null> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, number | null> | null;

  @Column({ name: 'seen_at', type: 'timestamptz', default: () => 'now()' })
  @Field(() => Date, { description: 'When the sync that saw the change ran.' })
  seenAt: Date;
}
