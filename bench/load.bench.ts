// `npm run bench:load`: three questions under concurrent clients, asked of the application (without and with its
// response cache), of PostGraphile 5 and of hand-written SQL. The questions: the `sessions` calendar page (50 of
// the next 24 hours), a `raceWeeks` page (50 weeks overlapping the next 24 hours) and the season graph (100 active
// seasons and everything under them). Syncs the catalog and the seasons of the synthetic world (BENCH_SCALE,
// default 1) from the offline replica into a throwaway database, then starts four servers, each in its own process
// on 127.0.0.1 over that database with a pool of 10:
//   app cold        load-app.js (createApp, ROLE=api, no scheduler) with GRAPHQL_CACHE=false: every request planned,
//                   resolved and read from PostgreSQL (the response cache: docs/architecture.md §6);
//   app warm        load-app.js with its defaults; one request just before each cell puts the answer in the cache;
//   PostGraphile 5  postgraphile-server.js: the Amber preset and the connection filter over the same tables,
//                   read-only, its documents and normalisers in postgraphile-queries.ts;
//   SQL             sql-baseline-server.js: one hand-written SQL statement per question (queries.ts).
// First every server must answer each question with the same data (PostGraphile's answer mapped to the
// application's shape), the same bytes twice (trailing white space aside). After a warm-up of each server
// (BENCH_WARMUP_REQUESTS, 300), autocannon (in this process) runs every cell of the matrix question × connections
// (BENCH_CONNECTIONS_LIST, "10,50") × server for BENCH_DURATION_S (15) seconds in BENCH_ROUNDS (3) slices, the
// servers taking turns, every response checked against the checked body; after each slice it waits until the four
// servers and PostgreSQL are idle. Per cell: throughput,
// p50 and p99 latency, errors, CPU of the server process per request sent (from /proc, until it is idle again:
// PostgreSQL's own work is not in it) and the server's peak RSS. Then a markdown table of the matrix, throughput
// ratios, and the heap of the two application processes after a full collection, after the warm-up and after the
// matrix. Exits non-zero when a request failed, a response differed from the checked one, or servers disagree.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { DataSource } from 'typeorm';
import autocannon from 'autocannon';
import type { AutocannonOptions, AutocannonRequest, AutocannonResult } from 'autocannon';
import { canonical } from '../src/core/graphql/response-cache.js';
import { clearRedisPrefix } from './bench-db.js';
import {
  NOW,
  REDIS_URL,
  SCALE,
  apiEnv,
  memoryAfterGc,
  queuePrefix,
  rssOf,
  runBench,
  startChild,
  syncWorld,
} from './bench-app.js';
import {
  PG_SEASON_GRAPH_GQL,
  normaliseRaceWeeks,
  normaliseSeasonGraph,
  normaliseSessions,
  pgRaceWeeksGql,
  pgSessionsGql,
} from './postgraphile-queries.js';
import type { PgAnswer } from './postgraphile-queries.js';
import {
  RACE_WEEKS_PAGE_SIZE,
  SEASON_GRAPH_GQL,
  SESSIONS_PAGE_SIZE,
  raceWeeksGql,
  sessionsGql,
} from './queries.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
/** Each cell's time is run in this many slices, the servers taking turns. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1)
  throw new Error(`BENCH_ROUNDS must be a positive integer, got "${process.env.BENCH_ROUNDS}"`);
const CONNECTIONS_LIST = (process.env.BENCH_CONNECTIONS_LIST ?? '10,50').split(',').map(Number);
if (!CONNECTIONS_LIST.length || CONNECTIONS_LIST.some((c) => !Number.isInteger(c) || c < 1))
  throw new Error(
    `BENCH_CONNECTIONS_LIST must list positive integers, got "${process.env.BENCH_CONNECTIONS_LIST}"`,
  );
/** Requests each server answers before the matrix (JIT, pools, the warm application's cache). */
const WARMUP_REQUESTS = Number(process.env.BENCH_WARMUP_REQUESTS ?? 300);
const WARMUP_CONNECTIONS = 10;
/** In the warm-up, one request in this many is the season graph, the others the two pages in turn. */
const GRAPH_EVERY = Number(process.env.BENCH_GRAPH_EVERY ?? 50);
/** A request unanswered after this long counts as an error (the season graph queues behind 49 others). */
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 120);
/** The pool size of the application (typeorm-options.ts `extra.max`), given to the other servers too. */
const POOL_SIZE = 10;
/** Both pages: the next 24 hours from the anchor. */
const FROM = NOW;
const TO = new Date(NOW.getTime() + 24 * 3600_000);

