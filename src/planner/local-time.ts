// Session starts in a racer's own time zone, as pure functions.
// Starts are real instants stored in UTC (docs/architecture.md §5.7 and §5.9); a racer reads them on their wall
// clock. Node ships full ICU, so Intl.DateTimeFormat carries the IANA time zone database: no time zone library.
// Everything here reads the zone's rules through one formatter per zone and does the rest with plain arithmetic.

import { BadInputError } from '../core/errors/domain-error.js';

const MINUTE = 60_000;
const HOUR_MINUTES = 60;
const DAY_MINUTES = 1440;
/** Longer than any IANA name (the longest is about 30 characters): a cheap guard before asking ICU. */
const MAX_ZONE_LENGTH = 64;
/** Starts listed one by one before the rest are only counted (an irregular pattern stays one readable line). */
const MAX_LISTED = 6;

// Indexed by Date#getUTCDay() and Date#getUTCMonth(): fixed English names, never the process locale's.
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A wall-clock reading of an instant in a zone. */
interface LocalTime {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday, as Date#getUTCDay()
  /** Minutes east of UTC at that instant. */
  offset: number;
}

// Building an Intl.DateTimeFormat is far slower than using one (ICU loads the zone's rules), and a week of
// sessions asks the same zone hundreds of times: keep one formatter per canonical zone and remember which names
// resolve to which zone. Both maps only ever hold names ICU accepted; the name map is cleared if it grows (the
// names are caller input, so their case variants are unbounded), the formatter map is bounded by the database.
const MAX_REMEMBERED_NAMES = 512;
const canonicalNames = new Map<string, string>();
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The IANA zone as Intl canonicalises it (e.g. 'europe/berlin' → 'Europe/Berlin'); BadInputError naming the value
 * when unknown ("timeZone: unknown IANA time zone \"Mars/Base\"") or empty/too long (> 64 chars). 'UTC' is valid.
 * Surrounding blanks are ignored. The name is ICU's canonical one, which for a few links is the older spelling
 * (Node 20 answers 'Asia/Calcutta' for 'Asia/Kolkata'): equal rules either way.
 */
export function checkTimeZone(timeZone: string): string {
  if (typeof timeZone !== 'string') throw new BadInputError(`timeZone: expected an IANA time zone name`);
  const name = timeZone.trim();
  const known = canonicalNames.get(name);
  if (known !== undefined) return known;
  if (name === '')
    throw new BadInputError(`timeZone: expected an IANA time zone such as "Europe/Berlin", got ""`);
  if (name.length > MAX_ZONE_LENGTH)
    throw new BadInputError(
      `timeZone: too long for an IANA time zone (${name.length} characters, at most ${MAX_ZONE_LENGTH}): ` +
        `"${name.slice(0, MAX_ZONE_LENGTH)}…"`,
    );
  const zone = resolveZone(name);
  if (canonicalNames.size >= MAX_REMEMBERED_NAMES) canonicalNames.clear();
  canonicalNames.set(name, zone);
  return zone;
}

/** Asks ICU; a fixed offset ('+05:30', which newer engines accept as a zone) is not an IANA zone: rejected too. */
function resolveZone(name: string): string {
  const unknown = () => new BadInputError(`timeZone: unknown IANA time zone "${name}"`);
  if (/^[+-]/.test(name)) throw unknown();
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23', // 00–23: 'hour12: false' still gives '24' at midnight on some ICU versions
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw unknown(); // RangeError: Invalid time zone specified
  }
  const zone = formatter.resolvedOptions().timeZone;
  if (/^[+-]/.test(zone)) throw unknown();
  if (!formatters.has(zone)) formatters.set(zone, formatter);
  return zone;
}

