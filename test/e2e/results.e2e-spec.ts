// Results and members end to end on the recorded samples: a subsession (30 drivers, 3 simsessions) with its chain
// created through the seasons module, laps from the recorded lap rows, the account's owned content matched by
// package, and a member's recent races queued — through the sync mutations, Bull, the replica and GraphQL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkedPayload, recordedDataset } from '../../offline/datasets.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { SAMPLES_DIR } from '../support/test-env.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const sample = (file: string) => JSON.parse(readFileSync(join(SAMPLES_DIR, file), 'utf8')) as Raw;

const result = sample('results-get.json');
const SUBSESSION = result.subsession_id as number;
const LAP_DRIVER = 473030; // the recorded lap rows are this driver's, from this subsession
const RUN = `${SYNC_RUN_FIELDS} queuedRuns { kind runId items }`;

describe('results and members (end to end, recorded samples)', () => {
  let h: Harness;

  const run = async (mutation: string, variables: Raw = {}): Promise<SyncRunView & Raw> => {
    const data = await h.data<Record<string, SyncRunView>>(mutation, variables, ADMIN_KEY);
    return h.waitForRun(Object.values(data)[0].id) as Promise<SyncRunView & Raw>;
  };
  const syncSubsession = (id: number, includeLaps = false) =>
    run(
      `mutation($id: Int!, $laps: Boolean) { syncSubsession(subsessionId: $id, includeLaps: $laps) { id } }`,
      {
        id,
        laps: includeLaps,
      },
    );
  const runView = (id: number) =>
    h
      .data<{ syncRun: Raw }>(`query($id: Int!) { syncRun(id: $id) { ${RUN} } }`, { id })
      .then((d) => d.syncRun);
  const byEntity = (r: SyncRunView) => Object.fromEntries(r.countsByEntity.map((c) => [c.entity, c]));
  const count = async (sql: string, params: unknown[] = []) =>
    Number(((await h.db.query(sql, params)) as Raw[])[0].n);

  beforeAll(async () => {
    h = await startHarness({ dataset: recordedDataset(SAMPLES_DIR) });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('imports a subsession with every simsession, creating its chain and every driver profile', async () => {
    // The recorded schedule is another season's (5935): served as the subsession's season (5910, series 491),
    // on its track.
    const recorded = recordedDataset(SAMPLES_DIR);
    const schedule = recorded.resolve('series/season_schedule', new URLSearchParams('season_id=5935'), {
      baseUrl: '',
      now: new Date(),
    });
    h.replica.override('series/season_schedule', () => {
      const p = structuredClone(schedule) as Raw;
      for (const w of p.schedules as Raw[]) {
        Object.assign(w, { season_id: 5910, series_id: 491, series_name: result.series_name });
        w.track = { ...w.track, track_id: result.track.track_id };
      }
      return { ...p, season_id: 5910 };
    });
    const r = await syncSubsession(SUBSESSION);
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    const e = byEntity(r);
    expect(e.event_result.created).toBe(1);
    expect(e.participant_result.created).toBe(90); // 30 drivers × practice, qualify, race
    expect(e.team_result?.created ?? 0).toBe(0);
    expect(e.sim_profile.created).toBe(30);
    expect(e.season.created).toBe(1); // the chain came through the seasons module
    expect(e.sim_car.created).toBeGreaterThan(100); // and the catalog was fetched for its cars

    const q = await h.data<Raw>(
      `query($id: Int!) { subsession(id: $id) { id sessionId startTime strengthOfField numCautions numLeadChanges
         bestLapTime weather { airTempC } layout { id } series { id } season { id }
         classes { carClass { id } position strengthOfField entries }
         session { startTime predicted sessionId raceWeek { raceWeekNum layout { id } } }
         sessions { simsessionNumber type name
           results { member { custId displayName } car { id } carClass { id } finishPosition startingPosition
                     lapsComplete incidents bestLapTime iratingBefore iratingAfter } } } }`,
      { id: SUBSESSION },
    );
    const s = q.subsession;
    expect(s).toMatchObject({
      id: SUBSESSION,
      sessionId: result.session_id,
      strengthOfField: result.event_strength_of_field,
      numCautions: result.num_cautions,
      numLeadChanges: result.num_lead_changes,
      bestLapTime: result.event_best_lap_time / 10000,
      layout: { id: result.track.track_id },
      series: { id: 491 },
      season: { id: 5910 },
    });
    expect(s.weather.airTempC).toBe(18);
    // The class iRacing reports (car_classes[]), with its entries and strength of field.
    expect(s.classes).toEqual([{ carClass: { id: 2268 }, position: 0, strengthOfField: 2961, entries: 30 }]);
    expect(s.session).toMatchObject({
      startTime: '2025-12-28T20:30:00.000Z',
      sessionId: result.session_id,
      raceWeek: { raceWeekNum: result.race_week_num, layout: { id: result.track.track_id } },
    });
    expect(s.sessions.map((x: Raw) => [x.simsessionNumber, x.name, x.results.length])).toEqual([
      [-2, 'PRACTICE', 30],
      [-1, 'QUALIFY', 30],
      [0, 'RACE', 30],
    ]);
    const race = s.sessions[2].results as Raw[];
    const recordedRace = result.session_results[2].results as Raw[];
    const winner = recordedRace.find((x) => x.finish_position === 0) as Raw;
    expect(race[0]).toEqual({
      member: { custId: winner.cust_id, displayName: winner.display_name },
      car: { id: winner.car_id },
      carClass: { id: winner.car_class_id },
      finishPosition: 1,
      startingPosition: winner.starting_position + 1,
      lapsComplete: winner.laps_complete,
      incidents: winner.incidents,
      bestLapTime: winner.best_lap_time / 10000,
      iratingBefore: winner.oldi_rating,
      iratingAfter: winner.newi_rating,
    });
    expect(race.map((x) => x.finishPosition)).toEqual(race.map((_, i) => i + 1));
  });

  it('changes nothing when the same subsession is imported again', async () => {
    const before = await count('SELECT count(*) AS n FROM participant_result');
    const again = await syncSubsession(SUBSESSION);
    expect(again.status).toBe('SUCCEEDED');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(await count('SELECT count(*) AS n FROM participant_result')).toBe(before);
    expect(await count('SELECT count(*) AS n FROM season')).toBe(1);
    expect(
      await count('SELECT count(*) AS n FROM event_instance WHERE session_id = $1', [result.session_id]),
    ).toBe(1);
  });

  it('stores the laps of the main event from the recorded lap rows, in seconds through GraphQL', async () => {
    const rows = sample('results-lap_data.rows-2026.json') as unknown as Raw[];
    h.replica.override('results/lap_data', (_payload, params) => {
      const cust = Number(params.get('cust_id'));
      const mine = cust === LAP_DRIVER ? rows : [];
      return new ChunkedPayload({ success: true, session_info: { subsession_id: SUBSESSION } }, mine, {
        rowsPerChunk: 4,
      });
    });
    const r = await syncSubsession(SUBSESSION, true);
    expect(r.errors).toEqual([]);
    expect(byEntity(r).lap.created).toBe(rows.length);
    const q = await h.data<Raw>(
      `query($id: Int!) { subsession(id: $id) { sessions { simsessionNumber results { member { custId }
         laps { lapNumber lapTime incident } } } } }`,
      { id: SUBSESSION },
    );
    const main = q.subsession.sessions.find((x: Raw) => x.simsessionNumber === 0);
    const driver = main.results.find((x: Raw) => x.member.custId === LAP_DRIVER);
    expect(driver.laps.map((l: Raw) => l.lapNumber)).toEqual(rows.map((l) => l.lap_number));
    expect(driver.laps.map((l: Raw) => l.lapTime)).toEqual(
      rows.map((l) => (l.lap_time < 0 ? null : l.lap_time / 10000)),
    );
    expect(main.results.filter((x: Raw) => x.laps.length > 0)).toHaveLength(1);
  });

  it("owns the account's cars and tracks by package, replaced as a set", async () => {
    const info = sample('member-info.json');
    const r = await run(`mutation { syncOwnedContent { id } }`);
    // One car package (29) is newer than the recorded catalog: kept as unknown and told once, the rest written.
    expect(r.status).toBe('SUCCEEDED');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].message).toMatch(/car packages 29 \(package_id\)/);
    expect(
      await count(
        `SELECT count(*) AS n FROM sim_profile_unknown_package WHERE cust_id = $1 AND kind = 'car' AND package_id = 29`,
        [info.cust_id],
      ),
    ).toBe(1);
    expect(
      await count('SELECT count(*) AS n FROM sim_profile_car_ownership WHERE cust_id = $1', [info.cust_id]),
    ).toBe(56);
    expect(
      await count('SELECT count(*) AS n FROM sim_profile_track_ownership WHERE cust_id = $1', [info.cust_id]),
    ).toBe(66);
    // Ownership is the package's cars (content ids), never `package_id` read as a car id.
    const wrong = await count(
      `SELECT count(*) AS n FROM sim_profile_car_ownership o JOIN sim_car c ON c.car_id = o.car_id
       WHERE o.cust_id = $1 AND NOT (c.package_id = ANY($2::int[]))`,
      [info.cust_id, (info.car_packages as Raw[]).map((p) => p.package_id)],
    );
    expect(wrong).toBe(0);

    const memberQuery = `query($id: Int!) { member(custId: $id) { custId displayName ownedCars { id } ownedTracks { id } } }`;
    // The system account's owned content is private like any member's: an admin key reads it, nobody else.
    const anonymous = await h.gql(memberQuery, { id: info.cust_id });
    expect([...new Set(anonymous.errors?.map((e) => e.extensions?.code))]).toEqual(['FORBIDDEN']);
    expect(anonymous.errors?.[0].message).toMatch(/visible only to that member/);
    const member = await h.data<Raw>(memberQuery, { id: info.cust_id }, ADMIN_KEY);
    expect(member.member.displayName).toBe(info.display_name);
    expect(member.member.ownedCars).toHaveLength(56);
    expect(member.member.ownedTracks).toHaveLength(66);

    // A package sold back: its cars disappear, nothing else changes.
    const dropped = (info.car_packages as Raw[])[0];
    h.replica.override('member/info', (payload) => {
      const p = payload as Raw;
      p.car_packages = (p.car_packages as Raw[]).filter((x) => x.package_id !== dropped.package_id);
      return p;
    });
    await h.clearIracingCache();
    const again = await run(`mutation { syncOwnedContent { id } }`);
    expect(byEntity(again).sim_profile_car_ownership).toMatchObject({
      deleted: dropped.content_ids.length,
      created: 0,
    });
    expect(byEntity(again).sim_profile_track_ownership).toMatchObject({ created: 0, deleted: 0 });
  });

  it("queues a member's recent races that are not stored yet", async () => {
    const recent = sample('stats-member_recent_races.json');
    h.replica.override('member/get', () => ({
      success: true,
      cust_ids: [recent.cust_id],
      members: [
        { cust_id: recent.cust_id, display_name: 'Recent Racer', helmet: {}, last_login: '2025-11-23' },
      ],
    }));
    h.replica.override('stats/member_summary', () => ({ cust_id: recent.cust_id, this_year: {} }));
    const r = await run(`mutation($id: Int!) { syncMemberRecentRaces(custId: $id) { id } }`, {
      id: recent.cust_id,
    });
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    const view = await runView(r.id);
    expect(view.queuedRuns).toEqual([{ kind: 'SUBSESSIONS', runId: expect.any(Number), items: 10 }]);
    const queued = await runView(view.queuedRuns[0].runId);
    expect(queued.kind).toBe('SUBSESSIONS');
    expect(
      JSON.parse(
        (await h.data<Raw>(`query($id: Int!) { syncRun(id: $id) { parameters } }`, { id: queued.id })).syncRun
          .parameters,
      ),
    ).toEqual({
      subsessionIds: (recent.races as Raw[])
        .map((x) => x.subsession_id)
        .sort((a: number, b: number) => a - b),
    });
    expect(await count('SELECT count(*) AS n FROM sim_profile WHERE cust_id = $1', [recent.cust_id])).toBe(1);
  });

  it('names bad arguments and refuses the mutations without the admin key', async () => {
    for (const m of [
      `mutation { syncSubsession(subsessionId: 1) { id } }`,
      `mutation { syncOwnedContent { id } }`,
      `mutation { syncMemberRecentRaces(custId: 1) { id } }`,
      `mutation { syncSeriesResults(input: { seasonId: 1 }) { id } }`,
    ]) {
      const r = await h.gql(m, {}, 'wrong-key');
      expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    const bad = await h.gql(`mutation { syncSubsession(subsessionId: -4) { id } }`, {}, ADMIN_KEY);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await h.gql(`{ subsession(id: 1) { id } }`);
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const member = await h.gql(`{ member(custId: 1) { custId } }`);
    expect(member.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const range = await h.gql(
      `{ results(filter: { from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" }) { totalCount } }`,
    );
    expect(range.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const list = await h.data<Raw>(
      `query($c: Int!) { results(filter: { custId: $c }) { totalCount edges { node { id } } } }`,
      {
        c: LAP_DRIVER,
      },
    );
    expect(list.results).toEqual({ totalCount: 1, edges: [{ node: { id: SUBSESSION } }] });
    const recentResults = await h.data<Raw>(
      `query($c: Int!) { member(custId: $c) { recentResults(first: 5) { finishPosition subsession { id } } } }`,
      { c: LAP_DRIVER },
    );
    expect(recentResults.member.recentResults).toEqual([
      { finishPosition: 1, subsession: { id: SUBSESSION } },
    ]);
  });
});
