// A car class of a subsession as `results/get` reports it (`car_classes[]`, since 2024): how many entered it and
// its strength of field. iRacing's -1 ("not applicable", e.g. a practice) is stored as null.
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Relation } from 'typeorm';
import type { Subsession } from './subsession.entity.js';

@ObjectType('SubsessionClass', {
  description: 'A car class of a subsession: its entries and strength of field.',
})
@Entity('event_result_class')
@Unique('uq_event_result_class', ['eventResultId', 'carClassId'])
export class SubsessionClass {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_event_result_class' })
  id: number;

  @Column({ name: 'event_result_id', type: 'int' })
  eventResultId: number;

  @ManyToOne('Subsession', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_result_id', foreignKeyConstraintName: 'FK_event_result_class_event_result' })
  subsession: Relation<Subsession>;

  @Column({ name: 'car_class_id', type: 'int' })
  @Field(() => Int)
  carClassId: number;

  @Column({ type: 'int' })
  @Field(() => Int, { description: "iRacing's order of the classes, 0 first." })
  position: number;

  @Column({ name: 'strength_of_field', type: 'int', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description: 'Null where iRacing computes none (a practice, a qualifying).',
  })
  strengthOfField: number | null;

  @Column({ name: 'entries', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Drivers or teams entered in the class (`num_entries`).' })
  entries: number | null;
}
