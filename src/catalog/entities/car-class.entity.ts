// A car class (`carclass/get`): the cars that race together; relative speed orders multiclass fields.
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@ObjectType('CarClass', { description: 'A car class: the cars that race together.' })
@Entity('car_class')
export class CarClass {
  @PrimaryColumn({ name: 'car_class_id', type: 'int' })
  @Field(() => Int, { name: 'id', description: 'iRacing car_class_id.' })
  carClassId: number;

  @Column({ type: 'text' })
  @Field()
  name: string;

  @Column({ name: 'short_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  shortName: string | null;

  @Column({ name: 'relative_speed', type: 'int', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description: 'Orders the classes of a multiclass field (higher is faster).',
  })
  relativeSpeed: number | null;

  @Column({ name: 'rain_enabled', type: 'boolean', default: false })
  @Field()
  rainEnabled: boolean;

  /** The member who defined a custom class; 0 for iRacing's own. */
  @Column({ name: 'cust_id', type: 'int', default: 0 })
  @Field(() => Int, { description: 'The member who defined a custom class; 0 for iRacing classes.' })
  custId: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
