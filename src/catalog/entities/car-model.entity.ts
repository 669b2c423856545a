// A real-world car model (make + model); several iRacing cars (model years, variants) can share one.
import { Field, Int, ObjectType } from '@nestjs/graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Relation } from 'typeorm';
import type { Car } from './car.entity.js';

@ObjectType('CarModel', {
  description:
    'A real-world car model (make and model) shared by the iRacing cars of its years and variants.',
})
@Entity('car_model')
export class CarModel {
  @PrimaryGeneratedColumn()
  @Field(() => Int)
  id: number;

  /** Natural key: normalised `make|model` (the car name when iRacing gives neither). */
  @Column({ type: 'text', unique: true })
  key: string;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  make: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  model: string | null;

  @Column({ type: 'text' })
  @Field()
  name: string;

  @OneToMany('Car', (car: Car) => car.carModel)
  cars: Relation<Car[]>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
