// `npm run bench:seasons`: syncs the synthetic world's current and future seasons at scale 1 and 4 from the
// offline replica (no rate limit) into a throwaway database, cold and then unchanged, and prints times, rows,
// statements and peak memory. Then serves the full season graph (series → seasons → race weeks → layout,
// restrictions → car, event → classes → car class, cars) for a page of 100 seasons through GraphQL over HTTP,
// and the same data from one hand-written SQL query (json_agg), alternating, and prints median and p95 of both
// and their ratio, measured in the same run.
import 'reflect-metadata';
import pg from 'pg';
import { loadConfig } from '../src/core/config/app-config.js';
import { createApp } from '../src/bootstrap.js';
import { syntheticDataset } from '../offline/synthetic-dataset.js';
import { benchReplica, createBenchDb, median, samplePeakRss, timed } from './bench-db.js';
import { benchImporters } from './importers.js';
import { SEASON_GRAPH_GQL as GRAPH, SEASON_GRAPH_SQL as SQL } from './queries.js';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCALES = (process.env.BENCH_SCALES ?? '1,4').split(',').map(Number);
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 30);
const NOW = new Date('2026-11-19T15:00:00Z');

const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;

async function main(): Promise<void> {
  const peak = samplePeakRss();
  console.log(
    `seasons benchmark: scales ${SCALES.join(', ')}; replica without rate limit; anchor ${NOW.toISOString()}`,
  );
  for (const scale of SCALES) {
    const { replica, client, url } = await benchReplica({
      dataset: syntheticDataset({ scale, seed: 1, now: NOW }),
      now: () => NOW,
    });
    const b = await createBenchDb(ADMIN_URL, `seasons${scale}`);
    try {
      const { catalog, seasons } = benchImporters(client, b.db, loadConfig({}));
      const cat = await timed(() => catalog.sync());
      b.logger.statements = 0;
      const rssBefore = process.memoryUsage().rss;
      const cold = await timed(() => seasons.sync());
      const coldStatements = b.logger.statements;
      const t = cold.value.totals();
      if (t.failed)
        throw new Error(`cold sync failed units: ${JSON.stringify(cold.value.failures.slice(0, 3))}`);
      const rows = t.created;
      b.logger.statements = 0;
      const again = await timed(() => seasons.sync());
      const u = again.value.totals();
      if (u.created || u.updated || u.deleted)
        throw new Error(`the unchanged sync wrote rows: ${JSON.stringify(u)}`);
      const byEntity = Object.entries(cold.value.byEntity)
        .map(([k, c]) => `${k} ${c.created}`)
        .join(', ');
      console.log(
        `\nscale ${scale}: catalog ${cat.ms.toFixed(0)} ms; seasons ${cold.value.byEntity.season?.created ?? 0}`,
      );
      console.log(`  rows: ${byEntity}`);
      console.log(
        `  cold sync      ${cold.ms.toFixed(0).padStart(6)} ms  ${rows} rows  ${coldStatements} statements  ` +
          `${((rows / cold.ms) * 1000).toFixed(0)} rows/s`,
      );
      console.log(
        `  unchanged sync ${again.ms.toFixed(0).padStart(6)} ms  ${u.unchanged} rows unchanged  ${b.logger.statements} statements`,
      );
      console.log(`  peak RSS ${mb(peak())} (${mb(rssBefore)} before the cold sync)`);

      // The full graph: GraphQL over HTTP against the hand-written SQL, alternating, same database.
      const config = loadConfig({
        DATABASE_URL: b.url,
        REDIS_URL,
        ROLE: 'api',
        SCHEDULER_ENABLED: 'false',
        MIGRATIONS_RUN: 'false',
        QUEUE_PREFIX: `simlane-bench-${process.pid}`,
        IRACING_API_URL: url,
        IRACING_OAUTH_URL: url,
        IRACING_ACCESS_TOKEN: 'bench',
      });
      const { http } = await createApp(config, ['error']);
      if (!http) throw new Error('no http app');
      await http.listen(0, '127.0.0.1');
      const endpoint = `${await http.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
      const sql = new pg.Client({ connectionString: b.url });
      await sql.connect();
      try {
        const gql = async () => {
          const res = await fetch(endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: GRAPH }),
          });
          const body = (await res.json()) as { data?: { seasons: { edges: unknown[] } }; errors?: unknown };
          if (body.errors) throw new Error(JSON.stringify(body.errors));
          return body.data?.seasons.edges.length ?? 0;
        };
        const raw = async () => {
          const r = await sql.query<{ seasons: unknown[] }>(SQL);
          return JSON.parse(JSON.stringify(r.rows[0].seasons)).length as number;
        };
        const [n1, n2] = [await gql(), await raw()];
        if (n1 !== n2) throw new Error(`GraphQL returned ${n1} seasons, SQL ${n2}`);
        const g: number[] = [];
        const s: number[] = [];
        for (let i = 0; i < QUERY_RUNS; i++) {
          g.push((await timed(gql)).ms);
          s.push((await timed(raw)).ms);
        }
        const weeks = (
          await sql.query(`SELECT count(*)::int AS n FROM race_week rw JOIN season se ON se.season_id = rw.season_id
          WHERE se.season_id IN (SELECT season_id FROM season WHERE active ORDER BY season_id DESC LIMIT 100)`)
        ).rows[0].n;
        console.log(
          `  full graph of ${n1} seasons (${weeks} race weeks), ${QUERY_RUNS} runs each, alternating:`,
        );
        console.log(
          `    GraphQL (HTTP, DataLoaders) median ${median(g).toFixed(1)} ms  p95 ${p95(g).toFixed(1)} ms\n` +
            `    hand-written SQL (json_agg) median ${median(s).toFixed(1)} ms  p95 ${p95(s).toFixed(1)} ms\n` +
            `    ratio GraphQL / SQL: median ${(median(g) / median(s)).toFixed(2)}  p95 ${(p95(g) / p95(s)).toFixed(2)}`,
        );
      } finally {
        await sql.end();
        await http.close();
      }
    } finally {
      await b.drop();
      await replica.stop();
    }
  }
  console.log(`\npeak RSS of the whole run ${mb(peak())}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
