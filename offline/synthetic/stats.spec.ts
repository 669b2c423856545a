// Unit tests of the synthetic statistics (stats.ts) as the replica serves them: season driver standings, rating
// charts, yearly and career totals and world records add up to the results the replica serves (results/get,
// results/season_results, stats/member_recent_races), and are deterministic. Also the replica's typed chunked
// answer (stats/world_records) over HTTP.
import { ChunkedPayload, type DatasetContext, type ReplicaDataset } from '../datasets.js';
import { OfflineReplica } from '../replica.js';
import { syntheticDataset } from '../synthetic-dataset.js';
import { groupOfLevel, isoDay } from './common.js';
import { seasonDriverStandings, worldRecordRows } from './stats.js';
import { World } from './world.js';

type Row = Record<string, unknown>;
type Params = Record<string, string | number>;

const NOW = new Date('2026-11-20T12:00:00Z');
const OPTIONS = { seed: 11, scale: 0.1, now: NOW };
const ctx: DatasetContext = { baseUrl: 'http://replica.test', now: NOW };

const caller =
  (dataset: ReplicaDataset) =>
  (endpoint: string, params: Params = {}) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) p.set(k, String(v));
    return dataset.resolve(endpoint, p, ctx);
  };

const dataset = syntheticDataset(OPTIONS);
const call = caller(dataset);
const world = new World(OPTIONS);

const get = <T = Row>(endpoint: string, params: Params = {}): T => {
  const out = call(endpoint, params);
  expect(out).toBeDefined();
  return out as T;
};
const chunked = (endpoint: string, params: Params): ChunkedPayload => {
  const out = call(endpoint, params);
  expect(out).toBeInstanceOf(ChunkedPayload);
  return out as ChunkedPayload;
};

interface RaceRow extends Row {
  cust_id: number;
  car_id: number;
  car_class_id: number;
  finish_position_in_class: number;
  starting_position_in_class: number;
  laps_complete: number;
  laps_lead: number;
  incidents: number;
  champ_points: number;
  best_lap_time: number;
  newi_rating: number;
  new_sub_level: number;
  new_license_level: number;
  driver_results?: RaceRow[];
}
interface Result extends Row {
  subsession_id: number;
  race_week_num: number;
  start_time: string;
  season_id: number;
  season_year: number;
  season_quarter: number;
  license_category_id: number;
  car_classes: { car_class_id: number; num_entries: number }[];
  session_results: { simsession_number: number; simsession_name: string; results: RaceRow[] }[];
}

const resultOf = (id: number, d = call): Result => d('results/get', { subsession_id: id }) as Result;
/** Each driver's row of a simsession: solo rows, and the driver_results of team rows. */
const driverRows = (rows: RaceRow[]): RaceRow[] => rows.flatMap((r) => r.driver_results ?? [r]);
const raceRows = (r: Result): RaceRow[] =>
  driverRows(r.session_results.find((s) => s.simsession_number === 0)!.results);

