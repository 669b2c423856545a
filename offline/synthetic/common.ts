// Shared helpers of the synthetic iRacing world: stateless hashing to uniform numbers (so any record can be
// generated on its own, in any order), time arithmetic on iRacing's calendar (weeks start Tuesday 00:00 UTC,
// quarters start on a Tuesday about every 13 weeks), ISO formatting and iRacing's fixed vocabularies.
import { mixSeed } from './random.js';

export type Row = Record<string, unknown>;

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const WEEK = 7 * DAY;
/** Session start times are on this grid (first session times and repeats are multiples of it). */
export const SLOT = 15 * MINUTE;

/** A 32-bit hash of a seed and integer keys (each key must fit 32 bits once truncated). */
export function hash(seed: number, a: number, b = 0, c = 0, d = 0): number {
  let h = mixSeed(seed, a);
  h = mixSeed(h, b);
  if (c !== 0) h = mixSeed(h, c);
  if (d !== 0) h = mixSeed(h, d);
  return h;
}

/** A hash as a float in [0, 1). */
export const unit = (h: number): number => h / 4294967296;

export const clamp = (v: number, min: number, max: number): number => (v < min ? min : v > max ? max : v);

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** `YYYY-MM-DD` of a UTC day number (days since 1970-01-01), without a Date (civil-from-days). */
function civil(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

function clockOf(ms: number): string {
  const s = Math.floor((ms - Math.floor(ms / DAY) * DAY) / 1000);
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
}

/** `2025-09-09`. */
export const isoDay = (ms: number): string => civil(Math.floor(ms / DAY));
/** `2025-09-09T12:00:00` (simulated local times carry no zone). */
export const isoLocal = (ms: number): string => `${isoDay(ms)}T${clockOf(ms)}`;
/** `2025-09-09T12:00:00Z` (no milliseconds, as the API writes times). */
export const isoTime = (ms: number): string => `${isoLocal(ms)}Z`;
/** `HH:MM:00` for minutes after midnight. */
export const clock = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;

/** Parses an ISO time leniently (`2025-09-09T12:00Z`, `2025-09-09`, offsets); undefined when invalid. */
export function parseTime(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

/** The most recent Tuesday 00:00 UTC at or before `ms`: iRacing weeks start then. */
export function tuesdayOnOrBefore(ms: number): number {
  const midnight = Math.floor(ms / DAY) * DAY;
  const weekday = new Date(midnight).getUTCDay(); // 0 = Sunday, 2 = Tuesday
  return midnight - ((weekday + 5) % 7) * DAY;
}

/**
 * Quarters are numbered `year * 4 + quarter - 1`. Season 1 of year Y starts on the first Tuesday on or after
 * 10 December of Y-1, seasons 2, 3 and 4 on the first Tuesday on or after 10 March, June and September: 12 to
 * 14 weeks apart, like iRacing's.
 */
export function quarterStart(qi: number): number {
  const year = Math.floor(qi / 4);
  const q = qi - year * 4;
  const base = Date.UTC(q === 0 ? year - 1 : year, [11, 2, 5, 8][q], 10);
  const weekday = new Date(base).getUTCDay();
  return base + ((2 - weekday + 7) % 7) * DAY;
}

/** The quarter whose start is the latest at or before `ms`. */
export function quarterOf(ms: number): number {
  let qi = (new Date(ms).getUTCFullYear() + 1) * 4 + 3;
  while (quarterStart(qi) > ms) qi--;
  return qi;
}

export const yearOfQuarter = (qi: number): number => Math.floor(qi / 4);
export const numberOfQuarter = (qi: number): number => qi - Math.floor(qi / 4) * 4 + 1;
export const quarterIndex = (year: number, quarter: number): number => year * 4 + quarter - 1;

// ---------------------------------------------------------------------------------------------------------------
// Vocabularies

export type SeriesCategory = 'oval' | 'sports_car' | 'formula_car' | 'dirt_oval' | 'dirt_road';
export type TrackCategory = 'oval' | 'road' | 'dirt_oval' | 'dirt_road';

export const CATEGORY_IDS: Record<SeriesCategory | TrackCategory, number> = {
  oval: 1,
  road: 2,
  dirt_oval: 3,
  dirt_road: 4,
  sports_car: 5,
  formula_car: 6,
};

export const TRACK_CATEGORY: Record<SeriesCategory, TrackCategory> = {
  oval: 'oval',
  sports_car: 'road',
  formula_car: 'road',
  dirt_oval: 'dirt_oval',
  dirt_road: 'dirt_road',
};

/** How results name categories: `results/get` writes `Sports_Car`, `results/search_series` `Sports Car`. */
export const CATEGORY_TITLES: Record<SeriesCategory | TrackCategory, string> = {
  oval: 'Oval',
  road: 'Road',
  dirt_oval: 'Dirt Oval',
  dirt_road: 'Dirt Road',
  sports_car: 'Sports Car',
  formula_car: 'Formula Car',
};

/** The member license categories, in member/info order. */
export const LICENSE_CATEGORIES: readonly SeriesCategory[] = [
  'oval',
  'sports_car',
  'formula_car',
  'dirt_oval',
  'dirt_road',
];

export interface LicenseGroup {
  id: number;
  name: string;
  min: number;
  max: number;
  color: string;
}

export const LICENSE_GROUPS: readonly LicenseGroup[] = [
  { id: 1, name: 'Rookie', min: 1, max: 4, color: 'fc0706' },
  { id: 2, name: 'Class D', min: 5, max: 8, color: 'ff8c00' },
  { id: 3, name: 'Class C', min: 9, max: 12, color: 'feec04' },
  { id: 4, name: 'Class B', min: 13, max: 16, color: '33cc00' },
  { id: 5, name: 'Class A', min: 17, max: 20, color: '0153db' },
  { id: 6, name: 'Pro', min: 21, max: 24, color: '000000' },
  { id: 7, name: 'Pro/WC', min: 25, max: 28, color: '000000' },
];

export const groupOfLevel = (level: number): LicenseGroup =>
  LICENSE_GROUPS[clamp(Math.ceil(level / 4), 1, LICENSE_GROUPS.length) - 1];

/** The series' allowed licenses: from the top level of the group below `group`, as the API lists them. */
export function allowedLicenses(group: number, parentId?: number): Row[] {
  const out: Row[] = [];
  for (const g of LICENSE_GROUPS) {
    if (g.id < group - 1) continue;
    const row: Row = {
      group_name: g.name,
      license_group: g.id,
      max_license_level: g.max,
      min_license_level: g.id === group - 1 ? g.max : g.min,
    };
    if (parentId !== undefined) row.parent_id = parentId;
    out.push(row);
  }
  return out;
}

export const EVENT_TYPES: readonly { label: string; value: number }[] = [
  { label: 'Practice', value: 2 },
  { label: 'Qualify', value: 3 },
  { label: 'Time Trial', value: 4 },
  { label: 'Race', value: 5 },
];

/** iRacing's strength of field: 1600/ln2 · ln(n / Σ exp(-iR · ln2 / 1600)). */
export function strengthOfField(ratings: readonly number[]): number {
  if (ratings.length === 0) return 0;
  const k = Math.LN2 / 1600;
  let sum = 0;
  for (const r of ratings) sum += Math.exp(-r * k);
  return Math.round(Math.log(ratings.length / sum) / k);
}

/** Extended Euclid: the inverse of `a` modulo `m` (a and m coprime, m >= 1). */
export function modInverse(a: number, m: number): number {
  if (m === 1) return 0;
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

/** Primes above 2^30: strides of affine permutations, coprime to any smaller modulus. */
export const STRIDE_PRIMES: readonly number[] = [
  1073741827, 1073741831, 1073741833, 1073741839, 1073741843, 1073741857, 1073741891, 1073741909, 1073741939,
  1073741953, 1073741969, 1073741971, 1073741987, 1073741993, 1073742037, 1073742053,
];
