// No subsession a results search finds is lost (end to end, real PostgreSQL, Redis and Bull): a search finding
// 3,156 new subsessions queues them all as runs of at most 500 ids and imports every one; when its runs cannot
// be recorded, the checkpoint stays where it was and the retried search finds them again; a forecast refresh
// naming 1,000 race weeks is accepted and split.
import { SEARCH_CHECKPOINT } from '../../src/results/results.importer.js';
import { SyncKind, SyncTrigger } from '../../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../../src/scheduler/sync-run.service.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import {
  count,
  importTemplate,
  NOW,
  searchRows,
  serveSynthetic,
  templateRace,
  world,
} from '../support/sync-runs-support.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Run = SyncRunView & { attempts: number; queuedRuns: { kind: string; runId: number; items: number }[] };

const RUN_FIELDS = `${SYNC_RUN_FIELDS} attempts queuedRuns { kind runId items } parameters
  errors { unit message attempt }`;
const HOUR = 3_600_000;
const BIG = 3156;
const FIRST = 900_000_000;
const SECOND = 910_000_000;

describe('sync runs: nothing a results search finds is lost (end to end)', () => {
  let h: Harness;
  const template = templateRace();
  // Each test serves its own search rows.
  let rows: Raw[] = [];
  const searches: string[] = [];

  const view = async (id: number): Promise<Run & { parameters: string }> =>
    (
      await h.data<{ syncRun: Run & { parameters: string } }>(
        `query($id: Int!) { syncRun(id: $id) { ${RUN_FIELDS} } }`,
        { id },
      )
    ).syncRun;
  const finished = async (id: number, timeoutMs = 120_000) => {
    await h.waitForRun(id, timeoutMs);
    return view(id);
  };
  const search = async () =>
    finished((await h.app.get(SyncRunService).enqueue(SyncKind.RESULTS, {}, SyncTrigger.CLI)).id);
  const checkpoint = async () =>
    (
      (await h.db.query('SELECT at FROM sync_checkpoint WHERE name = $1', [SEARCH_CHECKPOINT])) as {
        at: Date;
      }[]
    )[0]?.at.toISOString();
  const imported = (from: number, to: number) =>
    count(h, 'SELECT count(*) AS n FROM event_result WHERE subsession_id >= $1 AND subsession_id < $2', [
      from,
      to,
    ]);

  beforeAll(async () => {
    h = await startHarness(
      { dataset: world(), now: () => NOW },
      { SYNC_BACKOFF_MS: '200', WORKER_CONCURRENCY: '4' },
    );
    await importTemplate(h, template);
    serveSynthetic(
      h,
      template,
      (id) => id >= FIRST,
      () => rows,
      searches,
    );
  }, 300_000);
  afterAll(async () => {
    await h?.db.query('DROP TRIGGER IF EXISTS sync_runs_refuse_once ON sync_run').catch(() => undefined);
    await h?.close();
  });

  it('queues every one of 3,156 new subsessions a search found, in runs of at most 500, and imports them all', async () => {
    const ids = Array.from({ length: BIG }, (_, i) => FIRST + i);
    const start = Date.now() - 20 * HOUR;
    rows = searchRows(template, ids, (i) => new Date(start + i * 10_000));
    const run = await search();
    expect(run.errors).toEqual([]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.queuedRuns.map((q) => q.items)).toEqual([500, 500, 500, 500, 500, 500, 156]);
    expect(run.queuedRuns.every((q) => q.kind === 'SUBSESSIONS')).toBe(true);
    // The checkpoint moved to the latest end the search returned, with the runs.
    expect(await checkpoint()).toBe(rows[rows.length - 1].end_time);

    const queued = [];
    for (const q of run.queuedRuns) queued.push(await finished(q.runId, 600_000));
    const listed = queued.flatMap(
      (q) => (JSON.parse(q.parameters) as { subsessionIds: number[] }).subsessionIds,
    );
    expect(listed.sort((a, b) => a - b)).toEqual(ids);
    for (const q of queued) expect([q.id, q.status, q.errors]).toEqual([q.id, 'SUCCEEDED', []]);
    expect(
      queued.reduce(
        (n, q) => n + (q.countsByEntity.find((c) => c.entity === 'event_result')?.created ?? 0),
        0,
      ),
    ).toBe(BIG);
    expect(await imported(FIRST, FIRST + BIG)).toBe(BIG);
  }, 900_000);

  it('leaves the checkpoint where it was when the found subsessions cannot be queued, so the retry finds them', async () => {
    const before = await checkpoint();
    expect(before).toBeDefined();
    // 40 races over the two hours after the checkpoint: were it moved to the latest of them, a search from
    // there (less its 15 minutes of overlap) would find only the last few.
    const ids = Array.from({ length: 40 }, (_, i) => SECOND + i);
    const base = Date.parse(before!) + HOUR;
    rows = searchRows(template, ids, (i) => new Date(base + i * 3 * 60_000));
    // The first SUBSESSIONS run recorded after this fails (its transaction rolls back); the next ones pass.
    await h.db.query(`CREATE SEQUENCE IF NOT EXISTS sync_runs_refuse_once`);
    await h.db.query(`CREATE OR REPLACE FUNCTION sync_runs_refuse_once() RETURNS trigger AS $$
      BEGIN
        IF nextval('sync_runs_refuse_once') = 1 THEN RAISE EXCEPTION 'injected: the sync_run insert is refused'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await h.db.query(`CREATE TRIGGER sync_runs_refuse_once BEFORE INSERT ON sync_run FOR EACH ROW
      WHEN (NEW.kind = 'SUBSESSIONS') EXECUTE FUNCTION sync_runs_refuse_once()`);
    searches.length = 0;
    try {
      const run = await search();
      expect(run.status).toBe('SUCCEEDED');
      expect(run.attempts).toBe(2);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toMatchObject({ attempt: 1 });
      expect(run.errors[0].message).toMatch(/injected: the sync_run insert is refused/);
      // Both attempts searched from the same checkpoint: the failed one did not move it.
      expect(searches).toHaveLength(2);
      expect(searches[1]).toBe(searches[0]);
      expect(Date.parse(searches[0])).toBe(Date.parse(before!) - 15 * 60_000);
      expect(run.queuedRuns).toEqual([{ kind: 'SUBSESSIONS', runId: expect.any(Number), items: 40 }]);
      const queued = await finished(run.queuedRuns[0].runId);
      expect(queued.status).toBe('SUCCEEDED');
      expect(await imported(SECOND, SECOND + 40)).toBe(40);
      expect(await checkpoint()).toBe(rows[rows.length - 1].end_time);
    } finally {
      await h.db.query('DROP TRIGGER IF EXISTS sync_runs_refuse_once ON sync_run');
    }
  });

  it('accepts a forecast refresh of 1,000 race weeks and runs them as runs of at most 500', async () => {
    const weeks = ((await h.db.query('SELECT id FROM race_week ORDER BY id')) as { id: number }[]).map(
      (w) => w.id,
    );
    expect(weeks.length).toBeGreaterThan(0);
    const ids = [...weeks, ...Array.from({ length: 1000 - weeks.length }, (_, i) => 1_000_000 + i)];
    const answer = await h.gql<{ refreshForecasts: { id: number } }>(
      `mutation($ids: [Int!]) { refreshForecasts(input: { raceWeekIds: $ids, force: true }) { id status } }`,
      { ids },
      ADMIN_KEY,
    );
    expect(answer.errors).toBeUndefined();
    const run = await finished(answer.data!.refreshForecasts.id);
    expect(run.errors).toEqual([]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.queuedRuns).toEqual([{ kind: 'FORECASTS', runId: expect.any(Number), items: 500 }]);
    const rest = await finished(run.queuedRuns[0].runId);
    expect(rest.status).toBe('SUCCEEDED');
    expect(JSON.parse(rest.parameters)).toMatchObject({ raceWeekIds: ids.slice(500), force: true });
    // The weeks that exist were all fetched (they come first, in the first run).
    expect(
      await count(
        h,
        'SELECT count(*) AS n FROM race_week WHERE weather_url IS NOT NULL AND forecast_fetched_at IS NULL',
      ),
    ).toBe(0);
  });
});
