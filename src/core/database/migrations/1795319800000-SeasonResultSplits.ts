import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The splits of a season's races as `results/season_results` lists them: what participation is counted from. */
export class SeasonResultSplits1795319800000 implements MigrationInterface {
  name = 'SeasonResultSplits1795319800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "season_result_split" (
         "id" SERIAL NOT NULL,
         "subsession_id" integer NOT NULL,
         "season_id" integer NOT NULL,
         "race_week_num" integer NOT NULL,
         "session_id" integer,
         "start_time" TIMESTAMP WITH TIME ZONE NOT NULL,
         "num_drivers" integer,
         "strength_of_field" integer,
         CONSTRAINT "UQ_season_result_split_subsession" UNIQUE ("subsession_id"),
         CONSTRAINT "PK_season_result_split" PRIMARY KEY ("id")
       )`,
    );
    await q.query(
      `CREATE INDEX "IDX_season_result_split_week" ON "season_result_split" ("season_id", "race_week_num")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "season_result_split"`);
  }
}
