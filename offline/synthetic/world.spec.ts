// Unit tests of the synthetic iRacing world served by the offline replica: every endpoint answers with the keys
// and JSON types of the recorded samples (../shared/iracing-samples), the answers are deterministic for a seed,
// a scale and an anchor date, and every id points at something that exists (tracks, cars, classes, seasons,
// weeks, sessions, subsessions, members, packages, forecast files).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ChunkedPayload, type DatasetContext, type ReplicaDataset } from '../datasets.js';
import { syntheticDataset } from '../synthetic-dataset.js';
import { generateCatalog } from './catalog.js';
import { raced, splits } from './sessions.js';
import { World } from './world.js';

type Row = Record<string, unknown>;

const samples = path.resolve(process.cwd(), '../shared/iracing-samples');
const readSample = (file: string): unknown =>
  JSON.parse(readFileSync(path.join(samples, file), 'utf8')) as unknown;

// ---------------------------------------------------------------------------------------------------------------
// Shapes: every path (`$.a[].b`) with the JSON types seen there and how often its key is present.

interface PathInfo {
  types: Set<string>;
  present: number;
  parents: number;
}
type Shape = Map<string, PathInfo>;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return typeof value;
}

const isObject = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(values: unknown[], at: string, out: Shape, parents: number): void {
  const info = out.get(at) ?? { types: new Set<string>(), present: 0, parents: 0 };
  for (const v of values) info.types.add(jsonType(v));
  info.present += values.length;
  info.parents += parents;
  out.set(at, info);
  const objects = values.filter(isObject);
  const byKey = new Map<string, unknown[]>();
  for (const o of objects) {
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined) continue;
      const list = byKey.get(k) ?? [];
      list.push(v);
      byKey.set(k, list);
    }
  }
  for (const [k, list] of byKey) walk(list, `${at}.${k}`, out, objects.length);
  const items = values.filter(Array.isArray).flat() as unknown[];
  if (items.length > 0) walk(items, `${at}[]`, out, items.length);
}

function shapeOf(...values: unknown[]): Shape {
  const out: Shape = new Map();
  for (const v of values) walk([v], '$', out, 1);
  return out;
}

interface ShapeOptions {
  /** Sample paths (prefixes) the generated payload may lack. */
  mayLack?: string[];
  /** Generated paths (prefixes) the samples lack. */
  mayAdd?: string[];
  /** Paths the sample always has that the generated payload may omit on some records. */
  optional?: string[];
  /** Extra JSON types allowed at a path. */
  types?: Record<string, string[]>;
  /** More recorded payloads of the same shape, merged into the reference. */
  also?: unknown[];
}

const matches = (p: string, prefixes: string[] | undefined): boolean =>
  (prefixes ?? []).some((x) => p === x || p.startsWith(`${x}.`) || p.startsWith(`${x}[]`));

/** The generated payload has the sample's paths (keys, recursively), the same JSON types, and always-present keys. */
function expectShape(generated: unknown, sample: unknown, options: ShapeOptions = {}): void {
  const ref = shapeOf(sample, ...(options.also ?? []));
  const gen = shapeOf(generated);
  const missing = [...ref.keys()].filter((p) => !gen.has(p) && !matches(p, options.mayLack));
  const extra = [...gen.keys()].filter((p) => !ref.has(p) && !matches(p, options.mayAdd));
  expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  const wrongTypes: string[] = [];
  const notAlways: string[] = [];
  for (const [p, info] of gen) {
    const r = ref.get(p);
    if (!r) continue;
    for (const t of info.types) {
      if (!r.types.has(t) && !(options.types?.[p] ?? []).includes(t)) wrongTypes.push(`${p}: ${t}`);
    }
    if (r.present === r.parents && info.present !== info.parents && !matches(p, options.optional))
      notAlways.push(`${p} (${info.present}/${info.parents})`);
  }
  expect(wrongTypes).toEqual([]);
  expect(notAlways).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------------------
// The world under test

const NOW = new Date('2025-11-20T15:00:00Z'); // a Thursday: anchor Tuesday 2025-11-18
const ctx: DatasetContext = { baseUrl: 'http://replica.test', now: NOW };
const dataset: ReplicaDataset = syntheticDataset({ seed: 7, scale: 1, now: NOW });

function call(endpoint: string, params: Record<string, string | number | boolean> = {}, c = ctx): unknown {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) p.set(k, String(v));
  return dataset.resolve(endpoint, p, c);
}
const get = <T = Row>(endpoint: string, params: Record<string, string | number | boolean> = {}): T => {
  const out = call(endpoint, params);
  expect(out).toBeDefined();
  return out as T;
};
const chunked = (endpoint: string, params: Record<string, string | number | boolean>): ChunkedPayload => {
  const out = call(endpoint, params);
  expect(out).toBeInstanceOf(ChunkedPayload);
  return out as ChunkedPayload;
};

const cars = get<Row[]>('car/get');
const classes = get<Row[]>('carclass/get');
const tracks = get<Row[]>('track/get');
const carById = new Map(cars.map((c) => [c.car_id as number, c]));
const classById = new Map(classes.map((c) => [c.car_class_id as number, c]));
const trackById = new Map(tracks.map((t) => [t.track_id as number, t]));
const seasons = get<Row[]>('series/seasons');
const schedulesOf = (s: Row): Row[] => s.schedules as Row[];
const allWeeks = seasons.flatMap(schedulesOf);

