// Who races when in the synthetic world: each session's entry count (hashed from its id, shaped by the series'
// popularity and the time of day), its entrants (an affine permutation of the series' members or teams, so
// "is this member in this session" is O(1)), the splits (entrants by iRating, cut into balanced fields), and the
// season/race_guide payload (shaped like ../shared/iracing-samples/season-race_guide.json).
import { hash, HOUR, isoTime, MINUTE, modInverse, STRIDE_PRIMES, unit, type Row } from './common.js';
import type { Member } from './members.js';
import { weekStarts } from './seasons.js';
import type { SeriesPlan } from './series.js';
import { MAX_SPLITS, type SessionRef, type World } from './world.js';

/** Registration opens this long before a session: the race guide gives session ids and entries from then. */
export const REGISTRATION_WINDOW = 30 * MINUTE;
/** The race guide covers this long after `from`. */
export const RACE_GUIDE_SPAN = 3 * HOUR;

export interface Entrant {
  /** Member index (solo series) or team index (team series). */
  key: number;
  team: boolean;
  /** The team's id (positive), 0 for a driver. */
  teamId: number;
  name: string;
  drivers: Member[];
  carId: number;
  classId: number;
  irating: number;
  carNumber: string;
}

/** How many members (or teams) a series can field. */
export const poolSize = (world: World, series: SeriesPlan): number =>
  series.teams ? world.members.teamCount(series) : series.enrolled;

/** The session's final number of entrants (members or teams); 0 when nobody raced. */
export function entryCount(world: World, s: SessionRef): number {
  const pool = poolSize(world, s.series);
  if (pool === 0) return 0;
  const perWeek = weekStarts(s.week).length;
  const hourUtc = new Date(s.start).getUTCHours();
  const timeOfDay = 0.55 + 0.45 * Math.sin(((hourUtc - 13) / 24) * 2 * Math.PI);
  const mean = ((pool * 1.6) / perWeek) * timeOfDay;
  const u = unit(hash(world.seed, 901, s.slot));
  const count = Math.floor(mean * (0.3 + 1.4 * u));
  return Math.min(count, pool, MAX_SPLITS * s.week.fieldSize);
}

interface Permutation {
  offset: number;
  stride: number;
  inverse: number;
  pool: number;
  count: number;
}

function permutation(world: World, s: SessionRef): Permutation {
  const pool = poolSize(world, s.series);
  const h = hash(world.seed, 902, s.slot);
  const stride = pool > 1 ? STRIDE_PRIMES[h % STRIDE_PRIMES.length] % pool : 0;
  return {
    offset: pool > 0 ? hash(world.seed, 903, s.slot) % pool : 0,
    stride,
    inverse: pool > 1 ? modInverse(stride, pool) : 0,
    pool,
    count: entryCount(world, s),
  };
}

/** The entrant keys in registration order. */
export function entrantKeys(world: World, s: SessionRef): number[] {
  const p = permutation(world, s);
  const out: number[] = [];
  for (let i = 0; i < p.count; i++) {
    const pos = (p.offset + i * p.stride) % p.pool;
    out.push(s.series.teams ? pos : world.members.enrolledAt(s.series, pos));
  }
  return out;
}

/** Whether a member raced a session (alone or in a team). */
export function raced(world: World, s: SessionRef, memberIndex: number): boolean {
  const series = s.series;
  const pos = series.teams
    ? world.members.teamOf(series, memberIndex)
    : world.members.positionIn(series, memberIndex);
  if (pos < 0) return false;
  const p = permutation(world, s);
  if (p.count === 0) return false;
  const i = (((((pos - p.offset) % p.pool) + p.pool) % p.pool) * p.inverse) % p.pool;
  return i < p.count;
}

function classCars(world: World, classId: number, weekCars: readonly number[]): number[] {
  const cls = world.classes.get(classId);
  const cars = ((cls?.cars_in_class as Row[] | undefined) ?? []).map((c) => c.car_id as number);
  const usable = cars.filter((id) => weekCars.includes(id));
  return usable.length > 0 ? usable : [...weekCars];
}

