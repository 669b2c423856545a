// `npm run bench:forecasts`: refreshes the forecasts of 1,000 race weeks from the offline replica (synthetic
// world at scale 1; each forecast file answered after BENCH_FILE_LATENCY_MS, like S3) with the configured
// concurrency, and the same with one file at a time as the baseline, in the same run; prints times, rows, the
// most files in flight and the ratio.
import 'reflect-metadata';
import { loadConfig } from '../src/core/config/app-config.js';
import { syntheticDataset } from '../offline/synthetic-dataset.js';
import { benchReplica, createBenchDb, timed } from './bench-db.js';
import { benchImporters } from './importers.js';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WEEKS = Number(process.env.BENCH_WEEKS ?? 1000);
const LATENCY = Number(process.env.BENCH_FILE_LATENCY_MS ?? 20);
const CONCURRENCY = Number(process.env.FORECAST_CONCURRENCY ?? 8);

async function main(): Promise<void> {
  const now = new Date();
  const { replica, client } = await benchReplica({
    dataset: syntheticDataset({ scale: 1, seed: 1, now }),
    fileLatencyMs: LATENCY,
    now: () => now,
  });
  const b = await createBenchDb(ADMIN_URL, 'forecasts');
  try {
    const { catalog, seasons } = benchImporters(client, b.db, loadConfig({}));
    await catalog.sync();
    await seasons.sync();
    const ids = (
      (await b.db.query(
        'SELECT id FROM race_week WHERE weather_url IS NOT NULL ORDER BY start_time, id LIMIT $1',
        [WEEKS],
      )) as { id: number }[]
    ).map((r) => r.id);
    console.log(`forecast refresh of ${ids.length} race weeks, files answered after ${LATENCY} ms`);
    const run = async (concurrency: number) => {
      const config = loadConfig({ FORECAST_CONCURRENCY: String(concurrency) });
      const { weather } = benchImporters(client, b.db, config);
      replica.resetStats();
      const r = await timed(() => weather.refreshForecasts({ raceWeekIds: ids, force: true }));
      const t = r.value.totals();
      if (t.failed) throw new Error(`failed weeks: ${JSON.stringify(r.value.failures.slice(0, 3))}`);
      const rows = (await b.db.query('SELECT count(*)::int AS n FROM weather_forecast'))[0].n as number;
      console.log(
        `  concurrency ${String(concurrency).padStart(2)}: ${r.ms.toFixed(0).padStart(6)} ms  ` +
          `${replica.stats.fileRequests} files  ${rows} forecast rows  most files in flight ${replica.stats.maxFilesInFlight}`,
      );
      return r.ms;
    };
    const bounded = await run(CONCURRENCY);
    const serial = await run(1);
    console.log(`  one at a time / concurrency ${CONCURRENCY}: ${(serial / bounded).toFixed(2)}x`);
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
