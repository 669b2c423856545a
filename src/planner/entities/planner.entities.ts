// The planner's tables as entities (the migration Planner1795319600000 creates them): registered so the data
// source knows them; the planner reads and writes them in SQL of its own (planner.sql.ts), set-based.
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Unique, UpdateDateColumn } from 'typeorm';

/** A series, car or track package a racer marked as a favourite. */
@Entity('planner_favourite')
@Check('CHK_planner_favourite_kind', `"kind" IN ('SERIES', 'CAR', 'TRACK')`)
export class PlannerFavourite {
  @PrimaryColumn({ name: 'cust_id', type: 'int' })
  custId: number;

  @PrimaryColumn({ type: 'text' })
  kind: 'SERIES' | 'CAR' | 'TRACK';

  /** series_id, car_id or the track's package_id. */
  @PrimaryColumn({ name: 'ref_id', type: 'int' })
  refId: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** A racer's planner settings: their IANA time zone and the reminder of their calendar feed. */
@Entity('planner_settings')
@Check('CHK_planner_settings_reminder', `"reminder_minutes" BETWEEN 0 AND 10080`)
export class PlannerSettings {
  @PrimaryColumn({ name: 'cust_id', type: 'int' })
  custId: number;

  @Column({ name: 'time_zone', type: 'text', default: 'UTC' })
  timeZone: string;

  @Column({ name: 'reminder_minutes', type: 'int', default: 30 })
  reminderMinutes: number;

  @Column({ name: 'feed_favourites', type: 'boolean', default: false })
  feedFavourites: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A planned session (a week and a start) or a whole planned week, with the week's signature when planned. */
@Entity('planner_plan_item')
@Check(
  'CHK_planner_plan_item_kind',
  `("kind" = 'SESSION' AND "start_time" IS NOT NULL) OR ("kind" = 'WEEK' AND "start_time" IS NULL)`,
)
@Index('UQ_planner_plan_item_session', ['custId', 'raceWeekId', 'startTime'], {
  unique: true,
  where: `"kind" = 'SESSION'`,
})
@Index('UQ_planner_plan_item_week', ['custId', 'raceWeekId'], { unique: true, where: `"kind" = 'WEEK'` })
export class PlannerPlanItem {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'cust_id', type: 'int' })
  custId: number;

  @Column({ type: 'text' })
  kind: 'SESSION' | 'WEEK';

  @Column({ name: 'race_week_id', type: 'int' })
  raceWeekId: number;

  @Column({ name: 'start_time', type: 'timestamptz', nullable: true })
  startTime: Date | null;

  @Column({ name: 'car_id', type: 'int', nullable: true })
  carId: number | null;

  /**
   * The week's track, and md5s of its cars, classes, session times and allowed cars, when planned (plan.service.ts
   * WEEK_SIGNATURE).
   */
  @Column({ type: 'text' })
  signature: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A racer's calendar feed token: only its SHA-256 digest; it opens their feed and nothing else. */
@Entity('planner_feed_token')
@Unique('UQ_planner_feed_token_hash', ['tokenHash'])
@Index('IDX_planner_feed_token_cust', ['custId'])
@Check('CHK_planner_feed_token_hash', `"token_hash" ~ '^[0-9a-f]{64}$'`)
export class PlannerFeedToken {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  @Column({ name: 'cust_id', type: 'int' })
  custId: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}

export const PLANNER_ENTITIES = [PlannerFavourite, PlannerSettings, PlannerPlanItem, PlannerFeedToken];
