// `npm run bench:results`: imports 1,000 synthetic subsessions (fetched first from the offline replica) into a
// throwaway database — every simsession's team and driver rows, class rows, profiles, the link to their sessions —
// and prints rows per second and the ratio against a plain bulk INSERT of the same rows measured in the same run.
// Then the season results of a quarter (every ended week of the active seasons: the splits participation is
// counted from), imported the same way, with statements per row and the ratio against a plain bulk INSERT; and the
// driver standings of every class of the active seasons (BENCH_STANDINGS_SEASONS of them, 40 by default) likewise.
import 'reflect-metadata';
import { loadConfig } from '../src/core/config/app-config.js';
import type { IracingClient } from '../src/iracing/iracing.client.js';
import type { IracingResult, SeasonResultsData } from '../src/iracing/iracing.payloads.js';
import type { ResultsImporter } from '../src/results/results.importer.js';
import { ImportReport } from '../src/core/import/import-report.js';
import type { ChunkedResult } from '../src/iracing/iracing.client.js';
import type { IracingStandingRow } from '../src/iracing/stats.payloads.js';
import { StandingsImporter } from '../src/results/standings.importer.js';
import { forEachLimit } from '../src/core/concurrency.js';
import { syntheticDataset } from '../offline/synthetic-dataset.js';
import { subsessionBundle } from '../src/results/results.mapping.js';
import { benchReplica, createBenchDb, samplePeakRss, timed } from './bench-db.js';
import type { BenchDb } from './bench-db.js';
import { benchImporters } from './importers.js';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const COUNT = Number(process.env.BENCH_SUBSESSIONS ?? 1000);
const TABLES = 'participant_result, team_result, event_result_class, event_result, sim_profile';

/** The baseline: the same rows as plain multi-row INSERTs (no conflict handling, no change detection, no links). */
async function plainInsert(b: BenchDb, payloads: IracingResult[]): Promise<number> {
  let rows = 0;
  await b.db.transaction(async (em) => {
    const insert = async (table: string, list: Record<string, unknown>[]) => {
      if (!list.length) return;
      const cols = Object.keys(list[0]);
      const chunk = Math.floor(60000 / cols.length);
      for (let i = 0; i < list.length; i += chunk) {
        const params: unknown[] = [];
        const tuples = list
          .slice(i, i + chunk)
          .map((r) => `(${cols.map((c) => `$${params.push(r[c])}`).join(', ')})`);
        await em.query(
          `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`,
          params,
        );
      }
      rows += list.length;
    };
    const bundles = payloads.map(subsessionBundle);
    const profiles = new Map<number, string>();
    for (const b of bundles)
      for (const d of b.drivers) profiles.set(d.cust_id, d.display_name ?? `Member ${d.cust_id}`);
    await insert(
      'sim_profile',
      [...profiles].map(([cust_id, display_name]) => ({ cust_id, display_name })),
    );
    await insert(
      'event_result',
      bundles.map((b, i) => ({
        ...b.event,
        id: i + 1,
        weather: JSON.stringify(b.event.weather),
        track_state: JSON.stringify(b.event.track_state),
        simsessions: JSON.stringify(b.event.simsessions),
        raw: JSON.stringify(b.event.raw),
      })),
    );
    await insert(
      'team_result',
      bundles.flatMap((b, i) =>
        b.teams.map((t) => ({ ...t, event_result_id: i + 1, raw: JSON.stringify(t.raw) })),
      ),
    );
    await insert(
      'participant_result',
      bundles.flatMap((b, i) =>
        b.drivers.map((d) => ({ ...d, event_result_id: i + 1, raw: JSON.stringify(d.raw) })),
      ),
    );
    await insert(
      'event_result_class',
      bundles.flatMap((b, i) => b.classes.map((c) => ({ ...c, event_result_id: i + 1 }))),
    );
  });
  return rows;
}

