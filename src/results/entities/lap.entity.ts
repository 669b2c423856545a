// One lap of one driver in one simsession (`results/lap_data`, fetched on demand). Times in 1/10000 s.
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

@ObjectType('Lap', { description: 'One lap of one driver.' })
@Entity('lap')
@Unique('uq_lap', ['subsessionId', 'simsessionNumber', 'custId', 'lapNumber'])
export class Lap {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'subsession_id', type: 'int' })
  subsessionId: number;

  @Column({ name: 'simsession_number', type: 'int' })
  @Field(() => Int)
  simsessionNumber: number;

  @Column({ name: 'cust_id', type: 'int' })
  @Field(() => Int)
  custId: number;

  /** The team (negative id) or the driver (their cust_id) the lap counts for. */
  @Column({ name: 'group_id', type: 'int', nullable: true })
  groupId: number | null;

  @Column({ name: 'lap_number', type: 'int' })
  @Field(() => Int)
  lapNumber: number;

  /** -1 for a lap without a time (the first lap of practice, a tow). */
  @Column({ name: 'lap_time', type: 'int' })
  lapTime: number;

  @Column({ type: 'int', nullable: true })
  flags: number | null;

  @Column({ type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  incident: boolean | null;

  @Column({ name: 'session_time', type: 'int', nullable: true })
  sessionTime: number | null;

  @Column({ name: 'personal_best_lap', type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true })
  personalBestLap: boolean | null;

  @Column({ name: 'lap_events', type: 'text', array: true, default: '{}' })
  @Field(() => [String])
  lapEvents: string[];
}
