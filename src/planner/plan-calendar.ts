// A racer's plan as an iCalendar (RFC 5545) feed (docs/architecture.md §6.9): pure functions, no I/O, built on the
// race calendar's primitives (src/seasons/calendar.ts: escaping, folding, UTC times). Planned sessions are timed
// events with a reminder (VALARM); planned weeks and, when the racer asks, the weeks of their favourite series are
// all-day events spanning the week. UIDs are derived from the plan item (or the race week) alone, so a calendar
// app that refreshes the feed updates an event rather than adding it twice; a planned start that left the
// schedule stays in the feed as STATUS:CANCELLED, which removes or strikes it in the subscriber's calendar.
import { CRLF, escapeText, foldLine, formatUtc, PRODID } from '../seasons/calendar.js';

const DAY_MS = 86_400_000;
/** How often calendar apps should read the feed again (RFC 7986 REFRESH-INTERVAL, X-PUBLISHED-TTL). */
const REFRESH = 'PT1H';

/** A race week with the names the feed shows. */
export interface FeedWeek {
  raceWeekId: number;
  seriesName: string | null;
  trackName: string | null;
  configName: string | null;
  /** 0-based, as stored (shown as "Week n+1"). */
  raceWeekNum: number | null;
  start: Date;
  end: Date;
}

/** A planned session: its planned start (and end), the week around it when still known. */
export interface PlannedSessionEntry {
  kind: 'SESSION';
  planItemId: number;
  start: Date;
  end: Date;
  week: FeedWeek | null;
  carName: string | null;
  changeReason: string | null;
  /** The planned start is no longer on the schedule: the event is sent as cancelled. */
  cancelled: boolean;
}

/** A planned whole week, with the car the racer means to race. */
export interface PlannedWeekEntry {
  kind: 'WEEK';
  planItemId: number;
  week: FeedWeek;
  carName: string | null;
  changeReason: string | null;
}

/** A week of a favourite series (the feed lists them when the racer's settings ask for it). */
export interface FavouriteWeekEntry {
  kind: 'FAVOURITE_WEEK';
  week: FeedWeek;
}

export type FeedEntry = PlannedSessionEntry | PlannedWeekEntry | FavouriteWeekEntry;

export interface PlanCalendarOptions {
  /** X-WR-CALNAME: the name calendar apps show. */
  name: string;
  /** DTSTAMP of every event: when this calendar was produced. */
  stamp: Date;
  /** Minutes before a planned session's start its reminder fires; 0: no reminders. */
  reminderMinutes: number;
  /** The racer's IANA zone, as a display hint (X-WR-TIMEZONE); every time is written in UTC. */
  timeZone?: string;
}

export const planUid = (planItemId: number): string => `plan-${planItemId}@simlane`;
export const planWeekUid = (planItemId: number): string => `plan-week-${planItemId}@simlane`;
export const favouriteWeekUid = (raceWeekId: number): string => `fav-week-${raceWeekId}@simlane`;

/** A DATE value (RFC 5545 §3.3.4) of a UTC day: `YYYYMMDD`. */
export function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('formatDate: invalid date');
  return date.toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * The all-day span of a week: its first UTC day and the day after its last (DTEND of an all-day event is
 * exclusive, RFC 5545 §3.6.1). iRacing's weeks run on UTC days (Tuesday 00:00 UTC to the next Tuesday), so a week
 * covers exactly seven days whatever the racer's zone; a span shorter than a day still covers one.
 */
export function allDaySpan(start: Date, end: Date): { start: string; end: string } {
  const first = Math.floor(start.getTime() / DAY_MS);
  const after = Math.max(Math.ceil(end.getTime() / DAY_MS), first + 1);
  return { start: formatDate(new Date(first * DAY_MS)), end: formatDate(new Date(after * DAY_MS)) };
}

/** One VEVENT before it is written. */
interface FeedEvent {
  uid: string;
  sortKey: number;
  /** Timed (UTC instants) or all-day (DATE values, end exclusive). */
  time: { kind: 'timed'; start: Date; end: Date } | { kind: 'allDay'; start: string; end: string };
  summary: string;
  location: string | null;
  description: string;
  category: string;
  status: 'CONFIRMED' | 'CANCELLED';
  /** Whether the event makes the racer busy (a planned race does; a week does not). */
  busy: boolean;
}

/** `Name Config`, or null when the track is unknown (its week left the schedule). */
function trackLabel(week: FeedWeek | null): string | null {
  if (!week?.trackName) return null;
  return [week.trackName, week.configName].filter(Boolean).join(' ');
}

/** `<series name> — <track name>`, with what is known. */
function title(week: FeedWeek | null, fallback: string): string {
  const series = week?.seriesName ?? fallback;
  const track = trackLabel(week);
  return track ? `${series} — ${track}` : series;
}

