// The fault scenario of BENCHMARKS.md (Faults), shared by `npm run bench:chaos` (synthetic scale 1) and
// test/e2e/chaos.e2e-spec.ts (a smaller scale): a full sync of everything into one database from a clean replica,
// then the same syncs into a second database from a replica that injects 429s, a maintenance window, 5xx and
// CloudFront pages, timeouts, malformed bodies, truncated chunks and expired links under a shared rate-limit budget,
// run by three worker processes (`node dist/src/main.js`, ROLE=worker) of which one is killed with SIGKILL while it
// runs a job. Then the two databases are compared table by table.
//
// The faults that must land at a point of a sync are triggered by the replica at a defined request, never by
// watching the clock or polling progress (a busy machine could run a whole sync between two polls):
// - the maintenance window is the first two `series/seasons` requests (the seasons sync, once its series are
//   stored): the run is delayed twice and ends SUCCEEDED;
// - the kill: a seasons sync of one series' past seasons (one `series/season_schedule` request and one
//   transaction per season) is held at the schedule of its (total/4 + 1)th season, the worker that sent that
//   request (each worker has its own replica URL, `OfflineReplica.alias()`) is killed with SIGKILL and, once it
//   has exited, the hold is released; another worker must take the run over and finish it.
// Every wait is on an event or on a condition that stays true once reached, each with a deadline.
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/core/config/app-config.js';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica } from '../offline/replica.js';
import type { Fault, Held, ReplicaStats } from '../offline/replica.js';
import type { ReplicaDataset } from '../offline/datasets.js';
import { syntheticDataset } from '../offline/synthetic-dataset.js';
import { SyncKind, SyncTrigger } from '../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../src/scheduler/sync-run.service.js';
import { SYNC_QUEUE } from '../src/scheduler/sync.queue.js';
import { clearRedisPrefix, createDatabase, dropDatabase, replicaEnv } from './bench-db.js';
import { checksumDifferences, tableChecksums } from './table-checksums.js';
import type { TableChecksum } from './table-checksums.js';

export interface ChaosOptions {
  scale: number;
  seed?: number;
  /** Chance per iRacing request of each kind of fault (5xx, HTML, timeout, malformed, expired link…). */
  faultRate?: number;
  workers?: number;
  /** Shared rate-limit budget of the faulty replica: requests per window. */
  rateLimit?: { limit: number; windowMs: number };
  adminUrl?: string;
  redisUrl?: string;
  /** Longest wait for the syncs of one phase. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface RunSummary {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  errors: { unit: string; message: string }[];
  params: Record<string, unknown>;
  rateLimitWaitMs: number;
}

export interface PhaseReport {
  ms: number;
  runs: RunSummary[];
  tables: TableChecksum[];
  replica: ReplicaStats;
}

export interface ChaosReport {
  scale: number;
  clean: PhaseReport;
  faulty: PhaseReport & {
    /**
     * The worker killed and the run it held: `done` of the `total` past seasons that run fetches were stored
     * when it was killed, waiting for the schedule named by `request`.
     */
    killed?: { pid: number; runId: number; kind: string; done: number; total: number; request: string };
    /** The run the maintenance window delayed (the seasons sync) and the 503s served. */
    maintenance: { runId?: number; served: number };
    /** Runs that ended PARTIAL or FAILED under faults and were triggered again once the faults stopped. */
    repeated: RunSummary[];
    workerLog: string;
  };
  differences: string[];
}

const NOW = new Date('2026-11-19T15:00:00Z');

interface Step {
  kind: SyncKind;
  params: Record<string, unknown>;
}

/** The syncs of a full demo, with parameters that do not depend on the wall clock. */
function basePlan(): Step[] {
  return [
    { kind: SyncKind.CATALOG, params: {} },
    { kind: SyncKind.SEASONS, params: {} }, // queues FORECASTS when it ends
    { kind: SyncKind.RACE_GUIDE, params: { from: NOW.toISOString() } },
    { kind: SyncKind.OWNED_CONTENT, params: {} },
  ];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for a condition that stays true once reached (never for a passing state), checking it every `everyMs`;
 * fails with `what` once `timeoutMs` have passed.
 */
async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: () => string,
  everyMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`after ${timeoutMs} ms: ${what()}`);
    await sleep(everyMs);
  }
}

