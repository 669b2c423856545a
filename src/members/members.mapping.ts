// Pure mapping from iRacing member payloads (member/info, member/get, stats/member_summary,
// stats/member_recent_races) to sim_profile rows, owned package ids and the GraphQL views of the jsonb columns.
// No I/O, so it is unit-testable against the recorded samples.
//
// A profile row carries only the columns its source knows: member/info has first and last names but no club,
// member/get a club but no names, so each source updates its own columns and leaves the others alone. A null
// never erases a stored value either (members.importer.ts merges: COALESCE per column, licenses per category).
import type { IracingMemberInfo } from '../iracing/iracing.payloads.js';
import type { MemberLicense, MemberSummary } from './entities/member.entity.js';

type Obj = Record<string, unknown>;

/** A sim_profile row: `cust_id`, `display_name` and `raw` always; the other columns only when the source has them. */
export interface ProfileRow {
  cust_id: number;
  /** Null when the source has none: the stored name is then kept. */
  display_name: string | null;
  first_name?: string | null;
  last_name?: string | null;
  /** `YYYY-MM-DD`. */
  member_since?: string | null;
  flair_name?: string | null;
  flair_id?: number | null;
  flair_shortname?: string | null;
  /** `flair_country_code` (member/info); member/get may send only `flair_shortname`. */
  country_code?: string | null;
  club_name?: string | null;
  /** Merged into the stored licenses by category, field by field: a null field keeps the stored value. */
  licenses?: Obj[];
  summary?: Obj | null;
  /**
   * Merged into the stored `raw` (top-level keys), so member/info and member/get do not erase each other; null
   * values are left out.
   */
  raw: Obj;
}

/**
 * Payload fields kept out of `raw`: the ones stored in columns, the owned packages (tables of their own), the
 * account's billing details, and `last_login`, which changes at every login and would make every sync an update.
 */
const NOT_RAW = new Set([
  'cust_id',
  'display_name',
  'first_name',
  'last_name',
  'member_since',
  'flair_name',
  'flair_id',
  'flair_shortname',
  'flair_country_code',
  'country_code',
  'club_name',
  'licenses',
  'car_packages',
  'track_packages',
  'other_owned_packages',
  'account',
  'last_login',
  'success',
]);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

/** `2023-07-31` or an ISO date-time → `2023-07-31`; anything else → null. */
export function calendarDate(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(v.trim());
  return m && !Number.isNaN(Date.parse(m[1])) ? m[1] : null;
}

/**
 * The key licenses are merged by: `category_id`, else `category` (as text, as the SQL merge reads them with
 * `->>`). Null for a license that names no category.
 */
export function licenseKey(l: Obj): string | null {
  const id = intOrNull(l.category_id);
  return id !== null ? String(id) : text(l.category);
}

/**
 * iRacing's licenses, as one list in iRacing's order: member/info keys them by category, member/get lists them.
 * One per category (the last one given wins); a license that names no category cannot be merged and is left out.
 */
export function licenseList(v: unknown): Obj[] | undefined {
  const list = Array.isArray(v) ? v : isObj(v) ? Object.values(v) : undefined;
  if (!list) return undefined;
  const byKey = new Map<string, Obj>();
  for (const l of list.filter(isObj)) {
    const key = licenseKey(l);
    if (key !== null) byKey.set(key, l);
  }
  return [...byKey.values()].sort((a, b) => (intOrNull(a.seq) ?? 0) - (intOrNull(b.seq) ?? 0));
}

function rawOf(payload: Obj): Obj {
  return Object.fromEntries(
    Object.entries(payload).filter(([k, v]) => !NOT_RAW.has(k) && v !== null && v !== undefined),
  );
}

/** Sets `column` only when the payload has `field` (present, even null). */
function put<T>(row: Obj, column: string, payload: Obj, field: string, convert: (v: unknown) => T): void {
  if (payload[field] !== undefined) row[column] = convert(payload[field]);
}

function commonProfile(p: Obj & { cust_id: number }): ProfileRow {
  const row: ProfileRow = { cust_id: p.cust_id, display_name: text(p.display_name), raw: rawOf(p) };
  const r = row as unknown as Obj;
  put(r, 'member_since', p, 'member_since', calendarDate);
  put(r, 'flair_name', p, 'flair_name', text);
  put(r, 'flair_id', p, 'flair_id', intOrNull);
  put(r, 'flair_shortname', p, 'flair_shortname', text);
  if (p.flair_country_code !== undefined) put(r, 'country_code', p, 'flair_country_code', text);
  else put(r, 'country_code', p, 'country_code', text);
  const licenses = licenseList(p.licenses);
  if (licenses) row.licenses = licenses;
  return row;
}

/** The account's profile from `member/info`. */
export function profileFromInfo(info: IracingMemberInfo): ProfileRow {
  const row = commonProfile(info);
  const r = row as unknown as Obj;
  put(r, 'first_name', info, 'first_name', text);
  put(r, 'last_name', info, 'last_name', text);
  put(r, 'club_name', info, 'club_name', text);
  row.display_name ??= text([text(info.first_name), text(info.last_name)].filter(Boolean).join(' '));
  return row;
}

