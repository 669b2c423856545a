// Racers' own iRacing accounts (src/accounts): `iracing_link`, one per cust_id, holding the refresh token only
// sealed (AES-256-GCM, with the id of its key) and a version for compare-and-set updates; `viewer_token`, the
// SHA-256 digests of the bearer tokens issued to racers. Neither has a foreign key to `sim_profile`: a racer
// may link before any sync has stored their profile.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountLinks1795319500000 implements MigrationInterface {
  name = 'AccountLinks1795319500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "iracing_link" (
         "cust_id" integer NOT NULL,
         "status" text NOT NULL DEFAULT 'ACTIVE',
         "status_reason" text,
         "refresh_token" text,
         "key_id" text,
         "refresh_expires_at" TIMESTAMP WITH TIME ZONE,
         "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "last_sync_at" TIMESTAMP WITH TIME ZONE,
         "last_refresh_at" TIMESTAMP WITH TIME ZONE,
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "version" integer NOT NULL DEFAULT 1,
         CONSTRAINT "PK_iracing_link" PRIMARY KEY ("cust_id"),
         CONSTRAINT "CHK_iracing_link_status" CHECK ("status" IN ('ACTIVE', 'NEEDS_RELINK')),
         CONSTRAINT "CHK_iracing_link_token_key" CHECK (("refresh_token" IS NULL) = ("key_id" IS NULL)),
         CONSTRAINT "CHK_iracing_link_active_token" CHECK ("status" <> 'ACTIVE' OR "refresh_token" IS NOT NULL)
       )`,
    );
    await q.query(
      `CREATE TABLE "viewer_token" (
         "id" SERIAL NOT NULL,
         "token_hash" text NOT NULL,
         "cust_id" integer NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "last_used_at" TIMESTAMP WITH TIME ZONE,
         "revoked_at" TIMESTAMP WITH TIME ZONE,
         "label" text,
         CONSTRAINT "PK_viewer_token" PRIMARY KEY ("id"),
         CONSTRAINT "UQ_viewer_token_hash" UNIQUE ("token_hash"),
         CONSTRAINT "CHK_viewer_token_hash" CHECK ("token_hash" ~ '^[0-9a-f]{64}$')
       )`,
    );
    await q.query(`CREATE INDEX "IDX_viewer_token_cust" ON "viewer_token" ("cust_id")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "viewer_token"`);
    await q.query(`DROP TABLE "iracing_link"`);
  }
}
