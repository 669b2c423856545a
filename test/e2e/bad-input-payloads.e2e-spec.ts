// Bad input from iRacing (docs/architecture.md §5.5): real syncs, started through the GraphQL mutations, read
// malformed payloads from the offline replica (missing fields, wrong types, nulls, objects for arrays, empty and
// huge arrays, a body that is not JSON). Each failing unit ends its SyncRun FAILED or PARTIAL with an error naming
// the endpoint and the field path, and a checksum of every table shows that nothing of it was written; the data
// stored before is intact. Valid surprises (an empty race guide, a huge catalog) succeed.
import { ChunkedPayload } from '../../offline/datasets.js';
import type { DatasetContext, ReplicaDataset } from '../../offline/datasets.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { SYNC_QUEUE } from '../../src/scheduler/sync.queue.js';
import { ADMIN_KEY, startHarness } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Anchored on the current week, so the current seasons have finished races with results.
const NOW = new Date();
const WORLD = { seed: 23, scale: 0.05, now: NOW };
const DAY = 86_400_000;
/** Tables whose rows only record syncs (runs, payload hashes, checkpoints): the rest must not change. */
const BOOKKEEPING = ['sync_run', 'payload_hash', 'sync_checkpoint', 'typeorm_migrations'];

/** The synthetic world; the forecast files behind `weather_url` may be rewritten by a test. */
function dataset(): ReplicaDataset & { fileOverride?: (body: unknown) => unknown } {
  const synthetic = syntheticDataset(WORLD);
  const d: ReplicaDataset & { fileOverride?: (body: unknown) => unknown } = {
    resolve: (endpoint, params, ctx) => synthetic.resolve(endpoint, params, ctx),
    file: (path: string, ctx: DatasetContext) => {
      const body = synthetic.file?.(path, ctx);
      return d.fileOverride && body !== undefined ? d.fileOverride(structuredClone(body)) : body;
    },
  };
  return d;
}

const M = {
  catalog: `mutation($i: SyncCatalogInput) { syncCatalog(input: $i) { id } }`,
  seasons: `mutation($i: SyncSeasonsInput) { syncSeasons(input: $i) { id } }`,
  guide: `mutation($i: SyncRaceGuideInput) { syncRaceGuide(input: $i) { id } }`,
  subsession: `mutation($id: Int!) { syncSubsession(subsessionId: $id) { id } }`,
  member: `mutation($id: Int!) { syncMemberRecentRaces(custId: $id) { id } }`,
  owned: `mutation { syncOwnedContent { id } }`,
  forecasts: `mutation($i: RefreshForecastsInput) { refreshForecasts(input: $i) { id } }`,
};

