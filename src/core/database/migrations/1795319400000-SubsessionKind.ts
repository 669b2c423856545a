// Subsessions of every kind: a series race (OFFICIAL), a league session or a hosted one. League and hosted
// results carry season_id/series_id/race_week_num 0 (or none): those columns stay nullable and hold NULL for
// them, and each subsession gets its kind, its league and league season, and the name it was given.
// Stored rows are classified from the payload kept in `raw` (a league_id, or no season, as the importer does),
// since an unchanged payload is never imported again (its content hash is stored); the rest are OFFICIAL.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SubsessionKind1795319400000 implements MigrationInterface {
  name = 'SubsessionKind1795319400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "event_result" ADD "kind" text NOT NULL DEFAULT 'OFFICIAL'`);
    await q.query(`ALTER TABLE "event_result" ADD "league_id" integer`);
    await q.query(`ALTER TABLE "event_result" ADD "league_season_id" integer`);
    await q.query(`ALTER TABLE "event_result" ADD "session_name" text`);
    // The season chain never held these columns by a foreign key; they are made nullable again should an
    // earlier schema have tightened them.
    for (const column of ['season_id', 'series_id', 'race_week_num'])
      await q.query(`ALTER TABLE "event_result" ALTER COLUMN "${column}" DROP NOT NULL`);
    // Nested CASEs: PostgreSQL does not promise to evaluate an AND from left to right.
    const positive = (field: string) =>
      `CASE WHEN jsonb_typeof(raw->'${field}') = 'number' THEN
         CASE WHEN (raw->>'${field}')::numeric BETWEEN 1 AND 2147483647 THEN (raw->>'${field}')::numeric::int END
       END`;
    await q.query(
      `UPDATE "event_result" SET
         "league_id" = ${positive('league_id')},
         "league_season_id" = ${positive('league_season_id')},
         "session_name" = CASE WHEN jsonb_typeof(raw->'session_name') = 'string' AND raw->>'session_name' <> ''
                               THEN raw->>'session_name' END`,
    );
    await q.query(
      `UPDATE "event_result" SET "kind" = CASE
         WHEN "league_id" IS NOT NULL THEN 'LEAGUE'
         WHEN "season_id" IS NULL OR "season_id" <= 0 THEN 'HOSTED'
         ELSE 'OFFICIAL' END`,
    );
    await q.query(
      `ALTER TABLE "event_result" ADD CONSTRAINT "CHK_event_result_kind" CHECK ("kind" IN ('OFFICIAL', 'LEAGUE', 'HOSTED'))`,
    );
    await q.query(
      `UPDATE "event_result" SET "season_id" = NULL, "series_id" = NULL, "race_week_num" = NULL,
         "event_instance_id" = NULL
       WHERE "kind" <> 'OFFICIAL'`,
    );
    await q.query(
      `UPDATE "event_result" SET "league_season_id" = NULL WHERE "kind" <> 'LEAGUE' AND "league_season_id" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "IDX_event_result_kind_start" ON "event_result" ("kind", "start_time")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_event_result_kind_start"`);
    await q.query(`ALTER TABLE "event_result" DROP CONSTRAINT "CHK_event_result_kind"`);
    await q.query(`ALTER TABLE "event_result" DROP COLUMN "session_name"`);
    await q.query(`ALTER TABLE "event_result" DROP COLUMN "league_season_id"`);
    await q.query(`ALTER TABLE "event_result" DROP COLUMN "league_id"`);
    await q.query(`ALTER TABLE "event_result" DROP COLUMN "kind"`);
  }
}
