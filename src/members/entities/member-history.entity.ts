// A linked member's own history, read with their token (docs/architecture.md §4.15): the daily values of their
// rating charts (`member/chart_data`: iRating, time-trial rating, licence and safety rating per category), and their
// results totals per year and per category (`stats/member_yearly`) and over their career (`stats/member_career`).
// Each is replaced as a set per member on each import.
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** iRacing's chart_type of `member/chart_data`. */
export enum RatingChart {
  IRATING = 1,
  TT_RATING = 2,
  LICENSE = 3,
}

@Entity('member_rating_point')
export class MemberRatingPoint {
  @PrimaryColumn({ name: 'cust_id', type: 'int', primaryKeyConstraintName: 'PK_member_rating_point' })
  custId: number;

  @PrimaryColumn({
    name: 'category_id',
    type: 'smallint',
    primaryKeyConstraintName: 'PK_member_rating_point',
  })
  categoryId: number;

  /** RatingChart. */
  @PrimaryColumn({ name: 'chart_type', type: 'smallint', primaryKeyConstraintName: 'PK_member_rating_point' })
  chartType: number;

  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_member_rating_point' })
  day: string;

  /** As iRacing gives it: a rating, or for LICENSE the licence group × 1000 + safety rating × 100. */
  @Column({ type: 'int' })
  value: number;
}

/** The totals both stats endpoints give per category. */
abstract class StatTotals {
  @PrimaryColumn({ name: 'category_id', type: 'smallint' })
  categoryId: number;

  @Column({ type: 'int' })
  starts: number;

  @Column({ type: 'int' })
  wins: number;

  @Column({ type: 'int' })
  top5: number;

  @Column({ type: 'int' })
  poles: number;

  @Column({ name: 'avg_start_position', type: 'double precision' })
  avgStartPosition: number;

  @Column({ name: 'avg_finish_position', type: 'double precision' })
  avgFinishPosition: number;

  @Column({ type: 'int' })
  laps: number;

  @Column({ name: 'laps_led', type: 'int' })
  lapsLed: number;

  @Column({ name: 'avg_incidents', type: 'double precision' })
  avgIncidents: number;

  @Column({ name: 'avg_points', type: 'double precision' })
  avgPoints: number;

  @Column({ name: 'win_percentage', type: 'double precision' })
  winPercentage: number;

  @Column({ name: 'top5_percentage', type: 'double precision' })
  top5Percentage: number;

  @Column({ name: 'laps_led_percentage', type: 'double precision' })
  lapsLedPercentage: number;

  @Column({ name: 'club_points', type: 'int', nullable: true })
  clubPoints: number | null;
}

@Entity('member_career_stat')
export class MemberCareerStat extends StatTotals {
  @PrimaryColumn({ name: 'cust_id', type: 'int' })
  custId: number;
}

@Entity('member_yearly_stat')
export class MemberYearlyStat extends StatTotals {
  @PrimaryColumn({ name: 'cust_id', type: 'int' })
  custId: number;

  @PrimaryColumn({ type: 'smallint' })
  year: number;
}