/** The splits of a quarter's season results as one plain multi-row INSERT per 5,000 rows (the baseline). */
async function plainSplits(b: BenchDb, weeks: SeasonWeek[]): Promise<number> {
  const rows = weeks.flatMap((w) =>
    w.list.map((r) => [
      r.subsession_id,
      w.seasonId,
      r.race_week_num,
      r.session_id ?? null,
      r.start_time,
      r.num_drivers !== null && r.num_drivers !== undefined && r.num_drivers >= 0 ? r.num_drivers : null,
      r.event_strength_of_field !== null &&
      r.event_strength_of_field !== undefined &&
      r.event_strength_of_field >= 0
        ? r.event_strength_of_field
        : null,
    ]),
  );
  await b.db.transaction(async (em) => {
    for (let i = 0; i < rows.length; i += 5000) {
      const params: unknown[] = [];
      const tuples = rows.slice(i, i + 5000).map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')})`);
      await em.query(
        `INSERT INTO season_result_split (subsession_id, season_id, race_week_num, session_id, start_time,
           num_drivers, strength_of_field) VALUES ${tuples.join(', ')}`,
        params,
      );
    }
  });
  return rows.length;
}

interface SeasonWeek {
  seasonId: number;
  list: SeasonResultsData['results_list'];
}

/**
 * The season results (races) of every ended week of the active seasons, fetched first; then imported as the
 * PARTICIPATION and RESULTS syncs store them (one transaction per season week, 3 at once), against a plain bulk
 * INSERT of the same rows; then imported again unchanged.
 */
async function seasonResultsBench(
  b: BenchDb,
  client: IracingClient,
  results: ResultsImporter,
  now: Date,
): Promise<void> {
  const ended = (await b.db.query(
    `SELECT rw.season_id, rw.race_week_num FROM race_week rw JOIN season s ON s.season_id = rw.season_id
     WHERE s.active AND rw.end_time <= $1 ORDER BY rw.season_id, rw.race_week_num`,
    [now],
  )) as { season_id: number; race_week_num: number }[];
  const weeks: SeasonWeek[] = [];
  const fetch = await timed(() =>
    forEachLimit(ended, 8, async (w) => {
      const data = await client.getSeasonResults({
        seasonId: w.season_id,
        raceWeekNum: w.race_week_num,
        eventType: 5,
      });
      weeks.push({ seasonId: w.season_id, list: data.results_list });
    }),
  );
  const rowCount = weeks.reduce((n, w) => n + w.list.length, 0);
  console.log(
    `\nseason results of a quarter: ${weeks.length} ended weeks of ${new Set(weeks.map((w) => w.seasonId)).size} ` +
      `active seasons, ${rowCount} splits; fetched from the replica in ${fetch.ms.toFixed(0)} ms`,
  );
  await b.db.query('TRUNCATE season_result_split RESTART IDENTITY');
  const plain = await timed(() => plainSplits(b, weeks));
  await b.db.query('TRUNCATE season_result_split RESTART IDENTITY');
  b.logger.statements = 0;
  const imported = await timed(() =>
    forEachLimit(weeks, 3, async (w) => {
      const r = await results.importSplits(w.seasonId, w.list);
      if (r.failures.length) throw new Error(JSON.stringify(r.failures[0]));
    }),
  );
  const statements = b.logger.statements;
  b.logger.statements = 0;
  const again = await timed(() =>
    forEachLimit(weeks, 3, async (w) => {
      const t = (await results.importSplits(w.seasonId, w.list)).totals();
      if (t.created || t.updated || t.deleted)
        throw new Error(`the second import wrote rows: ${JSON.stringify(t)}`);
    }),
  );
  const stored = Number((await b.db.query('SELECT count(*) AS n FROM season_result_split'))[0].n);
  if (stored !== rowCount) throw new Error(`${stored} splits stored, ${rowCount} fetched`);
  console.log(
    `  plain bulk INSERT (baseline) ${plain.ms.toFixed(0).padStart(6)} ms  ${((plain.value / plain.ms) * 1000).toFixed(0)} rows/s`,
  );
  console.log(
    `  import (upsert with change detection, one transaction per season week, 3 at once) ${imported.ms.toFixed(0).padStart(6)} ms  ` +
      `${((rowCount / imported.ms) * 1000).toFixed(0)} rows/s  ${statements} statements ` +
      `(${(statements / rowCount).toFixed(3)} per row, ${(statements / weeks.length).toFixed(1)} per week)`,
  );
  console.log(
    `  unchanged re-import ${again.ms.toFixed(0).padStart(6)} ms  (${b.logger.statements} statements)`,
  );
  console.log(`  import / plain INSERT: ${(imported.ms / plain.ms).toFixed(2)}x`);
}

