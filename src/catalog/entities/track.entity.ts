// A purchasable track package (`package_id`): what a member buys. Its configurations are SimLayouts.
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
import type { TrackModel } from './track-model.entity.js';

@ObjectType('Track', { description: 'A purchasable iRacing track package and its configurations (layouts).' })
@Entity('sim_track')
export class Track {
  @PrimaryColumn({ name: 'package_id', type: 'int' })
  @Field(() => Int, { name: 'id', description: 'iRacing package_id of the track.' })
  packageId: number;

  @Index()
  @Column({ name: 'track_model_id', type: 'int' })
  trackModelId: number;

  @ManyToOne('TrackModel', (m: TrackModel) => m.tracks, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'track_model_id' })
  trackModel: Relation<TrackModel>;

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

  @Column({ type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Price in USD.' })
  price: number | null;

  @Column({ name: 'free_with_subscription', type: 'boolean', default: false })
  @Field()
  freeWithSubscription: boolean;

  @Column({ type: 'boolean', default: false })
  @Field({ description: 'True when every configuration is retired.' })
  retired: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
