// `npm run bench:scale`: the scale acceptance point. A synthetic scale 4 world (BENCH_SCALE) served by the offline
// replica in its own OS process, a worker in its own OS process (`node dist/src/main.js`, ROLE=worker) on a throwaway
// database and a unique queue prefix, and the api in this process, which enqueues the full sync of everything
// (the demo's plan: catalog, seasons + forecasts, race guide, owned content, results + subsessions) and waits for
// each run. The worker's memory is sampled every 100 ms from /proc/<pid>/status (VmRSS), and its VmHWM (the
// kernel's high-water mark, the true peak) is read at the end. Then representative GraphQL queries over the
// synced data, with their latency. Everything is cleaned up on any exit (children, database, Redis keys).
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Redis } from 'ioredis';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/core/config/app-config.js';
import { SYNC_QUEUE } from '../src/scheduler/sync.queue.js';
import { SyncKind, SyncTrigger } from '../src/scheduler/sync-run.entity.js';
import type { SyncRun } from '../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../src/scheduler/sync-run.service.js';
import { createBenchDb, median, replicaEnv } from './bench-db.js';
import type { BenchDb } from './bench-db.js';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCALE = Number(process.env.BENCH_SCALE ?? 4);
const TARGET_MB = 300;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MIN ?? 40) * 60_000;
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 10);
/** The worker's node flags in the deployment (docker-compose.yml): `BENCH_WORKER_NODE_ARGS=` runs without. */
const DEPLOYED_WORKER_NODE_ARGS = '--max-old-space-size=160';
/** BENCH_WORKER_LOG=<file>: the worker's standard output is also written there (e.g. with --trace-gc). */
/** Extra node flags for the worker (experiments: `--max-old-space-size=…`, `--heapsnapshot-signal=SIGUSR2`). */
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? DEPLOYED_WORKER_NODE_ARGS)
  .split(' ')
  .filter(Boolean);
const PREFIX = `simlane-scale-${process.pid}`;

/** The demo's plan (offline/demo.ts): each step's follow-ups (forecasts, subsessions) are waited for too. */
const PLAN: { kind: SyncKind; label: string }[] = [
  { kind: SyncKind.CATALOG, label: 'catalog' },
  { kind: SyncKind.SEASONS, label: 'seasons' },
  { kind: SyncKind.RACE_GUIDE, label: 'race guide' },
  { kind: SyncKind.OWNED_CONTENT, label: 'owned content' },
  { kind: SyncKind.RESULTS, label: 'results (last hour)' },
];
/** For experiments: only these kinds (e.g. `CATALOG,SEASONS`; follow-ups of other kinds are not waited for). */
const ONLY = process.env.BENCH_STEPS?.split(',').map((k) => k.trim().toUpperCase());
const runsStep = (kind: SyncKind) => !ONLY || ONLY.includes(kind);

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

// ---- cleanup on any exit ----------------------------------------------------------------------------------
const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse())
      await c().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}
const deadline = setTimeout(() => {
  console.error(`the benchmark did not finish within ${TIMEOUT_MS / 60_000} minutes: cleaning up`);
  void cleanup().then(() => process.exit(1));
}, TIMEOUT_MS);
deadline.unref();

/** Spawns a node child; killed (SIGTERM, then SIGKILL) at cleanup. Its output is kept for error messages. */
function child(
  args: string[],
  env: NodeJS.ProcessEnv,
  name: string,
): { proc: ChildProcess; log: () => string } {
  let log = '';
  const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const file = name === 'worker' ? process.env.BENCH_WORKER_LOG : undefined;
  if (file) writeFileSync(file, '');
  proc.stdout?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
    if (file) appendFileSync(file, d);
  });
  proc.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
  cleanups.push(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  });
  proc.once('exit', (code, signal) => {
    if (!cleaning) console.error(`the ${name} process exited (${code ?? signal}):\n${log.slice(-4000)}`);
  });
  return { proc, log: () => log };
}