/** Standings recomputed from results/season_results and results/get, keyed by cust_id. */
function standingsFromResults(
  d: typeof call,
  seasonId: number,
  classId: number,
  seasonWeeks: number,
  raceWeek?: number,
): Map<number, Row> {
  const list = (
    d(
      'results/season_results',
      raceWeek === undefined ? { season_id: seasonId } : { season_id: seasonId, race_week_num: raceWeek },
    ) as {
      results_list: { subsession_id: number; car_classes: { car_class_id: number }[] }[];
    }
  ).results_list;
  const acc = new Map<number, { rows: RaceRow[]; entries: number[]; weeks: Map<number, number[]> }>();
  for (const item of list) {
    if (!item.car_classes.some((c) => c.car_class_id === classId)) continue;
    const r = resultOf(item.subsession_id, d);
    const entries = r.car_classes.find((c) => c.car_class_id === classId)!.num_entries;
    for (const row of raceRows(r)) {
      if (row.car_class_id !== classId) continue;
      const a = acc.get(row.cust_id) ?? { rows: [], entries: [], weeks: new Map<number, number[]>() };
      a.rows.push(row);
      a.entries.push(entries);
      a.weeks.set(r.race_week_num, [...(a.weeks.get(r.race_week_num) ?? []), row.champ_points]);
      acc.set(row.cust_id, a);
    }
  }
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const round2 = (v: number) => Math.round(v * 100) / 100;
  const out = new Map<number, Row>();
  for (const [custId, a] of acc) {
    const weekly = [...a.weeks.values()]
      .map((pts) => {
        const best = [...pts].sort((x, y) => y - x).slice(0, Math.ceil(pts.length / 4));
        return Math.round(sum(best) / best.length);
      })
      .sort((x, y) => y - x);
    const counted = raceWeek === undefined ? Math.min(weekly.length, Math.max(1, seasonWeeks - 4)) : 1;
    const n = a.rows.length;
    out.set(custId, {
      weeks_counted: counted,
      starts: n,
      wins: a.rows.filter((r) => r.finish_position_in_class === 0).length,
      top5: a.rows.filter((r) => r.finish_position_in_class < 5).length,
      top25_percent: a.rows.filter((r, i) => r.finish_position_in_class < Math.ceil(a.entries[i] / 4)).length,
      poles: a.rows.filter((r) => r.starting_position_in_class === 0).length,
      avg_start_position: round2(sum(a.rows.map((r) => r.starting_position_in_class + 1)) / n),
      avg_finish_position: round2(sum(a.rows.map((r) => r.finish_position_in_class + 1)) / n),
      avg_field_size: round2(sum(a.entries) / n),
      laps: sum(a.rows.map((r) => r.laps_complete)),
      laps_led: sum(a.rows.map((r) => r.laps_lead)),
      incidents: sum(a.rows.map((r) => r.incidents)),
      points: sum(weekly.slice(0, counted)),
      week_dropped: weekly.length > counted,
    });
  }
  return out;
}

const pick = (row: Row, keys: string[]): Row => Object.fromEntries(keys.map((k) => [k, row[k]]));
const TOTAL_KEYS = [
  'weeks_counted',
  'starts',
  'wins',
  'top5',
  'top25_percent',
  'poles',
  'avg_start_position',
  'avg_finish_position',
  'avg_field_size',
  'laps',
  'laps_led',
  'incidents',
  'points',
  'week_dropped',
];

// Season 2605 (series 12, 8 weeks, class 136) has results by NOW in this world.
const SEASON = 2605;
const CLASS = 136;

