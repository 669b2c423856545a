// `npm run bench:planner`: the planner's three questions (docs/architecture.md §6.9) for one racer, through the real
// services against one hand-written SQL statement each that returns the same answer, measured in the same run.
// The synthetic world (BENCH_SCALE or `--scale`, default 1; anchored at the real clock, which the services read) is
// synced from the offline replica into a throwaway database through the importers: catalog, current and future
// seasons, a few hundred finished races and the chosen racer's recent races. The racer (the member with the most
// official race weeks stored) is given exactly 50 paid cars and 60 paid track packages (every k-th by id; all of
// them at scales too small for that) and a mix of licences. The services run in-process in the application
// (createApp, ROLE=api, not listening) on its own DataSource; the SQL runs on one pg connection. Each pair is
// checked equal once (exit 1 with the difference when not), then timed interleaved (BENCH_WARMUP / `--warmup` 5
// warm-up runs, BENCH_RUNS / `--runs` 50 measured), and the SQL statements of one service call are counted, for
// the racer as set up and owning nothing / everything.
// Prints median and p95 of both, their ratio and the statements: figures, not assertions.
import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { INestApplicationContext } from '@nestjs/common';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/core/config/app-config.js';
import { PlannerService } from '../src/planner/planner.service.js';
import { PurchaseGuideService } from '../src/planner/purchase-guide.service.js';
import { syntheticDataset } from '../offline/synthetic-dataset.js';
import { ADMIN_URL, REDIS_URL, apiEnv, queuePrefix, runBench } from './bench-app.js';
import { benchReplica, clearRedisPrefix, createBenchDb, median, timed } from './bench-db.js';
import type { BenchDb } from './bench-db.js';
import { benchImporters } from './importers.js';

// --- Settings: `--name value` (or `--name=value`) wins over BENCH_NAME ------------------------------------------

