// Starts the application without its API and without the queue's worker (ROLE=cli: importers, services and
// repositories only) on this run's PostgreSQL database and real Redis, against an offline replica of iRacing,
// for the integration tier: tests call importers and services directly and read the tables.
import type { INestApplicationContext, Type } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica, replicaSettings } from '../../offline/replica.js';
import type { ReplicaOptions } from '../../offline/replica.js';
import { createApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/core/config/app-config.js';
import type { AppConfig } from '../../src/core/config/app-config.js';
import { REDIS } from '../../src/core/redis/redis.provider.js';
import { TEST_REDIS_URL } from './test-env.js';

export class ImporterContext {
  constructor(
    readonly replica: OfflineReplica,
    readonly app: INestApplicationContext,
    readonly config: AppConfig,
  ) {}

  get db(): DataSource {
    return this.app.get(DataSource);
  }

  /** A provider of the application (an importer, a service), found in whichever module provides it. */
  get<T>(type: Type<T>): T {
    return this.app.get(type, { strict: false });
  }

  /** Runs `work` in a transaction that is always rolled back: a service's writes, looked at, then undone. */
  async rolledBack<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.db.createQueryRunner();
    await runner.startTransaction();
    try {
      return await work(runner.manager);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, params)) as T[];
  }

  /** Forgets cached iRacing answers: the next call reads what the replica now serves. */
  async clearIracingCache(): Promise<void> {
    const redis = this.app.get<Redis>(REDIS, { strict: false });
    const keys = await redis.keys(`${this.config.env.QUEUE_PREFIX}:iracing:cache:*`);
    if (keys.length) await redis.del(...keys);
  }

  /** Empties every table (the schema stays): the run's database is shared by the suites, one at a time. */
  async resetDatabase(): Promise<void> {
    const tables = await this.rows<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations'`,
    );
    if (tables.length)
      await this.db.query(
        `TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
      );
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.replica.stop();
  }
}

/** The replica, then the application context on an emptied database (migrated at start). */
export async function startImporterContext(
  replicaOptions: ReplicaOptions,
  env: Record<string, string> = {},
): Promise<ImporterContext> {
  const replica = new OfflineReplica({
    credentials: DEFAULT_TEST_CREDENTIALS,
    rateLimit: null,
    ...replicaOptions,
  });
  const url = await replica.start();
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'simlane-test'}-${Math.random().toString(36).slice(2, 8)}`,
    ROLE: 'cli',
    SCHEDULER_ENABLED: 'false',
    MIGRATIONS_RUN: 'true',
    ...replicaSettings(url),
    IRACING_RETRY_BASE_MS: '20',
    LOG_LEVEL: 'warn',
    LOG_FILE: process.env.LOG_FILE,
    LOG_FILE_LEVEL: process.env.LOG_FILE_LEVEL,
    ...env,
  });
  try {
    const { app } = await createApp(config, ['warn', 'error']);
    const context = new ImporterContext(replica, app, config);
    await context.resetDatabase();
    return context;
  } catch (err) {
    await replica.stop();
    throw err;
  }
}