interface SeasonStandingsLists {
  seasonId: number;
  lists: { carClassId: number; answer: ChunkedResult<IracingStandingRow> }[];
}

/** The standings rows as one plain multi-row INSERT per 2,000 rows (the baseline). */
async function plainStandings(b: BenchDb, seasons: SeasonStandingsLists[]): Promise<number> {
  const rows = seasons.flatMap((s) =>
    s.lists.flatMap((l) =>
      l.answer.rows.map((r) => [
        s.seasonId,
        l.carClassId,
        r.cust_id,
        r.rank,
        r.division,
        r.display_name,
        r.points,
        r.starts,
        r.wins,
        r.top5 ?? null,
        r.laps ?? null,
        r.incidents ?? null,
      ]),
    ),
  );
  await b.db.transaction(async (em) => {
    for (let i = 0; i < rows.length; i += 2000) {
      const params: unknown[] = [];
      const tuples = rows.slice(i, i + 2000).map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')})`);
      await em.query(
        `INSERT INTO season_driver_standing (season_id, car_class_id, cust_id, rank, division, display_name, points,
           starts, wins, top5, laps, incidents) VALUES ${tuples.join(', ')}`,
        params,
      );
    }
  });
  return rows.length;
}

/**
 * Driver standings of every car class of the first active seasons, fetched first; imported as the STANDINGS sync
 * stores them (one transaction per season, 2 at once) against a plain bulk INSERT of the same rows; then again.
 */
async function standingsBench(b: BenchDb, client: IracingClient): Promise<void> {
  const count = Number(process.env.BENCH_STANDINGS_SEASONS ?? 40);
  const active = (await b.db.query(
    'SELECT season_id, car_class_ids FROM season WHERE active ORDER BY season_id LIMIT $1',
    [count],
  )) as { season_id: number; car_class_ids: number[] }[];
  const seasons: SeasonStandingsLists[] = [];
  const fetch = await timed(() =>
    forEachLimit(active, 4, async (s) => {
      const lists = [];
      for (const carClassId of s.car_class_ids)
        lists.push({
          carClassId,
          answer: await client.getSeasonDriverStandings({ seasonId: s.season_id, carClassId }),
        });
      seasons.push({ seasonId: s.season_id, lists });
    }),
  );
  const rowCount = seasons.reduce((n, s) => n + s.lists.reduce((m, l) => m + l.answer.rows.length, 0), 0);
  console.log(
    `\ndriver standings: ${seasons.length} active seasons, ${seasons.reduce((n, s) => n + s.lists.length, 0)} ` +
      `classes, ${rowCount} rows; fetched from the replica in ${fetch.ms.toFixed(0)} ms`,
  );
  const importer = new StandingsImporter(client, b.db);
  const store = (refresh: boolean) =>
    forEachLimit(seasons, 2, async (s) => {
      const report = new ImportReport();
      await importer.store(s.seasonId, s.lists, { refresh }, report);
      if (report.failures.length) throw new Error(JSON.stringify(report.failures[0]));
    });
  const plain = await timed(() => plainStandings(b, seasons));
  await b.db.query('TRUNCATE season_driver_standing, season_standings');
  b.logger.statements = 0;
  const imported = await timed(() => store(false));
  const statements = b.logger.statements;
  b.logger.statements = 0;
  const again = await timed(() => store(true));
  const stored = Number((await b.db.query('SELECT count(*) AS n FROM season_driver_standing'))[0].n);
  if (stored !== rowCount) throw new Error(`${stored} standings stored, ${rowCount} fetched`);
  console.log(
    `  plain bulk INSERT (baseline) ${plain.ms.toFixed(0).padStart(6)} ms  ${((plain.value / plain.ms) * 1000).toFixed(0)} rows/s`,
  );
  console.log(
    `  import (a class's set: upsert with change detection and delete of the rows gone, one transaction per ` +
      `season, 2 at once) ${imported.ms.toFixed(0).padStart(6)} ms  ${((rowCount / imported.ms) * 1000).toFixed(0)} ` +
      `rows/s  ${statements} statements (${(statements / rowCount).toFixed(3)} per row)`,
  );
  console.log(
    `  unchanged re-import with refresh (every row compared) ${again.ms.toFixed(0).padStart(6)} ms  ` +
      `(${b.logger.statements} statements)`,
  );
  console.log(`  import / plain INSERT: ${(imported.ms / plain.ms).toFixed(2)}x`);
}

