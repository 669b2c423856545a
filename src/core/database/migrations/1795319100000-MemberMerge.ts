// Members merged across sources: the flair's id and short name as columns (member/get gives the short name, not
// always the country code), moved out of `raw` where earlier syncs kept them; and the packages the account owns
// that the catalog does not know (`sim_profile_unknown_package`, no foreign key to the catalog), so they are
// kept, reported once, and do not make every owned-content sync fetch the catalog again.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MemberMerge1795319100000 implements MigrationInterface {
  name = 'MemberMerge1795319100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sim_profile" ADD "flair_id" integer`);
    await queryRunner.query(`ALTER TABLE "sim_profile" ADD "flair_shortname" text`);
    await queryRunner.query(
      `UPDATE "sim_profile" SET
         "flair_id" = CASE WHEN jsonb_typeof(raw->'flair_id') = 'number'
                            AND (raw->>'flair_id') ~ '^-?[0-9]{1,9}$' THEN (raw->>'flair_id')::int END,
         "flair_shortname" = NULLIF(btrim(raw->>'flair_shortname'), ''),
         "raw" = raw - 'flair_id' - 'flair_shortname'
       WHERE raw ?| ARRAY['flair_id', 'flair_shortname']`,
    );
    await queryRunner.query(
      `CREATE TABLE "sim_profile_unknown_package" ("cust_id" integer NOT NULL, "kind" text NOT NULL, "package_id" integer NOT NULL, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_sim_profile_unknown_package_kind" CHECK ("kind" IN ('car', 'track')), CONSTRAINT "PK_sim_profile_unknown_package" PRIMARY KEY ("cust_id", "kind", "package_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "sim_profile_unknown_package" ADD CONSTRAINT "FK_sim_profile_unknown_package_cust" FOREIGN KEY ("cust_id") REFERENCES "sim_profile"("cust_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sim_profile_unknown_package"`);
    await queryRunner.query(
      `UPDATE "sim_profile" SET "raw" = raw || jsonb_strip_nulls(jsonb_build_object(
         'flair_id', "flair_id", 'flair_shortname', "flair_shortname"))
       WHERE "flair_id" IS NOT NULL OR "flair_shortname" IS NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE "sim_profile" DROP COLUMN "flair_shortname"`);
    await queryRunner.query(`ALTER TABLE "sim_profile" DROP COLUMN "flair_id"`);
  }
}
