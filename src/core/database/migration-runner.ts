// Runs pending migrations at start (MIGRATIONS_RUN, on by default) under a PostgreSQL advisory lock, so
// several processes starting at once migrate once.
import { Injectable, Logger } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MigrationExecutor } from 'typeorm';
import { AppConfig } from '../config/app-config.js';

const MIGRATION_LOCK = 72_410_001;

export async function migrateWithLock(db: DataSource): Promise<string[]> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    // Waiting for another process's migrations and running a long one are not bound by the api's
    // statement_timeout: everything runs on this one connection, with the limit lifted until it is released.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const executor = new MigrationExecutor(db, runner);
    executor.transaction = 'each';
    const done = await executor.executePendingMigrations();
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.query('RESET statement_timeout').catch(() => undefined);
    await runner.release();
  }
}

@Injectable()
export class MigrationRunner implements OnModuleInit {
  private readonly log = new Logger(MigrationRunner.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.env.MIGRATIONS_RUN) return;
    const done = await migrateWithLock(this.db);
    if (done.length) this.log.log(`migrations applied: ${done.join(', ')}`);
  }
}
