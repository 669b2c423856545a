// The project's deterministic synthetic dataset, served by the offline replica at any scale: a whole iRacing
// world (catalog, series, seasons around an anchor date, sessions, results, laps, members, weather forecasts)
// generated from a seed (synthetic/world.ts). This file maps `/data/<endpoint>` parameters onto it, parsing them
// leniently like iRacing (booleans `true/false/1/0`, comma lists). Live things (the race guide's default `from`,
// which sessions have finished and so have results) follow `ctx.now`; the world itself follows the anchor.
import { ChunkedPayload, type DatasetContext, type ReplicaDataset } from './datasets.js';
import { EVENT_TYPES, isoTime, parseTime, quarterIndex, quarterStart, type Row } from './synthetic/common.js';
import { memberGetRow, memberInfo } from './synthetic/members.js';
import {
  lapData,
  memberSummary,
  recentRaces,
  resultsGet,
  searchSeries,
  seasonResults,
  type SearchQuery,
} from './synthetic/results.js';
import {
  pastSeasonRow,
  scheduleRow,
  seasonListRow,
  seasonRow,
  seasonShortRow,
  weatherInput,
} from './synthetic/seasons.js';
import { raceGuide } from './synthetic/sessions.js';
import { seriesRow } from './synthetic/series.js';
import { chartData, driverStandings, memberTotals, worldRecordRows } from './synthetic/stats.js';
import { forecastRows, parseForecastPath } from './synthetic/weather.js';
import { World } from './synthetic/world.js';

export interface SyntheticOptions {
  seed?: number;
  scale?: number;
  /** The anchor date (rounded down to the most recent Tuesday 00:00 UTC); defaults to now at construction. */
  now?: Date;
}

const int = (v: string | null): number | undefined => {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v.trim());
  return Number.isInteger(n) ? n : undefined;
};
const bool = (v: string | null): boolean | undefined => {
  if (v === null) return undefined;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no' || s === '') return false;
  return undefined;
};
const ints = (v: string | null): number[] | undefined => {
  if (v === null || v.trim() === '') return undefined;
  const out = v
    .split(',')
    .map((x) => int(x))
    .filter((x): x is number => x !== undefined);
  return out.length > 0 ? out : undefined;
};

