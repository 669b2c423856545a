// Results and members end to end on the synthetic world (scale 0.1, anchored on the current week): the results
// search from its checkpoint queues the subsessions it found and each is imported linked to its session; team
// races keep each team's drivers; a subsession imported again (or in a dry run) changes nothing; laps are stored
// per driver and served in seconds; a subsession of an unknown season brings its chain once; the calendar keeps
// the sessions the account can race; a member's recent races and a week's season results queue what is missing.
import { ChunkedPayload } from '../../offline/datasets.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { SEARCH_CHECKPOINT } from '../../src/results/results.importer.js';
import { SyncKind, SyncTrigger } from '../../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../../src/scheduler/sync-run.service.js';
import { sessionStarts } from '../../src/seasons/session-times.js';
import type { RaceTimeDescriptor } from '../../src/seasons/session-times.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Run = SyncRunView & {
  queuedRuns: { kind: string; runId: number; items: number }[];
  parameters: string;
};

// The world is anchored on the current week, so the current seasons have finished weeks and races.
const NOW = new Date();
const WORLD = { seed: 11, scale: 0.1, now: NOW };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const RUN_FIELDS = `${SYNC_RUN_FIELDS} queuedRuns { kind runId items } parameters`;
const SYNC_SUBSESSION = `mutation($id: Int!, $laps: Boolean) { syncSubsession(subsessionId: $id, includeLaps: $laps) { id } }`;

/** The driver rows of a simsession: a solo row, or the `driver_results` of a team row. */
const driversOf = (s: Raw): Raw[] =>
  (s.results as Raw[]).flatMap((r) => (Array.isArray(r.driver_results) ? (r.driver_results as Raw[]) : [r]));
const teamsOf = (s: Raw): Raw[] => (s.results as Raw[]).filter((r) => Array.isArray(r.driver_results));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/**
 * A solo `results/get` payload turned into a team race: the main event's finishers paired in order, each pair
 * one team (negative team_id, the pair's rows as its `driver_results`) in every simsession.
 */
function asTeamRace(payload: Raw): Raw {
  const p = structuredClone(payload);
  const main = (p.session_results as Raw[]).find((s) => s.simsession_number === 0) as Raw;
  const teamOf = new Map<number, number>(
    (main.results as Raw[]).map((r, i) => [r.cust_id as number, -(7000 + Math.floor(i / 2))]),
  );
  for (const s of p.session_results as Raw[]) {
    const teams = new Map<number, Raw>();
    for (const r of s.results as Raw[]) {
      const teamId = teamOf.get(r.cust_id as number) as number;
      const driver = { ...r, team_id: teamId };
      const team = teams.get(teamId);
      if (team) (team.driver_results as Raw[]).push(driver);
      else {
        const { cust_id: _cust, ...rest } = r;
        teams.set(teamId, {
          ...rest,
          team_id: teamId,
          display_name: `Team ${-teamId}`,
          driver_results: [driver],
        });
      }
    }
    s.results = [...teams.values()];
  }
  return Object.assign(p, { driver_changes: true, driver_change_rule: 2, max_team_drivers: 2 });
}

