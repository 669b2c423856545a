// Importers and the owners of their tables on real PostgreSQL against the replica's synthetic world, without the
// API: the seasons module's sessions (ensure the sessions season results name, link a result's session), the
// forecast links it owns, nested imports merged into their caller's report (a schedule fetched for the race
// guide), and the import-failure model (a dependency's 404 named in the failure of the unit it stopped).
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { CatalogImporter } from '../../src/catalog/catalog.importer.js';
import { IracingClient } from '../../src/iracing/iracing.client.js';
import { ResultsImporter } from '../../src/results/results.importer.js';
import { RaceGuideImporter } from '../../src/seasons/race-guide.importer.js';
import { SeasonsImporter } from '../../src/seasons/seasons.importer.js';
import { SeasonsWriter } from '../../src/seasons/seasons.writer.js';
import { SessionsService } from '../../src/seasons/sessions.service.js';
import { startImporterContext } from '../support/importer-context.js';
import type { ImporterContext } from '../support/importer-context.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOW = new Date('2026-11-19T15:00:00Z');
const MISSING_SEASON = 4_242_424;
const UNKNOWN_CAR = 999_992;
const MINUTE = 60_000;

describe('importers and the owners of their tables (integration)', () => {
  const dataset = syntheticDataset({ seed: 7, scale: 0.05, now: NOW });
  const served = (endpoint: string) =>
    dataset.resolve(endpoint, new URLSearchParams(), { baseUrl: 'http://replica', now: NOW }) as Raw[];
  const car = served('car/get')[0];
  const track = served('track/get')[0];
  const fixtures = new Map<number, Raw>();
  let ctx: ImporterContext;
  let sessions: SessionsService;
  /** Two seasons of the world: the first stored before the tests, the second left to the race guide. */
  let seasonIds: number[];
  /** The first stored week of the first season, its event and its first two predicted starts. */
  let week: { num: number; eventId: number; starts: Date[] };

  /** A `results/get` payload of one race with two drivers of `car`, plus `fields`. */
  const resultOf = (subsessionId: number, fields: Raw = {}): Raw => ({
    subsession_id: subsessionId,
    session_id: subsessionId + 1_000_000,
    start_time: '2026-11-18T19:00:00Z',
    end_time: '2026-11-18T19:45:00Z',
    event_type: 5,
    num_drivers: 2,
    track: { track_id: track.track_id },
    session_results: [
      {
        simsession_number: 0,
        simsession_type: 6,
        simsession_name: 'RACE',
        results: [1, 2].map((n) => ({
          cust_id: 700_000 + n,
          display_name: `Driver ${n}`,
          finish_position: n - 1,
          car_id: car.car_id,
        })),
      },
    ],
    ...fields,
  });

  beforeAll(async () => {
    ctx = await startImporterContext({ dataset, now: () => NOW });
    ctx.replica.override('results/get', (payload, params) => {
      const fixture = fixtures.get(Number(params.get('subsession_id')));
      return fixture ? structuredClone(fixture) : payload;
    });
    // A season iRacing does not know: its schedule answers 404.
    ctx.replica.override('series/season_schedule', (payload, params) =>
      params.get('season_id') === String(MISSING_SEASON) ? undefined : payload,
    );
    sessions = ctx.get(SessionsService);
    expect((await ctx.get(CatalogImporter).sync()).failures).toEqual([]);
    const envelopes = await ctx.get(IracingClient).getSeasons({}, {});
    seasonIds = [envelopes[0].season_id, envelopes[1].season_id];
    const stored = await ctx.get(SeasonsImporter).importSchedules([seasonIds[0]]);
    expect(stored.failures).toEqual([]);
    const [first] = await ctx.rows<{ num: number; event_id: number }>(
      `SELECT rw.race_week_num AS num, e.id AS event_id FROM race_week rw JOIN event e ON e.race_week_id = rw.id
       WHERE rw.season_id = $1 ORDER BY rw.race_week_num LIMIT 1`,
      [seasonIds[0]],
    );
    const starts = await ctx.rows<{ start_time: Date }>(
      'SELECT start_time FROM event_instance WHERE event_id = $1 AND predicted ORDER BY start_time LIMIT 2',
      [first.event_id],
    );
    expect(starts).toHaveLength(2);
    week = { num: first.num, eventId: first.event_id, starts: starts.map((s) => s.start_time) };
  }, 120_000);
  afterAll(async () => {
    await ctx?.close();
  });

  describe('SessionsService: the sessions of a season, written through the seasons module', () => {
    it('finds the event of a stored week, and none for a week the schedule does not list', async () => {
      expect(await sessions.eventOfWeek(seasonIds[0], week.num)).toBe(week.eventId);
      expect(await sessions.eventOfWeek(seasonIds[0], 999)).toBeNull();
    });

    it('ensures the sessions season results name: session_id on the predicted one, unpredicted ones created', async () => {
      const unpredicted = new Date(week.starts[0].getTime() + 7 * MINUTE);
      const named = [
        { race_week_num: week.num, start_time: week.starts[0], session_id: 9001 },
        // Two splits of one session: one session.
        { race_week_num: week.num, start_time: unpredicted, session_id: 9002 },
        { race_week_num: week.num, start_time: unpredicted, session_id: 9002 },
        { race_week_num: 999, start_time: unpredicted, session_id: 9003 },
      ];
      const first = await ctx.db.transaction((em) => sessions.ensureSessions(em, seasonIds[0], named));
      expect(first).toEqual({ counts: { created: 1, updated: 1, unchanged: 0, deleted: 0 }, unplaced: 1 });
      expect(
        await ctx.rows(
          `SELECT session_id, predicted FROM event_instance WHERE event_id = $1 AND session_id IS NOT NULL
           ORDER BY session_id`,
          [week.eventId],
        ),
      ).toEqual([
        { session_id: 9001, predicted: true },
        { session_id: 9002, predicted: false },
      ]);
      const again = await ctx.db.transaction((em) => sessions.ensureSessions(em, seasonIds[0], named));
      expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 2, deleted: 0 });
    });

    it('links a result to its session: by session_id, else by its start, created when it was not predicted', async () => {
      await ctx.rolledBack(async (em) => {
        const [bySession] = await ctx.rows<{ id: number }>(
          'SELECT id FROM event_instance WHERE session_id = 9001',
        );
        const other = new Date(week.starts[0].getTime() + 3 * MINUTE);
        expect(
          await sessions.linkInstance(em, week.eventId, { start_time: other, session_id: 9001 }),
        ).toEqual({
          id: bySession.id,
          counts: {},
        });
        const second = await sessions.linkInstance(em, week.eventId, {
          start_time: week.starts[1],
          session_id: 9004,
        });
        expect(second.counts).toEqual({ updated: 1 });
        const created = await sessions.linkInstance(em, week.eventId, {
          start_time: other,
          session_id: null,
        });
        expect(created.counts).toEqual({ created: 1 });
        const [row] = (await em.query('SELECT predicted FROM event_instance WHERE id = $1', [
          created.id,
        ])) as Raw[];
        expect(row.predicted).toBe(false);
      });
    });
  });

  it('stores renewed forecast links through the seasons module without touching the forecast summary', async () => {
    const [before] = await ctx.rows(
      `SELECT weather_url, weather_version, updated_at FROM race_week WHERE season_id = $1 AND race_week_num = $2`,
      [seasonIds[0], week.num],
    );
    await ctx.get(SeasonsWriter).storeWeatherLinks(ctx.db, seasonIds[0], [
      {
        race_week_num: week.num,
        weather_url: 'https://weather.example/renewed?sig=1',
        weather_version: null,
      },
    ]);
    const [after] = await ctx.rows(
      `SELECT weather_url, weather_version, updated_at FROM race_week WHERE season_id = $1 AND race_week_num = $2`,
      [seasonIds[0], week.num],
    );
    expect(after).toEqual({ ...before, weather_url: 'https://weather.example/renewed?sig=1' });
  });

  describe('nested imports merged into their caller through ImportReport.merge', () => {
    it('counts the schedule the race guide had to fetch, and its failures, but not its units', async () => {
      const start = new Date(NOW.getTime() + 30 * MINUTE).toISOString();
      const guide = [
        { season_id: seasonIds[1], race_week_num: 0, start_time: start, session_id: 9100, entry_count: 12 },
        { season_id: MISSING_SEASON, race_week_num: 0, start_time: start, session_id: 9101, entry_count: 3 },
      ] as Parameters<RaceGuideImporter['importGuide']>[0];
      const report = await ctx.get(RaceGuideImporter).importGuide(guide);
      // One unit: the guide. The schedule of the new season is a dependency: its rows are counted here.
      expect(report.unitsSucceeded).toBe(1);
      expect(report.byEntity.season).toMatchObject({ created: 1 });
      expect(report.byEntity.event_instance.created + report.byEntity.event_instance.updated).toBeGreaterThan(
        0,
      );
      expect(report.failures).toEqual([
        expect.objectContaining({
          unit: `season ${MISSING_SEASON}`,
          endpoint: 'series/season_schedule',
          params: { season_id: MISSING_SEASON },
          status: 404,
          retryable: false,
        }),
        expect.objectContaining({
          unit: `race guide season ${MISSING_SEASON} week 0`,
          endpoint: 'season/race_guide',
          retryable: false,
        }),
      ]);
    });
  });

  describe('the import-failure model', () => {
    it("fails a subsession on its schedule's 404, naming endpoint, parameters and status, not retryable", async () => {
      const id = 990_100_001;
      fixtures.set(id, resultOf(id, { season_id: MISSING_SEASON, series_id: 4242, race_week_num: 3 }));
      const report = await ctx.get(ResultsImporter).importSubsessions([id]);
      expect(report.unitsSucceeded).toBe(0);
      // The schedule's failure is the subsession's cause, not a unit of its own.
      expect(report.failures).toEqual([
        {
          unit: `subsession ${id}`,
          message: expect.stringMatching(
            new RegExp(`season ${MISSING_SEASON} week 3 is not known .*answered HTTP 404`),
          ) as unknown as string,
          endpoint: 'series/season_schedule',
          params: { season_id: MISSING_SEASON },
          status: 404,
          retryable: false,
        },
      ]);
      expect(await ctx.rows('SELECT 1 FROM event_result WHERE subsession_id = $1', [id])).toEqual([]);
    });

    it("fails a subsession naming an unknown car on the catalog's failure, the catalog told only as its cause", async () => {
      const id = 990_100_002;
      const hosted = resultOf(id);
      hosted.session_results[0].results[0].car_id = UNKNOWN_CAR;
      fixtures.set(id, hosted);
      ctx.replica.addFault({ endpoint: 'car/get', kind: 'status', status: 404, times: 1 });
      const report = await ctx.get(ResultsImporter).importSubsessions([id]);
      expect(report.failures).toEqual([
        expect.objectContaining({
          unit: `subsession ${id}`,
          message: expect.stringContaining(`car_id ${UNKNOWN_CAR} that the catalog does not list`) as unknown,
          endpoint: 'car/get',
          status: 404,
          retryable: false,
        }),
      ]);
    });

    it('fails a malformed subsession as bad data naming the endpoint and the subsession', async () => {
      const id = 990_100_003;
      const broken = resultOf(id);
      delete broken.session_results[0].results[1].cust_id;
      fixtures.set(id, broken);
      const report = await ctx.get(ResultsImporter).importSubsessions([id]);
      expect(report.failures).toEqual([
        expect.objectContaining({
          unit: `subsession ${id}`,
          endpoint: 'results/get',
          params: { subsession_id: id },
          retryable: false,
        }),
      ]);
    });

    it('imports a good subsession with its participants, written through their owners', async () => {
      const id = 990_100_004;
      fixtures.set(id, resultOf(id));
      const report = await ctx.get(ResultsImporter).importSubsessions([id]);
      expect(report.failures).toEqual([]);
      expect(report.unitsSucceeded).toBe(1);
      expect(report.byEntity.sim_profile).toMatchObject({ created: 2 });
      expect(report.byEntity.participant_result).toMatchObject({ created: 2 });
    });
  });
});
