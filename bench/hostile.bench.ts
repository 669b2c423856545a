// `npm run bench:hostile`: the worst request the API accepts, and the hostile corpus, measured.
// Syncs the catalog, the seasons (sessions) and the forecasts of every race week of the synthetic world
// (BENCH_SCALE, default 1) from the offline replica into a throwaway database, then starts the application
// (load-app.js: createApp, ROLE=api, NODE_ENV=production) in its own process on 127.0.0.1.
//
// Heavy requests, one at a time: shapes built to sit just under GRAPHQL_MAX_COMPLEXITY (their `first` found by
// measuring the document with the limits plugin's own measureOperation over the application's schema, and the
// same shape one step over, which must be refused), the full season graph of bench:load (measured whatever the
// answer) and the largest page of it accepted, 50 aliases of the whole calendar (cheap by the estimate, not for the
// database), and the tester's original query, which must be refused. `{ __typename }` first: the floor of the
// figures (the bench's own reads of pg_stat_database, /health). For each: the answer, wall time, tuples
// PostgreSQL read for it (pg_stat_database tup_returned + tup_fetched of the bench database, before and after,
// read once the backends have flushed their counters), the list items in the JSON answer, its bytes, the
// application's RSS after a full GC before the request and its peak during it (VmRSS every 50 ms, and the
// kernel's VmHWM reset before the request), and the latency of /health probed in a loop while it is in flight.
//
// The hostile corpus (the worst cases of test/hostile/corpus.ts, rebuilt here: src/ cannot import test/): each
// request once (answer code, time), then BENCH_BURST (200) of it, BENCH_BURST_CONCURRENCY (10) in flight, with
// /health probed meanwhile.
//
// Prints markdown tables for BENCHMARKS.md. Exits non-zero when a request that must be refused was accepted, or any
// response (GraphQL or /health) was a 5xx.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { loadConfig } from '../src/core/config/app-config.js';
import { MAX_ROOT_FIELDS, measureOperation } from '../src/core/graphql/limits.plugin.js';
import { buildSchema } from '../src/schema.js';
import { MAX_INSTANCES } from '../src/seasons/dto/seasons.args.js';
import { MAX_FORECAST_HOURS } from '../src/weather/dto/forecast.args.js';
import {
  NOW,
  REDIS_URL,
  SCALE,
  apiEnv,
  memoryAfterGc,
  procStatus,
  queuePrefix,
  rssOf,
  runBench,
  startChild,
  syncWorld,
} from './bench-app.js';
import { clearRedisPrefix, timed } from './bench-db.js';
import type { BenchDb } from './bench-db.js';
import { benchImporters } from './importers.js';
import { SEASON_GRAPH_GQL } from './queries.js';

/** A request unanswered after this long counts as failed. */
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 300);
/** A /health probe unanswered after this long counts as failed. */
const HEALTH_TIMEOUT_MS = 30_000;
/** Each hostile request is sent this many times, BURST_CONCURRENCY in flight, after the single measurement. */
const BURST = Number(process.env.BENCH_BURST ?? 200);
const BURST_CONCURRENCY = Number(process.env.BENCH_BURST_CONCURRENCY ?? 10);
/**
 * PostgreSQL (15) backends publish their counters at most once a second while busy and within 10 s once idle:
 * pg_stat_database is read this long after a request for its delta to be whole.
 */
