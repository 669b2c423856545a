// Shared plumbing of the benches that run the application in its own process (bench:load, bench:hostile): their
// settings from the environment, the synthetic world synced into a throwaway database, load-app.js (or another
// server script) forked and stopped, its memory read from /proc and through its messages, and the run itself
// (main, then the clean-up, also on SIGINT / SIGTERM).
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IracingClient } from '../src/iracing/iracing.client.js';
import { syntheticDataset } from '../offline/synthetic-dataset.js';
import { loadConfig } from '../src/core/config/app-config.js';
import { benchReplica, createBenchDb, timed } from './bench-db.js';
import type { BenchDb } from './bench-db.js';
import { benchImporters } from './importers.js';

// --- Settings --------------------------------------------------------------------------------------------------

/** The PostgreSQL server (its admin database) on which the benches create and drop their databases. */
export const ADMIN_URL =
  process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The Redis server the application's queue connects to. */
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The size of the synthetic world (1: the default dataset). */
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
/** The anchor of the synthetic world, and the clock of its replica. */
export const NOW = new Date('2026-11-19T15:00:00Z');

/** The absolute path of `file`, relative to this folder (of the compiled scripts). */
export const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

// --- The world -------------------------------------------------------------------------------------------------

const databases = new Set<BenchDb>();

/**
 * The synthetic world at SCALE in a throwaway database (`label` and SCALE in its name, dropped by runBench's
 * clean-up): the catalog and the seasons synced from an offline replica through the importers, then `more` run with
 * the replica's client and the sync's time in ms before the replica stops. Throws when a seasons unit failed.
 */
export async function syncWorld<T>(
  label: string,
  more: (client: IracingClient, db: BenchDb, syncMs: number) => Promise<T>,
): Promise<{ db: BenchDb; value: T }> {
  const { replica, client } = await benchReplica({
    dataset: syntheticDataset({ scale: SCALE, seed: 1, now: NOW }),
    now: () => NOW,
  });
  try {
    const db = await createBenchDb(ADMIN_URL, `${label}${String(SCALE).replace(/\W/g, '_')}`);
    databases.add(db);
    const { catalog, seasons } = benchImporters(client, db.db, loadConfig({}));
    const sync = await timed(async () => {
      await catalog.sync();
      return seasons.sync();
    });
    if (sync.value.totals().failed)
      throw new Error(`seasons sync failed units: ${JSON.stringify(sync.value.failures.slice(0, 3))}`);
    return { db, value: await more(client, db, sync.ms) };
  } finally {
    await replica.stop();
  }
}

// --- The application process -----------------------------------------------------------------------------------

/** The Redis key prefix of bench `bench` in this process (its queue, cache and budget). */
export const queuePrefix = (bench: string) => `simlane-bench-${bench}-${process.pid}`;

/** The environment of load-app.js as the API role for bench `bench` (without DATABASE_URL). */
export function apiEnv(bench: string): NodeJS.ProcessEnv {
  // The API role never calls iRacing: point it nowhere, so a call would fail loudly.
  return {
    PATH: process.env.PATH,
    // As deployed (Dockerfile): also what graphql-js and Express need to skip their development checks.
    NODE_ENV: 'production',
    REDIS_URL,
    ROLE: 'api',
    SCHEDULER_ENABLED: 'false',
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: queuePrefix(bench),
    IRACING_OFFLINE: 'false',
    IRACING_API_URL: 'http://127.0.0.1:9',
    IRACING_OAUTH_URL: 'http://127.0.0.1:9',
    IRACING_ACCESS_TOKEN: `bench-${bench}-unused`,
    // Hash of an unused key: no local admin key file is written.
    ADMIN_API_KEYS: '0'.repeat(64),
  };
}

const children = new Set<ChildProcess>();

/** Forks `script` (relative to this folder) with --expose-gc and waits for its `{ port }` message. */
export function startChild(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(here(script), [], {
    env,
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening`));
    });
    child.on('message', (msg: { port?: number }) => {
      if (msg.port) {
        clearTimeout(timer);
        resolve({ child, port: msg.port });
      }
    });
  });
}

/** Stops `child` with SIGTERM (SIGKILL after 10 s) and waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// --- Memory ----------------------------------------------------------------------------------------------------

/** A field of /proc/`pid`/status in bytes: VmRSS, the resident set (native memory included), or VmHWM, its peak. */
export function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Resident set size of `pid` from /proc (this counts everything the process holds, native memory included). */
export const rssOf = (pid: number) => procStatus(pid, 'VmRSS');

/**
 * Asks a load-app.js child for its memory after two full collections (its answer to `memory`); `collected` is false
 * when it runs without --expose-gc.
 */
export function memoryAfterGc(
  child: ChildProcess,
  timeoutS: number,
): Promise<{ memory: NodeJS.MemoryUsage; collected: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no memory answer from the application in ${timeoutS} s`)),
      timeoutS * 1000,
    );
    const onMessage = (msg: { memory?: NodeJS.MemoryUsage; collected?: boolean }) => {
      if (!msg.memory) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ memory: msg.memory, collected: Boolean(msg.collected) });
    };
    child.on('message', onMessage);
    child.send('memory');
  });
}

// --- The run ---------------------------------------------------------------------------------------------------

/**
 * Runs a bench: `main`, then the clean-up (every child stopped, every database of syncWorld dropped, then `after`),
 * also on SIGINT / SIGTERM (exit 130); exits with main's code, 1 when it threw.
 */
export function runBench(main: () => Promise<number>, after?: () => Promise<unknown>): void {
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.all([...children].map(stopChild));
      for (const db of databases)
        await db.drop().catch((err: unknown) => console.error(`dropping the bench database: ${String(err)}`));
      await after?.();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  void main()
    .catch((err: unknown) => {
      console.error(err);
      return 1;
    })
    .then(async (code) => {
      await cleanup();
      process.exit(code);
    });
}