describe('stats/season_driver_standings', () => {
  it('is a linked chunked answer whose header is iRacing’s, 500 rows a chunk', () => {
    const answer = chunked('stats/season_driver_standings', { season_id: SEASON, car_class_id: CLASS });
    expect(answer.options).toEqual({ rowsPerChunk: 500 });
    expect(Object.keys(answer.header)).toEqual([
      'success',
      'season_id',
      'season_name',
      'season_short_name',
      'series_id',
      'series_name',
      'car_class_id',
      'race_week_num',
      'division',
      'club_id',
      'customer_rank',
      'last_updated',
      'csv_url',
    ]);
    expect(answer.header).toMatchObject({
      success: true,
      season_id: SEASON,
      car_class_id: CLASS,
      race_week_num: -1,
      division: -1,
      club_id: -1,
      customer_rank: -1,
      last_updated: '2026-11-20T12:00:00Z',
    });
    expect(String(answer.header.csv_url).startsWith(`${ctx.baseUrl}/`)).toBe(true);
    const row = answer.rows[0] as Row;
    expect(Object.keys(row)).toEqual([
      'rank',
      'cust_id',
      'display_name',
      'division',
      'club_id',
      'club_name',
      'license',
      ...TOTAL_KEYS.slice(0, -2),
      'points',
      'week_dropped',
      'country_code',
      'country',
    ]);
    expect(Object.keys(row.license as Row)).toEqual([
      'category_id',
      'license_level',
      'safety_rating',
      'irating',
      'color',
      'group_name',
      'group_id',
    ]);
  });

  it('adds up to the season’s results (results/season_results, results/get) for every driver', () => {
    const answer = chunked('stats/season_driver_standings', { season_id: SEASON, car_class_id: CLASS });
    const weeks = (get('series/season_schedule', { season_id: SEASON }).schedules as unknown[]).length;
    const expected = standingsFromResults(call, SEASON, CLASS, weeks);
    const rows = answer.rows as Row[];
    expect(rows.length).toBe(expected.size);
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) expect(pick(row, TOTAL_KEYS)).toEqual(expected.get(row.cust_id as number));
    expect(rows.some((r) => r.week_dropped === true)).toBe(true);
    // Ranked 1..n by points, wins, starts, then cust_id.
    rows.forEach((r, i) => expect(r.rank).toBe(i + 1));
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]] as {
        points: number;
        wins: number;
        starts: number;
        cust_id: number;
      }[];
      expect(
        a.points > b.points ||
          (a.points === b.points &&
            (a.wins > b.wins ||
              (a.wins === b.wins &&
                (a.starts > b.starts || (a.starts === b.starts && a.cust_id < b.cust_id))))),
      ).toBe(true);
    }
    // The exported function lists the same rows, without rank.
    const season = world.seasonById(SEASON)!;
    const all = seasonDriverStandings(world, season, CLASS, undefined, NOW.getTime());
    expect(all).toEqual(rows.map(({ rank: _rank, ...rest }) => rest));
  });

  it('one race week: that week’s points, one week counted', () => {
    const weeks = (get('series/season_schedule', { season_id: SEASON }).schedules as unknown[]).length;
    const answer = chunked('stats/season_driver_standings', {
      season_id: SEASON,
      car_class_id: CLASS,
      race_week_num: 2,
    });
    expect(answer.header.race_week_num).toBe(2);
    const expected = standingsFromResults(call, SEASON, CLASS, weeks, 2);
    expect(answer.rows.length).toBe(expected.size);
    for (const row of answer.rows as Row[]) {
      expect(pick(row, TOTAL_KEYS)).toEqual(expected.get(row.cust_id as number));
      expect(row).toMatchObject({ weeks_counted: 1, week_dropped: false });
    }
  });

  it('the division filter keeps that division’s rows, ranked among themselves', () => {
    const all = chunked('stats/season_driver_standings', { season_id: SEASON, car_class_id: CLASS })
      .rows as Row[];
    const divisions = [...new Set(all.map((r) => r.division as number))];
    expect(divisions.length).toBeGreaterThan(1);
    for (const division of divisions) {
      const answer = chunked('stats/season_driver_standings', {
        season_id: SEASON,
        car_class_id: CLASS,
        division,
      });
      expect(answer.header.division).toBe(division);
      const expected = all.filter((r) => r.division === division).map((r, i) => ({ ...r, rank: i + 1 }));
      expect(answer.rows).toEqual(expected);
    }
    // Division = divisionOf(iRating at the season's first week) of members.ts.
    const season = world.seasonById(SEASON)!;
    const first = all[0];
    const m = world.members.member(world.members.indexOf(first.cust_id as number)!);
    const ir = world.members.iratingAt(m, season.series.category, season.weeks[0].start);
    expect(first.division).toBe(Math.min(9, Math.max(0, Math.floor((5200 - ir) / 450))));
  });

  it('404s for a car class the season does not run, or an unknown season', () => {
    expect(
      call('stats/season_driver_standings', { season_id: SEASON, car_class_id: CLASS + 1 }),
    ).toBeUndefined();
    expect(
      call('stats/season_driver_standings', { season_id: 999_999, car_class_id: CLASS }),
    ).toBeUndefined();
    expect(call('stats/season_driver_standings', { season_id: SEASON })).toBeUndefined();
  });

  it('team races: each driver gets the team’s result, with their own laps, laps led, incidents and points', () => {
    // Seed 4 has a multiclass team series whose current season (2610) has raced by NOW.
    const teams = syntheticDataset({ seed: 4, scale: 0.1, now: NOW });
    const teamCall = caller(teams);
    const seasonId = 2610;
    const schedule = teamCall('series/season_schedule', { season_id: seasonId }) as { schedules: unknown[] };
    const list = (teamCall('results/season_results', { season_id: seasonId }) as { results_list: Row[] })
      .results_list;
    expect(list.some((r) => r.driver_changes === true)).toBe(true);
    const classes = new Set(
      list.flatMap((r) => (r.car_classes as Row[]).map((c) => c.car_class_id as number)),
    );
    expect(classes.size).toBeGreaterThan(1);
    for (const classId of classes) {
      const answer = teamCall('stats/season_driver_standings', {
        season_id: seasonId,
        car_class_id: classId,
      });
      const rows = (answer as ChunkedPayload).rows as Row[];
      const expected = standingsFromResults(teamCall, seasonId, classId, schedule.schedules.length);
      expect(rows.length).toBe(expected.size);
      for (const row of rows) expect(pick(row, TOTAL_KEYS)).toEqual(expected.get(row.cust_id as number));
    }
  });
});

