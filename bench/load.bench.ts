// `npm run bench:load`: the `sessions` calendar page and the full season graph under concurrent clients.
// Syncs the catalog and the seasons of the synthetic world (BENCH_SCALE, default 1) from the offline replica into a
// throwaway database, then starts two servers, each in its own process on 127.0.0.1: the real application
// (load-app.js: createApp, ROLE=api, no scheduler) and a plain node:http server answering the same two questions
// with hand-written SQL (sql-baseline-server.js, a pg Pool of the same size). After checking once that both answer
// the same data, autocannon (in this process) sends BENCH_CONNECTIONS (50) concurrent clients at each of the four
// for BENCH_DURATION_S (60) seconds and prints throughput, p50 and p99 latency and errors, and GraphQL / SQL as
// ratios. Memory of the application: after a warm-up of 1,000 requests, after a fixed phase of
// BENCH_MEMORY_REQUESTS (10,000) more, and at the end, each after a full garbage collection.
// Exits non-zero when a request failed, a response differed from the checked one, or the two servers disagree.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import type { AutocannonOptions, AutocannonRequest, AutocannonResult } from 'autocannon';
import { NOW, SCALE, apiEnv, memoryAfterGc, rssOf, runBench, startChild, syncWorld } from './bench-app.js';
import { SEASON_GRAPH_GQL, SESSIONS_PAGE_SIZE, sessionsGql } from './queries.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_REQUESTS = 1000;
/** Requests the application answers between the first and the last memory reading, at least. */
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 10_000);
/** The top-up phase that reaches MEMORY_REQUESTS stops after this long whatever it reached (a slow machine). */
const MEMORY_MAX_S = Number(process.env.BENCH_MEMORY_MAX_S ?? 300);
/** In the warm-up, one request in this many is the season graph, the others the calendar. */
const GRAPH_EVERY = Number(process.env.BENCH_GRAPH_EVERY ?? 50);
/** A request unanswered after this long counts as an error (the season graph queues behind 49 others). */
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 120);
/** The pool size of the application (typeorm-options.ts `extra.max`), given to the baseline too. */
const POOL_SIZE = 10;
/** The calendar page: the next 24 hours from the anchor. */
const FROM = NOW;
const TO = new Date(NOW.getTime() + 24 * 3600_000);

const mb = (bytes: number) => bytes / 1048576;
const fmt = (n: number, digits = 1) => n.toFixed(digits);

// --- Memory and CPU of the servers ---------------------------------------------------------------------------

interface MemorySample {
  rss: number;
  heapUsed: number;
  /** Requests the application had answered when sampled. */
  requests: number;
}

/** The application's memory after a full collection (asked through IPC), and its RSS read from /proc. */
async function memoryOf(child: ChildProcess, requests: number): Promise<MemorySample> {
  const { memory, collected } = await memoryAfterGc(child, 120);
  if (!collected) throw new Error('the application runs without --expose-gc');
  return { rss: rssOf(child.pid ?? 0), heapUsed: memory.heapUsed, requests };
}

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

// --- The questions -------------------------------------------------------------------------------------------

