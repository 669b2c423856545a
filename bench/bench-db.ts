// Benchmark plumbing: a throwaway migrated database, a statement-counting TypeORM logger, and timing helpers.
import { Redis } from 'ioredis';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { migrateWithLock } from '../src/core/database/migration-runner.js';
import { typeormOptions } from '../src/core/database/typeorm-options.js';
import { ALL_ENTITIES } from '../src/entities.js';
import { IracingClient } from '../src/iracing/iracing.client.js';
import type { IracingClientOptions } from '../src/iracing/iracing.client.js';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica, replicaSettings } from '../offline/replica.js';
import type { ReplicaOptions } from '../offline/replica.js';

export class CountingLogger implements TypeOrmLogger {
  statements = 0;
  logQuery(): void {
    this.statements++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export interface BenchDb {
  db: DataSource;
  url: string;
  logger: CountingLogger;
  drop(): Promise<void>;
}

/** Creates (or empties) a database `name` on the server of `adminUrl`; returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

/** Removes every Redis key under `prefix` (a bench's queue, cache and budget); returns how many. */
export async function clearRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) removed += await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
  return removed;
}

/** The settings that point an application process at an offline replica, with its test credentials. */
export function replicaEnv(url: string): Record<string, string> {
  return { IRACING_OFFLINE: 'false', ...replicaSettings(url) };
}

export async function createBenchDb(adminUrl: string, label: string): Promise<BenchDb> {
  const name = `simlane_bench_${label}_${process.pid}`;
  const url = new URL(await createDatabase(adminUrl, name));
  const logger = new CountingLogger();
  const db = new DataSource(typeormOptions(url.toString(), ALL_ENTITIES, { logger, logging: ['query'] }));
  await db.initialize();
  await migrateWithLock(db);
  return {
    db,
    url: url.toString(),
    logger,
    async drop() {
      await db.destroy();
      await dropDatabase(adminUrl, name);
    },
  };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

let peakRss = 0;
export function samplePeakRss(): () => number {
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  timer.unref();
  return () => Math.max(peakRss, process.memoryUsage().rss);
}

/** An offline replica (no rate limit unless given) and a client logged in to it with the test credentials. */
export async function benchReplica(
  options: Omit<ReplicaOptions, 'credentials'>,
): Promise<{ replica: OfflineReplica; client: IracingClient; url: string }> {
  const replica = new OfflineReplica({ rateLimit: null, ...options, credentials: DEFAULT_TEST_CREDENTIALS });
  const url = await replica.start();
  return { replica, url, client: new IracingClient(undefined, replicaClientOptions(url)) };
}

/** Client options for a replica at `url` with the test credentials. */
export function replicaClientOptions(url: string): IracingClientOptions {
  return {
    apiUrl: url,
    oauthUrl: url,
    clientId: DEFAULT_TEST_CREDENTIALS.clientId,
    clientSecret: DEFAULT_TEST_CREDENTIALS.clientSecret,
    username: DEFAULT_TEST_CREDENTIALS.username,
    password: DEFAULT_TEST_CREDENTIALS.password,
  };
}