function details(parts: (string | null | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n');
}

const weekLine = (week: FeedWeek | null) =>
  week && week.raceWeekNum !== null ? `Week ${week.raceWeekNum + 1}` : null;

function sessionEvent(e: PlannedSessionEntry): FeedEvent {
  return {
    uid: planUid(e.planItemId),
    sortKey: e.start.getTime(),
    time: { kind: 'timed', start: e.start, end: e.end },
    summary: title(e.week, 'Planned iRacing session'),
    location: trackLabel(e.week),
    description: details([
      e.carName && `Car: ${e.carName}`,
      weekLine(e.week),
      e.changeReason && `${e.cancelled ? 'Cancelled' : 'Changed'}: ${e.changeReason}`,
    ]),
    category: 'Planned session',
    status: e.cancelled ? 'CANCELLED' : 'CONFIRMED',
    busy: true,
  };
}

function weekEvent(e: PlannedWeekEntry | FavouriteWeekEntry): FeedEvent {
  const planned = e.kind === 'WEEK';
  return {
    uid: planned ? planWeekUid(e.planItemId) : favouriteWeekUid(e.week.raceWeekId),
    sortKey: e.week.start.getTime(),
    time: { kind: 'allDay', ...allDaySpan(e.week.start, e.week.end) },
    summary: title(e.week, planned ? 'Planned iRacing week' : 'iRacing week'),
    location: trackLabel(e.week),
    description: details([
      planned ? 'Planned week' : 'A week of a favourite series',
      planned && e.carName && `Car: ${e.carName}`,
      weekLine(e.week),
      planned && e.changeReason && `Changed: ${e.changeReason}`,
    ]),
    category: planned ? 'Planned week' : 'Favourite series',
    status: 'CONFIRMED',
    busy: false,
  };
}

/** The content lines of one VEVENT (not yet folded). */
function eventLines(e: FeedEvent, stamp: string, reminderMinutes: number): string[] {
  const lines = ['BEGIN:VEVENT', `UID:${escapeText(e.uid)}`, `DTSTAMP:${stamp}`];
  if (e.time.kind === 'timed')
    lines.push(`DTSTART:${formatUtc(e.time.start)}`, `DTEND:${formatUtc(e.time.end)}`);
  else lines.push(`DTSTART;VALUE=DATE:${e.time.start}`, `DTEND;VALUE=DATE:${e.time.end}`);
  lines.push(`SUMMARY:${escapeText(e.summary)}`);
  if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`);
  if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
  lines.push(
    `CATEGORIES:${escapeText(e.category)}`,
    `STATUS:${e.status}`,
    `TRANSP:${e.busy ? 'OPAQUE' : 'TRANSPARENT'}`,
  );
  // A reminder before every timed event the racer still plans to race (none for a cancelled one).
  if (e.time.kind === 'timed' && reminderMinutes > 0 && e.status !== 'CANCELLED')
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `TRIGGER:-PT${reminderMinutes}M`,
      `DESCRIPTION:${escapeText(`${e.summary} starts in ${reminderMinutes} minutes`)}`,
      'END:VALARM',
    );
  lines.push('END:VEVENT');
  return lines;
}

/**
 * The feed as one VCALENDAR text, every line folded and ended with CRLF. Events are in start order (then UID); a
 * favourite week the racer also planned is listed once, as the planned week.
 */
export function planCalendar(entries: readonly FeedEntry[], options: PlanCalendarOptions): string {
  const plannedWeeks = new Set(entries.filter((e) => e.kind === 'WEEK').map((e) => e.week.raceWeekId));
  const events = entries
    .filter((e) => e.kind !== 'FAVOURITE_WEEK' || !plannedWeeks.has(e.week.raceWeekId))
    .map((e) => (e.kind === 'SESSION' ? sessionEvent(e) : weekEvent(e)))
    .sort((a, b) => a.sortKey - b.sortKey || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  const reminder = Number.isInteger(options.reminderMinutes) ? Math.max(options.reminderMinutes, 0) : 0;
  const stamp = formatUtc(options.stamp);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${escapeText(PRODID)}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(options.name)}`,
    ...(options.timeZone ? [`X-WR-TIMEZONE:${escapeText(options.timeZone)}`] : []),
    `REFRESH-INTERVAL;VALUE=DURATION:${REFRESH}`,
    `X-PUBLISHED-TTL:${REFRESH}`,
    ...events.flatMap((e) => eventLines(e, stamp, reminder)),
    'END:VCALENDAR',
  ];
  return lines.map((l) => foldLine(l) + CRLF).join('');
}
