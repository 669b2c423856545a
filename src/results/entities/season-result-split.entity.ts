// One split of a season's race as `results/season_results` lists it: its session, how many drove and its
// strength of field. What participation is counted from (docs/architecture.md §4.5); iRacing's -1 is stored as null.
import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity('season_result_split')
@Unique('UQ_season_result_split_subsession', ['subsessionId'])
@Index('IDX_season_result_split_week', ['seasonId', 'raceWeekNum'])
export class SeasonResultSplit {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_season_result_split' })
  id: number;

  @Column({ name: 'subsession_id', type: 'int' })
  subsessionId: number;

  @Column({ name: 'season_id', type: 'int' })
  seasonId: number;

  /** 0-based. */
  @Column({ name: 'race_week_num', type: 'int' })
  raceWeekNum: number;

  @Column({ name: 'session_id', type: 'int', nullable: true })
  sessionId: number | null;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime: Date;

  @Column({ name: 'num_drivers', type: 'int', nullable: true })
  numDrivers: number | null;

  @Column({ name: 'strength_of_field', type: 'int', nullable: true })
  strengthOfField: number | null;
}
