import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Looking back: season driver standings per car class (`stats/season_driver_standings`), linked members' rating
 * charts and yearly and career totals (`member/chart_data`, `stats/member_yearly`, `stats/member_career`), and
 * world records per car and layout (`stats/world_records`), each with what was fetched and when.
 */
export class LookingBack1795320000000 implements MigrationInterface {
  name = 'LookingBack1795320000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "season_driver_standing" (
         "season_id" integer NOT NULL,
         "car_class_id" integer NOT NULL,
         "cust_id" integer NOT NULL,
         "rank" integer NOT NULL,
         "division" smallint NOT NULL,
         "display_name" text NOT NULL,
         "club_id" integer,
         "club_name" text,
         "country_code" text,
         "license_level" smallint,
         "safety_rating" double precision,
         "irating" integer,
         "points" integer NOT NULL,
         "weeks_counted" integer,
         "week_dropped" boolean,
         "starts" integer NOT NULL,
         "wins" integer NOT NULL,
         "top5" integer,
         "top25_percent" integer,
         "poles" integer,
         "avg_start_position" double precision,
         "avg_finish_position" double precision,
         "avg_field_size" double precision,
         "laps" integer,
         "laps_led" integer,
         "incidents" integer,
         CONSTRAINT "PK_season_driver_standing" PRIMARY KEY ("season_id", "car_class_id", "cust_id")
       )`,
    );
    await q.query(
      `CREATE INDEX "IDX_season_driver_standing_rank" ON "season_driver_standing" ("season_id", "car_class_id", "rank")`,
    );
    await q.query(
      `CREATE INDEX "IDX_season_driver_standing_division"
         ON "season_driver_standing" ("season_id", "car_class_id", "division", "rank")`,
    );
    await q.query(
      `CREATE TABLE "season_standings" (
         "season_id" integer NOT NULL,
         "car_class_id" integer NOT NULL,
         "drivers" integer NOT NULL,
         "last_updated" TIMESTAMP WITH TIME ZONE,
         "fetched_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         CONSTRAINT "PK_season_standings" PRIMARY KEY ("season_id", "car_class_id")
       )`,
    );
    await q.query(
      `CREATE TABLE "member_rating_point" (
         "cust_id" integer NOT NULL,
         "category_id" smallint NOT NULL,
         "chart_type" smallint NOT NULL,
         "day" date NOT NULL,
         "value" integer NOT NULL,
         CONSTRAINT "PK_member_rating_point" PRIMARY KEY ("cust_id", "category_id", "chart_type", "day")
       )`,
    );
    const totals = `"category_id" smallint NOT NULL,
         "starts" integer NOT NULL,
         "wins" integer NOT NULL,
         "top5" integer NOT NULL,
         "poles" integer NOT NULL,
         "avg_start_position" double precision NOT NULL,
         "avg_finish_position" double precision NOT NULL,
         "laps" integer NOT NULL,
         "laps_led" integer NOT NULL,
         "avg_incidents" double precision NOT NULL,
         "avg_points" double precision NOT NULL,
         "win_percentage" double precision NOT NULL,
         "top5_percentage" double precision NOT NULL,
         "laps_led_percentage" double precision NOT NULL,
         "club_points" integer`;
    await q.query(
      `CREATE TABLE "member_career_stat" (
         "cust_id" integer NOT NULL,
         ${totals},
         CONSTRAINT "PK_member_career_stat" PRIMARY KEY ("cust_id", "category_id")
       )`,
    );
    await q.query(
      `CREATE TABLE "member_yearly_stat" (
         "cust_id" integer NOT NULL,
         "year" smallint NOT NULL,
         ${totals},
         CONSTRAINT "PK_member_yearly_stat" PRIMARY KEY ("cust_id", "year", "category_id")
       )`,
    );
    await q.query(
      `CREATE TABLE "world_record" (
         "car_id" integer NOT NULL,
         "track_id" integer NOT NULL,
         "cust_id" integer NOT NULL,
         "display_name" text NOT NULL,
         "club_name" text,
         "country_code" text,
         "season_year" smallint,
         "season_quarter" smallint,
         "license_level" smallint,
         "irating" integer,
         "race_lap_time" integer,
         "race_date" date,
         "qualify_lap_time" integer,
         "qualify_date" date,
         "tt_lap_time" integer,
         "tt_date" date,
         "practice_lap_time" integer,
         "practice_date" date,
         CONSTRAINT "PK_world_record" PRIMARY KEY ("car_id", "track_id", "cust_id")
       )`,
    );
    await q.query(
      `CREATE INDEX "IDX_world_record_race" ON "world_record" ("car_id", "track_id", "race_lap_time")`,
    );
    await q.query(
      `CREATE TABLE "world_record_set" (
         "car_id" integer NOT NULL,
         "track_id" integer NOT NULL,
         "season_year" smallint NOT NULL,
         "season_quarter" smallint NOT NULL,
         "drivers" integer NOT NULL,
         "last_updated" TIMESTAMP WITH TIME ZONE,
         "fetched_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         CONSTRAINT "PK_world_record_set" PRIMARY KEY ("car_id", "track_id")
       )`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'world_record_set',
      'world_record',
      'member_yearly_stat',
      'member_career_stat',
      'member_rating_point',
      'season_standings',
      'season_driver_standing',
    ])
      await q.query(`DROP TABLE "${table}"`);
  }
}