const flags = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const m = /^--([a-z-]+)(?:=(.*))?$/.exec(process.argv[i]);
  if (m) flags.set(m[1], m[2] ?? process.argv[++i] ?? '');
}
function setting(name: string, fallback: number): number {
  const raw = flags.get(name) ?? process.env[`BENCH_${name.toUpperCase()}`];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got ${raw}`);
  return n;
}
const SCALE = setting('scale', 1);
const WARMUP = Math.round(setting('warmup', 5));
const RUNS = Math.round(setting('runs', 50));
/** Finished races of the last 7 days imported before the racer is chosen (their participants are the candidates). */
const SUBSESSIONS = Math.round(setting('subsessions', 200));
const OWNED_CARS = 50;
const OWNED_TRACKS = 60;
/** Licence levels by category_id (1 oval … 6 formula car): B and C licences (4 levels per class, 1-4 Rookie). */
const LICENCES = { 1: 16, 2: 12, 3: 12, 4: 16, 5: 16, 6: 12 };
const PAGE = 50;
const GUIDE_FIRST = 20;
const BENCH = 'planner';

const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const ms = (n: number) => n.toFixed(1);
const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

// --- The hand-written SQL ------------------------------------------------------------------------------------
// Set-based, as one would write each question by hand: the racer's content and licences once, the licence rule
// once per series, the weeks' allowed cars as one join (a week's own cars, else its classes' cars), then hash
// joins and aggregates; no subquery runs per week.

/** The racer's cars and track packages (owned or free), licences and the licence rule per series ($1: cust_id). */
const RACER = `
  cars AS (SELECT car_id FROM sim_profile_car_ownership WHERE cust_id = $1
           UNION SELECT car_id FROM sim_car WHERE free_with_subscription),
  tracks AS (SELECT package_id FROM sim_profile_track_ownership WHERE cust_id = $1
             UNION SELECT package_id FROM sim_track WHERE free_with_subscription),
  lic AS (SELECT (x->>'category_id')::int AS category_id, (x->>'license_level')::int AS level
          FROM sim_profile p CROSS JOIN LATERAL jsonb_array_elements(
            CASE WHEN jsonb_typeof(p.licenses) = 'array' THEN p.licenses ELSE '[]' END) x
          WHERE p.cust_id = $1),
  ser AS MATERIALIZED (
    SELECT s.series_id,
      (SELECT min((x->>'min_license_level')::int) FROM jsonb_array_elements(
         CASE WHEN jsonb_typeof(s.allowed_licenses) = 'array' THEN s.allowed_licenses ELSE '[]' END) x
       WHERE x ? 'min_license_level') AS required,
      coalesce((SELECT max(lic.level) FROM lic
        WHERE lic.category_id = s.category_id OR (s.category_id = 2 AND lic.category_id IN (5, 6))), 1) AS mine
    FROM series s)`;

/**
 * The weeks of `where` (over `rw`, `se`) with their track package and whether the racer's licence is enough (the
 * series' rule, else its season's licence group); then every car each allows.
 */
const WEEKS = (where: string) => `
  wk AS (
    SELECT rw.id, rw.season_id, rw.series_id, rw.race_week_num, rw.end_time, rw.car_ids, rw.car_class_ids,
      l.package_id, coalesce(ser.required, (se.license_group - 1) * 4 + 1) IS NULL
        OR ser.mine >= coalesce(ser.required, (se.license_group - 1) * 4 + 1) AS licence_ok
    FROM race_week rw JOIN ser ON ser.series_id = rw.series_id
    JOIN season se ON se.season_id = rw.season_id JOIN sim_layout l ON l.track_id = rw.track_id
    WHERE ${where}),
  allowed AS (
    SELECT wk.id, x.car_id FROM wk CROSS JOIN LATERAL unnest(wk.car_ids) x(car_id)
    UNION
    SELECT wk.id, m.car_id FROM wk CROSS JOIN LATERAL unnest(wk.car_class_ids) k(car_class_id)
    JOIN car_class_car m ON m.car_class_id = k.car_class_id WHERE cardinality(wk.car_ids) = 0),
  has_car AS (SELECT DISTINCT a.id FROM allowed a JOIN cars c ON c.car_id = a.car_id)`;

/** `season_id, race_week_num` of the official races the racer has results of. */
const RACED = `
  raced AS (
    SELECT DISTINCT er.season_id, er.race_week_num FROM participant_result pr
    JOIN event_result er ON er.id = pr.event_result_id
    WHERE pr.cust_id = $1 AND er.kind = 'OFFICIAL')`;

/** The first page of raceable sessions in [$2, $3) with the racer's cars of each, and how many there are. */
const SESSIONS_SQL = `WITH ${RACER}, ${WEEKS('rw.end_time > $2 AND rw.start_time < $3')},
ok AS (
  SELECT a.id, array_agg(a.car_id ORDER BY a.car_id) AS my_cars
  FROM allowed a JOIN cars c ON c.car_id = a.car_id JOIN wk ON wk.id = a.id
  WHERE wk.licence_ok AND wk.package_id IN (SELECT package_id FROM tracks)
  GROUP BY a.id),
s AS (
  SELECT i.id, i.start_time, e.race_week_id FROM event_instance i JOIN event e ON e.id = i.event_id
  WHERE e.race_week_id IN (SELECT id FROM ok) AND i.start_time >= $2 AND i.start_time < $3)
SELECT p.id, ok.my_cars AS "myCarIds", (SELECT count(*) FROM s)::int AS total
FROM (SELECT * FROM s ORDER BY start_time, id LIMIT ${PAGE}) p JOIN ok ON ok.id = p.race_week_id
ORDER BY p.start_time, p.id`;

/** Per season of quarter $3 of year $2: weeks, raceable, raced (official results) and the participation credit. */
const SEASONS_SQL = `WITH ${RACER}, ${WEEKS('se.year = $2 AND se.quarter = $3')}, ${RACED},
w AS MATERIALIZED (
  SELECT wk.season_id, wk.end_time,
    wk.licence_ok AND wk.package_id IN (SELECT package_id FROM tracks) AND wk.id IN (SELECT id FROM has_car)
      AS raceable,
    (wk.season_id, wk.race_week_num) IN (SELECT season_id, race_week_num FROM raced) AS raced
  FROM wk),
n AS (
  SELECT season_id, count(*)::int AS weeks, (count(*) FILTER (WHERE raceable))::int AS "raceableWeeks",
    (count(*) FILTER (WHERE raced))::int AS "racedWeeks", ceil(2 * count(*) / 3.0)::int AS "weeksNeeded",
    (count(*) FILTER (WHERE raceable AND NOT raced AND end_time > now()))::int AS "raceableWeeksLeft"
  FROM w GROUP BY season_id)
SELECT season_id AS "seasonId", weeks, "raceableWeeks", "racedWeeks", "weeksNeeded", "raceableWeeksLeft",
  "racedWeeks" + "raceableWeeksLeft" >= "weeksNeeded" AS "creditReachable",
  "racedWeeks" >= "weeksNeeded" AS "creditEarned"
FROM n ORDER BY season_id`;

/**
 * The unowned paid packages ranked by what each alone would open among the weeks not over yet: a week blocked by
 * its track only (its track package), or by its cars only (each car it allows), with the licence and not raced;
 * the seasons whose credit it would make reachable (raced weeks + raceable weeks still to come, against two thirds
 * of all the season's weeks) and the favourite series it unlocks. First $2, ordered as the service orders them.
 */
const GUIDE_SQL = `WITH ${RACER}, ${WEEKS('rw.season_id IN (SELECT f.season_id FROM race_week f WHERE f.end_time > now())')}, ${RACED},
wr AS MATERIALIZED (
  SELECT wk.id, wk.season_id, wk.series_id, wk.package_id, wk.licence_ok, wk.end_time > now() AS ahead,
    wk.package_id IN (SELECT package_id FROM tracks) AS track_ok, wk.id IN (SELECT id FROM has_car) AS car_ok,
    (wk.season_id, wk.race_week_num) IN (SELECT season_id, race_week_num FROM raced) AS done
  FROM wk),
credit AS (
  SELECT season_id, ceil(2 * count(*) / 3.0) AS needed,
    count(*) FILTER (WHERE done OR (ahead AND track_ok AND car_ok AND licence_ok)) AS have
  FROM wr GROUP BY season_id),
opened AS (
  SELECT 'track:' || package_id AS key, season_id, series_id FROM wr
  WHERE ahead AND licence_ok AND NOT done AND NOT track_ok AND car_ok
  UNION ALL
  SELECT 'car:' || a.car_id, wr.season_id, wr.series_id FROM wr JOIN allowed a ON a.id = wr.id
  WHERE wr.ahead AND wr.licence_ok AND NOT wr.done AND wr.track_ok AND NOT wr.car_ok),
gained AS (SELECT key, season_id, count(*) AS n FROM opened GROUP BY key, season_id),
price AS (
  SELECT 'car:' || car_id AS key, price::float AS price FROM sim_car WHERE NOT free_with_subscription AND price > 0
  UNION ALL
  SELECT 'track:' || package_id, price::float FROM sim_track WHERE NOT free_with_subscription AND price > 0)
SELECT p.key, p.price, sum(g.n)::int AS weeks,
  (count(*) FILTER (WHERE c.have < c.needed AND c.have + g.n >= c.needed))::int AS seasons,
  (SELECT count(DISTINCT o.series_id) FROM opened o JOIN planner_favourite f
     ON f.cust_id = $1 AND f.kind = 'SERIES' AND f.ref_id = o.series_id WHERE o.key = p.key)::int AS favourites
FROM gained g JOIN credit c ON c.season_id = g.season_id JOIN price p ON p.key = g.key
GROUP BY p.key, p.price
ORDER BY weeks DESC, seasons DESC, favourites DESC, p.price, p.key COLLATE "C"
LIMIT $2`;

// --- The world and the racer ---------------------------------------------------------------------------------

let benchDb: BenchDb | undefined;
let app: INestApplicationContext | undefined;
let sql: pg.Client | undefined;

/** The synthetic world anchored at `now` in a throwaway database, with some results; returns the racer's cust_id. */
async function buildWorld(now: Date): Promise<{ b: BenchDb; custId: number }> {
  const t0 = Date.now();
  const { replica, client } = await benchReplica({
    dataset: syntheticDataset({ scale: SCALE, seed: 1, now }),
    now: () => now,
  });
  try {
    const b = (benchDb = await createBenchDb(ADMIN_URL, `${BENCH}${String(SCALE).replace(/\W/g, '_')}`));
    const { catalog, seasons, members, results } = benchImporters(client, b.db, loadConfig({}));
    await catalog.sync();
    console.log(`  catalog synced (${since(t0)})`);
    const synced = await seasons.sync();
    if (synced.totals().failed)
      throw new Error(`seasons sync failed units: ${JSON.stringify(synced.failures.slice(0, 3))}`);
    console.log(`  current and future seasons synced (${since(t0)})`);
    const found = await client.searchSeriesResults({
      finishRangeBegin: new Date(now.getTime() - 7 * 86_400_000),
      eventTypes: [5],
    });
    const ids = [...new Set(found.rows.map((r) => r.subsession_id))].sort((a, b) => a - b);
    const imported = await results.importSubsessions(ids.slice(-SUBSESSIONS));
    if (imported.totals().failed)
      throw new Error(`results import failed: ${JSON.stringify(imported.failures[0])}`);
    const [{ cust_id: custId }] = (await b.db.query(
      `SELECT pr.cust_id FROM participant_result pr JOIN event_result er ON er.id = pr.event_result_id
       WHERE er.kind = 'OFFICIAL' GROUP BY pr.cust_id
       ORDER BY count(DISTINCT (er.season_id, er.race_week_num)) DESC, count(*) DESC, pr.cust_id LIMIT 1`,
    )) as { cust_id: number }[];
    // The racer's own recent races, so that they have raced more than one week.
    const member = await members.syncMember(custId);
    const recent = await results.importSubsessions(await results.missing(member.subsessionIds));
    if (member.report.totals().failed || recent.totals().failed)
      throw new Error(
        `member ${custId} import failed: ${JSON.stringify([member.report.failures, recent.failures])}`,
      );
    console.log(
      `  ${Math.min(ids.length, SUBSESSIONS)} finished races and ${member.subsessionIds.length} recent races of ` +
        `member ${custId} imported (${since(t0)})`,
    );
    return { b, custId };
  } finally {
    await replica.stop();
  }
}

/** Every k-th of `ids` (sorted), `count` of them (all of them when fewer, at small scales): a deterministic spread. */
function everyKth(ids: number[], count: number): number[] {
  if (ids.length <= count) return [...ids];
  return Array.from({ length: count }, (_, j) => ids[Math.floor((j * ids.length) / count)]);
}

async function paidIds(db: DataSource, table: 'sim_car' | 'sim_track', id: string): Promise<number[]> {
  const rows = (await db.query(
    `SELECT ${id} AS id FROM ${table} WHERE NOT free_with_subscription AND price > 0 ORDER BY ${id}`,
  )) as { id: number }[];
  return rows.map((r) => r.id);
}

/** Replaces the racer's owned cars and track packages. */
async function setOwned(
  db: DataSource,
  custId: number,
  carIds: number[],
  packageIds: number[],
): Promise<void> {
  await db.transaction(async (em) => {
    await em.query(`DELETE FROM sim_profile_car_ownership WHERE cust_id = $1`, [custId]);
    await em.query(`DELETE FROM sim_profile_track_ownership WHERE cust_id = $1`, [custId]);
    await em.query(`INSERT INTO sim_profile_car_ownership (cust_id, car_id) SELECT $1, unnest($2::int[])`, [
      custId,
      carIds,
    ]);
    await em.query(
      `INSERT INTO sim_profile_track_ownership (cust_id, package_id) SELECT $1, unnest($2::int[])`,
      [custId, packageIds],
    );
  });
}

/** Counts the SQL statements sent through any query runner of `db` while `work` runs. */
async function countStatements(db: DataSource, work: () => Promise<unknown>): Promise<number> {
  const runner = db.createQueryRunner();
  const proto = Object.getPrototypeOf(runner) as { query: (...a: unknown[]) => Promise<unknown> };
  await runner.release();
  const original = proto.query;
  let n = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return n;
}

// --- The questions -------------------------------------------------------------------------------------------

/** An answer as compared: its rows in order, and for a page the size of the whole list. */
interface Answer {
  rows: unknown[];
  total?: number;
}

interface Question {
  name: string;
  note: string;
  service: () => Promise<Answer>;
  sql: () => Promise<Answer>;
}

/** JSON with object keys sorted (undefined left out), so two rows compare by content. */
function canonical(v: unknown): string {
  if (v === undefined) return '(none)';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function questions(
  planner: PlannerService,
  guide: PurchaseGuideService,
  custId: number,
  from: Date,
  year: number,
  quarter: number,
): Question[] {
  const client = sql!;
  const to = new Date(from.getTime() + 7 * 86_400_000);
  return [
    {
      name: 'raceableSessions',
      note: `first ${PAGE} sessions of [now, now + 7 days): session ids, the racer's cars of each, totalCount`,
      service: async () => {
        const page = await planner.raceableSessions(custId, { filter: { from, to }, first: PAGE }, true);
        return {
          total: await page.totalCount,
          rows: page.edges.map((e) => ({ id: e.node.session.id, myCarIds: e.node.myCarIds })),
        };
      },
      sql: async () => {
        const rows = (await client.query(SESSIONS_SQL, [custId, from, to])).rows as {
          id: number;
          myCarIds: number[];
          total: number;
        }[];
        return { total: rows[0]?.total ?? 0, rows: rows.map(({ id, myCarIds }) => ({ id, myCarIds })) };
      },
    },
    {
      name: 'me.seasons',
      note: `seasonPlans(${year}, Q${quarter}): per season weeks, raceable, raced, needed, left, reachable, earned`,
      service: async () => ({
        rows: (await planner.seasonPlans(custId, year, quarter))
          .map(({ season: _s, ...plan }) => plan)
          .sort((a, b) => a.seasonId - b.seasonId),
      }),
      sql: async () => ({ rows: (await client.query(SEASONS_SQL, [custId, year, quarter])).rows }),
    },
    {
      name: 'purchaseGuide',
      note:
        `first ${GUIDE_FIRST}, no budget: ranked keys, price, weeks added, seasons reaching credit, ` +
        'favourite series (the same order, compared exactly)',
      service: async () => ({
        rows: (await guide.guide(custId, {}, null, GUIDE_FIRST)).suggestions.map((s) => ({
          key: `${s.kind === 'CAR' ? 'car' : 'track'}:${s.refId}`,
          price: s.price,
          weeks: s.raceableWeeksAdded,
          seasons: s.seasonsReachingCredit,
          favourites: s.favouriteSeriesUnlocked,
        })),
      }),
      sql: async () => ({ rows: (await client.query(GUIDE_SQL, [custId, GUIDE_FIRST])).rows }),
    },
  ];
}