/** Session start times (ms) a race week's descriptors generate, expanded independently of the generator. */
function descriptorStarts(week: Row): number[] {
  const out: number[] = [];
  for (const d of week.race_time_descriptors as Row[]) {
    if (d.repeating === true) {
      const [h, m] = String(d.first_session_time).split(':').map(Number);
      const base = Date.parse(`${String(d.start_date)}T00:00:00Z`);
      for (const day of d.day_offset as number[]) {
        for (let t = h * 60 + m; t < 1440; t += d.repeat_minutes as number)
          out.push(base + day * 86_400_000 + t * 60_000);
      }
    } else for (const t of d.session_times as string[]) out.push(Date.parse(t));
  }
  return out.sort((a, b) => a - b);
}

/** Finished race subsessions of a season (from results/search_series). */
function searchRows(params: Record<string, string | number | boolean>): Row[] {
  return chunked('results/search_series', params).rows as Row[];
}

const TRACK_OF: Record<string, string> = {
  oval: 'oval',
  sports_car: 'road',
  formula_car: 'road',
  dirt_oval: 'dirt_oval',
  dirt_road: 'dirt_road',
};

const currentQuarter = { season_year: 2025, season_quarter: 4 };
const soloSeason = seasons.find((s) => s.driver_changes === false && s.season_quarter === 4)!;
const teamSeason = seasons.find((s) => s.driver_changes === true && s.season_quarter === 4)!;
const soloRows = searchRows({ ...currentQuarter, series_id: soloSeason.series_id as number });
const teamRows = searchRows({ ...currentQuarter, series_id: teamSeason.series_id as number });

// ---------------------------------------------------------------------------------------------------------------

describe('synthetic dataset: catalog and series', () => {
  it('serves the catalog of generateCatalog', () => {
    const catalog = generateCatalog({ seed: 7, scale: 1 });
    expect(cars).toEqual(catalog.cars);
    expect(classes).toEqual(catalog.carClasses);
    expect(tracks).toEqual(catalog.tracks);
  });

  it('series/get: about 150 series shaped like the sample', () => {
    const series = get<Row[]>('series/get');
    expect(series.length).toBeGreaterThanOrEqual(120);
    expect(series.length).toBeLessThanOrEqual(150);
    expectShape(series, readSample('series-get.json'));
    expect(new Set(series.map((s) => s.series_id)).size).toBe(series.length);
  });

  it('constants/event_types is the sample', () => {
    expect(call('constants/event_types')).toEqual(readSample('constants-event_types.json'));
  });
});

