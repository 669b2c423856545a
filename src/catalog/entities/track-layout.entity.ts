// One track configuration (`track_id`), the thing a race week is held on.
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
import type { Track } from './track.entity.js';

@ObjectType('TrackLayout', {
  description: 'One configuration of a track (iRacing track_id), where a race week is held.',
})
@Entity('sim_layout')
export class TrackLayout {
  @PrimaryColumn({ name: 'track_id', type: 'int' })
  @Field(() => Int, { name: 'id', description: 'iRacing track_id.' })
  trackId: number;

  @Index()
  @Column({ name: 'package_id', type: 'int' })
  @Field(() => Int, { description: 'The package (Track) it belongs to.' })
  packageId: number;

  @ManyToOne('Track', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'package_id' })
  track: Relation<Track>;

  @Column({ name: 'track_name', type: 'text' })
  @Field()
  trackName: string;

  @Column({ name: 'config_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  configName: string | null;

  /** iRacing category: road, oval, dirt_oval, dirt_road. */
  @Index()
  @Column({ type: 'text' })
  @Field({ description: 'iRacing category: road, oval, dirt_oval or dirt_road.' })
  category: string;

  @Column({ name: 'track_types', type: 'text', array: true, default: '{}' })
  @Field(() => [String])
  trackTypes: string[];

  /** iRacing's track_config_length, in miles. */
  @Column({ name: 'length_miles', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Lap length in miles, as iRacing gives it.' })
  lengthMiles: number | null;

  @Column({ name: 'corners_per_lap', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  cornersPerLap: number | null;

  @Column({ name: 'grid_stalls', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  gridStalls: number | null;

  @Column({ name: 'max_cars', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  maxCars: number | null;

  /** iRacing's pit_road_speed_limit, in the track's own units as sent (mph in the US, km/h elsewhere). */
  @Column({ name: 'pit_road_speed_limit', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Pit road speed limit as iRacing gives it.' })
  pitRoadSpeedLimit: number | null;

  @Column({ name: 'night_lighting', type: 'boolean', default: false })
  @Field()
  nightLighting: boolean;

  @Column({ name: 'fully_lit', type: 'boolean', default: false })
  @Field()
  fullyLit: boolean;

  @Column({ name: 'rain_enabled', type: 'boolean', default: false })
  @Field()
  rainEnabled: boolean;

  @Column({ type: 'boolean', default: false })
  @Field()
  retired: boolean;

  @Column({ type: 'jsonb', default: {} })
  raw: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
