// The planner (src/planner): a racer's favourites (`planner_favourite`), settings (`planner_settings`: time zone,
// reminder), plan (`planner_plan_item`: a session or a whole week, with the signature of the week as planned, so a
// later sync that changes it shows) and calendar feed tokens (`planner_feed_token`, SHA-256 digests only). Like
// the accounts' tables, keyed by cust_id without a foreign key to `sim_profile`; a plan item names its race week
// without a foreign key either, so a week a sync removes leaves the item, shown as changed.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Planner1795319600000 implements MigrationInterface {
  name = 'Planner1795319600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "planner_favourite" (
         "cust_id" integer NOT NULL,
         "kind" text NOT NULL,
         "ref_id" integer NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "PK_planner_favourite" PRIMARY KEY ("cust_id", "kind", "ref_id"),
         CONSTRAINT "CHK_planner_favourite_kind" CHECK ("kind" IN ('SERIES', 'CAR', 'TRACK'))
       )`,
    );
    await q.query(
      `CREATE TABLE "planner_settings" (
         "cust_id" integer NOT NULL,
         "time_zone" text NOT NULL DEFAULT 'UTC',
         "reminder_minutes" integer NOT NULL DEFAULT 30,
         "feed_favourites" boolean NOT NULL DEFAULT false,
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "PK_planner_settings" PRIMARY KEY ("cust_id"),
         CONSTRAINT "CHK_planner_settings_reminder" CHECK ("reminder_minutes" BETWEEN 0 AND 10080)
       )`,
    );
    await q.query(
      `CREATE TABLE "planner_plan_item" (
         "id" SERIAL NOT NULL,
         "cust_id" integer NOT NULL,
         "kind" text NOT NULL,
         "race_week_id" integer NOT NULL,
         "start_time" TIMESTAMP WITH TIME ZONE,
         "car_id" integer,
         "signature" text NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "PK_planner_plan_item" PRIMARY KEY ("id"),
         CONSTRAINT "CHK_planner_plan_item_kind" CHECK (
           ("kind" = 'SESSION' AND "start_time" IS NOT NULL) OR ("kind" = 'WEEK' AND "start_time" IS NULL))
       )`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_planner_plan_item_session" ON "planner_plan_item" ("cust_id", "race_week_id", "start_time")
       WHERE "kind" = 'SESSION'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_planner_plan_item_week" ON "planner_plan_item" ("cust_id", "race_week_id")
       WHERE "kind" = 'WEEK'`,
    );
    await q.query(
      `CREATE TABLE "planner_feed_token" (
         "id" SERIAL NOT NULL,
         "token_hash" text NOT NULL,
         "cust_id" integer NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "last_used_at" TIMESTAMP WITH TIME ZONE,
         "revoked_at" TIMESTAMP WITH TIME ZONE,
         CONSTRAINT "PK_planner_feed_token" PRIMARY KEY ("id"),
         CONSTRAINT "UQ_planner_feed_token_hash" UNIQUE ("token_hash"),
         CONSTRAINT "CHK_planner_feed_token_hash" CHECK ("token_hash" ~ '^[0-9a-f]{64}$')
       )`,
    );
    await q.query(`CREATE INDEX "IDX_planner_feed_token_cust" ON "planner_feed_token" ("cust_id")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "planner_feed_token"`);
    await q.query(`DROP TABLE "planner_plan_item"`);
    await q.query(`DROP TABLE "planner_settings"`);
    await q.query(`DROP TABLE "planner_favourite"`);
  }
}