describe('synthetic dataset: seasons and schedules', () => {
  const sample = readSample('series-seasons.json') as Row[];
  const scheduleSample = readSample('series-season_schedule.json') as Row;

  it('series/seasons: current seasons plus some published next-quarter ones, shaped like the sample', () => {
    const current = seasons.filter((s) => s.season_year === 2025 && s.season_quarter === 4);
    const next = seasons.filter((s) => s.season_year === 2026 && s.season_quarter === 1);
    expect(current.length).toBeGreaterThan(100);
    expect(next.length).toBeGreaterThan(0);
    expect(next.length).toBeLessThan(current.length);
    expect(current.length + next.length).toBe(seasons.length);
    expectShape(seasons, sample, {
      // The sample's race weeks never rotate cars: its race_week_cars / race_week_car_class_ids are empty.
      mayAdd: ['$[].schedules[].race_week_cars[]', '$[].schedules[].race_week_car_class_ids[]'],
      optional: ['$[].schedules[].track.config_name'],
    });
  });

  it('seasons: ids unique and increasing by quarter, weeks 0-based from a Tuesday, 8/12/13 weeks', () => {
    expect(new Set(seasons.map((s) => s.season_id)).size).toBe(seasons.length);
    const cur = seasons.filter((s) => s.season_quarter === 4).map((s) => s.season_id as number);
    const next = seasons.filter((s) => s.season_quarter === 1).map((s) => s.season_id as number);
    expect(Math.max(...cur)).toBeLessThan(Math.min(...next));
    const bad: string[] = [];
    for (const s of seasons) {
      const weeks = schedulesOf(s);
      const start = Date.parse(s.start_date as string);
      const ok =
        [8, 12, 13].includes(weeks.length) &&
        s.max_weeks === weeks.length &&
        new Date(start).getUTCDay() === 2 &&
        weeks.every(
          (w, i) =>
            w.race_week_num === i &&
            w.season_id === s.season_id &&
            w.series_id === s.series_id &&
            Date.parse(`${w.start_date as string}T00:00:00Z`) === start + i * 7 * 86_400_000,
        ) &&
        // Current seasons: active, in week 9 at the anchor (2025-09-16 + 9 weeks = 2025-11-18).
        (s.season_quarter !== 4 || (s.active === true && s.race_week === Math.min(9, weeks.length - 1)));
      if (!ok) bad.push(String(s.season_id));
    }
    expect(bad).toEqual([]);
  });

  it('race weeks refer to catalog tracks, classes and cars, within the cars’ BOP limits', () => {
    // Violations are collected and compared once: thousands of expect() calls would be slow.
    const bad: string[] = [];
    const check = (ok: boolean, what: string): void => {
      if (!ok) bad.push(what);
    };
    for (const s of seasons) {
      const classIds = s.car_class_ids as number[];
      for (const id of classIds) check(classById.has(id), `season ${String(s.season_id)}: class ${id}`);
      const seasonCars = new Set(
        classIds.flatMap((id) => ((classById.get(id)?.cars_in_class as Row[]) ?? []).map((c) => c.car_id)),
      );
      for (const w of schedulesOf(s)) {
        const where = `season ${String(s.season_id)} week ${String(w.race_week_num)}`;
        const ref = w.track as Row;
        const track = trackById.get(ref.track_id as number);
        check(track !== undefined && track.retired === false, `${where}: track ${String(ref.track_id)}`);
        check(
          ref.track_name === track?.track_name && ref.category === track?.category,
          `${where}: track ref`,
        );
        check(ref.category === TRACK_OF[w.category as string], `${where}: track category`);
        for (const id of w.race_week_car_class_ids as number[])
          check(classIds.includes(id), `${where}: week class`);
        for (const c of w.race_week_cars as Row[]) {
          check(
            carById.has(c.car_id as number) && seasonCars.has(c.car_id),
            `${where}: week car ${String(c.car_id)}`,
          );
        }
        const restrictions = w.car_restrictions as Row[];
        check(restrictions.length > 0, `${where}: no restrictions`);
        for (const r of restrictions) {
          const car = carById.get(r.car_id as number);
          const power = r.power_adjust_pct as number;
          const weight = r.weight_penalty_kg as number;
          check(
            car !== undefined && seasonCars.has(r.car_id),
            `${where}: restriction car ${String(r.car_id)}`,
          );
          check(
            car !== undefined &&
              power >= (car.min_power_adjust_pct as number) &&
              power <= (car.max_power_adjust_pct as number) &&
              weight >= 0 &&
              weight <= (car.max_weight_penalty_kg as number),
            `${where}: BOP of car ${String(r.car_id)}`,
          );
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('both kinds of race time descriptors occur, repeating every 15 to 120 minutes', () => {
    const descriptors = allWeeks.flatMap((w) => w.race_time_descriptors as Row[]);
    const repeating = descriptors.filter((d) => d.repeating === true);
    const fixed = descriptors.filter((d) => d.repeating === false);
    expect(repeating.length).toBeGreaterThan(fixed.length);
    expect(fixed.length).toBeGreaterThan(0);
    expect(
      repeating.every((d) => (d.repeat_minutes as number) >= 15 && (d.repeat_minutes as number) <= 120),
    ).toBe(true);
    const bad = allWeeks.filter((w) => {
      const starts = descriptorStarts(w);
      const weekStart = Date.parse(`${w.start_date as string}T00:00:00Z`);
      return (
        starts.length === 0 ||
        starts[0] < weekStart ||
        starts[starts.length - 1] >= weekStart + 7 * 86_400_000 ||
        Date.parse(w.week_end_time as string) < starts[starts.length - 1]
      );
    });
    expect(bad).toEqual([]);
  });

  it('series/seasons with a year and quarter: that quarter, past ones too', () => {
    const past = get<Row[]>('series/seasons', {
      season_year: 2024,
      season_quarter: 2,
      include_series: 'true',
    });
    expect(past.length).toBeGreaterThan(50);
    for (const s of past) {
      expect([s.season_year, s.season_quarter, s.active, s.complete]).toEqual([2024, 2, false, true]);
    }
    expect(get<Row[]>('series/seasons', { season_year: 2015, season_quarter: 1 })).toEqual([]);
  });

  it('series/season_schedule: the same race weeks as series/seasons, for past seasons too', () => {
    // A season with repeating sessions, like the sample's.
    const season = seasons.find(
      (s) => (schedulesOf(s)[0].race_time_descriptors as Row[])[0].repeating === true,
    )!;
    const answer = get('series/season_schedule', { season_id: season.season_id as number });
    // The reference: the schedule sample and the race weeks of the series/seasons sample (a time-limited series
    // alone does not show every key and type a race week takes).
    const fixedSeason = seasons.find(
      (s) => (schedulesOf(s)[0].race_time_descriptors as Row[])[0].repeating === false,
    )!;
    const fixed = get('series/season_schedule', { season_id: fixedSeason.season_id as number });
    const both = { ...answer, schedules: [...(answer.schedules as Row[]), ...(fixed.schedules as Row[])] };
    expectShape(both, scheduleSample, {
      also: [{ success: true, season_id: 1, schedules: sample.flatMap((x) => x.schedules as Row[]) }],
      mayAdd: ['$.schedules[].race_week_cars[]', '$.schedules[].race_week_car_class_ids[]'],
      mayLack: ['$.schedules[].car_restrictions[].qual_setup_id'],
      optional: ['$.schedules[].track.config_name'],
    });
    const schedules = answer.schedules as Row[];
    expect(schedules.map(({ qual_time_descriptors: _q, ...rest }) => rest)).toEqual(season.schedules);
    const past = get<Row[]>('series/seasons', { season_year: 2023, season_quarter: 3 })[0];
    const pastSchedule = get('series/season_schedule', { season_id: past.season_id as number });
    expect((pastSchedule.schedules as Row[]).length).toBe((past.schedules as Row[]).length);
    expect(call('series/season_schedule', { season_id: 999_999_999 })).toBeUndefined();
    expect(call('series/season_schedule')).toBeUndefined();
  });

  it('series/season_list and season/list', () => {
    const list = get('series/season_list', { include_series: 1 });
    expectShape(list, readSample('series-season_list.json'), {
      optional: ['$.seasons[].current_week_sched.track.config_name'],
      types: { '$.seasons[].current_week_sched.car_restrictions[].power_adjust_pct': ['float'] },
    });
    expect((list.seasons as Row[]).map((s) => s.season_id)).toEqual(seasons.map((s) => s.season_id));
    const short = get('season/list', currentQuarter);
    expect(Object.keys(short).sort()).toEqual(['season_quarter', 'season_year', 'seasons']);
    const rows = short.seasons as Row[];
    expect(rows.length).toBe(seasons.filter((s) => s.season_quarter === 4).length);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(
        [
          'season_id',
          'series_id',
          'season_name',
          'series_name',
          'official',
          'season_year',
          'season_quarter',
          'license_group',
          'fixed_setup',
          'driver_changes',
        ].sort(),
      );
    }
  });

  it('series/past_seasons: the series’ seasons a few years back', () => {
    const answer = get('series/past_seasons', { series_id: soloSeason.series_id as number });
    expectShape(answer, readSample('series-past_seasons.json'), {
      optional: ['$.series.search_filters'],
      mayLack: ['$.series.search_filters'],
    });
    const list = (answer.series as Row).seasons as Row[];
    expect(list.length).toBeGreaterThanOrEqual(1);
    expect(list.length).toBeLessThanOrEqual(13);
    expect(list.some((s) => s.season_id === soloSeason.season_id)).toBe(true);
    for (const s of list) {
      const schedule = get('series/season_schedule', { season_id: s.season_id as number });
      expect((schedule.schedules as Row[]).map((w) => (w.track as Row).track_id)).toEqual(
        (s.race_weeks as Row[]).map((w) => (w.track as Row).track_id),
      );
    }
    expect(call('series/past_seasons', { series_id: 0 })).toBeUndefined();
  });
});

describe('synthetic dataset: race guide', () => {
  const guideSample = readSample('season-race_guide.json');
  const guide = get('season/race_guide');
  const sessions = guide.sessions as Row[];
  const seasonById = new Map(seasons.map((s) => [s.season_id as number, s]));

  it('is shaped like the sample and covers three hours from `from`', () => {
    expectShape(guide, guideSample);
    expect(guide.block_begin_time).toBe('2025-11-20T15:00:00Z');
    expect(guide.block_end_time).toBe('2025-11-20T18:00:00Z');
    expect(sessions.length).toBeGreaterThan(50);
    for (const s of sessions) {
      const start = Date.parse(s.start_time as string);
      expect(start).toBeGreaterThanOrEqual(NOW.getTime());
      expect(start).toBeLessThan(NOW.getTime() + 3 * 3_600_000);
    }
  });

  it('sessions are start times of existing seasons’ weeks, generated by their descriptors', () => {
    for (const s of sessions) {
      const season = seasonById.get(s.season_id as number)!;
      expect(season).toBeDefined();
      expect(season.series_id).toBe(s.series_id);
      const week = schedulesOf(season)[s.race_week_num as number];
      expect(descriptorStarts(week)).toContain(Date.parse(s.start_time as string));
      const minutes = (week.race_time_descriptors as Row[])[0].session_minutes as number;
      expect(Date.parse(s.end_time as string) - Date.parse(s.start_time as string)).toBe(minutes * 60_000);
    }
  });

  it('include_end_after_from adds sessions running at `from`', () => {
    const from = '2025-11-20T15:05:00Z';
    const plain = get('season/race_guide', { from }).sessions as Row[];
    const running = get('season/race_guide', { from, include_end_after_from: 'true' }).sessions as Row[];
    const started = running.filter((s) => Date.parse(s.start_time as string) < Date.parse(from));
    expect(started.length).toBeGreaterThan(0);
    for (const s of started) expect(Date.parse(s.end_time as string)).toBeGreaterThan(Date.parse(from));
    expect(running.length).toBe(plain.length + started.length);
  });
});

describe('synthetic dataset: results', () => {
  const resultSample = readSample('results-get.json') as Row;
  const solo = soloRows[soloRows.length - 1];
  const result = get('results/get', { subsession_id: solo.subsession_id as number, include_licenses: true });

  it('results/search_series: direct chunked rows shaped like the sample, ordered by subsession id', () => {
    const answer = chunked('results/search_series', {
      ...currentQuarter,
      series_id: soloSeason.series_id as number,
      official_only: false,
      event_types: '2,3,4,5',
      category_ids: '1,2,3,4,5,6',
    });
    expect(answer.options.rowsPerChunk).toBe(500);
    expect(answer.options.direct?.type).toBe('search_series_results');
    const header = readSample('results-search_series.header.json') as Row;
    expectShape(answer.options.direct?.params, (header.data as Row).params);
    expect(answer.rows.length).toBeGreaterThan(0);
    expectShape(answer.rows, readSample('results-search_series.rows.json'), {
      optional: ['$[].track.config_name'],
    });
    const ids = (answer.rows as Row[]).map((r) => r.subsession_id as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    for (const r of answer.rows as Row[])
      expect(Date.parse(r.end_time as string)).toBeLessThanOrEqual(NOW.getTime());
    // Filters: a start range and a race week.
    const range = searchRows({
      start_range_begin: '2025-11-18T00:00:00Z',
      start_range_end: '2025-11-19T00:00:00Z',
    });
    expect(range.length).toBeGreaterThan(0);
    for (const r of range) expect((r.start_time as string) < '2025-11-19T00:00:00Z').toBe(true);
    const week = searchRows({
      ...currentQuarter,
      series_id: soloSeason.series_id as number,
      race_week_num: 2,
    });
    for (const r of week) expect(r.race_week_num).toBe(2);
    expect(searchRows({ ...currentQuarter, event_types: '2,3' })).toEqual([]);
  });

  it('results/get: shaped like the sample (solo race), matching the schedule and the search', () => {
    expectShape(result, resultSample, { optional: ['$.track.config_name'] });
    expect(result.session_id).toBe(solo.session_id);
    expect(result.season_id).toBe(soloSeason.season_id);
    expect(result.race_week_num).toBe(solo.race_week_num);
    expect(result.start_time).toBe(solo.start_time);
    expect(result.end_time).toBe(solo.end_time);
    expect(result.event_strength_of_field).toBe(solo.event_strength_of_field);
    const week = schedulesOf(soloSeason)[result.race_week_num as number];
    expect(descriptorStarts(week)).toContain(Date.parse(result.start_time as string));
    expect((result.track as Row).track_id).toBe((week.track as Row).track_id);
    const numbers = (result.session_results as Row[]).map((s) => s.simsession_number);
    expect(numbers[numbers.length - 1]).toBe(0);
    for (const n of numbers.slice(0, -1)) expect(n).toBeLessThan(0);
    expect(result.associated_subsession_ids).toContain(result.subsession_id);
    const race = (result.session_results as Row[]).find((s) => s.simsession_number === 0)!;
    const rows = race.results as Row[];
    expect(rows.map((r) => r.finish_position)).toEqual(rows.map((_, i) => i));
    for (const r of rows) {
      expect(carById.has(r.car_id as number)).toBe(true);
      expect(soloSeason.car_class_ids).toContain(r.car_class_id);
      const cls = classById.get(r.car_class_id as number)!;
      expect((cls.cars_in_class as Row[]).map((c) => c.car_id)).toContain(r.car_id);
    }
    // The race guide of that time lists the session with the same id.
    const from = new Date(Date.parse(result.start_time as string) - 10 * 60_000).toISOString();
    const guide = (get('season/race_guide', { from }).sessions as Row[]).find(
      (s) => s.session_id === result.session_id,
    );
    expect(guide).toMatchObject({ season_id: result.season_id, race_week_num: result.race_week_num });
  });

  it('team races: rows are teams (negative team_id) carrying driver_results', () => {
    expect(teamRows.length).toBeGreaterThan(0);
    expect(teamRows[0].driver_changes).toBe(true);
    const team = get('results/get', { subsession_id: teamRows[teamRows.length - 1].subsession_id as number });
    expect(team.driver_changes).toBe(true);
    const race = (team.session_results as Row[]).find((s) => s.simsession_number === 0)!;
    const soloKeys = Object.keys(((resultSample.session_results as Row[])[0].results as Row[])[0]);
    for (const row of race.results as Row[]) {
      expect(row.team_id).toBeLessThan(0);
      expect(row.cust_id).toBeUndefined();
      expect(Object.keys(row).sort()).toEqual(
        [...soloKeys.filter((k) => k !== 'cust_id'), 'team_id', 'driver_results'].sort(),
      );
      const drivers = row.driver_results as Row[];
      expect(drivers.length).toBeGreaterThanOrEqual(1);
      for (const d of drivers) {
        expect(d.team_id).toBe(row.team_id);
        expect(Object.keys(d).sort()).toEqual([...soloKeys, 'team_id'].sort());
      }
      expect(drivers.reduce((n, d) => n + (d.laps_complete as number), 0)).toBe(row.laps_complete);
    }
  });

  it('results/lap_data: chunked laps shaped like the samples, consistent with the results', () => {
    const race = (result.session_results as Row[]).find((s) => s.simsession_number === 0)!;
    const winner = (race.results as Row[])[0];
    const laps = chunked('results/lap_data', {
      subsession_id: result.subsession_id as number,
      simsession_number: 0,
      cust_id: winner.cust_id as number,
    });
    expect(laps.options.rowsPerChunk).toBe(500);
    const header = { ...(readSample('results-lap_data.header.json') as Row) };
    delete header.chunk_info;
    expectShape(laps.header, header);
    const rows = laps.rows as Row[];
    expect(rows.length).toBe((winner.laps_complete as number) + 1);
    const timed = rows.filter((r) => (r.lap_time as number) > 0).map((r) => r.lap_time as number);
    expect(Math.min(...timed)).toBe(winner.best_lap_time);
    expect(rows.find((r) => r.personal_best_lap === true)?.lap_number).toBe(winner.best_lap_num);
    expect(laps.header.best_lap_time).toBe(winner.best_lap_time);
    // All drivers of a race: more than one chunk of 500 laps.
    const all = chunked('results/lap_data', {
      subsession_id: result.subsession_id as number,
      simsession_number: 0,
    });
    const total = (race.results as Row[]).reduce((n, r) => n + (r.laps_complete as number) + 1, 0);
    expect(all.rows.length).toBe(total);
    const big = [solo, ...soloRows].find((r) => {
      const a = call('results/lap_data', { subsession_id: r.subsession_id as number, simsession_number: 0 });
      return a instanceof ChunkedPayload && a.rows.length > 500;
    });
    expect(big).toBeDefined();
    expect(
      call('results/lap_data', { subsession_id: result.subsession_id as number, simsession_number: 5 }),
    ).toBeUndefined();
    expect(
      call('results/lap_data', { subsession_id: result.subsession_id as number, cust_id: 1 }),
    ).toBeUndefined();
  });

  it('results/lap_data for a team: by team_id and by driver', () => {
    const sub = teamRows[teamRows.length - 1].subsession_id as number;
    const team = get('results/get', { subsession_id: sub });
    const row = ((team.session_results as Row[]).find((s) => s.simsession_number === 0)!.results as Row[])[0];
    const byTeam = chunked('results/lap_data', {
      subsession_id: sub,
      simsession_number: 0,
      team_id: row.team_id as number,
    });
    expect(byTeam.rows.length).toBe((row.laps_complete as number) + 1);
    for (const r of byTeam.rows as Row[]) expect(r.group_id).toBe(row.team_id);
    const drivers = row.driver_results as Row[];
    expect(drivers.reduce((n, d) => n + (d.laps_lead as number), 0)).toBe(row.laps_lead);
    const driver = drivers[0];
    const byDriver = chunked('results/lap_data', {
      subsession_id: sub,
      simsession_number: 0,
      cust_id: driver.cust_id as number,
    });
    expect(byDriver.rows.length).toBe((driver.laps_complete as number) + 1);
    for (const r of byDriver.rows as Row[]) expect(r.cust_id).toBe(driver.cust_id);
    const best = (byDriver.rows as Row[]).find((r) => r.personal_best_lap === true);
    expect(best?.lap_number).toBe(driver.best_lap_num);
    expect(best?.lap_time).toBe(driver.best_lap_time);
  });

  it('results/season_results: the finished races of a season, shaped like the sample', () => {
    const answer = get('results/season_results', { season_id: soloSeason.season_id as number });
    expectShape(answer, readSample('results-season_results.json'), {
      optional: ['$.results_list[].track.config_name'],
    });
    const list = answer.results_list as Row[];
    expect(list.map((r) => r.subsession_id)).toEqual(soloRows.map((r) => r.subsession_id));
    const week = get('results/season_results', {
      season_id: soloSeason.season_id as number,
      race_week_num: 1,
      event_type: 5,
    });
    expect([week.race_week_num, week.event_type]).toEqual([1, 5]);
    for (const r of week.results_list as Row[]) expect(r.race_week_num).toBe(1);
    expect(call('results/season_results', { season_id: 12 })).toBeUndefined();
  });

  it('unknown or unfinished subsessions are 404s', () => {
    expect(call('results/get', { subsession_id: 1 })).toBeUndefined();
    expect(call('results/get', { subsession_id: (solo.subsession_id as number) + 7 })).toBeUndefined();
    expect(call('results/get')).toBeUndefined();
    // Before its session has ended, a subsession has no results yet.
    const early = dataset.resolve(
      'results/get',
      new URLSearchParams({ subsession_id: String(result.subsession_id) }),
      { ...ctx, now: new Date(Date.parse(result.start_time as string) + 60_000) },
    );
    expect(early).toBeUndefined();
  });
});

describe('synthetic dataset: members', () => {
  const info = get('member/info');

  it('member/info: the account, with packages of the catalog', () => {
    expectShape(info, readSample('member-info.json'));
    const carPackages = new Map<number, number[]>();
    for (const c of cars)
      carPackages.set(c.package_id as number, [
        ...(carPackages.get(c.package_id as number) ?? []),
        c.car_id as number,
      ]);
    const trackPackages = new Map<number, number[]>();
    for (const t of tracks)
      trackPackages.set(t.package_id as number, [
        ...(trackPackages.get(t.package_id as number) ?? []),
        t.track_id as number,
      ]);
    for (const p of info.car_packages as Row[]) {
      expect(carPackages.has(p.package_id as number)).toBe(true);
      for (const id of p.content_ids as number[])
        expect(carPackages.get(p.package_id as number)).toContain(id);
    }
    for (const p of info.track_packages as Row[]) {
      expect(trackPackages.has(p.package_id as number)).toBe(true);
      for (const id of p.content_ids as number[])
        expect(trackPackages.get(p.package_id as number)).toContain(id);
    }
    expect((info.car_packages as Row[]).length).toBeGreaterThan(0);
    expect((info.track_packages as Row[]).length).toBeGreaterThan(0);
  });

  it('stats/member_recent_races: the account’s races, which results/get serves', () => {
    const recent = get('stats/member_recent_races');
    expectShape(recent, readSample('stats-member_recent_races.json'));
    expect(recent.cust_id).toBe(info.cust_id);
    const races = recent.races as Row[];
    expect(races.length).toBeGreaterThan(0);
    for (const r of races) {
      const res = get('results/get', { subsession_id: r.subsession_id as number });
      expect([res.season_id, res.series_id, res.race_week_num, res.start_time]).toEqual([
        r.season_id,
        r.series_id,
        r.race_week_num,
        r.session_start_time,
      ]);
      const raceRows = (
        (res.session_results as Row[]).find((s) => s.simsession_number === 0)!.results as Row[]
      ).flatMap((row) => (row.driver_results as Row[] | undefined) ?? [row]);
      expect(raceRows.map((row) => row.cust_id)).toContain(info.cust_id);
    }
    const other = (result0().session_results as Row[])[0].results as Row[];
    const someone = get('stats/member_recent_races', { cust_id: other[0].cust_id as number });
    expect(someone.cust_id).toBe(other[0].cust_id);
    expect(call('stats/member_recent_races', { cust_id: 3 })).toBeUndefined();
  });

  it('stats/member_summary', () => {
    const summary = get('stats/member_summary');
    expect(summary.cust_id).toBe(info.cust_id);
    const year = summary.this_year as Row;
    expect(Object.keys(year).sort()).toEqual(
      ['num_league_sessions', 'num_league_wins', 'num_official_sessions', 'num_official_wins'].sort(),
    );
    expect(year.num_official_sessions).toBeGreaterThan(0);
  });

  it('member/get: every member of a result', () => {
    const res = result0();
    const ids = (res.session_results as Row[]).flatMap((s) =>
      (s.results as Row[]).map((r) => r.cust_id as number),
    );
    const unique = [...new Set(ids)];
    const answer = get('member/get', { cust_ids: unique.join(','), include_licenses: 'false' });
    expect(answer.success).toBe(true);
    const members = answer.members as Row[];
    expect(members.map((m) => m.cust_id).sort()).toEqual([...unique].sort());
    for (const m of members) {
      expect(Object.keys(m).sort()).toEqual(
        [
          'ai',
          'club_id',
          'club_name',
          'cust_id',
          'display_name',
          'flair_country_code',
          'flair_id',
          'flair_name',
          'flair_shortname',
          'helmet',
          'last_login',
          'member_since',
        ].sort(),
      );
    }
    const names = new Map(members.map((m) => [m.cust_id, m.display_name]));
    for (const r of (res.session_results as Row[])[0].results as Row[])
      expect(names.get(r.cust_id)).toBe(r.display_name);
    const withLicenses = get('member/get', { cust_ids: String(unique[0]), include_licenses: 1 });
    expect(((withLicenses.members as Row[])[0].licenses as Row[]).length).toBe(5);
    expect(call('member/get', { cust_ids: '1,2' })).toBeUndefined();
  });

  function result0(): Row {
    return get('results/get', { subsession_id: soloRows[0].subsession_id as number });
  }
});

describe('synthetic dataset: weather', () => {
  const week = schedulesOf(soloSeason)[2];
  const weather = week.weather as Row;
  const url = weather.weather_url as string;
  const file = url.slice(`${ctx.baseUrl}/files/`.length);

  it('weather_url points at the replica’s files, which serve the forecast shaped like the sample', () => {
    expect(url.startsWith(`${ctx.baseUrl}/files/weather/`)).toBe(true);
    expect(file).toContain(`-v${weather.version as number}`);
    const rows = dataset.file!(file, ctx) as Row[];
    expectShape(rows, readSample('weather-forecast.json'));
    expect(rows.length).toBe(7 * 24 + 6);
    rows.forEach((r, i) => expect(r.index).toBe(i));
    expect(dataset.file!(file.replace(/-v\d+/, '-v9'), ctx)).toBeUndefined();
    expect(dataset.file!('weather/1-0-v1.json', ctx)).toBeUndefined();
  });

  it('forecast rows: the sample’s integer encodings, affecting sessions only in session hours', () => {
    const rows = dataset.file!(file, ctx) as Row[];
    const starts = descriptorStarts(week);
    const minutes = (week.race_time_descriptors as Row[])[0].session_minutes as number;
    for (const r of rows) {
      for (const k of [
        'air_temp',
        'raw_air_temp',
        'pressure',
        'wind_speed',
        'precip_chance',
        'rel_humidity',
        'cloud_cover',
        'precip_amount',
      ])
        expect(Number.isInteger(r[k])).toBe(true);
      expect(r.precip_chance).toBeGreaterThanOrEqual(0);
      expect(r.precip_chance).toBeLessThanOrEqual(10000);
      expect(r.rel_humidity).toBeLessThanOrEqual(10000);
      expect(r.cloud_cover).toBeLessThanOrEqual(1000);
      expect(r.pressure).toBeGreaterThan(9000);
      const hour = Date.parse(`${r.timestamp as string}Z`);
      const overlaps = starts.some((s) => s < hour + 3_600_000 && s + minutes * 60_000 > hour);
      expect(r.affects_session).toBe(overlaps);
    }
    // The week's summary bounds the forecast during sessions.
    const summary = weather.weather_summary as Row;
    for (const r of rows.filter((x) => x.affects_session === true)) {
      expect((r.air_temp as number) / 100).toBeLessThanOrEqual(summary.temp_high as number);
      expect((r.air_temp as number) / 100).toBeGreaterThanOrEqual(summary.temp_low as number);
    }
  });
});

describe('synthetic world internals', () => {
  it('a member races exactly the sessions whose splits list them; splits are balanced fields by iRating', () => {
    const world = new World({ seed: 7, scale: 1, now: NOW });
    const anchor = Date.parse('2025-11-18T00:00:00Z');
    const picked = [
      world.series.find((x) => !x.teams && x.enrolled > 800)!,
      world.series.find((x) => x.teams)!,
    ];
    const mismatches: string[] = [];
    let checked = 0;
    for (const series of picked) {
      for (const session of world.sessionsBetween(series, anchor - 7 * 86_400_000, anchor).slice(0, 12)) {
        const fields = splits(world, session);
        for (const field of fields) {
          expect(field.length).toBeLessThanOrEqual(session.week.fieldSize);
          expect(fields[0].length - field.length).toBeLessThanOrEqual(1);
        }
        const ratings = fields.flat().map((e) => e.irating);
        expect([...ratings].sort((a, b) => b - a)).toEqual(ratings);
        const inside = new Set(fields.flat().flatMap((e) => e.drivers.map((d) => d.index)));
        for (let j = 0; j < Math.min(series.enrolled, 400); j++) {
          const m = world.members.enrolledAt(series, j);
          checked++;
          if (raced(world, session, m) !== inside.has(m)) mismatches.push(`${session.sessionId}/${m}`);
        }
        for (const m of inside) if (!raced(world, session, m)) mismatches.push(`${session.sessionId}/${m}!`);
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(mismatches).toEqual([]);
  });

  it('ids decode back to their session and split', () => {
    const world = new World({ seed: 7, scale: 1, now: NOW });
    const anchor = Date.parse('2025-11-18T00:00:00Z');
    for (const series of world.series.slice(0, 20)) {
      for (const session of world.sessionsBetween(series, anchor, anchor + 86_400_000)) {
        expect(world.sessionById(session.sessionId)?.start).toBe(session.start);
        const decoded = world.decodeSubsession(world.subsessionId(session, 3));
        expect([decoded?.session.sessionId, decoded?.split]).toEqual([session.sessionId, 3]);
      }
    }
    expect(world.sessionById(1)).toBeUndefined();
    expect(world.seasonById(world.seasonId(world.series[0], world.anchorQi))?.qi).toBe(world.anchorQi);
  });
});

describe('synthetic dataset: determinism and scale', () => {
  it('same seed, scale and anchor week: identical answers', () => {
    const again = syntheticDataset({ seed: 7, scale: 1, now: new Date('2025-11-18T00:00:00Z') });
    const p = (o: Record<string, string> = {}): URLSearchParams => new URLSearchParams(o);
    for (const [endpoint, params] of [
      ['series/get', {}],
      ['series/seasons', {}],
      ['season/race_guide', {}],
      ['member/info', {}],
      ['stats/member_recent_races', {}],
      ['results/get', { subsession_id: String(soloRows[0].subsession_id) }],
      ['results/season_results', { season_id: String(soloSeason.season_id) }],
    ] as const) {
      const a = JSON.stringify(again.resolve(endpoint, p(params), ctx));
      expect(a).toBe(JSON.stringify(dataset.resolve(endpoint, p(params), ctx)));
      expect(a.length).toBeGreaterThan(10);
    }
    const laps = (d: ReplicaDataset): unknown =>
      d.resolve('results/lap_data', p({ subsession_id: String(soloRows[0].subsession_id) }), ctx);
    expect(laps(again)).toEqual(laps(dataset));
    const other = syntheticDataset({ seed: 8, scale: 1, now: NOW });
    expect(other.resolve('series/get', p(), ctx)).not.toEqual(dataset.resolve('series/get', p(), ctx));
  });

  it('series/seasons at scale 1 is fast; scale 4 works with about 4x the series', () => {
    const fresh = syntheticDataset({ seed: 3, scale: 1, now: NOW });
    let t = performance.now();
    fresh.resolve('series/seasons', new URLSearchParams(), ctx);
    const ms = performance.now() - t;
    expect(ms).toBeLessThan(1500);
    const big = syntheticDataset({ seed: 3, scale: 4, now: NOW });
    t = performance.now();
    const series = big.resolve('series/get', new URLSearchParams(), ctx) as Row[];
    const bigSeasons = big.resolve('series/seasons', new URLSearchParams(), ctx) as Row[];
    expect(series.length).toBeGreaterThan(500);
    expect(bigSeasons.length).toBeGreaterThan(400);
    const guide = big.resolve('season/race_guide', new URLSearchParams(), ctx) as Row;
    expect((guide.sessions as Row[]).length).toBeGreaterThan(200);
    expect(performance.now() - t).toBeLessThan(10_000);
  }, 30_000);
});
