// Membership of a car in a car class; replaced as a set on every catalog import.
import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import type { CarClass } from './car-class.entity.js';
import type { Car } from './car.entity.js';

@Entity('car_class_car')
export class CarClassCar {
  @PrimaryColumn({ name: 'car_class_id', type: 'int' })
  carClassId: number;

  @Index()
  @PrimaryColumn({ name: 'car_id', type: 'int' })
  carId: number;

  @ManyToOne('CarClass', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'car_class_id' })
  carClass: Relation<CarClass>;

  @ManyToOne('Car', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'car_id' })
  car: Relation<Car>;
}
