// The synthetic series: what each official series races (category, car classes from the catalog, license
// group), how it schedules its sessions (repeating or fixed time slots), race lengths and its popularity, and the
// `/data/series/get` rows built from them (shaped like ../shared/iracing-samples/series-get.json).
import {
  allowedLicenses,
  CATEGORY_IDS,
  clamp,
  hash,
  TRACK_CATEGORY,
  type Row,
  type SeriesCategory,
  type TrackCategory,
} from './common.js';
import type { SyntheticCatalog } from './catalog.js';
import { Rng } from './random.js';

/** How a series places its sessions in a race week (all times on the 15-minute grid). */
export type Timing =
  | { kind: 'repeating'; firstMinute: number; repeat: number; days: readonly number[] }
  | { kind: 'fixed'; slots: readonly number[] /* minutes after the week's start (Tuesday 00:00 UTC) */ };

export interface SeriesPlan {
  index: number;
  seriesId: number;
  name: string;
  shortName: string;
  category: SeriesCategory;
  trackCategory: TrackCategory;
  licenseGroup: number;
  classIds: number[];
  carIds: number[];
  carTypes: string[];
  multiclass: boolean;
  /** Each week races one of the classes (race_week_car_class_ids / race_week_cars). */
  rotating: boolean;
  fixedSetup: boolean;
  official: boolean;
  teams: boolean;
  /** Dirt series racing heats (is_heat_racing, heat_ses_info). */
  heatRacing: boolean;
  minTeamDrivers: number;
  maxTeamDrivers: number;
  minStarters: number;
  maxStarters: number;
  /** The first quarter the series ran (quarter index, see common.ts). */
  firstQi: number;
  /** How many weeks before its quarter starts a season is published (visible in series/seasons): 2 to 11. */
  publishLeadWeeks: number;
  popularity: number;
  timing: Timing;
  /** Race length target in minutes; lap-limited races turn it into laps per track. */
  raceMinutes: number;
  lapLimited: boolean;
  practiceLength: number;
  qualifyLength: number;
  qualifyLaps: number;
  qualAttached: boolean;
  warmupLength: number;
  weeks: number;
  startType: 'Rolling' | 'Standing';
  restartType: 'Double-file Back' | 'Single-file Maintain';
  ovalCautionType: number;
  roadCautionType: number;
  incidentLimit: number;
  drops: number;
  forumUrl?: string;
  searchFilters?: string;
  logo: string;
  /** Members signed up for it (set by the member pool). */
  enrolled: number;
  enrollOffset: number;
}

const CATEGORY_WEIGHTS: readonly (readonly [SeriesCategory, number])[] = [
  ['oval', 27],
  ['sports_car', 30],
  ['formula_car', 15],
  ['dirt_oval', 16],
  ['dirt_road', 12],
];

const PREFIXES: Record<SeriesCategory, readonly string[]> = {
  oval: ['NASCAR', 'ARCA', 'Oval', 'Short Track', 'Superspeedway', 'National', 'Regional', 'Speedway'],
  sports_car: ['IMSA', 'GT', 'Sports Car', 'Global', 'European', 'Pacific', 'Sprint', 'Touring'],
  formula_car: ['Formula', 'Open Wheel', 'Grand Prix', 'Junior', 'Global', 'Road to'],
  dirt_oval: ['Dirt', 'DIRTcar', 'World of Outlaws', 'Dirt Track', 'Clay'],
  dirt_road: ['Rallycross', 'Off Road', 'Dirt Road', 'Stadium'],
};
const SUFFIXES = ['Series', 'Cup', 'Challenge', 'Tour', 'Championship', 'Trophy', 'League'];
const TEAM_SUFFIXES = ['Endurance Series', 'Enduro Cup', 'Endurance Championship', 'Team Challenge'];
const MAX_STARTERS: readonly (readonly [number, number])[] = [
  [20, 10],
  [24, 12],
  [26, 8],
  [28, 8],
  [30, 10],
  [32, 6],
  [40, 6],
  [50, 4],
  [60, 4],
];
const REPEATS: readonly (readonly [number, number])[] = [
  [15, 5],
  [30, 20],
  [45, 5],
  [60, 30],
  [90, 5],
  [120, 35],
];
const LICENSE_WEIGHTS: readonly (readonly [number, number])[] = [
  [1, 12],
  [2, 22],
  [3, 28],
  [4, 18],
  [5, 20],
];