/** Resolves when the child process has exited; fails after `timeoutMs`. */
function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`process ${child.pid} still running ${timeoutMs} ms after it was signalled`)),
      timeoutMs,
    );
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The maintenance window: the first two `series/seasons` requests (both from the seasons sync). */
const MAINTENANCE: Fault = { endpoint: 'series/seasons', kind: 'maintenance', after: 0, times: 2 };

/** Where a worker is killed: a seasons sync of one series' past seasons, held at one season's schedule. */
interface KillPoint {
  step: Step;
  seriesId: number;
  /** The past seasons the run fetches one by one (`series/season_schedule`), in its order. */
  pastSeasonIds: number[];
  /** The season whose schedule request is held: the (total/4 + 1)th. */
  heldSeasonId: number;
}

/**
 * Chosen from the dataset: the series with the fewest past seasons to fetch among those with at least 4 (the
 * run stays short at any scale), the hold at the schedule of its (total/4 + 1)th season.
 */
function killPointOf(dataset: ReplicaDataset): KillPoint {
  const ctx = { baseUrl: '', now: NOW };
  const none = new URLSearchParams();
  const current = new Set(
    (dataset.resolve('series/seasons', none, ctx) as { season_id: number }[]).map((s) => s.season_id),
  );
  const series = (dataset.resolve('series/get', none, ctx) as { series_id: number }[])
    .map((s) => s.series_id)
    .sort((a, b) => a - b);
  const candidates = series.map((seriesId) => {
    const answer = dataset.resolve(
      'series/past_seasons',
      new URLSearchParams({ series_id: String(seriesId) }),
      ctx,
    ) as { series: { seasons: { season_id: number; active?: boolean }[] } } | undefined;
    // What SeasonsImporter.syncPast fetches: the listed seasons that are neither active nor current.
    const past = (answer?.series.seasons ?? [])
      .filter((s) => s.active !== true && !current.has(s.season_id))
      .map((s) => s.season_id);
    return { seriesId, past };
  });
  const best =
    candidates
      .filter((c) => c.past.length >= 4)
      .sort((a, b) => a.past.length - b.past.length || a.seriesId - b.seriesId)[0] ??
    candidates.sort((a, b) => b.past.length - a.past.length || a.seriesId - b.seriesId)[0];
  if (!best || best.past.length < 2)
    throw new Error(
      'the synthetic dataset has no series with 2 past seasons to fetch: no point to kill a worker at',
    );
  const k = Math.max(1, Math.floor(best.past.length / 4));
  return {
    step: { kind: SyncKind.SEASONS, params: { includePast: true, seriesIds: [best.seriesId] } },
    seriesId: best.seriesId,
    pastSeasonIds: best.past,
    heldSeasonId: best.past[k],
  };
}

function settingsFor(replicaUrl: string, databaseUrl: string, redisUrl: string, prefix: string) {
  return {
    ...replicaEnv(replicaUrl),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    SCHEDULER_ENABLED: 'false',
    MIGRATIONS_RUN: 'true',
    IRACING_RETRY_BASE_MS: '50',
    IRACING_TIMEOUT_MS: '1500',
    IRACING_MAINTENANCE_DELAY_MS: '1000',
    SYNC_BACKOFF_MS: '1000',
    SYNC_JOB_LOCK_MS: '4000',
    ADMIN_API_KEYS: 'f'.repeat(64),
    LOG_LEVEL: 'warn',
  } satisfies Record<string, string>;
}

async function runSummaries(db: DataSource): Promise<RunSummary[]> {
  const rows = (await db.query(
    `SELECT id, kind, status, attempts, errors, params, rate_limit_wait_ms::int AS "rateLimitWaitMs"
     FROM sync_run ORDER BY id`,
  )) as RunSummary[];
  return rows.map((r) => ({
    ...r,
    errors: (r.errors ?? []).map((e) => ({ unit: e.unit, message: e.message })),
  }));
}

/**
 * Waits until no run is QUEUED or RUNNING and the queue holds no job (a job queues its follow-up after its run
 * has finished: both are checked, so a follow-up is never missed).
 */
async function settle(db: DataSource, queue: Queue, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ n }] = (await db.query(
      `SELECT count(*)::int AS n FROM sync_run WHERE status IN ('QUEUED', 'RUNNING')`,
    )) as { n: number }[];
    const jobs = await queue.getJobCounts();
    if (n === 0 && jobs.active + jobs.waiting + jobs.delayed === 0) return;
    if (Date.now() > deadline) {
      const active = (await db.query(
        `SELECT id, kind, status, attempts, progress FROM sync_run WHERE status IN ('QUEUED', 'RUNNING')`,
      )) as unknown[];
      throw new Error(`syncs still active after ${timeoutMs} ms: ${JSON.stringify(active)}`);
    }
    await sleep(200);
  }
}