/** Checks a question's two answers are equal (throws with the first difference); returns a summary. */
async function check(q: Question): Promise<string> {
  const [a, b] = [await q.service(), await q.sql()];
  const differ = (what: string, x: unknown, y: unknown) =>
    new Error(
      `${q.name}: the service and the hand-written SQL answer differently: ${what}: ` +
        `service ${canonical(x)}, SQL ${canonical(y)}`,
    );
  if (a.total !== b.total) throw differ('total', a.total, b.total);
  for (let i = 0; i < Math.max(a.rows.length, b.rows.length); i++)
    if (canonical(a.rows[i]) !== canonical(b.rows[i])) throw differ(`row ${i}`, a.rows[i], b.rows[i]);
  return a.total === undefined ? `${a.rows.length} rows` : `${a.rows.length} of ${a.total}`;
}

async function measure(q: Question): Promise<{ service: number[]; sql: number[] }> {
  const service: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    // Alternating which goes first, so that neither always runs on the other's warm caches.
    const pair = i % 2 ? [q.sql, q.service] : [q.service, q.sql];
    const [first, second] = [await timed(pair[0]), await timed(pair[1])];
    if (i < WARMUP) continue;
    service.push((i % 2 ? second : first).ms);
    plain.push((i % 2 ? first : second).ms);
  }
  return { service, sql: plain };
}

