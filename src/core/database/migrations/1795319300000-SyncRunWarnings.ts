// Warnings on a sync run: what it tells without failing a unit (an owned package no catalog lists).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SyncRunWarnings1795319300000 implements MigrationInterface {
  name = 'SyncRunWarnings1795319300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_run" ADD "warnings" jsonb NOT NULL DEFAULT '[]'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_run" DROP COLUMN "warnings"`);
  }
}
