// A season's driver standings in one car class as `stats/season_driver_standings` lists them (every division),
// and what was fetched of each class: when, how many rows, iRacing's own `last_updated` (docs/architecture.md §4.5).
// Replaced as a set per season and class on each import.
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@ObjectType('DriverStanding', { description: "A driver's championship standing in a season's car class." })
@Entity('season_driver_standing')
@Index('IDX_season_driver_standing_rank', ['seasonId', 'carClassId', 'rank'])
@Index('IDX_season_driver_standing_division', ['seasonId', 'carClassId', 'division', 'rank'])
export class DriverStanding {
  @PrimaryColumn({ name: 'season_id', type: 'int', primaryKeyConstraintName: 'PK_season_driver_standing' })
  @Field(() => Int)
  seasonId: number;

  @PrimaryColumn({ name: 'car_class_id', type: 'int', primaryKeyConstraintName: 'PK_season_driver_standing' })
  @Field(() => Int)
  carClassId: number;

  @PrimaryColumn({ name: 'cust_id', type: 'int', primaryKeyConstraintName: 'PK_season_driver_standing' })
  @Field(() => Int)
  custId: number;

  @Column({ type: 'int' })
  @Field(() => Int, { description: 'Rank in the car class over every division, 1 first.' })
  rank: number;

  @Field(() => Int, {
    nullable: true,
    description:
      'Position in the list asked (within the division and club asked), 1 first; null on the viewer row when ' +
      'the viewer is not in that list.',
  })
  position?: number | null;

  @Column({ type: 'smallint' })
  @Field(() => Int, { description: "iRacing's 0-based division: 0 is Division 1, 10 Rookie." })
  division: number;

  @Column({ name: 'display_name', type: 'text' })
  @Field()
  displayName: string;

  @Column({ name: 'club_id', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  clubId: number | null;

  @Column({ name: 'club_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  clubName: string | null;

  @Column({ name: 'country_code', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  countryCode: string | null;

  @Column({ name: 'license_level', type: 'smallint', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description: 'Licence level in the series category (1–20; 1–4 Rookie).',
  })
  licenseLevel: number | null;

  @Column({ name: 'safety_rating', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true })
  safetyRating: number | null;

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  irating: number | null;

  @Column({ type: 'int' })
  @Field(() => Int, { description: 'Championship points: the weeks counted, drops left out.' })
  points: number;

  @Column({ name: 'weeks_counted', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  weeksCounted: number | null;

  @Column({ name: 'week_dropped', type: 'boolean', nullable: true })
  @Field(() => Boolean, { nullable: true, description: 'Some weeks raced were dropped from the points.' })
  weekDropped: boolean | null;

  @Column({ type: 'int' })
  @Field(() => Int)
  starts: number;

  @Column({ type: 'int' })
  @Field(() => Int)
  wins: number;

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  top5: number | null;

  @Column({ name: 'top25_percent', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Finishes in the top quarter of the class.' })
  top25Percent: number | null;

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  poles: number | null;

  @Column({ name: 'avg_start_position', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true })
  avgStartPosition: number | null;

  @Column({ name: 'avg_finish_position', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true })
  avgFinishPosition: number | null;

  @Column({ name: 'avg_field_size', type: 'double precision', nullable: true })
  @Field(() => Float, { nullable: true })
  avgFieldSize: number | null;

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  laps: number | null;

  @Column({ name: 'laps_led', type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  lapsLed: number | null;

  @Column({ type: 'int', nullable: true })
  @Field(() => Int, { nullable: true })
  incidents: number | null;
}

/** One fetched standings list: a season's car class. */
@Entity('season_standings')
export class SeasonStandings {
  @PrimaryColumn({ name: 'season_id', type: 'int', primaryKeyConstraintName: 'PK_season_standings' })
  seasonId: number;

  @PrimaryColumn({ name: 'car_class_id', type: 'int', primaryKeyConstraintName: 'PK_season_standings' })
  carClassId: number;

  @Column({ type: 'int' })
  drivers: number;

  /** iRacing's `last_updated` of the list. */
  @Column({ name: 'last_updated', type: 'timestamptz', nullable: true })
  lastUpdated: Date | null;

  @Column({ name: 'fetched_at', type: 'timestamptz' })
  fetchedAt: Date;
}