/** The wall clock of `at` in a zone already checked (its formatter is cached by checkTimeZone). */
function localTime(at: Date, zone: string): LocalTime {
  const formatter = formatters.get(zone) as Intl.DateTimeFormat;
  const parts: Record<string, number> = {};
  for (const p of formatter.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year, month, day, hour, minute, second } = parts;
  // The offset is the wall clock read as if it were UTC, minus the instant (to the second: ICU shows the second
  // the instant falls in). Whole minutes: only local mean times before standard time had odd seconds.
  const wall = utcMs(year, month, day, hour, minute, second);
  const instant = Math.floor(at.getTime() / 1000) * 1000;
  const offset = Math.round((wall - instant) / MINUTE) + 0; // + 0 turns -0 into 0
  const weekday = new Date(utcMs(year, month, day, 0, 0, 0)).getUTCDay();
  return { year, month, day, hour, minute, second, weekday, offset };
}

/** Date.UTC without its 1900 shift of years 0–99. */
function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function checkDate(at: Date, field: string): Date {
  if (!(at instanceof Date) || Number.isNaN(at.getTime()))
    throw new BadInputError(`${field}: not a valid date`);
  return at;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const clock = (t: LocalTime) => `${pad(t.hour)}:${pad(t.minute)}`;
/** 'Sun 29 Mar': where a once-a-day schedule changes its local time. */
const calendarDay = (t: LocalTime) => `${WEEKDAYS[t.weekday]} ${t.day} ${MONTHS[t.month - 1]}`;

/** '+02:00', '-03:30', '+00:00' (never 'Z': the offset is the point of showing a local time). */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / HOUR_MINUTES))}:${pad(abs % HOUR_MINUTES)}`;
}

/** `at` as a local date-time with its UTC offset in that zone: '2026-03-29T03:45:00+02:00' (seconds always shown; offset '+00:00' for UTC, never 'Z'). */
export function localDateTime(at: Date, timeZone: string): string {
  const zone = checkTimeZone(timeZone);
  const t = localTime(checkDate(at, 'at'), zone);
  const date = `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
  return `${date}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${formatOffset(t.offset)}`;
}

/** The zone's offset from UTC at that instant, in minutes (Berlin in summer: 120). */
export function offsetMinutes(at: Date, timeZone: string): number {
  const zone = checkTimeZone(timeZone);
  return localTime(checkDate(at, 'at'), zone).offset;
}

/**
 * A readable pattern of a week's session starts in the zone, in English, e.g.
 *   'every 2 h at :45, Tue–Mon'            (regular interval, same local minute of the hour)
 *   'every 30 min (:15, :45), Tue–Mon'     (interval < 60 min: list the minutes of the hour)
 *   'every 1 h 30 min from 00:15, Tue–Mon' (interval not dividing a day evenly: first local time)
 *   'daily at 19:00, Tue–Mon'              (once a day, same local time)
 *   'Sat 18:00, Sun 14:00'                 (irregular: each start as 'Ddd HH:MM', at most 6 then ' … (+N more)')
 * The day range is the local weekday of the first and last start ('Tue–Mon', an en dash; one day: 'Tue').
 * `starts` is any order; duplicates ignored; empty → 'no sessions'. A regular UTC interval crossing a daylight
 * saving change stays regular in the pattern (compare UTC differences, describe minutes/times locally): e.g. a
 * daily 18:00 UTC start in Europe/Berlin around the last Sunday of March reads 'daily at 19:00 (20:00 from Sun 29 Mar), ...'
 * — i.e. when the local time of a once-a-day schedule changes within the week because of DST, name the change.
 * For intervals that are a whole number of hours the minute of the hour is unaffected by whole-hour DST shifts.
 */
export function weekPattern(starts: readonly Date[], timeZone: string): string {
  const zone = checkTimeZone(timeZone);
  const times = uniqueSorted(starts);
  if (times.length === 0) return 'no sessions';
  const gap = regularGap(times);
  if (gap === null) return listStarts(times, zone);
  const local = times.map((t) => localTime(t, zone));
  return `${describeInterval(gap, local)}, ${dayRange(local[0], local[local.length - 1])}`;
}