/** A profile from one row of `member/get` (`members[]`). */
export function profileFromMember(member: Obj & { cust_id: number }): ProfileRow {
  const row = commonProfile(member);
  const r = row as unknown as Obj;
  put(r, 'club_name', member, 'club_name', text);
  put(r, 'first_name', member, 'first_name', text);
  put(r, 'last_name', member, 'last_name', text);
  return row;
}

export interface OwnedPackages {
  /** Owned car packages (`car_packages[].package_id`, matched to `sim_car.package_id`); null when not listed. */
  carPackageIds: number[] | null;
  /** Owned track packages (`track_packages[].package_id` = `sim_track.package_id`); null when not listed. */
  trackPackageIds: number[] | null;
}

const packageIds = (list: readonly { package_id: number }[] | null | undefined): number[] | null =>
  list ? [...new Set(list.map((p) => p.package_id))].sort((a, b) => a - b) : null;

/**
 * The packages the account owns. Car packages are package ids, NOT car ids (the old implementation's bug): one
 * package may hold several cars, resolved through `sim_car.package_id`.
 */
export function ownedPackages(info: IracingMemberInfo): OwnedPackages {
  return { carPackageIds: packageIds(info.car_packages), trackPackageIds: packageIds(info.track_packages) };
}

export interface RecentRace {
  subsession_id: number;
  session_start_time?: string | null;
  [field: string]: unknown;
}

/** The subsessions of `stats/member_recent_races`, newest first as iRacing lists them, without repeats. */
export function recentSubsessionIds(races: readonly RecentRace[]): number[] {
  return [...new Set(races.map((r) => r.subsession_id))];
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const mean = (xs: number[]): number | null =>
  xs.length ? round2(xs.reduce((a, b) => a + b, 0) / xs.length) : null;

/**
 * The stored summary: `this_year` as `stats/member_summary` gives it (official/league sessions and wins of the
 * calendar year), and `recent`, the member's form over `stats/member_recent_races` (finish positions there are
 * 1-based, unlike results/get).
 */
export function memberSummary(summary: Obj, races: readonly RecentRace[]): Obj {
  const finishes = races
    .map((r) => intOrNull(r.finish_position))
    .filter((p): p is number => p !== null && p > 0);
  const incidents = races.map((r) => numOrNull(r.incidents)).filter((i): i is number => i !== null);
  const starts = races.map((r) => r.session_start_time).filter((t): t is string => typeof t === 'string');
  const last = starts.reduce<string | null>(
    (max, t) => (max === null || Date.parse(t) > Date.parse(max) ? t : max),
    null,
  );
  return {
    this_year: isObj(summary.this_year) ? summary.this_year : null,
    recent: {
      starts: races.length,
      wins: finishes.filter((p) => p === 1).length,
      top5: finishes.filter((p) => p <= 5).length,
      avg_finish: mean(finishes),
      avg_incidents: mean(incidents),
      laps_led: races.reduce((sum, r) => sum + (intOrNull(r.laps_led) ?? 0), 0),
      last_race_at: last,
    },
  };
}

/** The GraphQL view of a stored summary. */
export function summaryView(summary: Obj | null, fetchedAt: Date | null): MemberSummary | null {
  if (!summary) return null;
  const year = isObj(summary.this_year) ? summary.this_year : {};
  const recent = isObj(summary.recent) ? summary.recent : {};
  const last = typeof recent.last_race_at === 'string' ? new Date(recent.last_race_at) : null;
  return {
    officialSessionsThisYear: intOrNull(year.num_official_sessions),
    officialWinsThisYear: intOrNull(year.num_official_wins),
    leagueSessionsThisYear: intOrNull(year.num_league_sessions),
    leagueWinsThisYear: intOrNull(year.num_league_wins),
    recentStarts: intOrNull(recent.starts) ?? 0,
    recentWins: intOrNull(recent.wins) ?? 0,
    recentTop5: intOrNull(recent.top5) ?? 0,
    recentAverageFinish: numOrNull(recent.avg_finish),
    recentAverageIncidents: numOrNull(recent.avg_incidents),
    recentLapsLed: intOrNull(recent.laps_led) ?? 0,
    lastRaceAt: last && !Number.isNaN(last.getTime()) ? last : null,
    fetchedAt,
  };
}

/** The GraphQL view of one stored license. */
export function licenseView(l: Obj): MemberLicense {
  return {
    categoryId: intOrNull(l.category_id),
    category: text(l.category),
    categoryName: text(l.category_name),
    licenseLevel: intOrNull(l.license_level),
    groupName: text(l.group_name),
    safetyRating: numOrNull(l.safety_rating),
    iRating: intOrNull(l.irating),
    ttRating: intOrNull(l.tt_rating),
  };
}

/** Minimal profiles for participants (results): one per cust_id, the last name seen winning. */
export function minimalProfileRows(
  rows: readonly { cust_id: number; display_name?: string | null }[],
): { cust_id: number; display_name: string | null }[] {
  const byId = new Map<number, string | null>();
  for (const r of rows) {
    if (!Number.isInteger(r.cust_id)) continue;
    const name = text(r.display_name);
    if (name !== null || !byId.has(r.cust_id)) byId.set(r.cust_id, name);
  }
  return [...byId.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([cust_id, display_name]) => ({ cust_id, display_name }));
}