describe('member/chart_data', () => {
  const account = get<{ cust_id: number }>('member/info').cust_id;
  const recent = get<{ races: Row[] }>('stats/member_recent_races').races;

  it('iRating (1) and licence (3): the last race of each day, as results/get and member_recent_races report it', () => {
    expect(recent.length).toBeGreaterThan(0);
    // The latest race of each (category, day) among the recent races (listed most recent first).
    const checked = new Set<string>();
    for (const race of recent) {
      const result = resultOf(race.subsession_id as number);
      const category = result.license_category_id;
      const when = String(race.session_start_time).slice(0, 10);
      const key = `${category}:${when}`;
      if (checked.has(key)) continue;
      checked.add(key);
      const ir = get<{ data: { when: string; value: number }[] }>('member/chart_data', {
        cust_id: account,
        category_id: category,
        chart_type: 1,
      });
      expect(ir.data.find((p) => p.when === when)?.value).toBe(race.newi_rating);
      const row = raceRows(result).find((r) => r.cust_id === account)!;
      expect(row.newi_rating).toBe(race.newi_rating);
      const sr = get<{ data: { when: string; value: number }[] }>('member/chart_data', {
        cust_id: account,
        category_id: category,
        chart_type: 3,
      });
      const value = sr.data.find((p) => p.when === when)!.value;
      expect(value).toBe(groupOfLevel(row.new_license_level).id * 1000 + row.new_sub_level);
      expect(value % 1000).toBe(row.new_sub_level);
    }
    expect(checked.size).toBeGreaterThan(1);
  });

  it('is shaped like iRacing’s, by day ascending; the TT rating each week; road empty; others 404', () => {
    const ir = get('member/chart_data', { cust_id: account, category_id: 1, chart_type: 1 });
    expect(Object.keys(ir)).toEqual(['blackout', 'category_id', 'chart_type', 'data', 'success', 'cust_id']);
    expect(ir).toMatchObject({
      blackout: false,
      category_id: 1,
      chart_type: 1,
      success: true,
      cust_id: account,
    });
    const days = (ir.data as { when: string }[]).map((p) => p.when);
    expect(days.length).toBeGreaterThan(10);
    expect([...days].sort()).toEqual(days);
    expect(new Set(days).size).toBe(days.length);
    // Without cust_id: the dataset's account.
    expect(get('member/chart_data', { category_id: 1, chart_type: 1 })).toEqual(ir);

    const m = world.members.member(world.members.accountIndex);
    const tt = get<{ data: { when: string; value: number }[] }>('member/chart_data', {
      cust_id: account,
      category_id: 5,
      chart_type: 2,
    }).data;
    expect(tt[0]).toEqual({ when: isoDay(world.epoch), value: m.licenses.sports_car.ttRating });
    expect(tt.every((p) => new Date(`${p.when}T00:00:00Z`).getUTCDay() === 2)).toBe(true);
    expect(tt[tt.length - 1].when <= '2026-11-20').toBe(true);

    expect(get('member/chart_data', { cust_id: account, category_id: 2, chart_type: 1 }).data).toEqual([]);
    expect(call('member/chart_data', { cust_id: account, category_id: 7, chart_type: 1 })).toBeUndefined();
    expect(call('member/chart_data', { cust_id: account, category_id: 1, chart_type: 4 })).toBeUndefined();
    expect(call('member/chart_data', { cust_id: 99, category_id: 1, chart_type: 1 })).toBeUndefined();
  });
});

