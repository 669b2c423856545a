// A real place (a circuit or speedway); the packages sold for it over the years hang below it.
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Relation } from 'typeorm';
import type { Track } from './track.entity.js';

@ObjectType('TrackModel', { description: 'A real place (circuit or speedway) and the packages sold for it.' })
@Entity('track_model')
export class TrackModel {
  @PrimaryGeneratedColumn()
  @Field(() => Int)
  id: number;

  /** Natural key: the track name without `[Retired]`/`[Legacy]` and a trailing ` - 2008`, lower-cased. */
  @Column({ type: 'text', unique: true })
  key: string;

  @Column({ type: 'text' })
  @Field()
  name: string;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  location: string | null;

  @Column({ type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true })
  latitude: number | null;

  @Column({ type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true })
  longitude: number | null;

  @Column({ name: 'time_zone', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  timeZone: string | null;

  @OneToMany('Track', (t: Track) => t.trackModel)
  tracks: Relation<Track[]>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
