// Shared by the sync-runs suites: a synthetic world, one real race of it imported with its chain (season,
// week, event, catalog), and replica overrides that serve any number of subsessions shaped like it (a few
// drivers each), so runs of hundreds or thousands of units are quick to import.
import { ChunkedPayload } from '../../offline/datasets.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { SyncKind, SyncTrigger } from '../../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../../src/scheduler/sync-run.service.js';
import type { Harness } from './harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const NOW = new Date('2026-11-19T15:00:00Z');
export const WORLD = { seed: 5, scale: 0.05, now: NOW };

export function world() {
  return syntheticDataset(WORLD);
}

/** A solo race of the world that finished in the day before NOW: its search row and its results/get payload. */
export function templateRace(): { row: Raw; result: Raw } {
  const dataset = world();
  const ctx = { baseUrl: 'http://replica', now: NOW };
  const search = dataset.resolve(
    'results/search_series',
    new URLSearchParams({
      finish_range_begin: new Date(NOW.getTime() - 24 * 3_600_000).toISOString(),
      finish_range_end: NOW.toISOString(),
      event_types: '5',
    }),
    ctx,
  ) as ChunkedPayload;
  for (const row of search.rows as Raw[]) {
    const result = dataset.resolve(
      'results/get',
      new URLSearchParams({ subsession_id: String(row.subsession_id) }),
      ctx,
    ) as Raw;
    const solo = (result.session_results as Raw[]).every((s) =>
      (s.results as Raw[]).every((r) => !Array.isArray(r.driver_results)),
    );
    if (solo) return { row, result };
  }
  throw new Error('the synthetic world has no solo race in the day before NOW');
}

/** The template race with another subsession id and only its first `drivers` rows in each simsession. */
export function syntheticResult(template: Raw, subsessionId: number, drivers = 3): Raw {
  const p = structuredClone(template);
  p.subsession_id = subsessionId;
  for (const s of p.session_results as Raw[]) s.results = (s.results as Raw[]).slice(0, drivers);
  return p;
}

/**
 * Serves `results/get` for the ids `isSynthetic` accepts as copies of the template race, and (when `rows` is
 * given) `results/search_series` as those rows, honouring `finish_range_begin` like iRacing. Each search's
 * `finish_range_begin` is recorded in `searches`.
 */
export function serveSynthetic(
  h: Harness,
  template: { row: Raw; result: Raw },
  isSynthetic: (id: number) => boolean,
  rows?: () => Raw[],
  searches: string[] = [],
): string[] {
  h.replica.override('results/get', (payload, params) => {
    const id = Number(params.get('subsession_id'));
    return isSynthetic(id) ? syntheticResult(template.result, id) : payload;
  });
  if (rows)
    h.replica.override('results/search_series', (payload, params) => {
      const begin = params.get('finish_range_begin') ?? '';
      searches.push(begin);
      const from = Date.parse(begin);
      const list = rows().filter((r) => Number.isNaN(from) || Date.parse(r.end_time as string) >= from);
      const options = payload instanceof ChunkedPayload ? payload.options : {};
      return new ChunkedPayload({}, list, options);
    });
  return searches;
}

/** Search rows for subsessions `ids`, copies of the template's row ending at `endOf(i)`. */
export function searchRows(template: { row: Raw }, ids: number[], endOf: (i: number) => Date): Raw[] {
  return ids.map((id, i) => {
    const end = endOf(i);
    const length =
      Date.parse(template.row.end_time as string) - Date.parse(template.row.start_time as string);
    return {
      ...template.row,
      subsession_id: id,
      end_time: end.toISOString(),
      start_time: new Date(end.getTime() - length).toISOString(),
    };
  });
}

/** Imports the template race itself (its chain and the catalog come with it); fails the test if it fails. */
export async function importTemplate(h: Harness, template: { result: Raw }): Promise<void> {
  const run = await h.app
    .get(SyncRunService)
    .enqueue(SyncKind.SUBSESSIONS, { subsessionIds: [template.result.subsession_id] }, SyncTrigger.CLI);
  const done = await h.waitForRun(run.id, 120_000);
  if (done.status !== 'SUCCEEDED')
    throw new Error(`the template race did not import: ${JSON.stringify(done)}`);
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Counts rows of a query returning `n`. */
export async function count(h: Harness, sql: string, params: unknown[] = []): Promise<number> {
  const [r] = (await h.db.query(sql, params)) as { n: number | string }[];
  return Number(r.n);
}
