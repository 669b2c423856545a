// `npm run sync -- <kind> [options]`: queues any sync on the deployment's queue (the same SyncRun, dedupe and
// Bull job as the GraphQL mutations, trigger CLI). With `--wait` it shows a progress bar until the run ends, prints
// the counts and errors, and exits non-zero unless the run SUCCEEDED; when no worker is listening it runs one
// itself. Settings are the server's (environment, or the local defaults a checkout's entry passes as startLocal).
import 'reflect-metadata';
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { createApp } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../core/config/app-config.js';
import type { AppConfig } from '../core/config/app-config.js';
import { ServiceUnavailableError } from '../core/errors/domain-error.js';
import { requireConfiguredServices } from './entry-point.js';
import type { LocalServices, StartLocal } from './entry-point.js';
import { parseSyncCommand, syncUsage, UsageError } from '../scheduler/sync-cli.js';
import type { SyncKind } from '../scheduler/sync-definition.js';
import { SyncStatus, SyncTrigger } from '../scheduler/sync-run.entity.js';
import type { SyncRun } from '../scheduler/sync-run.entity.js';
import { SyncRunService } from '../scheduler/sync-run.service.js';
import { SYNC_QUEUE } from '../scheduler/sync.queue.js';

export const EXIT = { ok: 0, failed: 1, config: 2, partial: 3, usage: 64, unavailable: 69 } as const;

/** The kinds of sync and their flags, from the features' sync definitions. */
export const USAGE = syncUsage();

export { UsageError };

/** The sync a command line asks for: its kind and its checked parameters (as the mutations queue them). */
export function parseSyncArgs(argv: string[]): {
  kind: SyncKind;
  params: Record<string, unknown>;
  wait: boolean;
} {
  return parseSyncCommand(argv);
}

function bar(run: SyncRun): string {
  const p = run.progress;
  const width = 30;
  const ended = run.status === SyncStatus.SUCCEEDED || run.status === SyncStatus.PARTIAL;
  const filled = p && p.total > 0 ? Math.round((p.done / p.total) * width) : ended ? width : 0;
  const detail = p ? `${p.percent.toFixed(0).padStart(3)}% ${p.done}/${p.total}` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${run.status.padEnd(9)} ${detail}`;
}

export interface SyncCliOptions {
  /** Starts what the configuration leaves out (a checkout's local defaults); none in production. */
  startLocal?: StartLocal;
}

/** Runs the command line; resolves to the process exit code. */
export async function runSyncCli(argv: string[], options: SyncCliOptions = {}): Promise<number> {
  let request: ReturnType<typeof parseSyncArgs>;
  try {
    request = parseSyncArgs(argv);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      if ((err as Error).message) console.error(`npm run sync: ${(err as Error).message}\n`);
      console.error(USAGE);
      return EXIT.usage;
    }
    throw err;
  }
  let config;
  try {
    config = loadConfig({ ...process.env, ROLE: 'cli', SCHEDULER_ENABLED: 'false' });
    if (!options.startLocal) requireConfiguredServices(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return EXIT.config;
    }
    throw err;
  }
  const locals: LocalServices[] = [];
  const apps: INestApplicationContext[] = [];
  try {
    if (options.startLocal) locals.push(await options.startLocal(config));
    const { app } = await createApp(config, ['error', 'warn']);
    apps.push(app);
    const runs = app.get(SyncRunService);
    let run;
    try {
      run = await runs.enqueue(request.kind, request.params, SyncTrigger.CLI);
    } catch (err) {
      // The run is recorded; the reaper queues it once Redis answers again.
      if (err instanceof ServiceUnavailableError) {
        console.error(`npm run sync: ${err.message}`);
        return EXIT.unavailable;
      }
      throw err;
    }
    console.log(`sync run ${run.id} (${run.kind}) ${run.status}: ${JSON.stringify(run.params)}`);
    if (!request.wait) return EXIT.ok;

    await ensureWorker(app, config, options, locals, apps);
    return await followRun(runs, run);
  } finally {
    for (const a of apps.reverse()) await a.close().catch(() => undefined);
    for (const l of locals.reverse()) await l.stop();
  }
}

/** Runs a worker in this process until the command ends when no worker listens on the queue. */
async function ensureWorker(
  app: INestApplicationContext,
  config: AppConfig,
  options: SyncCliOptions,
  locals: LocalServices[],
  apps: INestApplicationContext[],
): Promise<void> {
  const queue = app.get<Queue>(getQueueToken(SYNC_QUEUE));
  if ((await queue.getWorkers()).length > 0) return;
  console.log('no worker is listening: running one here until the run ends');
  const workerConfig = loadConfig({
    ...process.env,
    ...pick(config.env as unknown as Record<string, unknown>),
    ROLE: 'worker',
  });
  // The worker's own local services: the offline replica when there are no iRacing credentials.
  if (options.startLocal) locals.push(await options.startLocal(workerConfig));
  else requireConfiguredServices(workerConfig);
  const worker = await createApp(workerConfig, ['error', 'warn']);
  apps.push(worker.app);
}

/** Shows the run's progress until it ends, then its counts and errors; resolves to the exit code. */
async function followRun(runs: SyncRunService, run: SyncRun): Promise<number> {
  const tty = process.stdout.isTTY;
  let current: SyncRun;
  for (;;) {
    current = await runs.get(run.id);
    if (tty) process.stdout.write(`\r${bar(current)}`);
    if (![SyncStatus.QUEUED, SyncStatus.RUNNING].includes(current.status)) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  console.log(`${tty ? '\n' : ''}${bar(current)}`);
  console.log(`counts: ${JSON.stringify(current.counts)}; iRacing calls ${current.apiCalls}`);
  for (const [entity, c] of Object.entries(current.countsByEntity ?? {}))
    console.log(`  ${entity.padEnd(28)} ${JSON.stringify(c)}`);
  for (const q of current.queuedRuns ?? []) console.log(`queued ${q.kind} run ${q.runId} (${q.items} items)`);
  for (const e of current.errors)
    console.log(`error ${e.unit}${e.endpoint ? ` [${e.endpoint}]` : ''}: ${e.message}`);
  if (current.status === SyncStatus.SUCCEEDED) return EXIT.ok;
  return current.status === SyncStatus.PARTIAL ? EXIT.partial : EXIT.failed;
}

/** The resolved connection settings (local defaults included) as environment strings for a second instance. */
function pick(env: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [
    'DATABASE_URL',
    'REDIS_URL',
    'IRACING_API_URL',
    'IRACING_OAUTH_URL',
    'IRACING_CLIENT_ID',
    'IRACING_CLIENT_SECRET',
    'IRACING_USERNAME',
    'IRACING_PASSWORD',
    'ADMIN_API_KEYS',
  ]) {
    const v = env[key];
    if (typeof v === 'string' && v) out[key] = v;
  }
  return out;
}