describe('bad input: iRacing payloads (end to end)', () => {
  let h: Harness;
  const data = dataset();
  const expected = syntheticDataset(WORLD);
  const served = <T = Raw>(endpoint: string, params: Record<string, string> = {}): T => {
    const p = expected.resolve(endpoint, new URLSearchParams(params), { baseUrl: h.replica.url, now: NOW });
    return (p instanceof ChunkedPayload ? p.rows : p) as T;
  };
  const rows = async (sql: string, params: unknown[] = []) => (await h.db.query(sql, params)) as Raw[];

  /** Waits until no run is queued or running (a run may queue others: forecasts after seasons, subsessions). */
  const settle = async () => {
    const deadline = Date.now() + 60_000;
    while ((await rows(`SELECT id FROM sync_run WHERE status IN ('QUEUED', 'RUNNING')`)).length) {
      if (Date.now() > deadline) throw new Error('sync runs still running after 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Runs a sync mutation with the admin key and returns its finished run, once every run it queued settled. */
  const sync = async (mutation: string, variables: Raw = {}): Promise<SyncRunView> => {
    const d = await h.data<Record<string, { id: number }>>(mutation, variables, ADMIN_KEY);
    const run = await h.waitForRun(Object.values(d)[0].id);
    // A run queues its follow-ups after its outcome is written, before its Bull job completes: wait for the job,
    // then for every run it queued.
    const [{ jobId }] = await rows(`SELECT job_id AS "jobId" FROM sync_run WHERE id = $1`, [run.id]);
    const job = await h.app.get<Queue>(getQueueToken(SYNC_QUEUE)).getJob(jobId as string);
    await job?.finished().catch(() => undefined);
    await settle();
    return run;
  };
  /** md5 of every row of every data table, by table. */
  const checksums = async (): Promise<Record<string, string>> => {
    const tables = (
      await rows(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
    ).map((t) => t.tablename as string);
    const out: Record<string, string> = {};
    for (const t of tables.filter((x) => !BOOKKEEPING.includes(x))) {
      const [r] = await rows(
        `SELECT count(*)::int AS n, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') AS md5 FROM "${t}" t`,
      );
      out[t] = `${r.n}:${r.md5}`;
    }
    return out;
  };
  const runsSince = async (id: number) =>
    (await rows('SELECT id, kind, status FROM sync_run WHERE id > $1 ORDER BY id', [id])) as {
      id: number;
      kind: string;
      status: string;
    }[];
  const lastRunId = async () =>
    Number((await rows('SELECT coalesce(max(id), 0)::int AS id FROM sync_run'))[0].id);

  /**
   * Runs a sync against a malformed payload and checks what every bad-payload case must show: the run ends with
   * the status given, an error names the endpoint and matches the path and detail, no other run was queued by
   * it, and no data table changed.
   */
  const failsCleanly = async (
    mutation: string,
    variables: Raw,
    want: { status: 'FAILED' | 'PARTIAL'; endpoint: string; message: RegExp; followUps?: string[] },
  ): Promise<SyncRunView> => {
    const before = await checksums();
    const since = await lastRunId();
    const run = await sync(mutation, variables);
    expect(run.status).toBe(want.status);
    const err = run.errors.find((e) => e.endpoint === want.endpoint);
    expect(err).toBeDefined();
    expect(err?.message).toMatch(new RegExp(`iRacing ${want.endpoint} sent a malformed payload at `));
    expect(err?.message).toMatch(want.message);
    expect(run.counts.failed).toBeGreaterThan(0);
    // Nothing queued by it, but the follow-ups it always queues (a forecast refresh after a seasons sync).
    const queued = (await runsSince(since)).filter((r) => r.id !== run.id).map((r) => r.kind);
    expect(queued.filter((kind) => !(want.followUps ?? []).includes(kind))).toEqual([]);
    expect(await checksums()).toEqual(before);
    return run;
  };

  let seasonIds: number[] = [];
  let subsessionId = 0;
  let custId = 0;

  beforeAll(async () => {
    h = await startHarness({ dataset: data, now: () => NOW }, { SYNC_BACKOFF_MS: '100' });
    // What is stored before the bad payloads arrive: the catalog, three seasons with their forecasts, one
    // subsession with its drivers, the account's owned content.
    expect((await sync(M.catalog)).status).toBe('SUCCEEDED');
    expect((await sync(M.seasons, { i: { limit: 3 } })).status).toBe('SUCCEEDED');
    seasonIds = (await rows('SELECT season_id FROM season ORDER BY season_id')).map(
      (r) => r.season_id as number,
    );
    expect(seasonIds).toHaveLength(3);
    const races = served<Raw[]>('results/search_series', {
      finish_range_begin: new Date(NOW.getTime() - 3 * DAY).toISOString(),
      finish_range_end: NOW.toISOString(),
    }).filter((r) => seasonIds.includes(r.season_id as number));
    expect(races.length).toBeGreaterThan(1);
    subsessionId = races[0].subsession_id as number;
    expect((await sync(M.subsession, { id: subsessionId })).status).toBe('SUCCEEDED');
    custId = (await rows('SELECT cust_id FROM participant_result ORDER BY cust_id LIMIT 1'))[0]
      .cust_id as number;
    expect((await sync(M.owned)).status).toBe('SUCCEEDED');
    const counts = await rows(
      `SELECT (SELECT count(*) FROM sim_car)::int AS cars, (SELECT count(*) FROM race_week)::int AS weeks,
              (SELECT count(*) FROM weather_forecast)::int AS forecasts,
              (SELECT count(*) FROM participant_result)::int AS results,
              (SELECT count(*) FROM sim_profile_car_ownership)::int AS owned`,
    );
    expect(Object.values(counts[0]).every((n) => (n as number) > 0)).toBe(true);
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(async () => {
    h.replica.clearOverrides();
    h.replica.clearFaults();
    data.fileOverride = undefined;
    await h.clearIracingCache();
    await settle();
  });

  // --- catalog ----------------------------------------------------------------------------------------------

  it('car/get: a car without its car_id', async () => {
    h.replica.override('car/get', (cars) =>
      (cars as Raw[]).map((c, i) => {
        if (i !== 4) return c;
        const { car_id: _gone, ...rest } = c;
        return rest;
      }),
    );
    await failsCleanly(
      M.catalog,
      { i: { refresh: true } },
      {
        status: 'FAILED',
        endpoint: 'car/get',
        message: /at \[4\]\.car_id: expected an integer, got nothing \(field missing\)/,
      },
    );
  });

  it('car/get: a car_id sent as a string', async () => {
    h.replica.override('car/get', (cars) =>
      (cars as Raw[]).map((c, i) => (i === 0 ? { ...c, car_id: String(c.car_id) } : c)),
    );
    await failsCleanly(
      M.catalog,
      { i: { refresh: true } },
      {
        status: 'FAILED',
        endpoint: 'car/get',
        message: /at \[0\]\.car_id: expected an integer, got string "\d+"/,
      },
    );
  });

  it('carclass/get: null instead of the list', async () => {
    h.replica.override('carclass/get', () => null);
    await failsCleanly(
      M.catalog,
      { i: { refresh: true } },
      {
        status: 'FAILED',
        endpoint: 'carclass/get',
        message: /at \(root\): expected an array, got null/,
      },
    );
  });

  it('carclass/get: a class whose cars_in_class is null', async () => {
    h.replica.override('carclass/get', (classes) =>
      (classes as Raw[]).map((c, i) => (i === 2 ? { ...c, cars_in_class: null } : c)),
    );
    await failsCleanly(
      M.catalog,
      { i: { refresh: true } },
      {
        status: 'FAILED',
        endpoint: 'carclass/get',
        message: /at \[2\]\.cars_in_class: expected an array, got null/,
      },
    );
  });

  it('track/get: an object where the list is expected', async () => {
    h.replica.override('track/get', (tracks) => ({ tracks }));
    await failsCleanly(
      M.catalog,
      { i: { refresh: true } },
      {
        status: 'FAILED',
        endpoint: 'track/get',
        message: /at \(root\): expected an array, got an object/,
      },
    );
  });

  it('carclass/get: an empty list is refused, deleting no class', async () => {
    // Every class deleted because one answer came back empty would be an outage, not an upstream change.
    h.replica.override('carclass/get', () => []);
    await failsCleanly(
      M.catalog,
      { i: { refresh: true } },
      {
        status: 'FAILED',
        endpoint: 'carclass/get',
        message: /at \(root\): expected a non-empty array, got an array of 0/,
      },
    );
  });

  it('track/get: a body that is not JSON', async () => {
    const before = await checksums();
    h.replica.addFault({ endpoint: 'track/get', kind: 'malformed-json' });
    const run = await sync(M.catalog, { i: { refresh: true } });
    expect(run.status).toBe('FAILED');
    const err = run.errors.find((e) => e.endpoint === 'track/get');
    expect(err?.message).toMatch(/iRacing track\/get sent a malformed payload at \(root\): invalid JSON/);
    expect(await checksums()).toEqual(before);
  });

  it('car/get: 50 000 cars, the last one broken, fail at [49999] and write nothing', async () => {
    h.replica.override('car/get', (cars) => huge(cars as Raw[], 50_000, (c) => ({ ...c, car_id: null })));
    const started = Date.now();
    await failsCleanly(
      M.catalog,
      { i: { refresh: true } },
      {
        status: 'FAILED',
        endpoint: 'car/get',
        message: /at \[49999\]\.car_id: expected an integer, got null/,
      },
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('car/get: 10 000 valid cars are imported in a dry run, and nothing is written', async () => {
    const before = await checksums();
    const stored = Number((await rows('SELECT count(*)::int AS n FROM sim_car'))[0].n);
    h.replica.override('car/get', (cars) => huge(cars as Raw[], 10_000));
    const started = Date.now();
    const run = await sync(M.catalog, { i: { refresh: true, dryRun: true } });
    expect(run.status).toBe('SUCCEEDED');
    const simCar = run.countsByEntity.find((c) => c.entity === 'sim_car');
    expect(simCar?.created).toBe(10_000 - stored);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await checksums()).toEqual(before);
  });

  /** series/seasons serving only the seasons stored, each passed through `edit`, so `limit` picks the same. */
  const storedSeasons = (edit: (s: Raw, i: number) => Raw) =>
    h.replica.override('series/seasons', (seasons) =>
      (seasons as Raw[]).filter((s) => seasonIds.includes(s.season_id as number)).map(edit),
    );

  // --- seasons and race guide -------------------------------------------------------------------------------

  it("series/seasons: one season's week without a track fails that season alone (PARTIAL)", async () => {
    const broken = seasonIds[1];
    storedSeasons((s) =>
      s.season_id === broken
        ? { ...s, schedules: (s.schedules as Raw[]).map((w, i) => (i === 2 ? { ...w, track: null } : w)) }
        : s,
    );
    const run = await failsCleanly(
      M.seasons,
      { i: { limit: 3, refresh: true } },
      {
        status: 'PARTIAL',
        endpoint: 'series/seasons',
        message: /at \[\d\]\.schedules\[2\]\.track: expected an object, got null/,
        followUps: ['FORECASTS'],
      },
    );
    expect(run.errors.filter((e) => e.endpoint === 'series/seasons')).toHaveLength(1);
    expect(run.errors[0].unit).toContain(String(broken));
  });

  it('series/seasons: a season_id sent as a string fails every season (the series still sync: PARTIAL)', async () => {
    storedSeasons((s, i) => (i === 0 ? { ...s, season_id: `#${String(s.season_id)}` } : s));
    await failsCleanly(
      M.seasons,
      { i: { limit: 3, refresh: true } },
      {
        status: 'PARTIAL',
        endpoint: 'series/seasons',
        message: /at \[0\]\.season_id: expected an integer, got string "#\d+"/,
        followUps: ['FORECASTS'],
      },
    );
  });

  it('series/seasons: schedules as an object instead of a list', async () => {
    storedSeasons((s, i) => (i === 1 ? { ...s, schedules: { 0: s.schedules } } : s));
    await failsCleanly(
      M.seasons,
      { i: { limit: 3, refresh: true } },
      {
        status: 'PARTIAL',
        endpoint: 'series/seasons',
        message: /at \[1\]\.schedules: expected an array, got an object/,
        followUps: ['FORECASTS'],
      },
    );
  });

  it('season/race_guide: sessions null', async () => {
    h.replica.override('season/race_guide', (guide) => ({ ...(guide as Raw), sessions: null }));
    await failsCleanly(
      M.guide,
      { i: { refresh: true } },
      {
        status: 'FAILED',
        endpoint: 'season/race_guide',
        message: /at sessions: expected an array, got null/,
      },
    );
  });

  it('season/race_guide: an empty list of sessions is valid and deletes nothing', async () => {
    const before = await checksums();
    h.replica.override('season/race_guide', (guide) => ({ ...(guide as Raw), sessions: [] }));
    const run = await sync(M.guide, { i: { refresh: true } });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.errors).toEqual([]);
    expect(run.counts.deleted).toBe(0);
    expect(await checksums()).toEqual(before);
  });

  // --- results and members ----------------------------------------------------------------------------------

  it('results/get: a finish position sent as text, in a subsession already stored', async () => {
    h.replica.override('results/get', (r) => {
      const p = r as Raw;
      // The first driver: every simsession has one, whatever the day the world is built for.
      p.session_results[0].results[0].finish_position = '2nd';
      return p;
    });
    await failsCleanly(
      M.subsession,
      { id: subsessionId },
      {
        status: 'FAILED',
        endpoint: 'results/get',
        message:
          /at session_results\[0\]\.results\[0\]\.finish_position: expected an integer, got string "2nd"/,
      },
    );
  });

  it('results/get: a subsession without its track', async () => {
    h.replica.override('results/get', (r) => {
      const { track: _gone, ...rest } = r as Raw;
      return rest;
    });
    await failsCleanly(
      M.subsession,
      { id: subsessionId },
      {
        status: 'FAILED',
        endpoint: 'results/get',
        message: /at track: expected an object, got nothing \(field missing\)/,
      },
    );
  });

  it('member/info: car_packages as a string', async () => {
    h.replica.override('member/info', (m) => ({ ...(m as Raw), car_packages: 'all of them' }));
    await failsCleanly(
      M.owned,
      {},
      {
        status: 'FAILED',
        endpoint: 'member/info',
        message: /at car_packages: expected an array, got string "all of them"/,
      },
    );
  });

  it('stats/member_recent_races: races null queues nothing', async () => {
    h.replica.override('stats/member_recent_races', (m) => ({ ...(m as Raw), races: null }));
    await failsCleanly(
      M.member,
      { id: custId },
      {
        status: 'FAILED',
        endpoint: 'stats/member_recent_races',
        message: /at races: expected an array, got null/,
      },
    );
  });

  // --- forecasts --------------------------------------------------------------------------------------------

  it('weather_url: a forecast hour whose air_temp is text keeps the stored forecast', async () => {
    data.fileOverride = (rows) =>
      Array.isArray(rows) ? rows.map((r: Raw, i) => (i === 5 ? { ...r, air_temp: '21.5C' } : r)) : rows;
    const run = await failsCleanly(
      M.forecasts,
      { i: { seasonIds: [seasonIds[0]], force: true } },
      {
        status: 'FAILED',
        endpoint: 'weather_url',
        message: /at \[5\]\.air_temp: expected an integer, got string "21\.5C"/,
      },
    );
    expect(run.errors.every((e) => /^forecast of race week \d+/.test(e.unit))).toBe(true);
  });
});

/** `n` cars made from the catalog's own (new ids and packages), the last one passed through `last`. */
function huge(cars: Raw[], n: number, last: (c: Raw) => Raw = (c) => c): Raw[] {
  const out = cars.slice(0, n);
  for (let i = out.length; i < n; i++) {
    const c = cars[i % cars.length];
    out.push({ ...c, car_id: 900_000 + i, package_id: 900_000 + i, car_name: `${String(c.car_name)} #${i}` });
  }
  out[n - 1] = last(out[n - 1]);
  return out;
}