function entrantOf(world: World, s: SessionRef, key: number): Entrant {
  const series = s.series;
  const members = world.members;
  const drivers = series.teams
    ? members.teamMembers(series, key).map((i) => members.member(i))
    : [members.member(key)];
  const h = hash(world.seed, 904, s.season.seasonId, key, series.teams ? 1 : 0);
  const classIds = s.week.classIds;
  const classId = classIds[h % classIds.length];
  const cars = classCars(world, classId, s.week.carIds);
  const carId = cars[(h >>> 8) % cars.length];
  let sum = 0;
  for (const d of drivers) sum += members.iratingAt(d, series.category, s.start);
  return {
    key,
    team: series.teams,
    teamId: series.teams ? members.teamId(series, key) : 0,
    name: series.teams ? members.teamName(series, key) : drivers[0].displayName,
    drivers,
    carId,
    classId,
    irating: Math.round(sum / drivers.length),
    carNumber: series.teams ? String((key % 98) + 1) : drivers[0].livery.number,
  };
}

const splitCache = new WeakMap<World, Map<number, Entrant[][]>>();

/** The session's splits: entrants sorted by iRating, cut into balanced fields of at most the week's field size. */
export function splits(world: World, s: SessionRef): Entrant[][] {
  let cache = splitCache.get(world);
  if (!cache) splitCache.set(world, (cache = new Map()));
  const cached = cache.get(s.slot);
  if (cached) return cached;
  const entrants = entrantKeys(world, s).map((key) => entrantOf(world, s, key));
  entrants.sort((a, b) => b.irating - a.irating || a.key - b.key);
  const out: Entrant[][] = [];
  if (entrants.length > 0) {
    const n = Math.ceil(entrants.length / s.week.fieldSize);
    const base = Math.floor(entrants.length / n);
    const rem = entrants.length % n;
    let at = 0;
    for (let k = 0; k < n; k++) {
      const size = base + (k < rem ? 1 : 0);
      out.push(entrants.slice(at, at + size));
      at += size;
    }
  }
  if (cache.size >= 5000) cache.clear();
  cache.set(s.slot, out);
  return out;
}

/** Number of subsessions (splits) of a session, without building the entrants. */
export function splitCount(world: World, s: SessionRef): number {
  const count = entryCount(world, s);
  return count === 0 ? 0 : Math.ceil(count / s.week.fieldSize);
}

// ---------------------------------------------------------------------------------------------------------------
// season/race_guide

/** The race guide: sessions starting in [from, from + 3 h), and (optionally) those running at `from`. */
export function raceGuide(world: World, from: number, includeEndAfterFrom: boolean): Row {
  const to = from + RACE_GUIDE_SPAN;
  const sessions: { row: Row; start: number; entries: number; seasonId: number }[] = [];
  for (const series of world.series) {
    // Sessions last at most a day: look back that far for those still running at `from`.
    const lookBack = includeEndAfterFrom ? 24 * HOUR : 0;
    for (const s of world.sessionsBetween(series, from - lookBack, to)) {
      const end = world.scheduledEnd(s);
      if (s.start < from && end <= from) continue;
      const total = entryCount(world, s);
      const untilStart = s.start - from;
      const open = untilStart <= REGISTRATION_WINDOW;
      const entries =
        untilStart <= 0
          ? total
          : open
            ? Math.round(total * (1 - untilStart / (REGISTRATION_WINDOW * 1.5)))
            : 0;
      const row: Row = {
        season_id: s.season.seasonId,
        start_time: isoTime(s.start),
        super_session: false,
        series_id: series.seriesId,
        race_week_num: s.week.num,
        end_time: isoTime(end),
      };
      if (open) row.session_id = s.sessionId;
      row.entry_count = entries;
      sessions.push({ row, start: s.start, entries, seasonId: s.season.seasonId });
    }
  }
  sessions.sort((a, b) => a.start - b.start || b.entries - a.entries || a.seasonId - b.seasonId);
  return {
    subscribed: false,
    sessions: sessions.map((x) => x.row),
    block_begin_time: isoTime(from),
    block_end_time: isoTime(to),
    success: true,
  };
}