interface Target {
  label: string;
  server: 'GraphQL' | 'SQL';
  request: AutocannonRequest;
  /** The body every response must equal (checked at the start). */
  expected?: string;
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

/** JSON with object keys sorted, so two answers compare by content, not by key order or whitespace. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The path to the first difference of two parsed answers, for the error message. */
function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (canonical(a) === canonical(b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}${Array.isArray(a) ? `[${k}]` : `.${k}`}`,
      );
      if (d) return d;
    }
  }
  return `${path || '(root)'}: GraphQL ${JSON.stringify(a)?.slice(0, 200)} vs SQL ${JSON.stringify(b)?.slice(0, 200)}`;
}

// --- Load ----------------------------------------------------------------------------------------------------

interface Row {
  target: Target;
  result: AutocannonResult;
}

const failures = (r: AutocannonResult) => r.errors + r.timeouts + r.non2xx + r.mismatches;

/** Runs autocannon against `base`; stops it after `maxSeconds` when given (for a fixed `amount`). */
async function load(
  base: string,
  options: Omit<AutocannonOptions, 'url'>,
  maxSeconds?: number,
): Promise<AutocannonResult> {
  const run = autocannon({ url: base, connections: CONNECTIONS, timeout: TIMEOUT_S, ...options });
  const timer = maxSeconds ? setTimeout(() => run.stop(), maxSeconds * 1000) : undefined;
  try {
    return await run;
  } finally {
    clearTimeout(timer);
  }
}

// --- Main ----------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = Date.now();
  console.log(
    `load benchmark: synthetic world at scale ${SCALE}, anchor ${NOW.toISOString()}; ${CONNECTIONS} connections, ` +
      `${DURATION_S} s per query and server; memory over ${MEMORY_REQUESTS} requests`,
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
  const [app, sql] = await Promise.all([
    startChild('the application', './load-app.js', { ...apiEnv('load'), DATABASE_URL: db.url }),
    startChild('the SQL baseline', './sql-baseline-server.js', {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      BASELINE_POOL_SIZE: String(POOL_SIZE),
    }),
  ]);
  const appUrl = `http://127.0.0.1:${app.port}`;
  const sqlUrl = `http://127.0.0.1:${sql.port}`;
  const range = `from=${encodeURIComponent(FROM.toISOString())}&to=${encodeURIComponent(TO.toISOString())}`;
  const targets: Record<'gqlSessions' | 'sqlSessions' | 'gqlGraph' | 'sqlGraph', Target> = {
    gqlSessions: { label: 'sessions', server: 'GraphQL', request: gqlRequest(sessionsGql(FROM, TO)) },
    sqlSessions: { label: 'sessions', server: 'SQL', request: { method: 'GET', path: `/sessions?${range}` } },
    gqlGraph: { label: 'season graph', server: 'GraphQL', request: gqlRequest(SEASON_GRAPH_GQL) },
    sqlGraph: { label: 'season graph', server: 'SQL', request: { method: 'GET', path: '/season-graph' } },
  };
  const baseOf = (t: Target) => (t.server === 'GraphQL' ? appUrl : sqlUrl);

  // Both servers answer the same data, every time the same bytes.
  for (const t of Object.values(targets)) {
    const [a, b] = [await fetchBody(baseOf(t), t.request), await fetchBody(baseOf(t), t.request)];
    if (a !== b) throw new Error(`${t.server} ${t.label}: two requests answered differently`);
    if (t.server === 'GraphQL' && (JSON.parse(a) as { errors?: unknown }).errors)
      throw new Error(`GraphQL ${t.label}: ${a.slice(0, 500)}`);
    t.expected = a;
  }
  const parsed = (t: Target) => JSON.parse(t.expected ?? 'null') as { data: Record<string, unknown> };
  for (const [g, s] of [
    [targets.gqlSessions, targets.sqlSessions],
    [targets.gqlGraph, targets.sqlGraph],
  ] as [Target, Target][]) {
    const diff = firstDifference(parsed(g), parsed(s));
    if (diff) throw new Error(`GraphQL and SQL answer ${g.label} differently at ${diff}`);
  }
  const sessionsData = parsed(targets.gqlSessions).data.sessions as { totalCount: number; edges: unknown[] };
  const graphData = parsed(targets.gqlGraph).data.seasons as {
    edges: { node: { raceWeeks: unknown[] } }[];
  };
  const kB = (t: Target) => fmt(Buffer.byteLength(t.expected ?? '') / 1024);
  const weeks = graphData.edges.reduce((n, e) => n + e.node.raceWeeks.length, 0);
  console.log(
    `checked: both servers answer the same data — sessions: ${sessionsData.edges.length} of ${sessionsData.totalCount} ` +
      `starts in ${FROM.toISOString()} … ${TO.toISOString()} (page of ${SESSIONS_PAGE_SIZE}); season graph: ` +
      `${graphData.edges.length} seasons, ${weeks} race weeks; response sizes GraphQL ` +
      `${kB(targets.gqlSessions)} / ${kB(targets.gqlGraph)} kB, SQL ${kB(targets.sqlSessions)} / ${kB(targets.sqlGraph)} kB`,
  );

  // Phases on the application record its memory and the requests it answered.
  const pid = app.child.pid ?? 0;
  let served = 2 * 2; // the checks above
  let failed = 0;
  const phase = async (
    t: Target | AutocannonRequest[],
    options: Omit<AutocannonOptions, 'url'>,
    maxS?: number,
  ) => {
    const peak = watchRss(pid);
    const base = Array.isArray(t) ? appUrl : baseOf(t);
    // One target: its path in the URL (autocannon's top-level options take no path); a mix: `requests`.
    const result = Array.isArray(t)
      ? await load(base, { requests: t, ...options }, maxS)
      : await load(
          `${base}${t.request.path}`,
          { method: t.request.method, headers: t.request.headers, body: t.request.body, ...options },
          maxS,
        );
    const peakRss = peak();
    await Promise.all([settle(pid), settle(sql.child.pid ?? 0)]);
    if (base === appUrl) served += result.requests.total;
    failed += failures(result);
    return { result, peakRss };
  };
  const line = (name: string, r: AutocannonResult, peakRss?: number) =>
    console.log(
      `  ${name.padEnd(22)} ${String(r.requests.total).padStart(6)} requests in ${fmt(r.duration).padStart(5)} s ` +
        `${fmt(r.requests.average, 0).padStart(5)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ` +
        `${failures(r)} failed${peakRss ? `  app peak RSS ${fmt(mb(peakRss), 0)} MB` : ''}`,
    );

  // Warm-up: the calendar, and one request in GRAPH_EVERY the season graph.
  const mixed: AutocannonRequest[] = Array.from({ length: GRAPH_EVERY }, (_, i) =>
    i === GRAPH_EVERY - 1 ? targets.gqlGraph.request : targets.gqlSessions.request,
  );
  console.log(`\n${CONNECTIONS} connections (GraphQL: the application, pid ${pid}; SQL: the baseline):`);
  const warm = await phase(mixed, {
    amount: WARMUP_REQUESTS,
    verifyBody: (body) => body === targets.gqlSessions.expected || body === targets.gqlGraph.expected,
  });
  line(`warm-up (1 in ${GRAPH_EVERY} graph)`, warm.result, warm.peakRss);
  const m1 = await memoryOf(app.child, served);

  // Throughput and latency, one query and server at a time, each response checked against the expected body.
  const rows: Row[] = [];
  for (const t of [targets.gqlSessions, targets.sqlSessions, targets.gqlGraph, targets.sqlGraph]) {
    const { result, peakRss } = await phase(t, { duration: DURATION_S, expectBody: t.expected });
    rows.push({ target: t, result });
    line(`${t.server} ${t.label}`, result, t.server === 'GraphQL' ? peakRss : undefined);
  }
  const m2 = await memoryOf(app.child, served);

  // Memory: the calendar until the application has answered MEMORY_REQUESTS since the first reading.
  const topUp = Math.max(CONNECTIONS, MEMORY_REQUESTS - (m2.requests - m1.requests));
  const more = await phase(
    targets.gqlSessions,
    { amount: topUp, expectBody: targets.gqlSessions.expected },
    MEMORY_MAX_S,
  );
  line(`GraphQL sessions (fixed)`, more.result, more.peakRss);
  const m3 = await memoryOf(app.child, served);

  // The report.
  const table = [
    '| query | server | req/s | p50 ms | p99 ms | requests | errors / non-2xx / wrong body |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      ({ target: t, result: r }) =>
        `| ${t.label} | ${t.server === 'GraphQL' ? 'GraphQL (app)' : 'hand-written SQL'} | ${fmt(r.requests.average, 0)} | ` +
        `${r.latency.p50} | ${r.latency.p99} | ${r.requests.total} | ${r.errors + r.timeouts} / ${r.non2xx} / ${r.mismatches} |`,
    ),
  ];
  const ratios = [
    '| query | throughput GraphQL / SQL | p50 GraphQL / SQL | p99 GraphQL / SQL |',
    '| --- | ---: | ---: | ---: |',
    ...[0, 2].map((i) => {
      const [g, s] = [rows[i].result, rows[i + 1].result];
      return (
        `| ${rows[i].target.label} | ${fmt(g.requests.average / s.requests.average, 2)} | ` +
        `${fmt(g.latency.p50 / Math.max(s.latency.p50, 1), 2)} | ${fmt(g.latency.p99 / Math.max(s.latency.p99, 1), 2)} |`
      );
    }),
  ];
  const growth = (a: MemorySample, b: MemorySample) => {
    const rss = b.rss - a.rss;
    const heap = b.heapUsed - a.heapUsed;
    return {
      rss,
      heap,
      requests: b.requests - a.requests,
      text:
        `RSS ${fmt(mb(a.rss))} → ${fmt(mb(b.rss))} MB (${rss >= 0 ? '+' : ''}${fmt(mb(rss))} MB, ` +
        `${rss >= 0 ? '+' : ''}${fmt((rss / a.rss) * 100)} %), heap after GC ${fmt(mb(a.heapUsed))} → ` +
        `${fmt(mb(b.heapUsed))} MB (${heap >= 0 ? '+' : ''}${fmt(mb(heap))} MB)`,
    };
  };
  const whole = growth(m1, m3);
  const last = growth(m2, m3);
  // A leak of even 200 bytes a request would add 2 MB of live heap over 10,000 requests.
  const heapLimit = Math.max(2 * 1048576, m1.heapUsed * 0.05);
  const rssLimit = Math.max(16 * 1048576, m1.rss * 0.1);
  // RSS compared between the two readings that follow calendar load (the reading after the season graph comes
  // after a peak the allocator has just given back, so it is lower than either); the heap at every reading.
  const stable = whole.heap <= heapLimit && last.heap <= heapLimit && whole.rss <= rssLimit;
  const memory = [
    `- after the warm-up (${m1.requests} requests): RSS ${fmt(mb(m1.rss))} MB, heap after GC ${fmt(mb(m1.heapUsed))} MB`,
    `- after the timed phases (${m2.requests} requests): RSS ${fmt(mb(m2.rss))} MB, heap after GC ${fmt(mb(m2.heapUsed))} MB`,
    `- after the fixed phase (${m3.requests} requests): RSS ${fmt(mb(m3.rss))} MB, heap after GC ${fmt(mb(m3.heapUsed))} MB`,
    `- over the last ${last.requests} requests (the calendar): ${last.text}`,
    `- over ${whole.requests} requests since the warm-up: ${whole.text}`,
    `- **memory stable: ${stable ? 'yes' : 'no'}** (growth ${fmt(mb(whole.rss))} MB RSS, ${fmt(mb(whole.heap), 2)} MB heap ` +
      `over ${whole.requests} requests${whole.requests < MEMORY_REQUESTS ? `, fewer than ${MEMORY_REQUESTS}: the fixed phase hit its ${MEMORY_MAX_S} s limit` : ''}; ` +
      `limits: heap after GC +${fmt(mb(heapLimit))} MB, RSS +${fmt(mb(rssLimit))} MB)`,
  ];
  console.log(`\n${table.join('\n')}\n\nGraphQL / hand-written SQL, same run:\n\n${ratios.join('\n')}\n`);
  console.log(`memory of the application process:\n${memory.join('\n')}`);
  const allFailed = failed;
  console.log(
    `\n${allFailed ? `FAILED: ${allFailed} requests errored or answered differently` : 'no request failed'}; ` +
      `whole run ${fmt((Date.now() - started) / 1000, 0)} s`,
  );
  return allFailed ? 1 : 0;
}

runBench(main);