const STATS_WAIT_MS = Number(process.env.BENCH_STATS_WAIT_MS ?? 11_500);
/** The whole calendar, for the alias requests. */
const ALL_TIME = `from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z"`;
/** Settings of the limits that the bench passes on to the application when set. */
const PASSED_ON = [
  'GRAPHQL_MAX_DEPTH',
  'GRAPHQL_MAX_COMPLEXITY',
  'GRAPHQL_HEAVY_COMPLEXITY',
  'GRAPHQL_HEAVY_CONCURRENCY',
  'GRAPHQL_MAX_TOKENS',
  'API_STATEMENT_TIMEOUT_MS',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => (bytes / 1048576).toFixed(0);
const fmt = (n: number, digits = 0) => n.toFixed(digits);
const sizeOf = (bytes: number) =>
  bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
const msOf = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${fmt(ms)} ms`);
const thousands = (n: number) => n.toLocaleString('en-US');

// --- The application's memory ------------------------------------------------------------------------------------

/**
 * Samples the VmRSS of `pid` every 50 ms until stopped; returns the highest seen, or VmHWM when that is higher
 * (the kernel's high-water mark, reset here through clear_refs where the kernel allows it).
 */
function watchRss(pid: number): () => number {
  let hwmReset = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    hwmReset = true;
  } catch {
    /* not allowed here: the samples alone */
  }
  let peak = rssOf(pid);
  const read = () => {
    try {
      peak = Math.max(peak, rssOf(pid), hwmReset ? procStatus(pid, 'VmHWM') : 0);
    } catch {
      /* exited: reported by the request */
    }
  };
  const timer = setInterval(read, 50);
  return () => {
    clearInterval(timer);
    read();
    return peak;
  };
}

// --- Probes ----------------------------------------------------------------------------------------------------

interface HealthFigures {
  probes: number;
  maxMs: number;
  /** Probes answered with a 5xx, or not at all within HEALTH_TIMEOUT_MS. */
  failed: number;
  lastFailure?: string;
}

/** GET /health in a loop (50 ms apart) until stopped; the probe in flight is awaited. */
function probeHealth(base: string): () => Promise<HealthFigures> {
  const figures: HealthFigures = { probes: 0, maxMs: 0, failed: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
        const body = await res.text();
        if (res.status >= 500) {
          figures.failed++;
          figures.lastFailure = `HTTP ${res.status} ${body.slice(0, 200)}`;
        }
      } catch (err) {
        figures.failed++;
        figures.lastFailure = String(err);
      }
      figures.probes++;
      figures.maxMs = Math.max(figures.maxMs, performance.now() - t);
      if (running) await sleep(50);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return figures;
  };
}

/** Tuples PostgreSQL read in the bench database so far (every backend's published counters). */
async function tuplesRead(db: BenchDb): Promise<number> {
  await db.db.query('SELECT pg_stat_clear_snapshot()');
  const [row] = (await db.db.query(
    `SELECT (tup_returned + tup_fetched)::float8 AS n FROM pg_stat_database WHERE datname = current_database()`,
  )) as { n: number }[];
  return row.n;
}

/** List items anywhere in a JSON value (edges, nested lists and their elements). */
function listItems(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + 1 + listItems(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + listItems(x), 0);
  return 0;
}

interface Answer {
  status: number;
  ms: number;
  bytes: number;
  /**
   * `accepted`; `accepted with errors` (an error other than a refusal: a statement timeout); `refused` (refusals
   * only, no data); `refused in part` (refusals, with the data of the fields that ran); or the transport failure.
   */
  outcome: string;
  code?: string;
  message?: string;
  items: number;
}

/** Error codes of a request refused as the caller's mistake (a limit, a bad argument, an unparsable document). */
const REFUSAL_CODES = new Set(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);
const isRefused = (a: Answer) => a.outcome.startsWith('refused');

async function send(base: string, query: string): Promise<Answer> {
  const t = performance.now();
  let status = 0;
  let text: string;
  try {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(TIMEOUT_S * 1000),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    return { status, ms: performance.now() - t, bytes: 0, outcome: `failed: ${String(err)}`, items: 0 };
  }
  const ms = performance.now() - t;
  const bytes = Buffer.byteLength(text);
  let body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { status, ms, bytes, outcome: `not JSON: ${text.slice(0, 200)}`, items: 0 };
  }
  const error = body.errors?.[0];
  const refusals = body.errors?.every((e) => REFUSAL_CODES.has(e.extensions?.code ?? ''));
  const outcome = !error
    ? 'accepted'
    : !refusals
      ? 'accepted with errors'
      : body.data
        ? 'refused in part'
        : 'refused';
  return {
    status,
    ms,
    bytes,
    outcome,
    code: error?.extensions?.code,
    message: error?.message,
    items: listItems(body.data),
  };
}

// --- The requests ------------------------------------------------------------------------------------------------

interface Heavy {
  name: string;
  query: string;
  /** The answer it must get; `either` for requests that are measured, whatever the answer. */
  expect: 'accepted' | 'refused' | 'either';
}

function estimate(schema: GraphQLSchema, query: string): number {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!op) throw new Error(`no operation in ${query.slice(0, 80)}`);
  return measureOperation(doc, op, schema).complexity;
}

/** The largest n in [1, max] whose document is estimated within `limit` (the estimate grows with n). */
function largestWithin(
  schema: GraphQLSchema,
  shape: (n: number) => string,
  max: number,
  limit: number,
): number {
  if (estimate(schema, shape(1)) > limit) throw new Error(`over the limit even at 1: ${shape(1)}`);
  let [lo, hi] = [1, max];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (estimate(schema, shape(mid)) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The heavy requests: shapes at the limit (and one step over), the season graph, aliases, and the refused. */
function heavyRequests(schema: GraphQLSchema, limit: number): Heavy[] {
  const atLimit = (name: string, shape: (n: number) => string, max: number): Heavy[] => {
    const n = largestWithin(schema, shape, max, limit);
    const accepted: Heavy = { name: name.replaceAll('N', String(n)), query: shape(n), expect: 'accepted' };
    // One step over the limit (unless the cap on `first` is reached first: validation refuses that).
    return n < max
      ? [{ name: name.replaceAll('N', String(n + 1)), query: shape(n + 1), expect: 'refused' }, accepted]
      : [accepted];
  };
  const aliases = (field: string) =>
    `{ ${Array.from({ length: MAX_ROOT_FIELDS }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
  return [
    {
      name: "{ __typename } (the floor: the bench's own reads)",
      query: '{ __typename }',
      expect: 'accepted',
    },
    {
      name: "the tester's query: 100 series → seasons → weeks → every start and the forecast",
      query: `{ seriesList(first: 100) { edges { node { seasons { raceWeeks { event { instances { startTime } } forecast { timeOffset airTempC } } } } } } }`,
      expect: 'refused',
    },
    {
      name: 'every session start of 100 seasons of weeks (default first)',
      query: `{ seasons(first: 100) { edges { node { raceWeeks { event { instances { startTime } } } } } } }`,
      expect: 'refused',
    },
    {
      name: 'the forecast of every week of 100 seasons (default first)',
      query: `{ seasons(first: 100) { edges { node { raceWeeks { forecast { timeOffset airTempC } } } } } }`,
      expect: 'refused',
    },
    ...atLimit(
      '100 seasons → weeks → event → instances(first: N) { startTime }',
      (n) =>
        `{ seasons(first: 100) { edges { node { raceWeeks { event { instances(first: ${n}) { startTime } } } } } } }`,
      MAX_INSTANCES,
    ),
    ...atLimit(
      '100 seasons → weeks → forecast(first: N) { timeOffset airTempC }',
      (n) =>
        `{ seasons(first: 100) { edges { node { raceWeeks { forecast(first: ${n}) { timeOffset airTempC } } } } } }`,
      MAX_FORECAST_HOURS,
    ),
    ...atLimit(
      `seasons(first: N) → weeks → forecast(first: ${MAX_FORECAST_HOURS}) { timeOffset airTempC }`,
      (n) =>
        `{ seasons(first: ${n}) { edges { node { raceWeeks { forecast(first: ${MAX_FORECAST_HOURS}) { timeOffset airTempC } } } } } }`,
      100,
    ),
    ...atLimit(
      '100 series → seasons → weeks → event → instances(first: N) { startTime }',
      (n) =>
        `{ seriesList(first: 100) { edges { node { seasons { raceWeeks { event { instances(first: ${n}) { startTime } } } } } } } }`,
      MAX_INSTANCES,
    ),
    ...atLimit(
      "the tester's query with instances(first: N) and forecast(first: N)",
      (n) =>
        `{ seriesList(first: 100) { edges { node { seasons { raceWeeks { event { instances(first: ${n}) { startTime } } forecast(first: ${n}) { timeOffset airTempC } } } } } } }`,
      MAX_FORECAST_HOURS,
    ),
    {
      name: 'the full season graph of 100 active seasons (bench:load)',
      query: SEASON_GRAPH_GQL,
      expect: 'either',
    },
    ...atLimit(
      'the full season graph of N active seasons',
      (n) => SEASON_GRAPH_GQL.replace('seasons(first: 100,', `seasons(first: ${n},`),
      100,
    ),
    {
      name: `${MAX_ROOT_FIELDS} aliases of the whole calendar's totalCount`,
      query: aliases(`sessions(filter: { ${ALL_TIME} }) { totalCount }`),
      expect: 'accepted',
    },
    {
      name: `${MAX_ROOT_FIELDS} aliases of a page of 100 of the whole calendar, with its count`,
      query: aliases(
        `sessions(filter: { ${ALL_TIME} }, first: 100) { totalCount edges { node { startTime raceWeek { series { name } layout { trackName } } } } }`,
      ),
      expect: 'accepted',
    },
    {
      name: `${MAX_ROOT_FIELDS} aliases of the whole calendar's count, filtered by cars and weather`,
      query: aliases(
        `sessions(filter: { ${ALL_TIME}, carIds: [1, 2, 3, 4, 5], rainPossible: false, minAirTempC: -50 }) { totalCount }`,
      ),
      expect: 'accepted',
    },
  ];
}

/** Fragments F0 … Fn, each spreading the next twice (as test/hostile/corpus.ts fragmentBomb). */
function fragmentBomb(n: number): string {
  const lines = ['query Bomb { ...F0 }'];
  for (let i = 0; i < n; i++)
    lines.push(`fragment F${i} on Query { __typename cars { totalCount } ...F${i + 1} ...F${i + 1} }`);
  lines.push(`fragment F${n} on Query { __typename cars { totalCount } }`);
  return lines.join('\n');
}

/** The worst of the hostile corpus (test/hostile/corpus.ts), all of which must be refused. */
const HOSTILE: { name: string; query: string }[] = [
  { name: 'fragment bomb: 31 fragments, each spreading the next twice', query: fragmentBomb(31) },
  {
    name: '1,000 aliases of a page of cars',
    query: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: cars(first: 100) { totalCount }`).join(' ')} }`,
  },
  { name: 'braces nested 200 deep', query: `{ cars ${'{ a '.repeat(200)}${'} '.repeat(200)}}` },
  {
    name: 'a selection 14 levels deep',
    query: `{ seriesList(first: 1) { edges { node { seasons { series { ${'seasons { series { '.repeat(5)} id ${'} } '.repeat(5)} } } } } } }`,
  },
  { name: '6,000 tokens', query: `{ ${'__typename '.repeat(6000)}}` },
  {
    name: `instances(first: ${MAX_INSTANCES + 1})`,
    query: `{ seasons(first: 1) { edges { node { raceWeeks { event { instances(first: ${MAX_INSTANCES + 1}) { startTime } } } } } } }`,
  },
  {
    name: `forecast(first: ${MAX_FORECAST_HOURS + 1})`,
    query: `{ seasons(first: 1) { edges { node { raceWeeks { forecast(first: ${MAX_FORECAST_HOURS + 1}) { timeOffset } } } } } }`,
  },
  {
    name: "the tester's query",
    query: `{ seriesList(first: 100) { edges { node { seasons { raceWeeks { event { instances { startTime } } forecast { timeOffset airTempC } } } } } } }`,
  },
];

// --- Main --------------------------------------------------------------------------------------------------------

const QUEUE_PREFIX = queuePrefix('hostile');

async function main(): Promise<number> {
  const started = Date.now();
  const appEnv: NodeJS.ProcessEnv = {
    ...apiEnv('hostile'),
    ...Object.fromEntries(PASSED_ON.filter((k) => process.env[k]).map((k) => [k, process.env[k]])),
  };
  const config = loadConfig(appEnv);
  const limit = config.env.GRAPHQL_MAX_COMPLEXITY;
  const schema = await buildSchema();
  const heavy = heavyRequests(schema, limit);
  console.log(
    `hostile benchmark: synthetic world at scale ${SCALE}, anchor ${NOW.toISOString()}; limits: complexity ` +
      `${limit}, depth ${config.env.GRAPHQL_MAX_DEPTH}, tokens ${config.env.GRAPHQL_MAX_TOKENS}, ${MAX_ROOT_FIELDS} ` +
      `root fields, statement_timeout ${config.env.API_STATEMENT_TIMEOUT_MS} ms, heavy from ` +
      `${config.env.GRAPHQL_HEAVY_COMPLEXITY} (${config.env.GRAPHQL_HEAVY_CONCURRENCY} at once)`,
  );

  // Set-up: the catalog, the seasons and every week's forecast, straight through the importers.
  const { db } = await syncWorld('hostile', async (client, db, syncMs) => {
    const weekIds = (
      (await db.db.query('SELECT id FROM race_week WHERE weather_url IS NOT NULL ORDER BY id')) as {
        id: number;
      }[]
    ).map((r) => r.id);
    const { weather } = benchImporters(client, db.db, loadConfig({}));
    const forecasts = await timed(() => weather.refreshForecasts({ raceWeekIds: weekIds, force: true }));
    if (forecasts.value.totals().failed)
      throw new Error(
        `forecast refresh failed weeks: ${JSON.stringify(forecasts.value.failures.slice(0, 3))}`,
      );
    const [counts] = (await db.db.query(`SELECT
        (SELECT count(*) FROM season WHERE active)::int AS seasons,
        (SELECT count(*) FROM race_week)::int AS weeks,
        (SELECT count(*) FROM event_instance)::int AS sessions,
        (SELECT count(*) FROM weather_forecast)::int AS hours`)) as {
      seasons: number;
      weeks: number;
      sessions: number;
      hours: number;
    }[];
    console.log(
      `set-up: catalog and seasons synced in ${fmt(syncMs / 1000, 1)} s, forecasts of ${weekIds.length} weeks in ` +
        `${fmt(forecasts.ms / 1000, 1)} s: ${counts.seasons} active seasons, ${counts.weeks} race weeks, ` +
        `${thousands(counts.sessions)} sessions, ${thousands(counts.hours)} forecast hours`,
    );
  });
  // VACUUM ANALYZE: the planner sees the data as a deployment that has run a while would.
  await db.db.query('VACUUM ANALYZE');

  const { child, port } = await startChild('the application', './load-app.js', {
    ...appEnv,
    DATABASE_URL: db.url,
  });
  const pid = child.pid ?? 0;
  const base = `http://127.0.0.1:${port}`;
  const problems: string[] = [];
  const notes: string[] = [];
  let idleHealth = 0;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await (await fetch(`${base}/health`)).text();
    idleHealth = Math.max(idleHealth, performance.now() - t);
  }
  console.log(
    `the application: pid ${pid}, ${base}; /health idle: max ${fmt(idleHealth, 1)} ms over 20 probes`,
  );
  await sleep(STATS_WAIT_MS);

  // Heavy requests, one at a time.
  const heavyRows: string[] = [];
  console.log('\nheavy requests, one at a time:');
  for (const h of heavy) {
    await memoryAfterGc(child, 60);
    const tuples0 = await tuplesRead(db);
    const rssBefore = rssOf(pid);
    const peak = watchRss(pid);
    const health = probeHealth(base);
    const a = await send(base, h.query);
    const peakRss = peak();
    const hf = await health();
    await sleep(STATS_WAIT_MS);
    const tuples = (await tuplesRead(db)) - tuples0;
    const cost = estimate(schema, h.query);
    const accepted = a.outcome.startsWith('accepted');
    const answer = `${a.outcome}${a.message ? ` (${a.code}: ${a.message.slice(0, 120)})` : ''}`;
    if (h.expect === 'refused' && !isRefused(a)) problems.push(`${a.outcome}, must be refused: ${h.name}`);
    // Not a failure of the API: the bench's estimate and the server's disagree, or an answer was an error.
    if (h.expect === 'accepted' && a.outcome !== 'accepted') notes.push(`${h.name}: ${answer}`);
    if (a.status >= 500 || a.status === 0) problems.push(`HTTP ${a.status}: ${h.name}`);
    if (hf.failed) problems.push(`/health failed ${hf.failed} times during ${h.name}: ${hf.lastFailure}`);
    console.log(
      `- ${h.name}\n    estimate ${thousands(cost)}; HTTP ${a.status} ${answer}; ${msOf(a.ms)}; ` +
        `${thousands(tuples)} tuples read; ${thousands(a.items)} list items; ${sizeOf(a.bytes)}; ` +
        `app RSS ${mb(rssBefore)} → ${mb(peakRss)} MB; /health max ${msOf(hf.maxMs)} over ${hf.probes} probes` +
        `${hf.failed ? `, ${hf.failed} failed` : ''}`,
    );
    heavyRows.push(
      `| ${h.name.replace(/\|/g, '\\|')} | ${thousands(cost)} | ${accepted || !a.code ? a.outcome : `${a.outcome} (${a.code})`} | ` +
        `${msOf(a.ms)} | ${thousands(tuples)} | ${thousands(a.items)} | ${sizeOf(a.bytes)} | ${mb(rssBefore)} → ${mb(peakRss)} MB | ` +
        `${msOf(hf.maxMs)} (${hf.probes}${hf.failed ? `, ${hf.failed} failed` : ''}) |`,
    );
  }

  // The hostile corpus: once, then a burst.
  const corpusRows: string[] = [];
  console.log(`\nhostile corpus: each once, then ${BURST} times, ${BURST_CONCURRENCY} in flight:`);
  for (const h of HOSTILE) {
    const once = await send(base, h.query);
    const health = probeHealth(base);
    const peak = watchRss(pid);
    const times: number[] = [];
    const statuses = new Map<string, number>();
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: BURST_CONCURRENCY }, async () => {
        while (next < BURST) {
          next++;
          const a = await send(base, h.query);
          times.push(a.ms);
          const key = `${a.status} ${isRefused(a) ? a.code : a.outcome}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (!isRefused(a) || a.status >= 500) problems.push(`${h.name}: HTTP ${a.status} ${a.outcome}`);
        }
      }),
    );
    const burstMs = performance.now() - t;
    const peakRss = peak();
    const hf = await health();
    times.sort((x, y) => x - y);
    const p50 = times[Math.floor(times.length / 2)] ?? 0;
    const max = times.at(-1) ?? 0;
    if (!isRefused(once) || once.status >= 500)
      problems.push(`${h.name}: HTTP ${once.status} ${once.outcome}`);
    if (hf.failed)
      problems.push(`/health failed ${hf.failed} times during the ${h.name} burst: ${hf.lastFailure}`);
    const code =
      `${once.status} ${once.outcome === 'refused' ? '' : `${once.outcome} `}${once.code ?? ''}`.trim();
    console.log(
      `- ${h.name}: ${code} in ${fmt(once.ms, 1)} ms (${once.message?.slice(0, 100)}); burst ` +
        `${[...statuses].map(([k, n]) => `${n}× ${k}`).join(', ')} in ${msOf(burstMs)}, p50 ${fmt(p50, 1)} ms, ` +
        `max ${fmt(max, 1)} ms; app peak RSS ${mb(peakRss)} MB; /health max ${fmt(hf.maxMs, 1)} ms over ` +
        `${hf.probes} probes${hf.failed ? `, ${hf.failed} failed` : ''}`,
    );
    corpusRows.push(
      `| ${h.name} | ${code} | ${fmt(once.ms, 1)} ms | ${fmt(p50, 1)} / ${fmt(max, 1)} ms | ` +
        `${fmt(hf.maxMs, 1)} ms (${hf.probes}${hf.failed ? `, ${hf.failed} failed` : ''}) |`,
    );
  }

  console.log(
    `\n| request | estimated complexity | answer | time | tuples read (pg_stat_database) | list items in the JSON | response | app RSS before → peak | /health max (probes) |\n` +
      `| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n${heavyRows.join('\n')}\n`,
  );
  console.log(
    `| hostile request | answer | time | burst of ${BURST} (${BURST_CONCURRENCY} in flight): p50 / max | /health max during the burst (probes) |\n` +
      `| --- | --- | ---: | ---: | ---: |\n${corpusRows.join('\n')}\n`,
  );
  if (notes.length) console.log(`notes (not failures):\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  const unique = [...new Set(problems)];
  console.log(
    `${unique.length ? `FAILED:\n${unique.map((p) => `- ${p}`).join('\n')}` : 'every request answered as it must'}; ` +
      `whole run ${fmt((Date.now() - started) / 1000)} s`,
  );
  return unique.length ? 1 : 0;
}

runBench(main, () => clearRedisPrefix(REDIS_URL, QUEUE_PREFIX).catch(() => 0));
