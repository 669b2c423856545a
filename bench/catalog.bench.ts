// `npm run bench:catalog`: imports the synthetic catalog at scale 1 and 20 from the offline replica and prints
// the time, SQL statements per row, and the ratio against a plain bulk INSERT of the same rows in the same run.
import 'reflect-metadata';
import { CatalogImporter } from '../src/catalog/catalog.importer.js';
import { carClassRows, carRows, trackRows } from '../src/catalog/catalog.mapping.js';
import { syntheticDataset } from '../offline/synthetic-dataset.js';
import { benchReplica, createBenchDb, median, samplePeakRss, timed } from './bench-db.js';
import type { BenchDb } from './bench-db.js';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SCALES = (process.env.BENCH_SCALES ?? '1,20').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const TABLES =
  'car_class_car, sim_car, car_model, car_class, sim_layout, sim_track, track_model, payload_hash';

/** The baseline: the same rows as plain multi-row INSERTs (no conflict handling, no change detection). */
async function plainInsert(
  b: BenchDb,
  payloads: Parameters<CatalogImporter['importPayloads']>[0],
): Promise<number> {
  const cars = carRows(payloads.cars);
  const classes = carClassRows(payloads.carClasses);
  const tracks = trackRows(payloads.tracks);
  let rows = 0;
  await b.db.transaction(async (em) => {
    const insert = async (table: string, list: Record<string, unknown>[]) => {
      if (!list.length) return;
      const cols = Object.keys(list[0]);
      const chunk = Math.floor(60000 / cols.length);
      for (let i = 0; i < list.length; i += chunk) {
        const part = list.slice(i, i + chunk);
        const params: unknown[] = [];
        const tuples = part.map((r) => `(${cols.map((c) => `$${params.push(r[c])}`).join(', ')})`);
        await em.query(
          `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`,
          params,
        );
      }
      rows += list.length;
    };
    const modelIds = new Map<string, number>();
    await insert(
      'car_model',
      cars.carModels.map((m, i) => ({ id: i + 1, ...m })),
    );
    cars.carModels.forEach((m, i) => modelIds.set(m.key, i + 1));
    await insert(
      'sim_car',
      cars.simCars.map(({ car_model_key, raw, ...c }) => ({
        ...c,
        raw: JSON.stringify(raw),
        car_model_id: modelIds.get(car_model_key),
      })),
    );
    await insert('car_class', classes.carClasses);
    await insert('car_class_car', classes.members);
    const trackIds = new Map<string, number>();
    await insert(
      'track_model',
      tracks.trackModels.map((m, i) => ({ id: i + 1, ...m })),
    );
    tracks.trackModels.forEach((m, i) => trackIds.set(String(m.key), i + 1));
    await insert(
      'sim_track',
      tracks.simTracks.map(({ track_model_key, ...t }) => ({
        ...t,
        track_model_id: trackIds.get(track_model_key),
      })),
    );
    await insert(
      'sim_layout',
      tracks.layouts.map(({ raw, ...l }) => ({ ...l, raw: JSON.stringify(raw) })),
    );
  });
  return rows;
}

async function main(): Promise<void> {
  const peak = samplePeakRss();
  console.log(`catalog import benchmark: scales ${SCALES.join(', ')}, median of ${REPEAT} runs each`);
  console.log(
    'scale | rows   | fetch ms | cold ms | stmts | stmts/row | unchanged ms | plain INSERT ms | cold/plain',
  );
  for (const scale of SCALES) {
    const { replica, client } = await benchReplica({
      dataset: syntheticDataset({ scale }),
    });
    const b = await createBenchDb(ADMIN_URL, `catalog${scale}`);
    try {
      const importer = new CatalogImporter(client, b.db);
      const fetch = await timed(async () => ({
        cars: await client.getCars(),
        carClasses: await client.getCarClasses(),
        tracks: await client.getTracks(),
      }));
      const payloads = fetch.value;
      const cold: number[] = [];
      const unchanged: number[] = [];
      const plain: number[] = [];
      let statements = 0;
      let rows = 0;
      for (let i = 0; i < REPEAT; i++) {
        await b.db.query(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`);
        const p = await timed(() => plainInsert(b, payloads));
        plain.push(p.ms);
        rows = p.value;
        await b.db.query(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`);
        b.logger.statements = 0;
        const c = await timed(() => importer.importPayloads(payloads));
        statements = b.logger.statements;
        cold.push(c.ms);
        const totals = c.value.totals();
        if (totals.created !== rows) throw new Error(`imported ${totals.created} rows, expected ${rows}`);
        const u = await timed(() => importer.importPayloads(payloads, { refresh: true }));
        if (u.value.totals().unchanged !== rows) throw new Error('the unchanged re-import changed rows');
        unchanged.push(u.ms);
      }
      const row = [
        String(scale).padStart(5),
        String(rows).padEnd(6),
        fetch.ms.toFixed(0).padStart(8),
        median(cold).toFixed(0).padStart(7),
        String(statements).padStart(5),
        (statements / rows).toFixed(4).padStart(9),
        median(unchanged).toFixed(0).padStart(12),
        median(plain).toFixed(0).padStart(15),
        (median(cold) / median(plain)).toFixed(2).padStart(10),
      ];
      console.log(row.join(' | '));
    } finally {
      await b.drop();
      await replica.stop();
    }
  }
  console.log(`peak RSS ${(peak() / 1024 / 1024).toFixed(0)} MB`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