// ---- memory of the worker ---------------------------------------------------------------------------------
function procStatus(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(Vm\w+|Rss\w+):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

class MemorySampler {
  peakKb = 0;
  stepPeakKb = 0;
  lastKb = 0;
  private timer?: NodeJS.Timeout;
  constructor(private readonly pid: number) {}
  start(): void {
    this.timer = setInterval(() => {
      try {
        this.lastKb = procStatus(this.pid).VmRSS ?? 0;
        this.peakKb = Math.max(this.peakKb, this.lastKb);
        this.stepPeakKb = Math.max(this.stepPeakKb, this.lastKb);
      } catch {
        // the process is gone
      }
    }, 100);
  }
  /** The highest sample since the last call. */
  takeStepPeak(): number {
    const p = this.stepPeakKb;
    this.stepPeakKb = this.lastKb;
    return p;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

// ---- the syncs ----------------------------------------------------------------------------------------------
const ACTIVE = ['QUEUED', 'RUNNING'];
async function waitRun(runs: SyncRunService, id: number): Promise<SyncRun> {
  for (;;) {
    const run = await runs.get(id);
    if (!ACTIVE.includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function line(label: string, run: SyncRun, ms: number, peakKb: number): string {
  const c = run.counts;
  const rows = c.created + c.updated + c.unchanged + c.deleted;
  return (
    `| ${label} | ${run.status} | ${(ms / 1000).toFixed(1)} s | ${rows} (${c.created} created, ` +
    `${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.failed} failed) | ` +
    `${run.apiCalls} | ${mb(peakKb)} |`
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    `scale benchmark: synthetic scale ${SCALE}, seed 1; replica, worker and api in three processes` +
      (WORKER_NODE_ARGS.length ? `; worker node flags ${WORKER_NODE_ARGS.join(' ')}` : ''),
  );

  // The replica, standalone (its memory is its own).
  const replica = child(
    [
      'dist/offline/cli.js',
      '--port',
      '0',
      '--dataset',
      'synthetic',
      '--scale',
      String(SCALE),
      '--seed',
      '1',
      '--rate-limit',
      'off',
    ],
    { ...process.env },
    'replica',
  );
  let replicaUrl: string | undefined;
  for (let i = 0; i < 600 && !replicaUrl; i++) {
    replicaUrl = /offline iRacing replica on (\S+)/.exec(replica.log())?.[1];
    if (!replicaUrl) await new Promise((r) => setTimeout(r, 100));
  }
  if (!replicaUrl) throw new Error(`the replica did not start:\n${replica.log()}`);

  const db: BenchDb = await createBenchDb(ADMIN_URL, 'scale');
  cleanups.push(() => db.drop());
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();
  cleanups.push(async () => {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
    console.log(`cleaned up: ${removed} Redis keys under ${PREFIX}:, database dropped, children stopped`);
  });

  const settings: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    SCHEDULER_ENABLED: 'false',
    MIGRATIONS_RUN: 'false',
    ...replicaEnv(replicaUrl),
    RESULTS_LOOKBACK_HOURS: '1',
    IRACING_RETRY_BASE_MS: '200',
  };

  // The api, in this process: it enqueues and serves GraphQL, never runs a job.
  const config = loadConfig({ ...settings, ROLE: 'api' });
  const { app, http } = await createApp(config, ['error']);
  const ctx: INestApplicationContext = app;
  cleanups.push(() => ctx.close());
  if (!http) throw new Error('no http app');
  await http.listen(0, '127.0.0.1');
  const endpoint = `${await http.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');

  // The worker, in its own process.
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings, ROLE: 'worker', LOG_LEVEL: 'warn' };
  delete env.NODE_OPTIONS;
  const worker = child([...WORKER_NODE_ARGS, 'dist/src/main.js'], env, 'worker');
  const pid = worker.proc.pid;
  if (!pid) throw new Error('the worker did not start');
  const queue = http.get<Queue>(getQueueToken(SYNC_QUEUE));
  for (let i = 0; i < 300 && (await queue.getWorkers()).length === 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  if ((await queue.getWorkers()).length === 0) throw new Error(`the worker did not start:\n${worker.log()}`);
  const idle = procStatus(pid).VmRSS;
  const sampler = new MemorySampler(pid);
  sampler.start();
  console.log(`replica ${replicaUrl}; worker pid ${pid}, ${mb(idle)} RSS when ready\n`);

  // The full sync of everything.
  const runs = http.get(SyncRunService);
  const table = [
    '| step | status | duration | rows (created, updated, unchanged, deleted, failed) | API calls | worker peak RSS |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const print = (l: string) => {
    table.push(l);
    console.log(l);
  };
  console.log(table.join('\n'));
  const syncStart = Date.now();
  let failed = false;
  for (const step of PLAN.filter((p) => runsStep(p.kind))) {
    sampler.takeStepPeak();
    const t = Date.now();
    const queued = await runs.enqueue(step.kind, {}, SyncTrigger.CLI);
    const run = await waitRun(runs, queued.id);
    print(line(step.label, run, Date.now() - t, sampler.takeStepPeak()));
    if (run.status === 'FAILED') failed = true;
    for (const e of run.errors.slice(0, 3)) console.log(`      ${e.unit}: ${e.message}`);
    // Follow-ups: the forecasts queued after the seasons (just after the run finishes), the subsessions.
    const seen = new Set<number>();
    for (let waited = 0; ; waited += 250) {
      const followUps = (await db.db.query(
        `SELECT id, kind FROM sync_run WHERE trigger = 'SYNC' AND id > $1 ORDER BY id`,
        [run.id],
      )) as { id: number; kind: SyncKind }[];
      const next = followUps.find((f) => !seen.has(f.id) && runsStep(f.kind));
      if (next) {
        seen.add(next.id);
        const ft = Date.now();
        const f = await waitRun(runs, next.id);
        print(line(`  ↳ ${next.kind.toLowerCase()}`, f, Date.now() - ft, sampler.takeStepPeak()));
        if (f.status === 'FAILED') failed = true;
        for (const e of f.errors.slice(0, 3)) console.log(`      ${e.unit}: ${e.message}`);
        continue;
      }
      const expectsOne =
        step.kind === SyncKind.SEASONS &&
        runsStep(SyncKind.FORECASTS) &&
        run.status !== 'FAILED' &&
        !seen.size;
      if (!expectsOne || waited > 15_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const syncMs = Date.now() - syncStart;
  sampler.stop();
  const status = procStatus(pid);
  const hwm = status.VmHWM;
  const [counts] = (await db.db.query(`SELECT (SELECT count(*) FROM series)::int AS series,
      (SELECT count(*) FROM season)::int AS seasons, (SELECT count(*) FROM race_week)::int AS race_weeks,
      (SELECT count(*) FROM car_restriction)::int AS restrictions,
      (SELECT count(*) FROM event_instance)::int AS sessions,
      (SELECT count(*) FROM weather_forecast)::int AS forecast_hours,
      (SELECT count(*) FROM event_result)::int AS subsessions,
      (SELECT count(*) FROM participant_result)::int AS driver_results,
      (SELECT count(*) FROM sim_profile)::int AS members`)) as Record<string, number>[];
  const summary = [
    '',
    `full sync: ${(syncMs / 1000).toFixed(0)} s; stored ${Object.entries(counts)
      .map(([k, v]) => `${v} ${k.replace('_', ' ')}`)
      .join(', ')}`,
    `worker RSS: ${mb(idle)} when ready, highest 100 ms sample ${mb(sampler.peakKb)}, VmHWM ${mb(hwm)}`,
  ];
  console.log(summary.join('\n'));

  // Queries over the synced data.
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown };
    if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const pick = async (sql: string) => ((await db.db.query(sql)) as { id: number }[])[0]?.id;
  const subsessionId = await pick(
    `SELECT subsession_id AS id FROM event_result ORDER BY num_drivers DESC NULLS LAST, subsession_id LIMIT 1`,
  );
  const custId = await pick(
    `SELECT cust_id AS id FROM participant_result GROUP BY cust_id ORDER BY count(*) DESC, cust_id LIMIT 1`,
  );
  const seriesIds = (
    (await db.db.query(`SELECT series_id FROM series ORDER BY series_id LIMIT 20`)) as {
      series_id: number;
    }[]
  ).map((r) => r.series_id);
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = new Date(Date.now() + 7 * 86400_000).toISOString();
  const queries: {
    label: string;
    query: string;
    variables?: Record<string, unknown>;
    size: (d: Raw) => string;
  }[] = [
    {
      label: 'sessions calendar page (7 days, 20 series, rain false)',
      query: `query($f: SessionFilter) { sessions(first: 100, filter: $f) { totalCount edges { node { startTime
        entryCount raceWeek { raceWeekNum series { name } layout { trackName configName }
        forecastSummary { minAirTempC maxAirTempC rainPossible } } } } } }`,
      variables: { f: { from, to, seriesIds, rainPossible: false } },
      size: (d) => `${d.sessions.edges.length} of ${d.sessions.totalCount}`,
    },
    {
      label: 'sessions calendar page (next sessions, no filter)',
      query: `{ sessions(first: 100) { totalCount edges { node { startTime raceWeek { series { name } } } } } }`,
      size: (d) => `${d.sessions.edges.length} of ${d.sessions.totalCount}`,
    },
    {
      label: 'full season graph, 100 active seasons',
      query: `{ seasons(first: 100, filter: { active: true }) { edges { node {
        id name series { name category } carClasses { id name }
        raceWeeks { id raceWeekNum startTime endTime layout { trackName configName }
          forecastSummary { minAirTempC maxAirTempC maxPrecipChancePct rainPossible }
          carRestrictions { car { name } powerAdjustPct weightPenaltyKg maxDryTireSets maxPctFuelFill }
          event { classes { position carClass { name } cars { name } } } } } } } }`,
      size: (d) =>
        `${d.seasons.edges.length} seasons, ${d.seasons.edges.reduce((n: number, e: Raw) => n + e.node.raceWeeks.length, 0)} weeks`,
    },
    {
      label: `subsession ${subsessionId} with every session's results`,
      query: `query($id: Int!) { subsession(id: $id) { id startTime strengthOfField series { name }
        layout { trackName } sessions { simsessionNumber type name results { finishPosition custId displayName
        member { displayName } car { name } carClass { name } bestLapTime incidents iratingAfter } } } }`,
      variables: { id: subsessionId },
      size: (d) =>
        `${d.subsession.sessions.reduce((n: number, s: Raw) => n + s.results.length, 0)} driver results`,
    },
    {
      label: `member ${custId} with recent results`,
      query: `query($id: Int!) { member(custId: $id) { custId displayName licenses { category }
        ownedCars { name } ownedTracks { name } recentResults(first: 20) { finishPosition car { name } } } }`,
      variables: { id: custId },
      size: (d) => `${d.member.recentResults.length} recent results`,
    },
  ];
  const qTable = ['| query | result | median | p95 |', '| --- | --- | --- | --- |'];
  console.log(`\nqueries (${QUERY_RUNS} runs each, after one warm-up):`);
  for (const q of queries) {
    if (q.variables && Object.values(q.variables).some((v) => v === undefined)) {
      qTable.push(`| ${q.label} | (nothing to query) | | |`);
      continue;
    }
    const first = await gql(q.query, q.variables);
    const ms: number[] = [];
    for (let i = 0; i < QUERY_RUNS; i++) {
      const t = process.hrtime.bigint();
      await gql(q.query, q.variables);
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const p95 = [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(ms.length * 0.95))];
    qTable.push(`| ${q.label} | ${q.size(first)} | ${median(ms).toFixed(1)} ms | ${p95.toFixed(1)} ms |`);
  }
  console.log(qTable.join('\n'));

  const peakMb = hwm / 1024;
  const verdict = `worker peak RSS ${peakMb.toFixed(0)} MB (target < ${TARGET_MB} MB): ${peakMb < TARGET_MB ? 'OK' : 'OVER'}`;
  console.log(`\n${verdict}`);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (process.env.BENCH_MARKDOWN) {
    writeFileSync(
      process.env.BENCH_MARKDOWN,
      [
        `Synthetic scale ${SCALE}, seed 1; worker node flags: ${WORKER_NODE_ARGS.join(' ') || '(none)'}`,
        '',
        ...table,
        ...summary,
        '',
        ...qTable,
        '',
        verdict,
        '',
      ].join('\n'),
    );
  }
  if (failed) throw new Error('a sync run FAILED');
}

main().then(
  () => cleanup().then(() => process.exit(0)),
  (err: unknown) => {
    if (!cleaning) console.error(err);
    void cleanup().then(() => process.exit(1));
  },
);