/** The synthetic dataset; deterministic for a seed, a scale and an anchor date. */
export function syntheticDataset(options: SyntheticOptions = {}): ReplicaDataset {
  const world = new World(options);
  const fixed = new Map<string, unknown>();
  const once = (key: string, build: () => unknown): unknown => {
    if (!fixed.has(key)) fixed.set(key, build());
    return fixed.get(key);
  };
  const contextOf = (ctx: DatasetContext | undefined): DatasetContext => ({
    baseUrl: (ctx?.baseUrl ?? '').replace(/\/$/, ''),
    now: ctx?.now ?? new Date(),
  });

  const requestedQuarter = (p: URLSearchParams): number | undefined => {
    const year = int(p.get('season_year'));
    const quarter = int(p.get('season_quarter'));
    return year !== undefined && quarter !== undefined && quarter >= 1 && quarter <= 4
      ? quarterIndex(year, quarter)
      : undefined;
  };
  /** The quarter asked for, or the seasons active at the anchor plus the next quarter's published ones. */
  const seasonsFor = (p: URLSearchParams) => {
    const qi = requestedQuarter(p);
    return qi !== undefined
      ? world.seasonsOfQuarter(qi)
      : [...world.seasonsOfQuarter(world.anchorQi), ...world.seasonsOfQuarter(world.anchorQi + 1)];
  };
  const member = (p: URLSearchParams): number | undefined => {
    const custId = int(p.get('cust_id'));
    return custId === undefined ? world.members.accountIndex : world.members.indexOf(custId);
  };

  const handlers: Record<string, (p: URLSearchParams, ctx: DatasetContext) => unknown> = {
    'car/get': () => world.catalog.cars,
    'carclass/get': () => world.catalog.carClasses,
    'track/get': () => world.catalog.tracks,
    'constants/event_types': () => EVENT_TYPES.map((e) => ({ ...e })),
    'series/get': () =>
      once('series/get', () =>
        world.series.filter((s) => s.firstQi <= world.anchorQi).map((s) => seriesRow(s, world.anchorQi)),
      ),
    'series/seasons': (p, ctx) => seasonsFor(p).map((s) => seasonRow(world, s, ctx.baseUrl)),
    'series/season_list': (p) => ({ seasons: seasonsFor(p).map((s) => seasonListRow(world, s)) }),
    'series/season_schedule': (p, ctx) => {
      const season = world.seasonById(int(p.get('season_id')) ?? -1);
      if (!season) return undefined;
      return {
        success: true,
        season_id: season.seasonId,
        schedules: season.weeks.map((w) => scheduleRow(world, season, w, ctx.baseUrl, true)),
      };
    },
    'series/past_seasons': (p) => {
      const series = world.seriesById.get(int(p.get('series_id')) ?? -1);
      if (!series || series.firstQi > world.anchorQi) return undefined;
      const seasons = [];
      for (let qi = world.anchorQi; qi >= world.firstQi; qi--) {
        const season = world.season(series, qi);
        if (season) seasons.push(pastSeasonRow(world, season));
      }
      const row = seriesRow(series, world.anchorQi);
      const info: Row = {
        series_id: series.seriesId,
        series_name: series.name,
        series_short_name: series.shortName,
        category_id: row.category_id,
        category: series.category,
        active: true,
        official: series.official,
        fixed_setup: series.fixedSetup,
      };
      if (series.searchFilters !== undefined) info.search_filters = series.searchFilters;
      Object.assign(info, {
        logo: series.logo,
        license_group: series.licenseGroup,
        license_group_types: [{ license_group_type: series.licenseGroup }],
        allowed_licenses: (row.allowed_licenses as Row[]).map((l) => ({ ...l, parent_id: series.seriesId })),
        seasons,
      });
      return { success: true, series: info, series_id: series.seriesId };
    },
    'season/list': (p) => {
      const qi = requestedQuarter(p) ?? world.anchorQi;
      return {
        season_quarter: (qi % 4) + 1,
        seasons: world.seasonsOfQuarter(qi).map(seasonShortRow),
        season_year: Math.floor(qi / 4),
      };
    },
    'season/race_guide': (p, ctx) =>
      raceGuide(
        world,
        parseTime(p.get('from')) ?? ctx.now.getTime(),
        bool(p.get('include_end_after_from')) ?? false,
      ),
    'results/get': (p, ctx) => resultsGet(world, int(p.get('subsession_id')) ?? -1, ctx.now.getTime()),
    'results/lap_data': (p, ctx) => {
      const data = lapData(
        world,
        {
          subsessionId: int(p.get('subsession_id')) ?? -1,
          simsessionNumber: int(p.get('simsession_number')) ?? 0,
          custId: int(p.get('cust_id')),
          teamId: int(p.get('team_id')),
        },
        ctx.now.getTime(),
      );
      return data ? new ChunkedPayload(data.header, data.rows, { rowsPerChunk: 500 }) : undefined;
    },
    'results/season_results': (p, ctx) => {
      const season = world.seasonById(int(p.get('season_id')) ?? -1);
      if (!season) return undefined;
      return seasonResults(
        world,
        season,
        int(p.get('race_week_num')),
        int(p.get('event_type')),
        ctx.now.getTime(),
      );
    },
    'results/search_series': (p, ctx) => {
      const now = ctx.now.getTime();
      const qi = requestedQuarter(p);
      const startBegin = parseTime(p.get('start_range_begin'));
      const startEnd = parseTime(p.get('start_range_end'));
      const finishBegin = parseTime(p.get('finish_range_begin'));
      const finishEnd = parseTime(p.get('finish_range_end'));
      const lower = [startBegin, finishBegin === undefined ? undefined : finishBegin - 24 * 3_600_000];
      const upper = [startEnd, finishEnd];
      if (qi !== undefined) {
        lower.push(quarterStart(qi));
        upper.push(quarterStart(qi + 1));
      }
      const lows = lower.filter((x): x is number => x !== undefined);
      const highs = upper.filter((x): x is number => x !== undefined);
      const query: SearchQuery = {
        from: lows.length > 0 ? Math.max(...lows) : quarterStart(world.anchorQi),
        to: highs.length > 0 ? Math.min(...highs) : now,
        finishFrom: finishBegin,
        finishTo: finishEnd,
        seriesId: int(p.get('series_id')),
        raceWeek: int(p.get('race_week_num')),
        officialOnly: bool(p.get('official_only')) ?? false,
        eventTypes: ints(p.get('event_types')),
        categoryIds: ints(p.get('category_ids')),
        seasonQi: qi,
      };
      const echo: Row = { category_ids: query.categoryIds ?? [1, 2, 3, 4, 5, 6] };
      for (const key of [
        'series_id',
        'season_year',
        'season_quarter',
        'race_week_num',
        'cust_id',
        'team_id',
      ]) {
        const v = int(p.get(key));
        if (v !== undefined) echo[key] = v;
      }
      for (const key of ['start_range_begin', 'start_range_end', 'finish_range_begin', 'finish_range_end']) {
        const v = p.get(key);
        if (v !== null) echo[key] = v;
      }
      echo.official_only = query.officialOnly;
      echo.event_types = query.eventTypes ?? [2, 3, 4, 5];
      return new ChunkedPayload({}, searchSeries(world, query, now), {
        rowsPerChunk: 500,
        direct: { type: 'search_series_results', params: echo },
      });
    },
    'member/info': () =>
      once('member/info', () => {
        const top = world.members.seriesOf(world.members.accountIndex)[0];
        const season = top ? world.season(top, world.anchorQi) : undefined;
        return memberInfo(world.members, world.catalog, season?.seasonId ?? 0, world.seed);
      }),
    'member/get': (p) => {
      const ids = ints(p.get('cust_ids'));
      if (!ids) return undefined;
      const includeLicenses = bool(p.get('include_licenses')) ?? false;
      const members = ids
        .map((id) => world.members.indexOf(id))
        .filter((i): i is number => i !== undefined)
        .map((i) => memberGetRow(world.members.member(i), includeLicenses));
      return members.length > 0 ? { success: true, cust_ids: ids, members } : undefined;
    },
    'stats/member_summary': (p, ctx) => {
      const m = member(p);
      return m === undefined ? undefined : memberSummary(world, m, ctx.now.getTime());
    },
    'stats/member_recent_races': (p, ctx) => {
      const m = member(p);
      return m === undefined ? undefined : recentRaces(world, m, ctx.now.getTime());
    },
    'stats/season_driver_standings': (p, ctx) => {
      const season = world.seasonById(int(p.get('season_id')) ?? -1);
      const carClassId = int(p.get('car_class_id'));
      if (!season || carClassId === undefined) return undefined;
      const division = int(p.get('division'));
      const raceWeek = int(p.get('race_week_num'));
      const data = driverStandings(
        world,
        season,
        {
          carClassId,
          division: division === undefined || division < 0 ? undefined : division,
          raceWeek: raceWeek === undefined || raceWeek < 0 ? undefined : raceWeek,
        },
        ctx.now.getTime(),
        ctx.baseUrl,
      );
      return data ? new ChunkedPayload(data.header, data.rows, { rowsPerChunk: 500 }) : undefined;
    },
    'member/chart_data': (p, ctx) => {
      const m = member(p);
      const categoryId = int(p.get('category_id'));
      const chartType = int(p.get('chart_type'));
      if (m === undefined || categoryId === undefined || chartType === undefined) return undefined;
      return chartData(world, m, categoryId, chartType, ctx.now.getTime());
    },
    'stats/member_yearly': (p, ctx) => {
      const m = member(p);
      if (m === undefined) return undefined;
      const stats = memberTotals(world, m, true, ctx.now.getTime());
      return { stats, cust_id: world.members.member(m).custId };
    },
    'stats/member_career': (p, ctx) => {
      const m = member(p);
      if (m === undefined) return undefined;
      const stats = memberTotals(world, m, false, ctx.now.getTime());
      return { stats, cust_id: world.members.member(m).custId };
    },
    'stats/world_records': (p, ctx) => {
      const carId = int(p.get('car_id'));
      const trackId = int(p.get('track_id'));
      if (
        carId === undefined ||
        trackId === undefined ||
        !world.cars.has(carId) ||
        !world.tracks.has(trackId)
      )
        return undefined;
      const now = ctx.now.getTime();
      const rows = worldRecordRows(world, carId, trackId, requestedQuarter(p), now);
      const header = { success: true, car_id: carId, track_id: trackId, last_updated: isoTime(now) };
      return new ChunkedPayload(header, rows, { rowsPerChunk: 2000, typed: 'stats_world_records' });
    },
  };

  return {
    resolve: (endpoint, params, ctx) => {
      const handler = handlers[endpoint.replace(/^\/+|\/+$/g, '')];
      return handler ? handler(params, contextOf(ctx)) : undefined;
    },
    file: (path) => {
      const ref = parseForecastPath(path.replace(/^\/+/, ''));
      if (!ref) return undefined;
      const season = world.seasonById(ref.seasonId);
      const week = season?.weeks[ref.weekNum];
      if (!season || !week || week.weatherVersion !== ref.version) return undefined;
      return forecastRows(weatherInput(world, season, week));
    },
  };
}