/** Runs the plan step by step (each step's follow-ups settle before the next). */
async function runPlan(app: INestApplicationContext, steps: Step[], timeoutMs: number): Promise<void> {
  const runs = app.get(SyncRunService);
  const queue = app.get<Queue>(getQueueToken(SYNC_QUEUE));
  for (const step of steps) {
    await runs.enqueue(step.kind, step.params, SyncTrigger.CLI);
    await settle(app.get(DataSource), queue, timeoutMs);
  }
}

/** Past seasons of the kill point stored in a database. */
async function pastStored(db: DataSource, point: KillPoint): Promise<number> {
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM season WHERE season_id = ANY($1::int[])`, [
    point.pastSeasonIds,
  ])) as { n: number }[];
  return n;
}

interface Worker {
  child: ChildProcess;
  /** Its own URL onto the faulty replica: a held request names the worker that sent it. */
  url: string;
}

/**
 * Runs the kill point's step: the replica holds its request for the held season's schedule, the worker that
 * sent it is killed with SIGKILL, and once that process has exited the hold is released; then waits until
 * the run (taken over by another worker) and its follow-ups have ended.
 */
async function runAndKill(
  app: INestApplicationContext,
  replica: OfflineReplica,
  workers: Worker[],
  point: KillPoint,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<NonNullable<ChaosReport['faulty']['killed']>> {
  const db = app.get(DataSource);
  const queue = app.get<Queue>(getQueueToken(SYNC_QUEUE));
  const request = `series/season_schedule?season_id=${point.heldSeasonId}`;
  const hold = replica.holdAt('series/season_schedule', 1, {
    params: { season_id: String(point.heldSeasonId) },
  });
  const run = await app.get(SyncRunService).enqueue(point.step.kind, point.step.params, SyncTrigger.CLI);
  const settled = settle(db, queue, timeoutMs).then(() => 'settled' as const);
  settled.catch(() => undefined); // awaited below, once the worker is killed
  const first: Held | 'settled' = await Promise.race([hold, settled]);
  if (first === 'settled') {
    replica.cancelHolds();
    throw new Error(`sync run ${run.id} ended without asking for ${request}: no worker was killed`);
  }
  const held = first;
  let killed: NonNullable<ChaosReport['faulty']['killed']>;
  try {
    const worker = workers.find((w) => w.url === held.url);
    if (!worker) throw new Error(`${request} was held on ${held.url}, the URL of no worker`);
    const [row] = (await db.query(`SELECT kind, status FROM sync_run WHERE id = $1`, [run.id])) as {
      kind: string;
      status: string;
    }[];
    if (row?.status !== 'RUNNING')
      throw new Error(`${request} was held while sync run ${run.id} was ${row?.status}`);
    // The worker waits for that schedule: every season before it has committed, none after it has started.
    const done = await pastStored(db, point);
    const pid = worker.child.pid!;
    worker.child.kill('SIGKILL');
    await exited(worker.child, 10_000);
    killed = { pid, runId: run.id, kind: row.kind, done, total: point.pastSeasonIds.length, request };
    log(
      `  SIGKILL worker ${pid} while it ran sync run ${run.id} (${row.kind}), held at ${request} ` +
        `(past seasons ${done}/${point.pastSeasonIds.length} stored)`,
    );
  } finally {
    held.release();
  }
  await settled;
  return killed;
}

/** Results of one finished race week and laps of a few subsessions: chosen from the clean database. */
async function resultSteps(db: DataSource): Promise<Step[]> {
  const [week] = (await db.query(
    `SELECT rw.season_id AS "seasonId", rw.race_week_num AS "raceWeekNum" FROM race_week rw
     JOIN season s ON s.season_id = rw.season_id
     WHERE s.active AND rw.end_time < $1 ORDER BY rw.end_time DESC, rw.season_id LIMIT 1`,
    [NOW],
  )) as { seasonId: number; raceWeekNum: number }[];
  return week ? [{ kind: SyncKind.RESULTS, params: { ...week } }] : [];
}

async function lapAndMemberSteps(db: DataSource): Promise<Step[]> {
  const subsessions = (await db.query(
    `SELECT subsession_id AS id FROM event_result ORDER BY subsession_id LIMIT 3`,
  )) as { id: number }[];
  const [member] = (await db.query(
    `SELECT cust_id AS "custId" FROM participant_result ORDER BY cust_id LIMIT 1`,
  )) as { custId: number }[];
  const steps: Step[] = [];
  if (subsessions.length)
    steps.push({
      kind: SyncKind.SUBSESSIONS,
      params: { subsessionIds: subsessions.map((s) => s.id), includeLaps: true },
    });
  if (member) steps.push({ kind: SyncKind.MEMBER, params: { custId: member.custId } });
  return steps;
}

/** One of each kind at once (so every kind is served, whatever the draws), then each kind at `rate`. */
function faultsAt(rate: number): Fault[] {
  const once: Fault[] = [
    { endpoint: '*', kind: 'status', status: 500, times: 1 },
    { endpoint: '*', kind: 'html', times: 1 },
    { endpoint: '*', kind: 'rate-limit', times: 1 },
    { endpoint: '*', kind: 'slow', delayMs: 2500, times: 1 },
    { endpoint: '*', kind: 'malformed-json', times: 1 },
    { endpoint: '*', kind: 'expired-link', times: 1 },
    { endpoint: 'results/lap_data', kind: 'truncated-chunk', times: 1 },
  ];
  return [
    ...once,
    { endpoint: '*', kind: 'status', status: 500, rate },
    { endpoint: '*', kind: 'status', status: 502, rate: rate / 2 },
    { endpoint: '*', kind: 'html', rate },
    { endpoint: '*', kind: 'rate-limit', rate },
    { endpoint: '*', kind: 'slow', delayMs: 2500, rate: rate / 2 }, // beyond IRACING_TIMEOUT_MS: a timeout
    { endpoint: '*', kind: 'malformed-json', rate },
    { endpoint: '*', kind: 'expired-link', rate },
    { endpoint: 'results/lap_data', kind: 'truncated-chunk', rate: 0.5 },
  ];
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const adminUrl = options.adminUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const seed = options.seed ?? 1;
  const workersWanted = options.workers ?? 3;
  const mainJs = resolve(process.cwd(), 'dist/src/main.js');
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (npm run build)`);
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const names = { clean: `simlane_chaos_clean_${tag}`, faulty: `simlane_chaos_faulty_${tag}` };
  const prefixes = { clean: `simlane-chaos-clean-${tag}`, faulty: `simlane-chaos-faulty-${tag}` };
  const dataset = () => syntheticDataset({ scale: options.scale, seed, now: NOW });
  const point = killPointOf(dataset());
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    // --- The clean run: one process, no faults, no rate limit. ------------------------------------------
    const cleanReplica = new OfflineReplica({
      dataset: dataset(),
      now: () => NOW,
      credentials: DEFAULT_TEST_CREDENTIALS,
      rateLimit: null,
    });
    const cleanUrl = await cleanReplica.start();
    cleanup.push(() => cleanReplica.stop());
    const cleanDbUrl = await createDatabase(adminUrl, names.clean);
    cleanup.push(() => dropDatabase(adminUrl, names.clean));
    cleanup.push(() => clearRedisPrefix(redisUrl, prefixes.clean));
    const cleanConfig = loadConfig({
      ...settingsFor(cleanUrl, cleanDbUrl, redisUrl, prefixes.clean),
      ROLE: 'all',
    });
    const cleanApp = (await createApp(cleanConfig, ['error'])).app;
    cleanup.push(() => cleanApp.close());
    await cleanApp.init();
    const cleanDb = cleanApp.get(DataSource);
    log(`clean run: synthetic scale ${options.scale}, seed ${seed}, one process, no faults`);
    let t0 = Date.now();
    // The base plan with, after the seasons sync, the one a worker is killed in.
    const plan = basePlan();
    plan.splice(plan.findIndex((s) => s.kind === SyncKind.SEASONS) + 1, 0, point.step);
    await runPlan(cleanApp, plan, timeoutMs);
    const results = await resultSteps(cleanDb);
    await runPlan(cleanApp, results, timeoutMs);
    const extra = await lapAndMemberSteps(cleanDb);
    await runPlan(cleanApp, extra, timeoutMs);
    const cleanMs = Date.now() - t0;
    const clean: PhaseReport = {
      ms: cleanMs,
      runs: await runSummaries(cleanDb),
      tables: await tableChecksums(cleanDbUrl, [cleanUrl]),
      replica: cleanReplica.stats,
    };
    log(`clean run: ${clean.runs.length} runs in ${(cleanMs / 1000).toFixed(1)} s`);
    await cleanApp.close();
    cleanup.pop(); // the app is closed
    const fullPlan = [...plan, ...results, ...extra];

    // --- The faulty run: three worker processes, faults, a budget, one worker killed. -------------------
    const rateLimit = options.rateLimit ?? { limit: 10, windowMs: 1000 };
    const faultyReplica = new OfflineReplica({
      dataset: dataset(),
      now: () => NOW,
      credentials: DEFAULT_TEST_CREDENTIALS,
      rateLimit,
      seed,
      linkTtlMs: 60_000,
    });
    const faultyUrl = await faultyReplica.start();
    cleanup.push(() => faultyReplica.stop());
    const faultyDbUrl = await createDatabase(adminUrl, names.faulty);
    cleanup.push(() => dropDatabase(adminUrl, names.faulty));
    cleanup.push(() => clearRedisPrefix(redisUrl, prefixes.faulty));
    const settings = settingsFor(faultyUrl, faultyDbUrl, redisUrl, prefixes.faulty);
    const apiConfig = loadConfig({ ...settings, ROLE: 'api' });
    const api = (await createApp(apiConfig, ['error'])).http!;
    cleanup.push(() => api.close());
    await api.init(); // migrates the database before any worker starts
    const db = api.get(DataSource);

    let workerLog = '';
    const workers: Worker[] = [];
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    for (let i = 0; i < workersWanted; i++) {
      const url = await faultyReplica.alias();
      const child = spawn(process.execPath, [mainJs], {
        env: {
          ...env,
          ...settingsFor(url, faultyDbUrl, redisUrl, prefixes.faulty),
          ROLE: 'worker',
          MIGRATIONS_RUN: 'false',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      workers.push({ child, url });
      let pending = '';
      const onData = (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (/"level":(40|50|60)/.test(line)) workerLog += `${line}\n`;
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (d: Buffer) => (workerLog += d.toString()));
    }
    cleanup.push(async () => {
      const running = workers.map((w) => w.child).filter((c) => c.exitCode === null && c.signalCode === null);
      for (const c of running) c.kill('SIGTERM');
      await Promise.all(running.map((c) => exited(c, 10_000).catch(() => c.kill('SIGKILL'))));
    });
    // Ready once every worker has connected to the queue (it stays connected: a condition that holds).
    const bull = api.get<Queue>(getQueueToken(SYNC_QUEUE));
    await waitFor(
      async () => (await bull.getWorkers()).length >= workersWanted,
      60_000,
      () => `the worker processes did not start:\n${workerLog}`,
      100,
    );

    for (const f of [MAINTENANCE, ...faultsAt(options.faultRate ?? 0.03)]) faultyReplica.addFault(f);
    log(
      `faulty run: ${workersWanted} worker processes, budget ${rateLimit.limit} per ${rateLimit.windowMs} ms, ` +
        `fault rate ${options.faultRate ?? 0.03} per kind, maintenance at the first 2 series/seasons requests`,
    );
    t0 = Date.now();
    let killed: ChaosReport['faulty']['killed'];
    for (const step of fullPlan) {
      if (step === point.step) killed = await runAndKill(api, faultyReplica, workers, point, timeoutMs, log);
      else await runPlan(api, [step], timeoutMs);
    }
    const underFaults = await runSummaries(db);
    // What ended PARTIAL or FAILED is triggered again, as its next schedule tick would, once the faults stop.
    faultyReplica.clearFaults();
    const repeated = underFaults.filter((r) => r.status === 'PARTIAL' || r.status === 'FAILED');
    await runPlan(
      api,
      repeated.map((r) => ({ kind: r.kind as SyncKind, params: r.params })),
      timeoutMs,
    );
    const faultyMs = Date.now() - t0;
    const maintenanceRuns = underFaults.filter((r) => r.errors.some((e) => e.unit === 'maintenance'));
    const faulty = {
      ms: faultyMs,
      runs: await runSummaries(db),
      tables: await tableChecksums(faultyDbUrl, [faultyUrl]),
      replica: faultyReplica.stats,
      killed,
      maintenance: {
        runId: maintenanceRuns[0]?.id,
        served: faultyReplica.stats.faultsByKind.maintenance ?? 0,
      },
      repeated,
      workerLog,
    };
    log(`faulty run: ${faulty.runs.length} runs in ${(faultyMs / 1000).toFixed(1)} s`);
    return {
      scale: options.scale,
      clean,
      faulty,
      differences: checksumDifferences(clean.tables, faulty.tables),
    };
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  }
}