describe('stats/member_yearly and stats/member_career', () => {
  const COUNTS = ['starts', 'wins', 'top5', 'poles', 'laps', 'laps_led'];

  it('years add up to the career, per category', () => {
    const yearly = get<{ cust_id: number; stats: Row[] }>('stats/member_yearly');
    const career = get<{ cust_id: number; stats: Row[] }>('stats/member_career');
    expect(yearly.cust_id).toBe(career.cust_id);
    expect(yearly.stats.length).toBeGreaterThan(career.stats.length);
    expect(Object.keys(yearly.stats[0])).toEqual([...Object.keys(career.stats[0]), 'year']);
    // Years descending, then category_id.
    const order = yearly.stats.map((s) => [s.year, s.category_id] as [number, number]);
    expect([...order].sort((a, b) => b[0] - a[0] || a[1] - b[1])).toEqual(order);
    for (const c of career.stats) {
      const years = yearly.stats.filter((s) => s.category_id === c.category_id);
      for (const key of COUNTS) expect(years.reduce((n, s) => n + (s[key] as number), 0)).toBe(c[key]);
      expect(c.total_club_points).toBe(0);
      expect(c.win_percentage).toBe(Math.round(((c.wins as number) * 10000) / (c.starts as number)) / 100);
      expect(Number.isInteger(c.avg_start_position) && Number.isInteger(c.avg_points)).toBe(true);
    }
    expect(career.stats.map((s) => s.category)).toEqual(
      career.stats.map(
        (s) =>
          ({ 1: 'Oval', 3: 'Dirt Oval', 4: 'Dirt Road', 5: 'Sports Car', 6: 'Formula Car' })[
            s.category_id as 1
          ],
      ),
    );
  });

  it('this year’s races include the recent ones, counted like member_recent_races', () => {
    const yearly = get<{ stats: Row[] }>('stats/member_yearly').stats.filter((s) => s.year === 2026);
    const recent = get<{ races: Row[] }>('stats/member_recent_races').races.filter((r) =>
      String(r.session_start_time).startsWith('2026'),
    );
    const starts = yearly.reduce((n, s) => n + (s.starts as number), 0);
    expect(starts).toBeGreaterThanOrEqual(recent.length);
    const summary = get<{ this_year: { num_official_sessions: number } }>('stats/member_summary');
    expect(starts).toBeGreaterThanOrEqual(summary.this_year.num_official_sessions);
  });
});

describe('stats/world_records', () => {
  // Car 1 at track 13 ran three weeks (with lone qualifying) in the world's quarters.
  const CAR = 1;
  const TRACK = 13;

  it('is typed and chunked 2000 rows a chunk, rows shaped like iRacing’s', () => {
    const answer = chunked('stats/world_records', { car_id: CAR, track_id: TRACK });
    expect(answer.options).toEqual({ rowsPerChunk: 2000, typed: 'stats_world_records' });
    expect(answer.header).toEqual({
      success: true,
      car_id: CAR,
      track_id: TRACK,
      last_updated: '2026-11-20T12:00:00Z',
    });
    expect(Object.keys(answer.rows[0] as Row)).toEqual([
      'cust_id',
      'display_name',
      'club_id',
      'club_name',
      'car_id',
      'track_id',
      'season_year',
      'season_quarter',
      'country_code',
      'region',
      'license',
      'practice_lap_time',
      'practice_date',
      'qualify_lap_time',
      'qualify_date',
      'tt_lap_time',
      'tt_date',
      'race_lap_time',
      'race_date',
    ]);
  });

  it('best laps are the members’ best laps in the results of the weeks run there', () => {
    const rows = chunked('stats/world_records', { car_id: CAR, track_id: TRACK }).rows as Row[];
    type Best = { time: number; day: string; year: number; quarter: number };
    const best = {
      race: new Map<number, Best>(),
      qualify: new Map<number, Best>(),
      practice: new Map<number, Best>(),
    };
    const note = (kind: keyof typeof best, row: RaceRow, r: Result) => {
      if (row.car_id !== CAR || row.best_lap_time <= 0) return;
      const had = best[kind].get(row.cust_id);
      if (had && had.time <= row.best_lap_time) return;
      best[kind].set(row.cust_id, {
        time: row.best_lap_time,
        day: r.start_time.slice(0, 10),
        year: r.season_year,
        quarter: r.season_quarter,
      });
    };
    let weeks = 0;
    for (const series of world.series) {
      for (let qi = world.firstQi; qi <= world.anchorQi; qi++) {
        const season = world.season(series, qi);
        for (const week of season?.weeks ?? []) {
          if (week.track.track_id !== TRACK || !week.carIds.includes(CAR) || week.start > NOW.getTime())
            continue;
          weeks++;
          const list = get<{ results_list: { subsession_id: number }[] }>('results/season_results', {
            season_id: season!.seasonId,
            race_week_num: week.num,
          }).results_list;
          // Chronological, so that a tie keeps the earliest lap.
          const results = list
            .map((x) => resultOf(x.subsession_id))
            .sort((a, b) => a.start_time.localeCompare(b.start_time) || a.subsession_id - b.subsession_id);
          for (const r of results) {
            for (const s of r.session_results) {
              const kind =
                s.simsession_number === 0 ? 'race' : s.simsession_name === 'QUALIFY' ? 'qualify' : 'practice';
              for (const row of driverRows(s.results)) note(kind, row, r);
            }
          }
        }
      }
    }
    expect(weeks).toBe(3);
    expect(rows.length).toBe(
      new Set([...best.race.keys(), ...best.practice.keys(), ...best.qualify.keys()]).size,
    );
    for (const row of rows) {
      const custId = row.cust_id as number;
      const race = best.race.get(custId);
      expect([row.race_lap_time, row.race_date]).toEqual([race?.time ?? null, race?.day ?? null]);
      if (race) expect([row.season_year, row.season_quarter]).toEqual([race.year, race.quarter]);
      const q = best.qualify.get(custId);
      expect([row.qualify_lap_time, row.qualify_date]).toEqual([q?.time ?? null, q?.day ?? null]);
      const p = best.practice.get(custId);
      expect([row.practice_lap_time, row.practice_date]).toEqual([p?.time ?? null, p?.day ?? null]);
      expect([row.tt_lap_time, row.tt_date]).toEqual([null, null]);
    }
    expect(rows.filter((r) => r.qualify_lap_time !== null).length).toBeGreaterThan(rows.length / 2);
    // Race lap ascending (none last), then cust_id.
    const key = (r: Row) => [r.race_lap_time ?? Number.MAX_SAFE_INTEGER, r.cust_id] as number[];
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [key(rows[i - 1]), key(rows[i])];
      expect(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])).toBe(true);
    }
  });

  it('one season quarter: the rows of laps set then; 404 for an unknown car or track', () => {
    const all = worldRecordRows(world, CAR, TRACK, undefined, NOW.getTime());
    const { season_year: year, season_quarter: quarter } = all[0] as {
      season_year: number;
      season_quarter: number;
    };
    const rows = chunked('stats/world_records', {
      car_id: CAR,
      track_id: TRACK,
      season_year: year,
      season_quarter: quarter,
    }).rows as Row[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(all.length);
    expect(rows.every((r) => r.season_year === year && r.season_quarter === quarter)).toBe(true);
    expect(call('stats/world_records', { car_id: 999_999, track_id: TRACK })).toBeUndefined();
    expect(call('stats/world_records', { car_id: CAR, track_id: 999_999 })).toBeUndefined();
  });
});

