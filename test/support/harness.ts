// Starts the whole application (api + worker, real PostgreSQL, real Redis, real Bull) against an offline
// replica of iRacing, and offers GraphQL helpers to the end-to-end tests.
import type { INestApplication } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import request from 'supertest';
import { createApp } from '../../src/bootstrap.js';
import { appendFileSync } from 'node:fs';
import { sha256Hex } from '../../src/core/auth/admin.guard.js';
import { loadConfig } from '../../src/core/config/app-config.js';
import { createPino, httpLogger, PinoLogger } from '../../src/core/logging/logging.js';
import { maskSecret } from '../../src/core/security/secret-mask.js';
import { REDIS } from '../../src/core/redis/redis.provider.js';
import { DataVersion } from '../../src/core/graphql/data-version.js';
import type { AppConfig } from '../../src/core/config/app-config.js';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica, replicaSettings } from '../../offline/replica.js';
import type { ReplicaOptions } from '../../offline/replica.js';
import { TEST_REDIS_URL } from './test-env.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

/**
 * Adds a value to the secrets the end-of-run log scan looks for (test/support/global-teardown.ts); its masked
 * forms too when it is an iRacing credential (`maskedWith`: the client id or the username it is masked with).
 */
export function registerLogSecret(label: string, value: string, maskedWith?: string): void {
  const file = process.env.LOG_SCAN_SECRETS;
  if (!file || !value) return;
  let lines = `${label}\t${value}\n`;
  if (maskedWith !== undefined) lines += `${label} (masked)\t${maskSecret(value, maskedWith)}\n`;
  appendFileSync(file, lines);
}

registerLogSecret('ADMIN_KEY', ADMIN_KEY);
registerLogSecret('ADMIN_API_KEYS (the key hash)', sha256Hex(ADMIN_KEY));
registerLogSecret(
  'IRACING_CLIENT_SECRET',
  DEFAULT_TEST_CREDENTIALS.clientSecret,
  DEFAULT_TEST_CREDENTIALS.clientId,
);
registerLogSecret('IRACING_PASSWORD', DEFAULT_TEST_CREDENTIALS.password, DEFAULT_TEST_CREDENTIALS.username);

export interface GqlResult<T = Record<string, unknown>> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class Harness {
  constructor(
    readonly replica: OfflineReplica,
    readonly app: INestApplication,
    readonly config: AppConfig,
    /** The settings the app was started with: another process of the same deployment starts from them. */
    readonly settings: Record<string, string | undefined>,
  ) {}

  /**
   * The app's DataSource, except that rows a test writes itself through `query` (seeding, editing behind the
   * app's back) move the data version on like a sync's, so the GraphQL response cache never answers from before
   * them (docs/architecture.md §6.10). The app's own statements go to the DataSource itself.
   */
  get db(): DataSource {
    const db = this.app.get(DataSource);
    const version = this.app.get(DataVersion);
    return new Proxy(db, {
      get(target, prop) {
        if (prop !== 'query') {
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        }
        return async (sql: string, parameters?: unknown[], runner?: QueryRunner) => {
          const result = (await target.query(sql, parameters, runner)) as unknown;
          if (/^\s*(WITH|INSERT|UPDATE|DELETE|TRUNCATE|ALTER|DROP|CREATE)\b/i.test(sql))
            await version.changed();
          return result;
        };
      },
    });
  }

  async gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    key: string | null = null,
  ): Promise<GqlResult<T>> {
    const req = request(this.app.getHttpServer()).post('/graphql').set('content-type', 'application/json');
    if (key !== null) req.set('authorization', `Bearer ${key}`);
    const res = await req.send({ query, variables });
    return res.body as GqlResult<T>;
  }

  /** Like gql, but fails the test on any GraphQL error. */
  async data<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    key: string | null = null,
  ): Promise<T> {
    const r = await this.gql<T>(query, variables, key);
    if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data;
  }

  /** Polls a SyncRun until it is no longer QUEUED or RUNNING. */
  async waitForRun(id: number, timeoutMs = 60_000): Promise<SyncRunView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { syncRun } = await this.data<{ syncRun: SyncRunView }>(SYNC_RUN_QUERY, { id });
      if (!['QUEUED', 'RUNNING'].includes(syncRun.status)) return syncRun;
      if (Date.now() > deadline)
        throw new Error(`sync run ${id} still ${syncRun.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Forgets cached iRacing answers, as when they expire: the next sync reads what the replica now serves. */
  async clearIracingCache(): Promise<void> {
    const redis = this.app.get<Redis>(REDIS);
    const keys = await redis.keys(`${this.config.env.QUEUE_PREFIX}:iracing:cache:*`);
    if (keys.length) await redis.del(...keys);
  }

  /** Empties every table (the schema stays), so each test file starts from a clean database. */
  async resetDatabase(): Promise<void> {
    const tables = (await this.db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations'`,
    )) as { tablename: string }[];
    if (tables.length) {
      await this.db.query(
        `TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
      );
    }
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.replica.stop();
  }
}

export interface SyncRunView {
  id: number;
  kind: string;
  status: string;
  trigger: string;
  dryRun: boolean;
  apiCalls: number;
  counts: { created: number; updated: number; unchanged: number; deleted: number; failed: number };
  countsByEntity: { entity: string; created: number; updated: number; unchanged: number; deleted: number }[];
  errors: { unit: string; message: string; endpoint: string | null }[];
  warnings: { unit: string; message: string; endpoint: string | null }[];
}

export const SYNC_RUN_FIELDS = `id kind status trigger dryRun apiCalls
  counts { created updated unchanged deleted failed }
  countsByEntity { entity created updated unchanged deleted }
  errors { unit message endpoint }
  warnings { unit message endpoint }`;

const SYNC_RUN_QUERY = `query($id: Int!) { syncRun(id: $id) { ${SYNC_RUN_FIELDS} } }`;

export async function startHarness(
  replicaOptions: ReplicaOptions,
  env: Record<string, string> = {},
): Promise<Harness> {
  const replica = new OfflineReplica({
    credentials: DEFAULT_TEST_CREDENTIALS,
    rateLimit: null,
    ...replicaOptions,
  });
  const url = await replica.start();
  const settings: Record<string, string | undefined> = {
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'simlane-test'}-${Math.random().toString(36).slice(2, 8)}`,
    ROLE: 'all',
    SCHEDULER_ENABLED: 'false',
    MIGRATIONS_RUN: 'true',
    GRAPHQL_SANDBOX: 'true',
    ...replicaSettings(url),
    IRACING_RETRY_BASE_MS: '20',
    ADMIN_API_KEYS: sha256Hex(ADMIN_KEY),
    // The production logger (pino, with its redaction): warnings and errors on stdout, and every line from
    // debug up in the run's log file when the global setup made one (LOG_FILE, scanned for secrets at the end).
    LOG_LEVEL: 'warn',
    LOG_FILE: process.env.LOG_FILE,
    LOG_FILE_LEVEL: process.env.LOG_FILE_LEVEL,
    ...env,
  };
  const config = loadConfig(settings);
  const pino = createPino(config);
  const { http } = await createApp(config, new PinoLogger(pino));
  if (!http) throw new Error('the harness needs the api role');
  http.use(httpLogger(pino));
  await http.init();
  const harness = new Harness(replica, http, config, settings);
  await harness.resetDatabase();
  return harness;
}