const mb = (bytes: number) => bytes / 1048576;
const fmt = (n: number, digits = 1) => n.toFixed(digits);
/** A rate with the digits it deserves: 1234, 45.6, 1.23. */
const rate = (n: number) => fmt(n, n >= 100 ? 0 : n >= 10 ? 1 : 2);

// --- Memory and CPU of the servers ---------------------------------------------------------------------------

/** CPU time (user + system) of `pid` in ms, from /proc. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
}

/**
 * Waits until `pid` is idle (under 5 % of a core over half a second), at most `maxMs`: a load run that ends leaves
 * requests in flight that the server still works through, which would otherwise weigh on the next measurement.
 */
async function settle(pid: number, maxMs = 120_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let cpu = cpuMsOf(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuMsOf(pid);
    if (now - cpu < 25) return;
    cpu = now;
  }
}

/** Samples the RSS of `pid` every 250 ms until stopped; returns the highest seen. */
function watchRss(pid: number): () => number {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      /* exited: reported elsewhere */
    }
  }, 250);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssOf(pid));
  };
}

/** The heap of an application process after a full collection (asked through IPC), and its RSS from /proc. */
async function heapOf(child: ChildProcess): Promise<{ rss: number; heapUsed: number }> {
  const { memory, collected } = await memoryAfterGc(child, 120);
  if (!collected) throw new Error('the application runs without --expose-gc');
  return { rss: rssOf(child.pid ?? 0), heapUsed: memory.heapUsed };
}

// --- Servers and questions -----------------------------------------------------------------------------------

const SERVER_KEYS = ['cold', 'warm', 'pgl', 'sql'] as const;
type ServerKey = (typeof SERVER_KEYS)[number];
const TITLES: Record<ServerKey, string> = {
  cold: 'app cold',
  warm: 'app warm',
  pgl: 'PostGraphile 5',
  sql: 'hand-written SQL',
};

interface Server {
  key: ServerKey;
  title: string;
  child: ChildProcess;
  pid: number;
  base: string;
}

interface Question {
  label: string;
  request: Record<ServerKey, AutocannonRequest>;
  /** PostGraphile's answer in the application's shape. */
  normalise: (answer: PgAnswer) => unknown;
  /** Each server's body, checked at the start; every response under load must equal it. */
  expected: Partial<Record<ServerKey, string>>;
}

const gqlRequest = (query: string): AutocannonRequest => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query }),
});