// --- The run -------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const t0 = Date.now();
  const now = new Date();
  console.log(
    `planner benchmark: synthetic scale ${SCALE}, anchored at ${now.toISOString()}; ` +
      `${WARMUP} warm-up and ${RUNS} measured runs of each, service and SQL interleaved`,
  );
  const { b, custId } = await buildWorld(now);
  const [cars, packages] = [
    await paidIds(b.db, 'sim_car', 'car_id'),
    await paidIds(b.db, 'sim_track', 'package_id'),
  ];
  const ownedCars = everyKth(cars, OWNED_CARS);
  const ownedPackages = everyKth(packages, OWNED_TRACKS);
  await setOwned(b.db, custId, ownedCars, ownedPackages);
  const licences = Object.entries(LICENCES).map(([c, level]) => ({
    category_id: Number(c),
    license_level: level,
  }));
  await b.db.query(`UPDATE sim_profile SET licenses = $2::jsonb WHERE cust_id = $1`, [
    custId,
    JSON.stringify(licences),
  ]);
  await b.db.query('ANALYZE');
  const [facts] = (await b.db.query(
    `SELECT (SELECT count(*) FROM sim_profile_car_ownership WHERE cust_id = $1)::int AS cars,
       (SELECT count(*) FROM sim_profile_track_ownership WHERE cust_id = $1)::int AS tracks,
       (SELECT count(*) FROM sim_car WHERE free_with_subscription)::int AS free_cars,
       (SELECT count(*) FROM sim_track WHERE free_with_subscription)::int AS free_tracks,
       (SELECT count(*) FROM race_week)::int AS weeks, (SELECT count(*) FROM event_instance)::int AS sessions,
       (SELECT count(*) FROM season)::int AS seasons, (SELECT count(*) FROM event_result)::int AS results,
       (SELECT count(DISTINCT (er.season_id, er.race_week_num)) FROM participant_result pr
          JOIN event_result er ON er.id = pr.event_result_id
          WHERE pr.cust_id = $1 AND er.kind = 'OFFICIAL')::int AS raced`,
    [custId],
  )) as Record<string, number>[];
  // The current quarter: the one of the seasons with the most weeks under way now.
  const [current] = (await b.db.query(
    `SELECT se.year, se.quarter FROM race_week rw JOIN season se ON se.season_id = rw.season_id
     WHERE rw.start_time <= $1 AND rw.end_time > $1 AND se.year IS NOT NULL AND se.quarter IS NOT NULL
     GROUP BY se.year, se.quarter ORDER BY count(*) DESC, se.year, se.quarter LIMIT 1`,
    [now],
  )) as { year: number; quarter: number }[];
  if (!current) throw new Error(`no season has a week under way at ${now.toISOString()}`);
  console.log(
    `  world: ${facts.seasons} seasons, ${facts.weeks} race weeks, ${facts.sessions} sessions, ` +
      `${facts.results} results (${since(t0)})`,
  );
  console.log(
    `  racer ${custId}: owns ${facts.cars} cars (+${facts.free_cars} free) and ${facts.tracks} track packages ` +
      `(+${facts.free_tracks} free) of ${cars.length} paid cars and ${packages.length} paid packages; licences ` +
      `${licences.map((l) => `${l.category_id}:${l.license_level}`).join(' ')}; raced ${facts.raced} official weeks`,
  );

  const { app: started } = await createApp(loadConfig({ ...apiEnv(BENCH), DATABASE_URL: b.url }), ['error']);
  app = started;
  await app.init();
  const planner = app.get(PlannerService);
  const guide = app.get(PurchaseGuideService);
  const appDb = app.get(DataSource);
  sql = new pg.Client({ connectionString: b.url });
  await sql.connect();

  const qs = questions(planner, guide, custId, now, current.year, current.quarter);
  const rows: string[][] = [];
  for (const q of qs) {
    const answer = await check(q);
    console.log(`  ${q.name}: answers equal (${answer}); ${q.note}`);
    const statements = await countStatements(appDb, q.service);
    const t = await measure(q);
    const ratio = median(t.service) / median(t.sql);
    rows.push([
      q.name,
      ms(median(t.service)),
      ms(p95(t.service)),
      ms(median(t.sql)),
      ms(p95(t.sql)),
      ratio.toFixed(2),
      String(statements),
    ]);
  }

  // Bounded statements whatever the racer owns: nothing, then every paid car and package.
  const counts: string[] = [];
  for (const [label, c, p] of [
    ['nothing', [], []],
    ['everything', cars, packages],
  ] as const) {
    await setOwned(b.db, custId, [...c], [...p]);
    const n = [];
    for (const q of qs) n.push(`${q.name} ${await countStatements(appDb, q.service)}`);
    counts.push(`owning ${label}: ${n.join(', ')}`);
  }
  await setOwned(b.db, custId, ownedCars, ownedPackages);

  const head = ['query', 'service median ms', 'p95 ms', 'SQL median ms', 'p95 ms', 'ratio', 'statements'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  console.log(
    `\nscale ${SCALE}; racer ${custId} owning ${facts.cars} cars and ${facts.tracks} track packages; ` +
      `${RUNS} runs each (median, p95); ratio = service median / SQL median`,
  );
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(`statements per call ${counts.join('; ')}`);
  console.log(`total ${since(t0)}`);
  return 0;
}

runBench(main, async () => {
  await sql?.end().catch(() => undefined);
  await app?.close().catch((err: unknown) => console.error(`closing the application: ${String(err)}`));
  await benchDb?.drop().catch((err: unknown) => console.error(`dropping the bench database: ${String(err)}`));
  await clearRedisPrefix(REDIS_URL, queuePrefix(BENCH));
});
