// One iRacing car (`car/get`), keyed by iRacing's car_id. BOP limits bound the per-week restrictions.
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
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
import type { CarModel } from './car-model.entity.js';

@ObjectType('Car', { description: 'An iRacing car.' })
@Entity('sim_car')
export class Car {
  @PrimaryColumn({ name: 'car_id', type: 'int' })
  @Field(() => Int, { name: 'id', description: 'iRacing car_id.' })
  carId: number;

  @Index()
  @Column({ name: 'car_model_id', type: 'int' })
  carModelId: number;

  @ManyToOne('CarModel', (m: CarModel) => m.cars, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'car_model_id' })
  carModel: Relation<CarModel>;

  /** The purchasable package; member ownership is matched on this, not on car_id. */
  @Index()
  @Column({ name: 'package_id', type: 'int' })
  @Field(() => Int, { description: 'The purchasable package (what ownership is matched on).' })
  packageId: number;

  @Column({ type: 'text' })
  @Field()
  name: string;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  abbreviation: string | null;

  @Column({ type: 'text', array: true, default: '{}' })
  @Field(() => [String], {
    description: 'iRacing categories: sports_car, formula_car, oval, dirt_oval, dirt_road.',
  })
  categories: string[];

  @Column({ name: 'car_types', type: 'text', array: true, default: '{}' })
  @Field(() => [String])
  carTypes: string[];

  @Column({ type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Price in USD.' })
  price: number | null;

  @Column({ name: 'free_with_subscription', type: 'boolean', default: false })
  @Field()
  freeWithSubscription: boolean;

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  hp: number | null;

  /** iRacing's car_weight, in pounds. */
  @Column({ name: 'weight_lbs', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Weight in pounds, as iRacing gives it.' })
  weightLbs: number | null;

  @Column({ name: 'min_power_adjust_pct', type: 'double precision', nullable: true })
  @Field(() => Float, {
    nullable: true,
    description: 'Lowest balance-of-performance power adjustment, in %.',
  })
  minPowerAdjustPct: number | null;

  @Column({ name: 'max_power_adjust_pct', type: 'double precision', nullable: true })
  @Field(() => Float, {
    nullable: true,
    description: 'Highest balance-of-performance power adjustment, in %.',
  })
  maxPowerAdjustPct: number | null;

  @Column({ name: 'max_weight_penalty_kg', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Largest balance-of-performance weight penalty, in kg.' })
  maxWeightPenaltyKg: number | null;

  @Column({ name: 'rain_enabled', type: 'boolean', default: false })
  @Field()
  rainEnabled: boolean;

  @Column({ type: 'boolean', default: false })
  @Field()
  retired: boolean;

  @Column({ name: 'first_sale', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  firstSale: Date | null;

  /** Flags and links nothing queries, kept as iRacing sent them. */
  @Column({ type: 'jsonb', default: {} })
  raw: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