/** The starts as instants, earliest first, each once. */
function uniqueSorted(starts: readonly Date[]): Date[] {
  if (!Array.isArray(starts)) throw new BadInputError('starts: expected a list of dates');
  const ms = new Set(starts.map((s, i) => checkDate(s, `starts[${i}]`).getTime()));
  return [...ms].sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * The interval in minutes when the schedule is regular: at least 3 starts (two points make any interval) and every
 * consecutive difference the same whole number of minutes. Measured in UTC, so a daylight saving change in the
 * middle of the week does not break the regularity; only the description is local.
 */
function regularGap(times: readonly Date[]): number | null {
  if (times.length < 3) return null;
  const gap = times[1].getTime() - times[0].getTime();
  if (gap % MINUTE !== 0) return null;
  for (let i = 2; i < times.length; i++) if (times[i].getTime() - times[i - 1].getTime() !== gap) return null;
  return gap / MINUTE;
}

/** 'every …' of a regular schedule, from the local wall clock of each start. */
function describeInterval(gap: number, local: readonly LocalTime[]): string {
  if (gap % DAY_MINUTES === 0) return onceADay(gap / DAY_MINUTES, local);
  const minutes = [...new Set(local.map((t) => t.minute))].sort((a, b) => a - b);
  // Minutes of the hour name a sub-hour schedule exactly when the interval divides the hour; more than a few read
  // worse than the first time. A zone shifting by half an hour (Australia/Lord_Howe) adds minutes: not listed.
  const perHour = HOUR_MINUTES / gap;
  if (Number.isInteger(perHour) && perHour <= MAX_LISTED && minutes.length === perHour)
    return `every ${gap} min (${minutes.map((m) => `:${pad(m)}`).join(', ')})`;
  // Whole hours dividing the day: every day repeats the same times, so the minute of the hour says it all.
  if (gap % HOUR_MINUTES === 0 && DAY_MINUTES % gap === 0 && minutes.length === 1)
    return `every ${gap / HOUR_MINUTES} h at :${pad(minutes[0])}`;
  // Otherwise (90 min, 5 h …) the times drift from day to day: anchor the interval at the first start.
  return `every ${duration(gap)} from ${clock(local[0])}`;
}

/**
 * 'daily at 19:00' (or 'every 2 days at …'). A daylight saving change moves the local time of a schedule fixed in
 * UTC: each new local time is named with the local day it starts on, 'daily at 19:00 (20:00 from Sun 29 Mar)'.
 */
function onceADay(days: number, local: readonly LocalTime[]): string {
  const changes: string[] = [];
  for (let i = 1; i < local.length; i++)
    if (clock(local[i]) !== clock(local[i - 1]))
      changes.push(`${clock(local[i])} from ${calendarDay(local[i])}`);
  const every = days === 1 ? 'daily' : `every ${days} days`;
  return `${every} at ${clock(local[0])}${changes.length > 0 ? ` (${changes.join(', ')})` : ''}`;
}

/** '30 min', '2 h', '1 h 30 min'. */
function duration(minutes: number): string {
  const h = Math.floor(minutes / HOUR_MINUTES);
  const m = minutes % HOUR_MINUTES;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** 'Tue–Mon' from the local days of the first and last start; 'Tue' when both fall on the same local date. */
function dayRange(first: LocalTime, last: LocalTime): string {
  const sameDate = first.year === last.year && first.month === last.month && first.day === last.day;
  return sameDate ? WEEKDAYS[first.weekday] : `${WEEKDAYS[first.weekday]}–${WEEKDAYS[last.weekday]}`;
}

/** An irregular schedule, start by start: 'Sat 18:00, Sun 14:00', then ' … (+N more)' past the first few. */
function listStarts(times: readonly Date[], zone: string): string {
  const listed = times.slice(0, MAX_LISTED).map((t) => {
    const local = localTime(t, zone);
    return `${WEEKDAYS[local.weekday]} ${clock(local)}`;
  });
  const more = times.length - listed.length;
  return listed.join(', ') + (more > 0 ? ` … (+${more} more)` : '');
}