describe('results and members (end to end, synthetic world)', () => {
  let h: Harness;
  let seriesRun: Run | undefined;
  let unknownDry: { seasonId?: number; week?: number; run?: Run } = {};
  // A second instance of the same world: what the replica serves, read without going through it.
  const expected = syntheticDataset(WORLD);
  const served = <T = Raw>(endpoint: string, params: Record<string, string> = {}): T => {
    const p = expected.resolve(endpoint, new URLSearchParams(params), { baseUrl: h.replica.url, now: NOW });
    return (p instanceof ChunkedPayload ? p.rows : p) as T;
  };
  const result = (id: number) => served('results/get', { subsession_id: String(id) }) as Raw;
  const memo = new Map<string, Raw[]>();
  /** Races of the world (search_series) that finished between `from` and `to` days ago, by subsession id. */
  const finishedBetween = (from: number, to: number): Raw[] => {
    const key = `${from}:${to}`;
    if (!memo.has(key))
      memo.set(
        key,
        served<Raw[]>('results/search_series', {
          finish_range_begin: iso(NOW.getTime() - from * DAY),
          finish_range_end: iso(NOW.getTime() - to * DAY),
        }).sort((a, b) => (a.subsession_id as number) - (b.subsession_id as number)),
      );
    return memo.get(key) as Raw[];
  };

  const view = async (id: number): Promise<Run> =>
    (await h.data<{ syncRun: Run }>(`query($id: Int!) { syncRun(id: $id) { ${RUN_FIELDS} } }`, { id }))
      .syncRun;
  const finished = async (id: number): Promise<Run> => {
    await h.waitForRun(id);
    return view(id);
  };
  const mutate = async (mutation: string, variables: Raw = {}): Promise<Run> => {
    const data = await h.data<Record<string, { id: number }>>(mutation, variables, ADMIN_KEY);
    return finished(Object.values(data)[0].id);
  };
  /** A run queued as the CLI does (kinds and parameters GraphQL does not offer). */
  const enqueue = async (kind: SyncKind, params: Raw): Promise<Run> =>
    finished((await h.app.get(SyncRunService).enqueue(kind, params, SyncTrigger.CLI)).id);
  const syncSubsession = (id: number, laps = false) => mutate(SYNC_SUBSESSION, { id, laps });
  const byEntity = (r: SyncRunView) => Object.fromEntries(r.countsByEntity.map((c) => [c.entity, c]));
  const rows = async (sql: string, params: unknown[] = []) => (await h.db.query(sql, params)) as Raw[];
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await rows(`SELECT (${sql})::int AS n`, params))[0].n);
  const storedIds = async (ids: number[]) =>
    new Set(
      (await rows('SELECT subsession_id FROM event_result WHERE subsession_id = ANY($1::int[])', [ids])).map(
        (r) => r.subsession_id as number,
      ),
    );
  const storedSeasons = async () =>
    new Set((await rows('SELECT season_id FROM season')).map((r) => r.season_id as number));
  /** Each stored subsession with the instance it is linked to and that instance's week. */
  const links = (ids: number[]) =>
    rows(
      `SELECT r.subsession_id, r.session_id, r.season_id, r.race_week_num, r.start_time, i.id AS instance_id,
              i.session_id AS instance_session_id, i.start_time AS instance_start, i.predicted,
              rw.season_id AS week_season_id, rw.race_week_num AS week_num
       FROM event_result r LEFT JOIN event_instance i ON i.id = r.event_instance_id
       LEFT JOIN event e ON e.id = i.event_id LEFT JOIN race_week rw ON rw.id = e.race_week_id
       WHERE r.subsession_id = ANY($1::int[]) ORDER BY r.subsession_id`,
      [ids],
    );
  const expectLinked = async (ids: number[]) => {
    const found = await links(ids);
    expect(found.map((l) => l.subsession_id)).toEqual(sorted(ids));
    for (const l of found)
      expect([
        l.subsession_id,
        l.instance_id !== null,
        l.week_season_id,
        l.week_num,
        l.instance_session_id,
      ]).toEqual([l.subsession_id, true, l.season_id, l.race_week_num, l.session_id]);
    return found;
  };

  beforeAll(async () => {
    h = await startHarness({ dataset: syntheticDataset(WORLD), now: () => NOW });
    const seasons = await mutate(`mutation { syncSeasons { id } }`);
    expect(seasons.errors).toEqual([]);
    expect(seasons.status).toBe('SUCCEEDED');
    // The forecast refresh it queues runs to its end first: nothing else runs beside the tests' syncs.
    let forecasts: Raw | undefined;
    for (let i = 0; i < 100 && !forecasts; i++) {
      [forecasts] = await rows(`SELECT id FROM sync_run WHERE kind = 'FORECASTS'`);
      if (!forecasts) await new Promise((r) => setTimeout(r, 100));
    }
    if (forecasts) await h.waitForRun(forecasts.id as number);
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(async () => {
    h.replica.clearOverrides();
    await h.clearIracingCache();
  });

  it('queues what the results search found and imports each subsession linked to its session', async () => {
    const searches: { begin: string | null; rows: Raw[] }[] = [];
    h.replica.override('results/search_series', (payload, params) => {
      searches.push({
        begin: params.get('finish_range_begin'),
        rows: (payload as ChunkedPayload).rows as Raw[],
      });
      return payload;
    });
    const askedAt = Date.now();
    const search = await enqueue(SyncKind.RESULTS, {});
    expect(search.errors).toEqual([]);
    expect(search.status).toBe('SUCCEEDED');
    expect(searches).toHaveLength(1);
    // No checkpoint yet: RESULTS_LOOKBACK_HOURS (24) back.
    expect(Math.abs(Date.parse(searches[0].begin ?? '') - (askedAt - 24 * HOUR))).toBeLessThan(60_000);
    const found = searches[0].rows;
    const ids = sorted([...new Set(found.map((r) => r.subsession_id as number))]);
    expect(ids.length).toBeGreaterThan(0);
    expect(search.queuedRuns).toEqual([
      { kind: 'SUBSESSIONS', runId: expect.any(Number), items: ids.length },
    ]);

    const imported = await finished(search.queuedRuns[0].runId);
    expect(imported.errors).toEqual([]);
    expect(imported.status).toBe('SUCCEEDED');
    expect(JSON.parse(imported.parameters)).toEqual({ subsessionIds: ids });
    expect(await count('SELECT count(*) FROM event_result')).toBe(ids.length);
    expect(byEntity(imported).event_result.created).toBe(ids.length);

    // Every driver row of every simsession, as results/get serves them.
    const payloads = ids.map(result);
    const drivers = payloads.flatMap((p) => (p.session_results as Raw[]).flatMap(driversOf));
    expect(await count('SELECT count(*) FROM participant_result')).toBe(drivers.length);
    expect(await count('SELECT count(*) FROM team_result')).toBe(
      payloads.reduce(
        (n, p) => n + (p.session_results as Raw[]).reduce((m, s) => m + teamsOf(s).length, 0),
        0,
      ),
    );
    // Linked to the instance of its week, which now carries its session_id.
    const linked = await expectLinked(ids);
    for (const l of linked)
      expect((l.instance_start as Date).getTime()).toBe((l.start_time as Date).getTime());
    const bySubsession = new Map(payloads.map((p) => [p.subsession_id as number, p]));
    for (const l of linked) expect(l.session_id).toBe(bySubsession.get(l.subsession_id)?.session_id);
    // A profile for every participant.
    expect(
      await count(
        'SELECT count(*) FROM participant_result p WHERE NOT EXISTS (SELECT 1 FROM sim_profile s WHERE s.cust_id = p.cust_id)',
      ),
    ).toBe(0);
    expect(await count('SELECT count(*) FROM sim_profile')).toBe(new Set(drivers.map((d) => d.cust_id)).size);

    // The checkpoint is the latest end the search returned.
    const latest = Math.max(...found.map((r) => Date.parse(r.end_time as string)));
    const [cp] = await rows('SELECT at FROM sync_checkpoint WHERE name = $1', [SEARCH_CHECKPOINT]);
    expect((cp?.at as Date | undefined)?.toISOString()).toBe(iso(latest));
    expect(
      await count(`SELECT count(*) FROM event_result WHERE end_time = $1`, [iso(latest)]),
    ).toBeGreaterThan(0);

    // Right after: the search starts at the checkpoint (less its overlap), finds only stored races.
    const written = await rows('SELECT count(*)::int AS n, max(updated_at) AS at FROM event_result');
    searches.length = 0;
    const again = await enqueue(SyncKind.RESULTS, {});
    expect(again.errors).toEqual([]);
    expect(again.status).toBe('SUCCEEDED');
    expect(searches).toHaveLength(1);
    expect(searches[0].begin).toBe(iso(latest - 15 * 60_000));
    const refound = new Set(searches[0].rows.map((r) => r.subsession_id as number));
    expect(refound.size).toBeGreaterThan(0);
    expect(again.queuedRuns).toEqual([]);
    expect(byEntity(again).event_result).toMatchObject({ created: 0, unchanged: refound.size });
    expect(await rows('SELECT count(*)::int AS n, max(updated_at) AS at FROM event_result')).toEqual(written);
  });

  it("keeps each team's drivers in every simsession of a team race", async () => {
    let id: number;
    let payload: Raw;
    const known = await storedSeasons();
    const [storedTeam] = await rows(
      'SELECT subsession_id FROM event_result WHERE driver_changes ORDER BY num_drivers DESC, subsession_id LIMIT 1',
    );
    const lastMonth = finishedBetween(30, 0);
    const worldTeam = [...lastMonth]
      .filter((r) => r.driver_changes === true)
      .sort((a, b) => (b.num_drivers as number) - (a.num_drivers as number))[0];
    if (storedTeam) {
      id = storedTeam.subsession_id as number;
      payload = result(id);
    } else if (worldTeam) {
      id = worldTeam.subsession_id as number;
      payload = result(id);
    } else {
      // This world has no team series (synthetic/series.ts draws teams for some sports-car and oval series only):
      // the replica serves a finished solo race (of a stored season when there is one) as a team race.
      const stored = await storedIds(lastMonth.map((r) => r.subsession_id as number));
      const pool = lastMonth.filter(
        (r) => (r.num_drivers as number) >= 5 && !stored.has(r.subsession_id as number),
      );
      const pick = pool.find((r) => known.has(r.season_id as number)) ?? pool[0];
      expect(pick).toBeDefined();
      id = pick?.subsession_id as number;
      payload = asTeamRace(result(id));
      h.replica.override('results/get', (p, params) =>
        Number(params.get('subsession_id')) === id ? payload : p,
      );
    }
    if (!(await storedIds([id])).has(id)) {
      const r = await syncSubsession(id);
      expect(r.errors).toEqual([]);
      expect(r.status).toBe('SUCCEEDED');
      expect(byEntity(r).team_result.created).toBe(
        (payload.session_results as Raw[]).reduce((n, s) => n + teamsOf(s).length, 0),
      );
    }

    const q = await h.data<Raw>(
      `query($id: Int!) { subsession(id: $id) { driverChanges sessions { simsessionNumber
         results { member { custId } teamId } teams { teamId drivers { member { custId } } } } } }`,
      { id },
    );
    expect(q.subsession.driverChanges).toBe(true);
    const sessions = q.subsession.sessions as Raw[];
    expect(sessions.map((s) => s.simsessionNumber)).toEqual(
      (payload.session_results as Raw[]).map((s) => s.simsession_number),
    );
    const stored = await rows(
      `SELECT p.simsession_number, p.team_id, p.cust_id FROM participant_result p
       JOIN event_result r ON r.id = p.event_result_id WHERE r.subsession_id = $1`,
      [id],
    );
    for (const s of payload.session_results as Raw[]) {
      const got = sessions.find((x) => x.simsessionNumber === s.simsession_number) as Raw;
      const teams = teamsOf(s);
      expect(teams.length).toBeGreaterThan(1);
      expect((got.teams as Raw[]).map((t) => t.teamId).sort()).toEqual(teams.map((t) => t.team_id).sort());
      expect(got.results).toHaveLength(driversOf(s).length);
      expect((got.results as Raw[]).every((r) => r.teamId !== null)).toBe(true);
      for (const t of got.teams as Raw[]) {
        const drivers = sorted((t.drivers as Raw[]).map((d) => d.member.custId as number));
        const want = teams.find((x) => x.team_id === t.teamId) as Raw;
        const key = [s.simsession_number, t.teamId];
        expect([...key, drivers]).toEqual([
          ...key,
          sorted((want.driver_results as Raw[]).map((d) => d.cust_id as number)),
        ]);
        expect([...key, drivers]).toEqual([
          ...key,
          sorted(
            stored
              .filter((p) => p.simsession_number === s.simsession_number && p.team_id === t.teamId)
              .map((p) => p.cust_id as number),
          ),
        ]);
        expect([...key, drivers]).toEqual([
          ...key,
          sorted(
            (got.results as Raw[]).filter((r) => r.teamId === t.teamId).map((r) => r.member.custId as number),
          ),
        ]);
      }
    }
  });

  it('changes nothing when a stored subsession is imported again, nor in a dry run', async () => {
    const [solo] = await rows(
      'SELECT subsession_id FROM event_result WHERE NOT driver_changes ORDER BY num_drivers DESC, subsession_id LIMIT 1',
    );
    const again = await syncSubsession(solo.subsession_id as number);
    expect(again.errors).toEqual([]);
    expect(again.status).toBe('SUCCEEDED');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(byEntity(again).event_result).toMatchObject({ unchanged: 1 });

    // A dry run that rewrites the stored one (refresh) and imports a new one of a stored season: rolled back.
    const known = await storedSeasons();
    const older = finishedBetween(30, 0).filter(
      (r) => known.has(r.season_id as number) && Date.parse(r.end_time as string) < NOW.getTime() - 25 * HOUR,
    );
    const stored = await storedIds(older.map((r) => r.subsession_id as number));
    const fresh = older.find((r) => !stored.has(r.subsession_id as number) && r.driver_changes !== true);
    expect(fresh).toBeDefined();
    const freshId = fresh?.subsession_id as number;
    const snapshot = () =>
      rows(`SELECT (SELECT count(*)::int FROM event_result) AS results, (SELECT count(*)::int FROM participant_result) AS drivers,
              (SELECT count(*)::int FROM team_result) AS teams, (SELECT count(*)::int FROM event_instance) AS instances,
              (SELECT count(*)::int FROM event_instance WHERE session_id IS NOT NULL) AS linked,
              (SELECT count(*)::int FROM sim_profile) AS profiles, (SELECT max(updated_at) FROM event_result) AS r_at,
              (SELECT max(updated_at) FROM event_instance) AS i_at, (SELECT max(updated_at) FROM sim_profile) AS p_at,
              (SELECT max(updated_at) FROM payload_hash) AS h_at, (SELECT count(*)::int FROM payload_hash) AS hashes`);
    const before = await snapshot();
    const dry = await enqueue(SyncKind.SUBSESSIONS, {
      subsessionIds: [solo.subsession_id, freshId],
      dryRun: true,
      refresh: true,
    });
    expect(dry.errors).toEqual([]);
    expect(dry.status).toBe('SUCCEEDED');
    expect(dry.dryRun).toBe(true);
    // What it would have written: the new subsession, and nothing of the stored one.
    expect(byEntity(dry).event_result).toMatchObject({ created: 1, updated: 0, unchanged: 1 });
    expect(byEntity(dry).participant_result).toMatchObject({
      created: (result(freshId).session_results as Raw[]).flatMap(driversOf).length,
      updated: 0,
      deleted: 0,
    });
    expect(dry.queuedRuns).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect((await storedIds([freshId])).size).toBe(0);
  });

  it('stores the laps of every driver of the main event, served in seconds', async () => {
    const [pick] = await rows(
      `SELECT r.subsession_id, count(*)::int AS n FROM event_result r
       JOIN participant_result p ON p.event_result_id = r.id AND p.simsession_number = 0
       WHERE NOT r.driver_changes GROUP BY r.subsession_id ORDER BY n DESC, r.subsession_id LIMIT 1`,
    );
    expect(pick.n).toBeGreaterThan(1);
    const id = pick.subsession_id as number;
    const main = (result(id).session_results as Raw[]).find((s) => s.simsession_number === 0) as Raw;
    const want = new Map(
      (main.results as Raw[]).map((d) => [
        d.cust_id as number,
        served('results/lap_data', {
          subsession_id: String(id),
          simsession_number: '0',
          cust_id: String(d.cust_id),
        }) as Raw[],
      ]),
    );
    const total = [...want.values()].reduce((n, l) => n + l.length, 0);
    expect(total).toBeGreaterThan(want.size);

    const r = await syncSubsession(id, true);
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    expect(byEntity(r).lap).toMatchObject({ created: total, deleted: 0 });
    const laps = await rows(
      `SELECT cust_id, simsession_number, lap_number, lap_time FROM lap WHERE subsession_id = $1
       ORDER BY cust_id, lap_number`,
      [id],
    );
    expect(laps.every((l) => l.simsession_number === 0)).toBe(true);
    for (const [cust, expectedLaps] of want) {
      const mine = laps.filter((l) => l.cust_id === cust);
      expect([cust, mine.map((l) => [l.lap_number, l.lap_time])]).toEqual([
        cust,
        expectedLaps.map((l) => [l.lap_number, l.lap_time]),
      ]);
    }
    expect(
      await count('SELECT count(*) FROM event_result WHERE subsession_id = $1 AND laps_at IS NOT NULL', [id]),
    ).toBe(1);

    const q = await h.data<Raw>(
      `query($id: Int!) { subsession(id: $id) { sessions { simsessionNumber
         results { member { custId } laps { lapNumber lapTime } } } } }`,
      { id },
    );
    for (const s of q.subsession.sessions as Raw[]) {
      for (const d of s.results as Raw[]) {
        const expectedLaps = s.simsessionNumber === 0 ? (want.get(d.member.custId as number) ?? []) : [];
        expect([s.simsessionNumber, d.member.custId, d.laps]).toEqual([
          s.simsessionNumber,
          d.member.custId,
          expectedLaps.map((l) => ({
            lapNumber: l.lap_number,
            lapTime: (l.lap_time as number) < 0 ? null : (l.lap_time as number) / 10_000,
          })),
        ]);
      }
    }
    const times = (q.subsession.sessions as Raw[])
      .flatMap((s) => (s.results as Raw[]).flatMap((d) => d.laps as Raw[]))
      .map((l) => l.lapTime as number | null)
      .filter((t): t is number => t !== null);
    expect(times.length).toBeGreaterThan(0);
    expect(times.every((t) => t > 10 && t < 1000)).toBe(true); // seconds, not 1/10000 s

    // The same laps again: nothing written.
    const again = await syncSubsession(id, true);
    expect(byEntity(again).lap).toMatchObject({ created: 0, updated: 0, deleted: 0, unchanged: total });
  });

  it('creates the chain of a subsession whose season is not stored, once', async () => {
    const known = await storedSeasons();
    const old = finishedBetween(200, 190).filter((r) => !known.has(r.season_id as number));
    expect(old.length).toBeGreaterThan(1);
    const a = old[0];
    const seasonId = a.season_id as number;
    const sameSeason = old.filter((r) => r.season_id === seasonId && r.session_id !== a.session_id);
    const b = sameSeason.find((r) => r.race_week_num !== a.race_week_num) ?? sameSeason[0];
    expect(b).toBeDefined();
    const weeks = served('series/season_schedule', { season_id: String(seasonId) }).schedules as Raw[];

    h.replica.resetStats();
    const first = await syncSubsession(a.subsession_id as number);
    expect(first.errors).toEqual([]);
    expect(first.status).toBe('SUCCEEDED');
    expect(h.replica.stats.dataRequests['series/season_schedule']).toBe(1);
    expect(byEntity(first)).toMatchObject({
      season: expect.objectContaining({ created: 1 }),
      race_week: expect.objectContaining({ created: weeks.length }),
      event: expect.objectContaining({ created: weeks.length }),
      event_result: expect.objectContaining({ created: 1 }),
    });
    const chain = async () => ({
      seasons: await count('SELECT count(*) FROM season WHERE season_id = $1', [seasonId]),
      weeks: await count('SELECT count(*) FROM race_week WHERE season_id = $1', [seasonId]),
      events: await count(
        'SELECT count(*) FROM event e JOIN race_week rw ON rw.id = e.race_week_id WHERE rw.season_id = $1',
        [seasonId],
      ),
    });
    expect(await chain()).toEqual({ seasons: 1, weeks: weeks.length, events: weeks.length });

    // Linked to the instance at its start: one the schedule predicted exactly when the week's times give it.
    const checkLink = async (subsessionId: number) => {
      const [l] = await expectLinked([subsessionId]);
      const [w] = await rows(
        'SELECT race_time_descriptors, start_time, end_time FROM race_week WHERE season_id = $1 AND race_week_num = $2',
        [seasonId, l.race_week_num],
      );
      const starts = sessionStarts(
        w.race_time_descriptors as RaceTimeDescriptor[],
        w.start_time,
        w.end_time,
      ).map((s) => s.start.getTime());
      const start = (l.start_time as Date).getTime();
      expect((l.instance_start as Date).getTime()).toBe(start);
      expect([subsessionId, l.predicted]).toEqual([subsessionId, starts.includes(start)]);
      expect(await count('SELECT count(*) FROM event_instance WHERE session_id = $1', [l.session_id])).toBe(
        1,
      );
    };
    await checkLink(a.subsession_id as number);

    // Another race of that season: the chain is found, not fetched or created again.
    h.replica.resetStats();
    const second = await syncSubsession(b.subsession_id as number);
    expect(second.errors).toEqual([]);
    expect(second.status).toBe('SUCCEEDED');
    expect(h.replica.stats.dataRequests['series/season_schedule'] ?? 0).toBe(0);
    for (const entity of ['season', 'race_week', 'event'])
      expect([entity, byEntity(second)[entity]?.created ?? 0]).toEqual([entity, 0]);
    expect(await chain()).toEqual({ seasons: 1, weeks: weeks.length, events: weeks.length });
    await checkLink(b.subsession_id as number);

    const repeat = await syncSubsession(a.subsession_id as number);
    expect(repeat.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(await chain()).toEqual({ seasons: 1, weeks: weeks.length, events: weeks.length });
  });

  it('writes nothing in a dry run of a subsession whose season is not stored', async () => {
    const known = await storedSeasons();
    // A race of another past season (the previous test stored one of its window).
    const old = [...finishedBetween(200, 190), ...finishedBetween(300, 290)].filter(
      (r) => !known.has(r.season_id as number),
    );
    expect(old.length).toBeGreaterThan(0);
    unknownDry = { seasonId: old[0].season_id as number, week: old[0].race_week_num as number };
    // The week is on the season's schedule.
    expect(
      (served('series/season_schedule', { season_id: String(unknownDry.seasonId) }).schedules as Raw[]).map(
        (w) => w.race_week_num,
      ),
    ).toContain(unknownDry.week);
    const results = await count('SELECT count(*) FROM event_result');
    unknownDry.run = await enqueue(SyncKind.SUBSESSIONS, {
      subsessionIds: [old[0].subsession_id],
      dryRun: true,
    });
    expect(unknownDry.run.dryRun).toBe(true);
    expect(await count('SELECT count(*) FROM season WHERE season_id = $1', [unknownDry.seasonId])).toBe(0);
    expect(await count('SELECT count(*) FROM event_result')).toBe(results);
  });

  // A dry run cannot create the chain of a season not stored (it would roll back before the subsession needs it):
  // it says so, instead of claiming the schedule lacks the week.
  it('explains that a dry run does not create the chain of a season not stored', () => {
    expect(unknownDry.run?.status).toBe('FAILED');
    expect(unknownDry.run?.errors).toHaveLength(1);
    expect(unknownDry.run?.errors[0].message).toMatch(
      /season \d+ is not stored yet, and a dry run does not create its chain/,
    );
  });

  it("lists the sessions the account can race, and queues the member's recent races not stored", async () => {
    const info = served('member/info') as Raw;
    const custId = info.cust_id as number;
    const owned = await mutate(`mutation { syncOwnedContent { id } }`);
    expect(owned.errors).toEqual([]);
    expect(owned.status).toBe('SUCCEEDED');
    const carPackages = (info.car_packages as Raw[]).map((p) => p.package_id as number);
    const ownedCars = new Set(
      (await rows('SELECT car_id FROM sim_profile_car_ownership WHERE cust_id = $1', [custId])).map(
        (r) => r.car_id as number,
      ),
    );
    expect(sorted([...ownedCars])).toEqual(
      (
        await rows('SELECT car_id FROM sim_car WHERE package_id = ANY($1::int[]) ORDER BY car_id', [
          carPackages,
        ])
      ).map((r) => r.car_id),
    );
    const ownedTracks = new Set(
      (await rows('SELECT package_id FROM sim_profile_track_ownership WHERE cust_id = $1', [custId])).map(
        (r) => r.package_id as number,
      ),
    );
    expect(sorted([...ownedTracks])).toEqual(sorted((info.track_packages as Raw[]).map((p) => p.package_id)));

    // What the account can race, worked out here: the week's track owned or free, and one of its cars too.
    // Two days of the calendar, or more when that is too few sessions (between two seasons).
    const from = iso(NOW.getTime());
    let to = iso(NOW.getTime() + 2 * DAY);
    for (const days of [4, 8, 16]) {
      if (
        (await count('SELECT count(*) FROM event_instance WHERE start_time >= $1 AND start_time < $2', [
          from,
          to,
        ])) >= 50
      )
        break;
      to = iso(NOW.getTime() + days * DAY);
    }
    const freeCars = new Set(
      (await rows('SELECT car_id FROM sim_car WHERE free_with_subscription')).map((r) => r.car_id as number),
    );
    const freeTracks = new Set(
      (await rows('SELECT package_id FROM sim_track WHERE free_with_subscription')).map(
        (r) => r.package_id as number,
      ),
    );
    const packageOf = new Map(
      (await rows('SELECT track_id, package_id FROM sim_layout')).map((r) => [
        r.track_id as number,
        r.package_id as number,
      ]),
    );
    const classCars = new Map<number, number[]>();
    for (const r of await rows('SELECT car_class_id, car_id FROM car_class_car'))
      classCars.set(r.car_class_id as number, [
        ...(classCars.get(r.car_class_id as number) ?? []),
        r.car_id as number,
      ]);
    const calendar = await rows(
      `SELECT i.id, rw.track_id, rw.car_ids, rw.car_class_ids FROM event_instance i JOIN event e ON e.id = i.event_id
       JOIN race_week rw ON rw.id = e.race_week_id WHERE i.start_time >= $1 AND i.start_time < $2
       ORDER BY i.start_time, i.id`,
      [from, to],
    );
    const canRace = (w: Raw) => {
      const pkg = packageOf.get(w.track_id as number) as number;
      const cars = (w.car_ids as number[]).length
        ? (w.car_ids as number[])
        : (w.car_class_ids as number[]).flatMap((c) => classCars.get(c) ?? []);
      return (
        (freeTracks.has(pkg) || ownedTracks.has(pkg)) && cars.some((c) => freeCars.has(c) || ownedCars.has(c))
      );
    };
    const want = calendar.filter(canRace).map((w) => w.id as number);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(calendar.length);

    const page = `query($f: SessionFilter, $after: String) { sessions(filter: $f, first: 100, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
    const all = await h.data<Raw>(page, { f: { from, to } });
    expect(all.sessions.totalCount).toBe(calendar.length);
    const got: number[] = [];
    let after: string | null = null;
    for (let n = 0; n < 50; n++) {
      const q: Raw = await h.data<Raw>(page, { f: { from, to, ownedByCustId: custId }, after }, ADMIN_KEY);
      expect(q.sessions.totalCount).toBe(want.length);
      got.push(...(q.sessions.edges as Raw[]).map((e) => e.node.id as number));
      if (!q.sessions.pageInfo.hasNextPage) break;
      after = q.sessions.pageInfo.endCursor as string;
    }
    expect(got).toEqual(want);
    expect(got.length).toBeLessThan(all.sessions.totalCount);

    // Recent races: those not stored are queued, and imported.
    const recent = sorted([
      ...new Set(
        ((served('stats/member_recent_races', { cust_id: String(custId) }) as Raw).races as Raw[]).map(
          (r) => r.subsession_id as number,
        ),
      ),
    ]);
    const already = await storedIds(recent);
    const missing = recent.filter((id) => !already.has(id));
    expect(missing.length).toBeGreaterThan(0);
    const member = await mutate(`mutation($id: Int!) { syncMemberRecentRaces(custId: $id) { id } }`, {
      id: custId,
    });
    expect(member.errors).toEqual([]);
    expect(member.status).toBe('SUCCEEDED');
    expect(member.queuedRuns).toEqual([
      { kind: 'SUBSESSIONS', runId: expect.any(Number), items: missing.length },
    ]);
    const imported = await finished(member.queuedRuns[0].runId);
    expect(JSON.parse(imported.parameters)).toEqual({ subsessionIds: missing });
    expect(imported.errors).toEqual([]);
    expect(imported.status).toBe('SUCCEEDED');
    expect((await storedIds(recent)).size).toBe(recent.length);
    await expectLinked(recent);
  });

  it("matches a finished week's results to its sessions and imports the subsessions not stored", async () => {
    // A finished week of a season series/seasons serves (the latest weeks first; any stored season between two
    // seasons) whose races ran in splits, with races not stored yet; the one with the fewest races.
    const current = served<Raw[]>('series/seasons').map((x) => x.season_id as number);
    let candidates: { seasonId: number; week: number; list: Raw[] }[] = [];
    for (const scope of [current, [...(await storedSeasons())]]) {
      const finishedWeeks = await rows(
        `SELECT season_id, race_week_num, row_number() OVER (PARTITION BY season_id ORDER BY race_week_num DESC) AS k
         FROM race_week WHERE end_time < $1 AND season_id = ANY($2::int[]) ORDER BY k, season_id`,
        [NOW.toISOString(), scope],
      );
      for (let k = 1; k <= 4 && candidates.length === 0; k++) {
        const found = [];
        for (const w of finishedWeeks.filter((x) => Number(x.k) === k)) {
          const list = served('results/season_results', {
            season_id: String(w.season_id),
            race_week_num: String(w.race_week_num),
            event_type: '5',
          }).results_list as Raw[];
          const splitSessions = new Set(list.map((r) => r.session_id as number)).size < list.length;
          const stored = await storedIds(list.map((r) => r.subsession_id as number));
          if (splitSessions && stored.size < list.length)
            found.push({ seasonId: w.season_id as number, week: w.race_week_num as number, list });
        }
        candidates = found.sort((x, y) => x.list.length - y.list.length);
      }
      if (candidates.length) break;
    }
    expect(candidates.length).toBeGreaterThan(0);
    const { seasonId, week, list } = candidates[0];
    const ids = sorted(list.map((r) => r.subsession_id as number));
    const already = await storedIds(ids);
    const missing = ids.filter((id) => !already.has(id));
    expect(missing.length).toBeGreaterThan(0);

    seriesRun = await mutate(
      `mutation($input: SyncSeriesResultsInput!) { syncSeriesResults(input: $input) { id } }`,
      { input: { seasonId, raceWeekNum: week } },
    );
    // Every race names a week the schedule lists (any error here is the miscount shown by the next test).
    for (const e of seriesRun.errors)
      expect(e.message).toMatch(/race\(s\) of season \d+ name weeks its schedule does not list/);
    expect(
      await count('SELECT count(*) FROM race_week WHERE season_id = $1 AND race_week_num = $2', [
        seasonId,
        week,
      ]),
    ).toBe(1);
    expect(seriesRun.queuedRuns).toEqual([
      { kind: 'SUBSESSIONS', runId: expect.any(Number), items: missing.length },
    ]);

    // Every session of the week that raced now has its session_id.
    const sessions = new Map(list.map((r) => [r.session_id as number, Date.parse(r.start_time as string)]));
    const instances = await rows(
      `SELECT i.start_time, i.session_id FROM event_instance i JOIN event e ON e.id = i.event_id
       JOIN race_week rw ON rw.id = e.race_week_id WHERE rw.season_id = $1 AND rw.race_week_num = $2`,
      [seasonId, week],
    );
    for (const [sessionId, start] of sessions) {
      const at = instances.filter((i) => (i.start_time as Date).getTime() === start);
      expect([sessionId, at.map((i) => i.session_id)]).toEqual([sessionId, [sessionId]]);
    }
    const e = byEntity(seriesRun).event_instance;
    expect(e.created + e.updated + e.unchanged).toBe(sessions.size);

    const imported = await finished(seriesRun.queuedRuns[0].runId);
    expect(JSON.parse(imported.parameters)).toEqual({ subsessionIds: missing });
    expect(imported.errors).toEqual([]);
    expect(imported.status).toBe('SUCCEEDED');
    expect(byEntity(imported).event_result.created).toBe(missing.length);
    await expectLinked(ids);
  });

  // Several splits of one session are one session: none of them is "unplaced".
  it('reports no error for a week whose sessions ran in several splits', () => {
    expect(seriesRun?.errors).toEqual([]);
    expect(seriesRun?.status).toBe('SUCCEEDED');
  });

  it("counts a week's participation from its splits, and a series' trend over its seasons", async () => {
    const params = JSON.parse(seriesRun?.parameters ?? '{}') as { seasonId: number; raceWeekNum: number };
    const { seasonId, raceWeekNum: week } = params;
    const list = served('results/season_results', {
      season_id: String(seasonId),
      race_week_num: String(week),
      event_type: '5',
    }).results_list as Raw[];
    expect(byEntity(seriesRun as Run).season_result_split.created).toBe(list.length);
    // What the week's splits say: sessions (splits of one share its session_id), splits, drivers, strengths.
    const sofs = list.map((r) => r.event_strength_of_field as number).filter((x) => x >= 0);
    const expected = {
      raceWeekNum: week,
      raceWeek: { raceWeekNum: week },
      sessions: new Set(list.map((r) => r.session_id as number)).size,
      splits: list.length,
      drivers: list.reduce((n, r) => n + (r.num_drivers as number), 0),
      averageSof: sofs.length ? Math.round(sofs.reduce((a, b) => a + b, 0) / sofs.length) : null,
      peakSplitSof: sofs.length ? Math.max(...sofs) : null,
    };
    const q = await h.data<Raw>(
      `query($id: Int!) { season(id: $id) {
         participation { raceWeekNum raceWeek { raceWeekNum } sessions splits drivers averageSof peakSplitSof }
         series { participationTrend(seasons: 2) { season { id } weeks sessions splits drivers averageDriversPerWeek
           averageSof } } } }`,
      { id: seasonId },
    );
    expect(q.season.participation).toEqual([expected]);
    expect(q.season.series.participationTrend).toEqual([
      {
        season: { id: seasonId },
        weeks: 1,
        sessions: expected.sessions,
        splits: expected.splits,
        drivers: expected.drivers,
        averageDriversPerWeek: expected.drivers,
        averageSof: expected.averageSof,
      },
    ]);
    // The same week again: the same splits, nothing written.
    const again = await mutate(
      `mutation($input: SyncSeriesResultsInput!) { syncSeriesResults(input: $input) { id } }`,
      { input: { seasonId, raceWeekNum: week } },
    );
    expect(byEntity(again).season_result_split).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: list.length,
    });
    const bad = await h.gql(
      `{ seriesList(first: 1) { edges { node { participationTrend(seasons: 40) { weeks } } } } }`,
    );
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(bad.errors?.[0].message).toMatch(/seasons/);
  });

  it('imports the participation of the week just ended of the seasons asked, and queues nothing else', async () => {
    const [latest] = await rows(
      `SELECT rw.season_id, max(rw.race_week_num) AS week FROM race_week rw JOIN season s ON s.season_id = rw.season_id
       WHERE s.active AND rw.end_time <= now() GROUP BY rw.season_id ORDER BY rw.season_id LIMIT 1`,
    );
    const seasonId = latest.season_id as number;
    const week = latest.week as number;
    const list = served('results/season_results', {
      season_id: String(seasonId),
      race_week_num: String(week),
      event_type: '5',
    }).results_list as Raw[];
    const SYNC = `mutation($input: SyncParticipationInput) { syncParticipation(input: $input) { id } }`;
    const run = await mutate(SYNC, { input: { seasonIds: [seasonId] } });
    expect(run.errors).toEqual([]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.queuedRuns).toEqual([]);
    const split = byEntity(run).season_result_split;
    expect(split.created + split.unchanged).toBe(list.length);
    expect(
      await count('SELECT count(*) FROM season_result_split WHERE season_id = $1 AND race_week_num = $2', [
        seasonId,
        week,
      ]),
    ).toBe(list.length);
    // A season that is not stored is named; the others still run.
    const unknown = await mutate(SYNC, { input: { seasonIds: [seasonId, 999_999] } });
    expect(unknown.status).toBe('PARTIAL');
    expect(unknown.errors.map((e) => e.message).join(' ')).toMatch(/season 999999 is not stored/);
    expect(byEntity(unknown).season_result_split.unchanged).toBe(list.length);
  });
});
