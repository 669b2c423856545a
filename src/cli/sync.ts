// `npm run sync -- <kind> [options]`: queues any sync on the deployment's queue (the same SyncRun, dedupe and
// Bull job as the GraphQL mutations, trigger CLI). With `--wait` it shows a progress bar until the run ends, prints
// the counts and errors, and exits non-zero unless the run SUCCEEDED; when no worker is listening it runs one
// itself. Settings are the server's (environment, or the local defaults of a checkout).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { createApp } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../core/config/app-config.js';
import { startLocalDefaults } from '../core/local/local-defaults.js';
import { ServiceUnavailableError } from '../core/errors/domain-error.js';
import type { LocalServices } from '../core/local/local-defaults.js';
import { SyncKind, SyncStatus, SyncTrigger } from '../scheduler/sync-run.entity.js';
import type { SyncRun } from '../scheduler/sync-run.entity.js';
import { SyncRunService } from '../scheduler/sync-run.service.js';
import { SYNC_QUEUE } from '../scheduler/sync.queue.js';

export const EXIT = { ok: 0, failed: 1, config: 2, partial: 3, usage: 64, unavailable: 69 } as const;

const KINDS: Record<string, SyncKind> = {
  catalog: SyncKind.CATALOG,
  seasons: SyncKind.SEASONS,
  'race-guide': SyncKind.RACE_GUIDE,
  forecasts: SyncKind.FORECASTS,
  results: SyncKind.RESULTS,
  subsession: SyncKind.SUBSESSIONS,
  member: SyncKind.MEMBER,
  'owned-content': SyncKind.OWNED_CONTENT,
};

export const USAGE = `usage: npm run sync -- <kind> [options] [--wait]

kinds and their options:
  catalog         [--refresh] [--dry-run]
  seasons         [--include-past] [--season-year Y --season-quarter Q] [--series-ids 1,2] [--limit N] [--refresh] [--dry-run]
  race-guide      [--refresh] [--dry-run]
  forecasts       [--race-week-ids 1,2] [--season-ids 1,2] [--force] [--dry-run]
  results         [--season-id N [--race-week-num W]]   (without a season: the search from the checkpoint)
  subsession      --subsession-id N [--laps]
  member          --cust-id N
  owned-content

  --wait          show progress until the run ends; exit 0 SUCCEEDED, 3 PARTIAL, 1 FAILED
  (exit 69 when the job queue is unavailable: the run is recorded and queued once it is back)`;

export class UsageError extends Error {}

