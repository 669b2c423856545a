// The progress of a running sync (units done of those planned).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SyncProgress1795316820751 implements MigrationInterface {
  name = 'SyncProgress1795316820751';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sync_run" ADD "progress" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sync_run" DROP COLUMN "progress"`);
  }
}