async function fetchBody(base: string, r: AutocannonRequest): Promise<string> {
  const res = await fetch(`${base}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${r.method} ${r.path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

/** The path to the first difference of two parsed answers (of servers `names`), for the error message. */
function firstDifference(a: unknown, b: unknown, names: [string, string], path = ''): string {
  if (canonical(a) === canonical(b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        names,
        `${path}${Array.isArray(a) ? `[${k}]` : `.${k}`}`,
      );
      if (d) return d;
    }
  }
  return (
    `${path || '(root)'}: ${names[0]} ${JSON.stringify(a)?.slice(0, 200)} vs ` +
    `${names[1]} ${JSON.stringify(b)?.slice(0, 200)}`
  );
}

/** Every server answers `q` the same bytes twice, and the same data as the cold application (which it keeps). */
async function check(q: Question, servers: Server[]): Promise<void> {
  const data: Partial<Record<ServerKey, unknown>> = {};
  for (const s of servers) {
    const r = q.request[s.key];
    const a = await fetchBody(s.base, r);
    const parsed = JSON.parse(a) as PgAnswer;
    if (s.key !== 'sql' && parsed.errors) throw new Error(`${s.title} ${q.label}: ${a.slice(0, 500)}`);
    const b = await fetchBody(s.base, r);
    if (a !== b && a.trimEnd() === b.trimEnd())
      console.log(`note: ${s.title} ${q.label}: two answers differ only in trailing white space (accepted)`);
    else if (a !== b) {
      let at = 0;
      while (at < a.length && a[at] === b[at]) at++;
      throw new Error(
        `${s.title} ${q.label}: two requests answered differently from character ${at}: ` +
          `${JSON.stringify(a.slice(at, at + 120))} vs ${JSON.stringify(b.slice(at, at + 120))}`,
      );
    }
    // The later answer: a cache that was filled by the first gives it from now on.
    q.expected[s.key] = b;
    data[s.key] = s.key === 'pgl' ? q.normalise(parsed) : parsed;
  }
  for (const s of servers.slice(1)) {
    const diff = firstDifference(data.cold, data[s.key], [TITLES.cold, s.title]);
    if (diff) throw new Error(`${TITLES.cold} and ${s.title} answer ${q.label} differently at ${diff}`);
  }
}

// --- Load ----------------------------------------------------------------------------------------------------

/**
 * Accepts a response equal to one of `bodies`, also when only its trailing white space differs (the application's
 * cached answers lack the newline that its computed ones end with).
 */
function accepts(bodies: (string | undefined)[]): (body: string) => boolean {
  const exact = new Set(bodies);
  const trimmed = new Set(bodies.map((b) => b?.trimEnd()));
  return (body) => exact.has(body) || trimmed.has(body.trimEnd());
}

const failures = (r: AutocannonResult) => r.errors + r.timeouts + r.non2xx + r.mismatches;

interface Cell {
  result: AutocannonResult;
  rps: number;
  cpuMsPerRequest: number;
  peakRss: number;
}

/**
 * Waits until PostgreSQL runs no statement of the bench database but this one's, at most `maxMs`: when a load ends,
 * the statements of requests still in flight go on there even where the server process is idle (the SQL baseline).
 */
async function settleDatabase(db: DataSource, maxMs = 120_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const [{ active }] = (await db.query(
      `SELECT count(*)::int AS active FROM pg_stat_activity
       WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
    )) as { active: number }[];
    if (!active) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Runs one load against `server`, then waits until every server and the database are idle again. CPU per request
 * is the server's CPU from the start until it is idle again over the requests sent: the requests still in flight
 * when the load stops are worked through after it (a season graph takes seconds, so they are many).
 */
async function measure(
  server: Server,
  servers: Server[],
  db: DataSource,
  options: Omit<AutocannonOptions, 'url'> & { path?: string },
): Promise<Cell> {
  const { path = '', ...rest } = options;
  const peak = watchRss(server.pid);
  const cpu = cpuMsOf(server.pid);
  const result = await autocannon({ url: `${server.base}${path}`, timeout: TIMEOUT_S, ...rest });
  await Promise.all([...servers.map((s) => settle(s.pid)), settleDatabase(db)]);
  const cpuMs = cpuMsOf(server.pid) - cpu;
  const peakRss = peak();
  const total = result.requests.total;
  return {
    result,
    rps: result.duration > 0 ? total / result.duration : 0,
    cpuMsPerRequest: result.requests.sent ? cpuMs / result.requests.sent : NaN,
    peakRss,
  };
}

/**
 * One cell from its slices: requests, errors, time and CPU summed; the p50 is the slices' median p50 and the p99
 * their worst (a percentile of percentiles is not the whole's, so the worst is shown); the peak RSS their highest.
 */
function combine(slices: Cell[]): Cell {
  const sum = (f: (r: AutocannonResult) => number) => slices.reduce((n, c) => n + f(c.result), 0);
  const answered = slices.filter((c) => c.result.requests.total > 0);
  const p50s = answered.map((c) => c.result.latency.p50).sort((a, b) => a - b);
  const result = {
    ...slices[0].result,
    requests: {
      ...slices[0].result.requests,
      total: sum((r) => r.requests.total),
      sent: sum((r) => r.requests.sent),
    },
    duration: sum((r) => r.duration),
    latency: {
      ...slices[0].result.latency,
      p50: p50s[Math.floor((p50s.length - 1) / 2)] ?? 0,
      p99: Math.max(0, ...answered.map((c) => c.result.latency.p99)),
    },
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    mismatches: sum((r) => r.mismatches),
  } as AutocannonResult;
  const cpuMs = slices.reduce((n, c) => n + c.cpuMsPerRequest * c.result.requests.sent, 0);
  return {
    result,
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    cpuMsPerRequest: result.requests.sent ? cpuMs / result.requests.sent : NaN,
    peakRss: Math.max(...slices.map((c) => c.peakRss)),
  };
}

