// Lap-time references: every member's best laps with one car at one track layout as `stats/world_records` lists
// them (all time), and what was fetched of each car and layout: the season quarter it was fetched in, which is how
// long it is kept before it is asked again (docs/architecture.md §4.5). Lap times in 1/10000 s, as given.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('world_record')
@Index('IDX_world_record_race', ['carId', 'trackId', 'raceLapTime'])
export class WorldRecord {
  @PrimaryColumn({ name: 'car_id', type: 'int', primaryKeyConstraintName: 'PK_world_record' })
  carId: number;

  @PrimaryColumn({ name: 'track_id', type: 'int', primaryKeyConstraintName: 'PK_world_record' })
  trackId: number;

  @PrimaryColumn({ name: 'cust_id', type: 'int', primaryKeyConstraintName: 'PK_world_record' })
  custId: number;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ name: 'club_name', type: 'text', nullable: true })
  clubName: string | null;

  @Column({ name: 'country_code', type: 'text', nullable: true })
  countryCode: string | null;

  @Column({ name: 'season_year', type: 'smallint', nullable: true })
  seasonYear: number | null;

  @Column({ name: 'season_quarter', type: 'smallint', nullable: true })
  seasonQuarter: number | null;

  @Column({ name: 'license_level', type: 'smallint', nullable: true })
  licenseLevel: number | null;

  @Column({ type: 'int', nullable: true })
  irating: number | null;

  @Column({ name: 'race_lap_time', type: 'int', nullable: true })
  raceLapTime: number | null;

  @Column({ name: 'race_date', type: 'date', nullable: true })
  raceDate: string | null;

  @Column({ name: 'qualify_lap_time', type: 'int', nullable: true })
  qualifyLapTime: number | null;

  @Column({ name: 'qualify_date', type: 'date', nullable: true })
  qualifyDate: string | null;

  @Column({ name: 'tt_lap_time', type: 'int', nullable: true })
  ttLapTime: number | null;

  @Column({ name: 'tt_date', type: 'date', nullable: true })
  ttDate: string | null;

  @Column({ name: 'practice_lap_time', type: 'int', nullable: true })
  practiceLapTime: number | null;

  @Column({ name: 'practice_date', type: 'date', nullable: true })
  practiceDate: string | null;
}

/** One fetched world-records list: a car at a layout. */
@Entity('world_record_set')
export class WorldRecordSet {
  @PrimaryColumn({ name: 'car_id', type: 'int', primaryKeyConstraintName: 'PK_world_record_set' })
  carId: number;

  @PrimaryColumn({ name: 'track_id', type: 'int', primaryKeyConstraintName: 'PK_world_record_set' })
  trackId: number;

  /** The season quarter it was fetched in: kept until the next one. */
  @Column({ name: 'season_year', type: 'smallint' })
  seasonYear: number;

  @Column({ name: 'season_quarter', type: 'smallint' })
  seasonQuarter: number;

  @Column({ type: 'int' })
  drivers: number;

  @Column({ name: 'last_updated', type: 'timestamptz', nullable: true })
  lastUpdated: Date | null;

  @Column({ name: 'fetched_at', type: 'timestamptz' })
  fetchedAt: Date;
}