interface ClassInfo {
  id: number;
  category: SeriesCategory;
  carIds: number[];
  label: string;
  speed: number;
}

function kebab(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The classes of the catalog usable by a series: at least one car still on sale, all of one category. */
function classInfos(catalog: SyntheticCatalog): ClassInfo[] {
  const cars = new Map<number, Row>();
  for (const car of catalog.cars) cars.set(car.car_id as number, car);
  const out: ClassInfo[] = [];
  for (const cls of catalog.carClasses) {
    const members = (cls.cars_in_class as Row[]).map((c) => cars.get(c.car_id as number)).filter((c) => !!c);
    const active = members.filter((c) => c.retired !== true);
    if (active.length === 0) continue;
    const category = (active[0].categories as string[])[0] as SeriesCategory;
    if (!active.every((c) => (c.categories as string[])[0] === category)) continue;
    out.push({
      id: cls.car_class_id as number,
      category,
      carIds: active.map((c) => c.car_id as number),
      label: String(cls.short_name ?? cls.name).replace(/ Class$/, ''),
      speed: cls.relative_speed as number,
    });
  }
  return out;
}

/** Plans `count` series from the catalog; deterministic for the seed. `anchorQi` dates the newest ones. */
export function planSeries(
  seed: number,
  count: number,
  catalog: SyntheticCatalog,
  anchorQi: number,
): SeriesPlan[] {
  const classes = classInfos(catalog);
  const carsById = new Map<number, Row>();
  for (const car of catalog.cars) carsById.set(car.car_id as number, car);
  const tracksByCategory = new Map<TrackCategory, number>();
  for (const t of catalog.tracks) {
    const c = t.category as TrackCategory;
    tracksByCategory.set(c, (tracksByCategory.get(c) ?? 0) + 1);
  }
  const byCategory = new Map<SeriesCategory, ClassInfo[]>();
  for (const c of classes) {
    if (!tracksByCategory.get(TRACK_CATEGORY[c.category])) continue;
    const list = byCategory.get(c.category) ?? [];
    list.push(c);
    byCategory.set(c.category, list);
  }
  const categories = CATEGORY_WEIGHTS.filter(([c]) => (byCategory.get(c)?.length ?? 0) > 0);
  if (categories.length === 0) return [];

  const usedNames = new Set<string>();
  const plans: SeriesPlan[] = [];
  for (let i = 0; i < count; i++) {
    const rng = new Rng(hash(seed, 501, i));
    const category = rng.weighted(categories);
    const pool = byCategory.get(category)!;
    const multiPool = pool.filter((c) => c.carIds.length >= 2);
    const teams = category === 'sports_car' ? rng.bool(0.14) : category === 'oval' && rng.bool(0.02);
    const multiclass =
      pool.length >= 2 && category === 'sports_car' && (teams ? rng.bool(0.7) : rng.bool(0.12));
    const rotating = !multiclass && !teams && pool.length >= 3 && rng.bool(0.07);
    let picked: ClassInfo[];
    if (multiclass || rotating) {
      const n = Math.min(pool.length, rng.int(2, rotating ? 4 : 3));
      picked = [];
      for (const c of rng.shuffle(pool)) {
        if (picked.length >= n) break;
        if (picked.some((p) => p.speed === c.speed)) continue;
        picked.push(c);
      }
      if (picked.length < 2) picked = rng.sample(pool, 2);
      picked.sort((a, b) => b.speed - a.speed);
    } else {
      picked = [rng.pick(multiPool.length > 0 && rng.bool(0.45) ? multiPool : pool)];
    }
    const carIds = [...new Set(picked.flatMap((c) => c.carIds))].sort((a, b) => a - b);
    const carTypes = [
      ...new Set(
        carIds.flatMap((id) =>
          ((carsById.get(id)?.car_types as Row[] | undefined) ?? []).map((t) => String(t.car_type)),
        ),
      ),
    ].sort();

    const licenseGroup = teams ? rng.int(3, 5) : rng.weighted(LICENSE_WEIGHTS);
    const fixedSetup = rng.bool(licenseGroup <= 2 ? 0.5 : 0.25);
    const label = picked.length === 1 ? picked[0].label : category === 'sports_car' ? 'Multiclass' : 'Mixed';
    let name = teams
      ? `${rng.pick(PREFIXES[category])} ${label} ${rng.pick(TEAM_SUFFIXES)}`
      : `${licenseGroup === 1 ? 'Rookie ' : ''}${rng.pick(PREFIXES[category])} ${label} ${rng.pick(SUFFIXES)}`;
    if (fixedSetup) name += ' - Fixed';
    for (let n = 2; usedNames.has(name); n++) name = `${name.replace(/ \d+$/, '')} ${n}`;
    usedNames.add(name);

    const timing: Timing =
      teams || rng.bool(0.25)
        ? { kind: 'fixed', slots: fixedSlots(rng, teams ? rng.int(2, 4) : rng.int(4, 8)) }
        : repeatingTiming(rng);
    const isOval = category === 'oval' || category === 'dirt_oval';
    const raceMinutes = teams
      ? rng.pick([120, 150, 180, 240, 360])
      : licenseGroup <= 2
        ? rng.int(3, 5) * 5
        : rng.int(4, 12) * 5;
    const qualAttached = rng.bool(0.85);
    const firstQi = rng.bool(0.12) ? anchorQi - rng.int(0, 11) : anchorQi - rng.int(12, 70);
    const popularity = Math.exp(rng.float(-1.6, 1.4)) * (licenseGroup <= 2 ? 1.6 : 1) * (teams ? 0.8 : 1);
    const plan: SeriesPlan = {
      index: i,
      seriesId: 0,
      name,
      shortName: name,
      category,
      trackCategory: TRACK_CATEGORY[category],
      licenseGroup,
      classIds: picked.map((c) => c.id),
      carIds,
      carTypes,
      multiclass,
      rotating,
      fixedSetup,
      official: rng.bool(0.95),
      teams,
      heatRacing: category === 'dirt_oval' && (rng.bool(0.2) || !plans.some((p) => p.heatRacing)),
      minTeamDrivers: teams ? rng.int(1, 2) : 1,
      maxTeamDrivers: teams ? rng.int(2, 4) : 1,
      minStarters: rng.pick([4, 5, 6, 6, 6, 8]),
      maxStarters: teams ? rng.pick([40, 50, 60]) : rng.weighted(MAX_STARTERS),
      firstQi,
      publishLeadWeeks: rng.int(2, 11),
      popularity,
      timing,
      raceMinutes,
      lapLimited: isOval ? true : !teams && rng.bool(0.35),
      practiceLength: teams ? rng.pick([30, 45, 60]) : rng.pick([3, 3, 5, 10, 15]),
      qualifyLength: qualAttached ? rng.pick([5, 5, 8, 10]) : 0,
      qualifyLaps: qualAttached
        ? rng.weighted([
            [2, 8],
            [1, 1],
            [3, 1],
          ] as const)
        : 0,
      qualAttached,
      warmupLength: teams ? 5 : 0,
      weeks: rng.weighted([
        [12, 85],
        [8, 7],
        [13, 8],
      ] as const),
      startType: isOval || rng.bool(0.6) ? 'Rolling' : 'Standing',
      restartType: rng.bool(0.85) ? 'Double-file Back' : 'Single-file Maintain',
      ovalCautionType: isOval ? rng.pick([0, 3, 4]) : 0,
      roadCautionType: isOval ? 0 : rng.pick([0, 1, 2]),
      incidentLimit: rng.pick([0, 17, 25, 25, 40]),
      drops: rng.pick([4, 6, 7, 8]),
      logo: `${kebab(name).replace(/-/g, '')}-logo.png`,
      enrolled: 0,
      enrollOffset: 0,
    };
    if (rng.bool(0.5)) plan.forumUrl = `https://forums.iracing.com/categories/${kebab(name)}`;
    if (rng.bool(0.25)) {
      plan.searchFilters =
        category === 'oval'
          ? 'nascar,oval'
          : category === 'dirt_oval'
            ? 'dirtoval'
            : category === 'formula_car'
              ? 'openwheel,road'
              : category === 'dirt_road'
                ? 'dirtroad'
                : 'sportscar,road';
    }
    plans.push(plan);
  }

  // Series ids: ascending with the first season, with gaps like ids of series that were retired.
  const idRng = new Rng(hash(seed, 502));
  const order = plans.map((p) => p.index).sort((a, b) => plans[a].firstQi - plans[b].firstQi || a - b);
  let id = 1;
  for (const index of order) {
    id += idRng.int(1, 4);
    plans[index].seriesId = id;
  }
  return plans;
}

function repeatingTiming(rng: Rng): Timing {
  const repeat = rng.weighted(REPEATS);
  const firstMinute = rng.int(0, repeat / 15 - 1) * 15;
  const days = rng.bool(0.9) ? [0, 1, 2, 3, 4, 5, 6] : [3, 4, 5, 6];
  return { kind: 'repeating', firstMinute, repeat, days };
}

/** `count` distinct slots in the week, on the hour or half hour, spread over the days. */
function fixedSlots(rng: Rng, count: number): number[] {
  const slots = new Set<number>();
  while (slots.size < count) {
    const day = rng.int(0, 6);
    const minute = rng.int(0, 23) * 60 + (rng.bool(0.2) ? 30 : 0);
    slots.add(day * 1440 + minute);
  }
  return [...slots].sort((a, b) => a - b);
}

/** The `/data/series/get` row of a series. */
export function seriesRow(plan: SeriesPlan, anchorQi: number): Row {
  const first = Math.min(plan.firstQi, anchorQi);
  const row: Row = {
    allowed_licenses: allowedLicenses(plan.licenseGroup),
    category: plan.category,
    category_id: CATEGORY_IDS[plan.category],
    eligible: plan.licenseGroup <= 3 || plan.index % 5 !== 0,
    first_season: { season_year: Math.floor(first / 4), season_quarter: (first % 4) + 1 },
    max_starters: plan.maxStarters,
    min_starters: plan.minStarters,
    oval_caution_type: plan.ovalCautionType,
    road_caution_type: plan.roadCautionType,
    series_id: plan.seriesId,
    series_name: plan.name,
    series_short_name: plan.shortName,
  };
  if (plan.forumUrl !== undefined) row.forum_url = plan.forumUrl;
  if (plan.searchFilters !== undefined) row.search_filters = plan.searchFilters;
  return row;
}

/** A catalog track's lap time in seconds for the fastest of the given class speeds. */
export function lapSeconds(track: Row, relativeSpeed: number): number {
  const nominal = track.nominal_lap_time as number | undefined;
  const length = (track.track_config_length as number | undefined) ?? 1.5;
  const mph =
    track.category === 'oval'
      ? 140
      : track.category === 'road'
        ? 95
        : track.category === 'dirt_oval'
          ? 75
          : 50;
  const base = nominal ?? (length * 3600) / mph;
  return base * clamp(1.3 - relativeSpeed / 300, 0.85, 1.3);
}