describe('stats endpoints: determinism and the replica', () => {
  it('the same world answers the same', () => {
    const again = caller(syntheticDataset(OPTIONS));
    const asks: [string, Params][] = [
      ['stats/season_driver_standings', { season_id: SEASON, car_class_id: CLASS }],
      ['member/chart_data', { category_id: 1, chart_type: 1 }],
      ['member/chart_data', { category_id: 1, chart_type: 3 }],
      ['stats/member_yearly', {}],
      ['stats/member_career', {}],
      ['stats/world_records', { car_id: 1, track_id: 13 }],
    ];
    for (const [endpoint, params] of asks) {
      const a = call(endpoint, params);
      expect(JSON.stringify(again(endpoint, params))).toBe(JSON.stringify(a));
      expect(JSON.stringify(call(endpoint, params))).toBe(JSON.stringify(a));
    }
  });

  it('the replica serves world records typed behind a link, standings linked', async () => {
    const replica = new OfflineReplica({ dataset, now: () => NOW, rateLimit: null });
    const base = await replica.start();
    try {
      const token = (await (
        await fetch(`${base}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'password_limited',
            client_id: 'c',
            client_secret: 's',
            username: 'u',
            password: 'p',
          }),
        })
      ).json()) as { access_token: string };
      const data = async (path: string): Promise<Row> => {
        const res = await fetch(`${base}/data/${path}`, {
          headers: { authorization: `Bearer ${token.access_token}` },
        });
        expect(res.status).toBe(200);
        const { link } = (await res.json()) as { link: string };
        return (await (await fetch(link)).json()) as Row;
      };
      const records = await data(`stats/world_records?car_id=1&track_id=13`);
      expect(records.type).toBe('stats_world_records');
      const body = records.data as Row & { chunk_info: { chunk_size: number; rows: number } };
      expect(Object.keys(body)).toEqual(['success', 'car_id', 'track_id', 'last_updated', 'chunk_info']);
      expect(body.chunk_info.chunk_size).toBe(2000);
      const standings = await data(`stats/season_driver_standings?season_id=${SEASON}&car_class_id=${CLASS}`);
      expect(standings).toMatchObject({ success: true, season_id: SEASON, car_class_id: CLASS });
      expect((standings.chunk_info as { chunk_size: number }).chunk_size).toBe(500);
    } finally {
      await replica.stop();
    }
  });
});