async function main(): Promise<void> {
  const peak = samplePeakRss();
  const now = new Date();
  const { replica, client } = await benchReplica({
    dataset: syntheticDataset({ scale: 1, seed: 1, now }),
    now: () => now,
  });
  const b = await createBenchDb(ADMIN_URL, 'results');
  try {
    const config = loadConfig({});
    const { catalog, seasons, results } = benchImporters(client, b.db, config);
    await catalog.sync();
    await seasons.sync();

    // 1,000 finished races, newest first, fetched before timing the import.
    const ids: number[] = [];
    for (let hours = 6; ids.length < COUNT && hours <= 24 * 28; hours *= 2) {
      const found = await client.searchSeriesResults({
        finishRangeBegin: new Date(now.getTime() - hours * 3_600_000),
        eventTypes: [5],
      });
      ids.splice(0, ids.length, ...new Set(found.rows.map((r) => r.subsession_id)));
    }
    const chosen = ids.slice(0, COUNT);
    const fetch = await timed(() => Promise.all(chosen.map((id) => client.getResult(id))));
    const payloads = fetch.value;
    const bundles = payloads.map(subsessionBundle);
    const rowCount =
      payloads.length +
      bundles.reduce((n, x) => n + x.teams.length + x.drivers.length + x.classes.length, 0) +
      new Set(bundles.flatMap((x) => x.drivers.map((d) => d.cust_id))).size;
    console.log(
      `results import benchmark: ${payloads.length} subsessions (${bundles.filter((x) => x.teams.length).length} team races), ` +
        `${rowCount} rows; fetched from the replica in ${fetch.ms.toFixed(0)} ms`,
    );

    await b.db.query(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`);
    const plain = await timed(() => plainInsert(b, payloads));
    await b.db.query(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`);
    b.logger.statements = 0;
    const cold = await timed(async () => {
      const r = await results.importResults(payloads);
      if (r.failures.length) throw new Error(JSON.stringify(r.failures[0]));
    });
    const statements = b.logger.statements;
    const again = await timed(async () => {
      for (const p of payloads) {
        const t = (await results.importResult(p)).totals();
        if (t.created || t.updated || t.deleted)
          throw new Error(`the second import wrote rows: ${JSON.stringify(t)}`);
      }
    });
    const stored = Number((await b.db.query('SELECT count(*) AS n FROM participant_result'))[0].n);
    console.log(
      `  plain bulk INSERT (baseline) ${plain.ms.toFixed(0).padStart(6)} ms  ${((plain.value / plain.ms) * 1000).toFixed(0)} rows/s`,
    );
    console.log(
      `  import (upsert, links, profiles, one transaction per subsession, 3 at once) ${cold.ms.toFixed(0).padStart(6)} ms  ` +
        `${((rowCount / cold.ms) * 1000).toFixed(0)} rows/s  ${statements} statements (${(statements / payloads.length).toFixed(1)} per subsession)`,
    );
    console.log(
      `  unchanged re-import with refresh (every row compared) ${again.ms.toFixed(0).padStart(6)} ms`,
    );
    console.log(
      `  import / plain INSERT: ${(cold.ms / plain.ms).toFixed(2)}x   (${stored} driver rows stored; peak RSS ${Math.round(peak() / 1048576)} MB)`,
    );
    await seasonResultsBench(b, client, results, now);
    await standingsBench(b, client);
  } finally {
    await b.drop();
    await replica.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
