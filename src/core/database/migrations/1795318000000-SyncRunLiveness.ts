// Sync runs that cannot be lost, stuck or reopened: a worker's heartbeat and identity on its run, the counts each
// execution wrote, dedupe keys as a fixed-size hash (long id lists exceeded the btree limit of the index), and a
// job id on every active run (a run without one could never be enqueued again).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SyncRunLiveness1795318000000 implements MigrationInterface {
  name = 'SyncRunLiveness1795318000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sync_run" ADD "heartbeat_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "sync_run" ADD "runner" text`);
    await queryRunner.query(`ALTER TABLE "sync_run" ADD "attempt_counts" jsonb NOT NULL DEFAULT '{}'`);
    // The key was `kind:` + the canonical parameters; it is now the sha256 (hex) of that same text.
    await queryRunner.query(
      `UPDATE "sync_run" SET "dedupe_key" = encode(sha256(convert_to("dedupe_key", 'UTF8')), 'hex')
       WHERE status IN ('QUEUED', 'RUNNING') AND "dedupe_key" !~ '^[0-9a-f]{64}$'`,
    );
    await queryRunner.query(
      `UPDATE "sync_run" SET "job_id" = 'run-' || id || '-' || to_hex(floor(extract(epoch FROM created_at))::bigint)
       WHERE status IN ('QUEUED', 'RUNNING') AND "job_id" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Hashed dedupe keys stay hashed: they are only compared for equality.
    await queryRunner.query(`ALTER TABLE "sync_run" DROP COLUMN "attempt_counts"`);
    await queryRunner.query(`ALTER TABLE "sync_run" DROP COLUMN "runner"`);
    await queryRunner.query(`ALTER TABLE "sync_run" DROP COLUMN "heartbeat_at"`);
  }
}
