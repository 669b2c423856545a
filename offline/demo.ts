// `npm run demo`: the whole backend on one machine with nothing to configure. An embedded PostgreSQL (kept in
// .data/), Redis (a redis-server started when none answers), the offline replica serving the synthetic iRacing
// world, a full sync of everything through the queues with progress shown, then the server with Apollo Sandbox
// and example queries. A second start reuses the data (`npm run demo -- --fresh` syncs again).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap.js';
import { ConfigError, loadConfig } from '../src/core/config/app-config.js';
import type { AppConfig } from '../src/core/config/app-config.js';
import { startLocalDefaults } from './local-defaults.js';
import type { LocalServices } from './local-defaults.js';
import { SyncKind, SyncStatus, SyncTrigger } from '../src/scheduler/sync-run.entity.js';
import type { SyncRun } from '../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../src/scheduler/sync-run.service.js';

export interface DemoOptions {
  /** Sync again even when the database already holds data. */
  fresh?: boolean;
  /** Settings on top of the environment (the tests point it at their own database). */
  env?: Record<string, string | undefined>;
  /** Where progress and the welcome text go. */
  print?: (line: string) => void;
}

export interface Demo {
  url: string;
  config: AppConfig;
  http: NestExpressApplication;
  synced: boolean;
  close(): Promise<void>;
}

/** The syncs of a full demo, in order; each one's follow-ups (forecasts, subsessions) are waited for too. */
const PLAN: { kind: SyncKind; label: string; params?: Record<string, unknown> }[] = [
  { kind: SyncKind.CATALOG, label: 'catalog (cars, classes, tracks)' },
  { kind: SyncKind.SEASONS, label: 'series, seasons, race weeks, sessions' },
  { kind: SyncKind.RACE_GUIDE, label: 'race guide' },
  { kind: SyncKind.OWNED_CONTENT, label: "the account's owned cars and tracks" },
  { kind: SyncKind.RESULTS, label: 'results of the last hour' },
];

const EXAMPLES = `Example queries (paste into the Sandbox):

  { seasons(filter: { active: true }, first: 5) { edges { node { name series { name }
      raceWeeks { weekNumber startTime layout { trackName configName }
        forecastSummary { minAirTempC maxAirTempC rainPossible }
        carRestrictions { car { name } powerAdjustPct weightPenaltyKg } } } } } }

  { sessions(filter: { rainPossible: false }, first: 10) { totalCount edges { node { startTime entryCount
      raceWeek { series { name } layout { trackName } } } } } }

  { results(first: 5) { edges { node { id startTime strengthOfField series { name }
      sessions { name results { finishPosition member { displayName } car { name } bestLapTime } } } } } }

  { schedules { name cron nextRunAt lastRun { status finishedAt } } }`;

function bar(run: SyncRun, label: string): string {
  const p = run.progress;
  const width = 24;
  const ended = run.status === SyncStatus.SUCCEEDED || run.status === SyncStatus.PARTIAL;
  const filled = p && p.total > 0 ? Math.round((p.done / p.total) * width) : ended ? width : 0;
  const detail = p ? ` ${p.done}/${p.total}` : '';
  return `  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${run.status.padEnd(9)} ${label}${detail}`;
}

async function waitFor(
  runs: SyncRunService,
  id: number,
  label: string,
  print: (l: string) => void,
): Promise<SyncRun> {
  let last = '';
  for (;;) {
    const run = await runs.get(id);
    const line = bar(run, label);
    if (line !== last && (run.progress || !['QUEUED', 'RUNNING'].includes(run.status))) print(line);
    last = line;
    if (!['QUEUED', 'RUNNING'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Starts the demo; resolves once the data is synced and the server is listening. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const print = options.print ?? ((l: string) => console.log(l));
  const config = loadConfig({
    // Demo defaults: the offline replica, results of the last hour only, every role in this process.
    RESULTS_LOOKBACK_HOURS: '1',
    ...process.env,
    ...options.env,
    ROLE: 'all',
  });
  const locals: LocalServices[] = [];
  let app: INestApplicationContext | undefined;
  try {
    locals.push(await startLocalDefaults(config));
    const started = await createApp(config, ['error', 'warn']);
    app = started.app;
    const http = started.http as NestExpressApplication;
    await http.listen(config.env.PORT, '0.0.0.0');
    const address = http.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.env.PORT;
    const url = `http://localhost:${port}`;

    const db = http.get(DataSource);
    const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM season')) as { n: number }[];
    const synced = options.fresh || n === 0;
    if (!synced) {
      print(`The database already holds ${n} seasons: reusing them (npm run demo -- --fresh syncs again).`);
    } else {
      print('Syncing everything from the offline replica of iRacing, through the queues:');
      const runs = http.get(SyncRunService);
      for (const step of PLAN) {
        const queued = await runs.enqueue(step.kind, step.params ?? {}, SyncTrigger.CLI);
        const run = await waitFor(runs, queued.id, step.label, print);
        for (const e of run.errors.slice(0, 3)) print(`      ${e.unit}: ${e.message}`);
        // Follow-ups: the forecasts after the seasons, the subsessions the results search found.
        const followUps = (await db.query(
          `SELECT id, kind FROM sync_run WHERE trigger = 'SYNC' AND id > $1 AND status IN ('QUEUED', 'RUNNING')`,
          [run.id],
        )) as { id: number; kind: SyncKind }[];
        for (const f of followUps) {
          const label =
            f.kind === SyncKind.FORECASTS ? 'weather forecasts' : 'subsessions found by the search';
          await waitFor(runs, f.id, label, print);
        }
      }
    }
    const [counts] = (await db.query(`SELECT (SELECT count(*) FROM season)::int AS seasons,
        (SELECT count(*) FROM race_week)::int AS weeks, (SELECT count(*) FROM event_instance)::int AS sessions,
        (SELECT count(*) FROM weather_forecast)::int AS forecast_hours,
        (SELECT count(*) FROM event_result)::int AS subsessions`)) as Record<string, number>[];
    print(
      `\nReady: ${counts.seasons} seasons, ${counts.weeks} race weeks, ${counts.sessions} sessions, ` +
        `${counts.forecast_hours} forecast hours, ${counts.subsessions} subsessions.`,
    );
    print(`GraphQL and Apollo Sandbox: ${url}/graphql    health: ${url}/health    metrics: ${url}/metrics`);
    print(`Race calendar: ${url}/calendar.ics    queues (admin key): ${url}/admin/queues`);
    print(
      `The admin key for mutations is in ${config.env.DATA_DIR}/admin-key (Authorization: Bearer <key>).\n`,
    );
    print(EXAMPLES);
    const running = app;
    return {
      url,
      config,
      http,
      synced,
      async close() {
        await running.close();
        for (const l of locals.reverse()) await l.stop();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    for (const l of locals.reverse()) await l.stop().catch(() => undefined);
    throw err;
  }
}

export async function demoMain(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { fresh: { type: 'boolean', default: false } } });
  let demo: Demo;
  try {
    demo = await startDemo({ fresh: values.fresh });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(err instanceof ConfigError ? 2 : 1);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: stopping the demo`);
      void demo.close().then(() => process.exit(0));
    });
  }
}