const positiveInt = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected a whole number, got "${v}"`);
  return n;
};
const intList = (name: string, v: string | undefined): number[] | undefined =>
  v === undefined
    ? undefined
    : v.split(',').map((x) => {
        const n = positiveInt(name, x.trim());
        if (n === undefined || n < 1) throw new UsageError(`--${name}: expected ids like 1,2,3, got "${v}"`);
        return n;
      });

/** The sync a command line asks for: its kind and parameters (as the mutations queue them). */
export function parseSyncArgs(argv: string[]): {
  kind: SyncKind;
  params: Record<string, unknown>;
  wait: boolean;
} {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      wait: { type: 'boolean', default: false },
      refresh: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'include-past': { type: 'boolean' },
      'season-year': { type: 'string' },
      'season-quarter': { type: 'string' },
      'series-ids': { type: 'string' },
      limit: { type: 'string' },
      'race-week-ids': { type: 'string' },
      'season-ids': { type: 'string' },
      force: { type: 'boolean' },
      'season-id': { type: 'string' },
      'race-week-num': { type: 'string' },
      'subsession-id': { type: 'string' },
      laps: { type: 'boolean' },
      'cust-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1) throw new UsageError('name exactly one kind of sync');
  const kind = KINDS[positionals[0]];
  if (!kind) throw new UsageError(`unknown kind "${positionals[0]}"`);
  const common = { refresh: values.refresh, dryRun: values['dry-run'] };
  const sorted = (ids?: number[]) => (ids ? [...new Set(ids)].sort((a, b) => a - b) : undefined);
  let params: Record<string, unknown>;
  switch (kind) {
    case SyncKind.SEASONS: {
      const seasonYear = positiveInt('season-year', values['season-year']);
      const seasonQuarter = positiveInt('season-quarter', values['season-quarter']);
      if ((seasonYear === undefined) !== (seasonQuarter === undefined))
        throw new UsageError('--season-year and --season-quarter go together');
      if (seasonQuarter !== undefined && (seasonQuarter < 1 || seasonQuarter > 4))
        throw new UsageError(`--season-quarter: expected 1 to 4, got ${seasonQuarter}`);
      params = {
        includePast: values['include-past'],
        seasonYear,
        seasonQuarter,
        seriesIds: sorted(intList('series-ids', values['series-ids'])),
        limit: positiveInt('limit', values.limit),
        ...common,
      };
      break;
    }
    case SyncKind.FORECASTS:
      params = {
        raceWeekIds: sorted(intList('race-week-ids', values['race-week-ids'])),
        seasonIds: sorted(intList('season-ids', values['season-ids'])),
        force: values.force,
        dryRun: values['dry-run'],
      };
      break;
    case SyncKind.RESULTS: {
      const seasonId = positiveInt('season-id', values['season-id']);
      const raceWeekNum = positiveInt('race-week-num', values['race-week-num']);
      if (raceWeekNum !== undefined && seasonId === undefined)
        throw new UsageError('--race-week-num needs --season-id');
      params = { seasonId, raceWeekNum };
      break;
    }
    case SyncKind.SUBSESSIONS: {
      const id = positiveInt('subsession-id', values['subsession-id']);
      if (!id) throw new UsageError('subsession needs --subsession-id');
      params = { subsessionIds: [id], includeLaps: values.laps };
      break;
    }
    case SyncKind.MEMBER: {
      const custId = positiveInt('cust-id', values['cust-id']);
      if (!custId) throw new UsageError('member needs --cust-id');
      params = { custId };
      break;
    }
    case SyncKind.OWNED_CONTENT:
      params = {};
      break;
    default:
      params = common;
  }
  return {
    kind,
    params: JSON.parse(JSON.stringify(params)) as Record<string, unknown>,
    wait: values.wait ?? false,
  };
}

function bar(run: SyncRun): string {
  const p = run.progress;
  const width = 30;
  const ended = run.status === SyncStatus.SUCCEEDED || run.status === SyncStatus.PARTIAL;
  const filled = p && p.total > 0 ? Math.round((p.done / p.total) * width) : ended ? width : 0;
  const detail = p ? `${p.percent.toFixed(0).padStart(3)}% ${p.done}/${p.total}` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${run.status.padEnd(9)} ${detail}`;
}

/** Runs the command line; resolves to the process exit code. */
export async function runSyncCli(argv: string[]): Promise<number> {
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
    locals.push(await startLocalDefaults(config));
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

    const queue = app.get<Queue>(getQueueToken(SYNC_QUEUE));
    if ((await queue.getWorkers()).length === 0) {
      console.log('no worker is listening: running one here until the run ends');
      const workerConfig = loadConfig({
        ...process.env,
        ...pick(config.env as unknown as Record<string, unknown>),
        ROLE: 'worker',
      });
      // The worker's own local services: the offline replica when there are no iRacing credentials.
      locals.push(await startLocalDefaults(workerConfig));
      const worker = await createApp(workerConfig, ['error', 'warn']);
      apps.push(worker.app);
    }
    const tty = process.stdout.isTTY;
    let current = run;
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
    for (const q of current.queuedRuns ?? [])
      console.log(`queued ${q.kind} run ${q.runId} (${q.items} items)`);
    for (const e of current.errors)
      console.log(`error ${e.unit}${e.endpoint ? ` [${e.endpoint}]` : ''}: ${e.message}`);
    return current.status === SyncStatus.SUCCEEDED
      ? EXIT.ok
      : current.status === SyncStatus.PARTIAL
        ? EXIT.partial
        : EXIT.failed;
  } finally {
    for (const a of apps.reverse()) await a.close().catch(() => undefined);
    for (const l of locals.reverse()) await l.stop();
  }
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