/** A latency percentile, or a dash when nothing was answered. */
const ms = (c: Cell, p: 'p50' | 'p99') => (c.result.requests.total ? `${c.result.latency[p]} ms` : '—');
const cpuText = (c: Cell) => (Number.isNaN(c.cpuMsPerRequest) ? '—' : fmt(c.cpuMsPerRequest, 2));

const describe = (c: Cell) =>
  `${String(c.result.requests.total).padStart(6)} answered (${c.result.requests.sent} sent) in ` +
  `${fmt(c.result.duration).padStart(4)} s ${rate(c.rps).padStart(6)} req/s  p50 ${ms(c, 'p50')}  ` +
  `p99 ${ms(c, 'p99')}  ${failures(c.result)} errors  CPU ${cpuText(c)} ms/req  peak RSS ${fmt(mb(c.peakRss), 0)} MB`;

/** A cell of the markdown table. */
const tableCell = (c: Cell) =>
  `${rate(c.rps)} req/s, p50 ${ms(c, 'p50')}, p99 ${ms(c, 'p99')}, ${cpuText(c)} ms CPU, ` +
  `${fmt(mb(c.peakRss), 0)} MB` +
  (failures(c.result) ? `, **${failures(c.result)} errors**` : '');

// --- Main ----------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = Date.now();
  console.log(
    `load benchmark: synthetic world at scale ${SCALE}, anchor ${NOW.toISOString()}; connections ` +
      `${CONNECTIONS_LIST.join(', ')}; ${DURATION_S} s per question, connections and server`,
  );

  // Set-up: the catalog and the seasons, straight through the importers.
  const { db } = await syncWorld('load', async (_client, db, syncMs) => {
    const counts = (
      (await db.db.query(`SELECT
        (SELECT count(*) FROM season WHERE active)::int AS seasons,
        (SELECT count(*) FROM race_week)::int AS weeks,
        (SELECT count(*) FROM event_instance)::int AS sessions`)) as {
        seasons: number;
        weeks: number;
        sessions: number;
      }[]
    )[0];
    console.log(
      `set-up: catalog and seasons synced in ${fmt(syncMs / 1000)} s: ${counts.seasons} active seasons, ` +
        `${counts.weeks} race weeks, ${counts.sessions} sessions`,
    );
  });
  // VACUUM ANALYZE: the planner sees the data as a deployment that has run a while would (autovacuum may not
  // have reached a database filled a minute ago: the first plans would read every race week to count sessions).
  await db.db.query('VACUUM ANALYZE');
  const children = await Promise.all([
    startChild('the application (cold)', './load-app.js', {
      ...apiEnv('load-cold'),
      DATABASE_URL: db.url,
      GRAPHQL_CACHE: 'false',
    }),
    startChild('the application (warm)', './load-app.js', { ...apiEnv('load-warm'), DATABASE_URL: db.url }),
    startChild('PostGraphile', './postgraphile-server.js', {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      GRAPHILE_ENV: 'production',
      DATABASE_URL: db.url,
      POSTGRAPHILE_POOL_SIZE: String(POOL_SIZE),
    }),
    startChild('the SQL baseline', './sql-baseline-server.js', {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      BASELINE_POOL_SIZE: String(POOL_SIZE),
    }),
  ]);
  const servers: Server[] = SERVER_KEYS.map((key, i) => ({
    key,
    title: TITLES[key],
    child: children[i].child,
    pid: children[i].child.pid ?? 0,
    base: `http://127.0.0.1:${children[i].port}`,
  }));
  const server = (key: ServerKey) => servers[SERVER_KEYS.indexOf(key)];

  const range = `from=${encodeURIComponent(FROM.toISOString())}&to=${encodeURIComponent(TO.toISOString())}`;
  const app = (query: string) => ({ cold: gqlRequest(query), warm: gqlRequest(query) });
  const questions: Question[] = [
    {
      label: 'sessions',
      request: {
        ...app(sessionsGql(FROM, TO)),
        pgl: gqlRequest(pgSessionsGql(FROM, TO)),
        sql: { method: 'GET', path: `/sessions?${range}` },
      },
      normalise: normaliseSessions,
      expected: {},
    },
    {
      label: 'raceWeeks',
      request: {
        ...app(raceWeeksGql(FROM, TO)),
        pgl: gqlRequest(pgRaceWeeksGql(FROM, TO)),
        sql: { method: 'GET', path: `/race-weeks?${range}` },
      },
      normalise: normaliseRaceWeeks,
      expected: {},
    },
    {
      label: 'season graph',
      request: {
        ...app(SEASON_GRAPH_GQL),
        pgl: gqlRequest(PG_SEASON_GRAPH_GQL),
        sql: { method: 'GET', path: '/season-graph' },
      },
      normalise: normaliseSeasonGraph,
      expected: {},
    },
  ];
  const [sessionsQ, raceWeeksQ, graphQ] = questions;

  // Every server answers the same data, every time the same bytes.
  for (const q of questions) await check(q, servers);
  const dataOf = <T>(q: Question) => (JSON.parse(q.expected.cold ?? 'null') as { data: T }).data;
  const sessions = dataOf<{ sessions: { totalCount: number; edges: unknown[] } }>(sessionsQ).sessions;
  const weeks = dataOf<{ raceWeeks: { edges: unknown[] } }>(raceWeeksQ).raceWeeks;
  const graph = dataOf<{ seasons: { edges: { node: { raceWeeks: unknown[] } }[] } }>(graphQ).seasons;
  const graphWeeks = graph.edges.reduce((n, e) => n + e.node.raceWeeks.length, 0);
  const kB = (q: Question, key: ServerKey) => fmt(Buffer.byteLength(q.expected[key] ?? '') / 1024);
  console.log(
    `checked: the four servers answer the same data — sessions: ${sessions.edges.length} of ` +
      `${sessions.totalCount} starts in ${FROM.toISOString()} … ${TO.toISOString()} (page of ${SESSIONS_PAGE_SIZE}); ` +
      `raceWeeks: ${weeks.edges.length} weeks (page of ${RACE_WEEKS_PAGE_SIZE}); season graph: ` +
      `${graph.edges.length} seasons, ${graphWeeks} race weeks`,
  );
  for (const s of servers)
    console.log(
      `  response sizes, ${s.title.padEnd(16)} ${questions.map((q) => `${q.label} ${kB(q, s.key)} kB`).join(', ')}`,
    );
  if (sessions.edges.length < SESSIONS_PAGE_SIZE || weeks.edges.length < RACE_WEEKS_PAGE_SIZE)
    console.warn('warning: a page is not full at this scale: the pages measure less than a page of work');

  // Warm-up: the two pages in turn, and one request in GRAPH_EVERY the season graph.
  let failed = 0;
  console.log(
    `\nwarm-up: ${WARMUP_REQUESTS} requests per server, ${WARMUP_CONNECTIONS} connections, 1 in ${GRAPH_EVERY} the season graph`,
  );
  for (const s of servers) {
    const mix = Array.from({ length: GRAPH_EVERY }, (_, i) =>
      i === GRAPH_EVERY - 1 ? graphQ.request[s.key] : questions[i % 2].request[s.key],
    );
    const cell = await measure(s, servers, db.db, {
      connections: WARMUP_CONNECTIONS,
      amount: WARMUP_REQUESTS,
      requests: mix,
      verifyBody: accepts(questions.map((q) => q.expected[s.key])),
    });
    failed += failures(cell.result);
    console.log(`  ${s.title.padEnd(16)} ${describe(cell)}`);
  }
  const appHeap = async () => ({
    cold: await heapOf(server('cold').child),
    warm: await heapOf(server('warm').child),
  });
  const before = await appHeap();

  // The matrix: question × connections × server, each response checked against the expected body.
  const cells = new Map<string, Cell>();
  const cellKey = (q: Question, connections: number, s: ServerKey) => `${q.label}|${connections}|${s}`;
  for (const q of questions)
    for (const connections of CONNECTIONS_LIST) {
      console.log(`\n${q.label}, ${connections} connections:`);
      // The servers take turns, ROUNDS slices each: a burst of other work on this shared machine falls on all
      // four rather than on whichever server ran at that moment.
      const slices = new Map<ServerKey, Cell[]>(servers.map((s) => [s.key, []]));
      for (let round = 0; round < ROUNDS; round++)
        for (const s of servers) {
          const r = q.request[s.key];
          // Warm: the answer is in the cache when the slice starts (it lives GRAPHQL_CACHE_TTL_S, 60 s by default).
          if (s.key === 'warm') await fetchBody(s.base, r);
          const slice = await measure(s, servers, db.db, {
            path: r.path,
            method: r.method,
            headers: r.headers,
            body: r.body,
            connections,
            duration: DURATION_S / ROUNDS,
            verifyBody: accepts([q.expected[s.key]]),
          });
          slices.get(s.key)?.push(slice);
        }
      for (const s of servers) {
        const cell = combine(slices.get(s.key) ?? []);
        cells.set(cellKey(q, connections, s.key), cell);
        failed += failures(cell.result);
        console.log(`  ${s.title.padEnd(16)} ${describe(cell)}`);
      }
    }
  const after = await appHeap();

  // The report.
  const rows = questions.flatMap((q) => CONNECTIONS_LIST.map((connections) => ({ q, connections })));
  const get = (q: Question, connections: number, s: ServerKey) =>
    cells.get(cellKey(q, connections, s)) as Cell;
  const table = [
    `| query, connections | ${SERVER_KEYS.map((k) => TITLES[k]).join(' | ')} |`,
    `| --- | ${SERVER_KEYS.map(() => '---').join(' | ')} |`,
    ...rows.map(
      ({ q, connections }) =>
        `| ${q.label}, ${connections} | ${SERVER_KEYS.map((k) => tableCell(get(q, connections, k))).join(' | ')} |`,
    ),
  ];
  const ratio = (a: Cell, b: Cell) => (b.rps > 0 ? fmt(a.rps / b.rps, 2) : '—');
  const ratios = [
    '| query, connections | app cold / PostGraphile | app warm / PostGraphile | app cold / SQL | PostGraphile / SQL |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(({ q, connections }) => {
      const c = (k: ServerKey) => get(q, connections, k);
      return (
        `| ${q.label}, ${connections} | ${ratio(c('cold'), c('pgl'))} | ${ratio(c('warm'), c('pgl'))} | ` +
        `${ratio(c('cold'), c('sql'))} | ${ratio(c('pgl'), c('sql'))} |`
      );
    }),
  ];
  // A leak of even 200 bytes a request would add 2 MB of live heap over 10,000 requests.
  const served = (k: 'cold' | 'warm') =>
    [...cells.entries()]
      .filter(([key]) => key.endsWith(`|${k}`))
      .reduce((n, [, c]) => n + c.result.requests.total, 0);
  const memory = (['cold', 'warm'] as const).map((k) => {
    const [a, b] = [before[k], after[k]];
    const heap = b.heapUsed - a.heapUsed;
    const limit = Math.max(2 * 1048576, a.heapUsed * 0.05);
    return (
      `- ${TITLES[k]}: heap after GC ${fmt(mb(a.heapUsed))} → ${fmt(mb(b.heapUsed))} MB ` +
      `(${heap >= 0 ? '+' : ''}${fmt(mb(heap), 2)} MB over ${served(k)} requests; limit +${fmt(mb(limit))} MB: ` +
      `**${heap <= limit ? 'stable' : 'GREW'}**), RSS ${fmt(mb(a.rss))} → ${fmt(mb(b.rss))} MB`
    );
  });
  console.log(
    `\nthroughput, p50 (median of the slices') and p99 (worst slice's) latency, CPU of the server process per ` +
      `request, its peak RSS; ${DURATION_S} s per cell in ${ROUNDS} slices, the servers taking turns:\n\n${table.join('\n')}\n\nthroughput ratios, same run:\n\n${ratios.join('\n')}\n`,
  );
  console.log(
    `memory of the application processes, after the warm-up and after the matrix:\n${memory.join('\n')}`,
  );
  console.log(
    `\n${failed ? `FAILED: ${failed} requests errored or answered differently` : 'no request failed'}; ` +
      `whole run ${fmt((Date.now() - started) / 1000, 0)} s`,
  );
  return failed ? 1 : 0;
}

runBench(main, () =>
  Promise.all(
    ['load-cold', 'load-warm'].map((bench) => clearRedisPrefix(REDIS_URL, queuePrefix(bench)).catch(() => 0)),
  ),
);
