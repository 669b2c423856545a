// The race calendar as iCalendar (RFC 5545) text: pure functions, no I/O. Content lines end in CRLF and are
// folded at 75 octets (never inside a UTF-8 sequence), TEXT values are escaped, times are UTC (`...Z`).
import type { CarClass } from '../catalog/entities/car-class.entity.js';
import type { Car } from '../catalog/entities/car.entity.js';
import type { TrackLayout } from '../catalog/entities/track-layout.entity.js';
import type { Session } from './entities/event.entity.js';
import type { RaceWeek } from './entities/race-week.entity.js';
import type { Season } from './entities/season.entity.js';
import type { Series } from './entities/series.entity.js';

export const CRLF = '\r\n';
/** RFC 5545 §3.1: content lines should not be longer than 75 octets, excluding the line break. */
const MAX_LINE_OCTETS = 75;
export const PRODID = '-//Simlane//iRacing race calendar//EN';
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** One VEVENT. */
export interface CalendarEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  location?: string | null;
  description?: string | null;
  categories?: readonly string[];
}

export interface CalendarOptions {
  /** X-WR-CALNAME: the name calendar apps show. */
  name: string;
  /** DTSTAMP of every event: when this calendar was produced. */
  stamp: Date;
  prodId?: string;
}

/**
 * A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, any line break written `\n`. Control
 * characters other than HTAB are not allowed in a content line and are dropped.
 */
export function escapeText(value: string): string {
  return value
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(/[\\;,\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ''); // eslint-disable-line no-control-regex
}

/**
 * Folds one content line (RFC 5545 §3.1): no physical line longer than 75 octets (without its CRLF), each
 * continuation starting with one space. Splits only between code points, so a UTF-8 sequence stays whole.
 */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= MAX_LINE_OCTETS) return line;
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = MAX_LINE_OCTETS; // the leading space of a continuation line counts
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = MAX_LINE_OCTETS - 1;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

/** A DATE-TIME in UTC form (RFC 5545 §3.3.5, form #2): `YYYYMMDDTHHMMSSZ`, seconds truncated. */
export function formatUtc(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('formatUtc: invalid date');
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The whole VCALENDAR object, every line folded and ended with CRLF. */
export function buildCalendar(events: readonly CalendarEvent[], options: CalendarOptions): string {
  const stamp = formatUtc(options.stamp);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${escapeText(options.prodId ?? PRODID)}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(options.name)}`,
  ];
  for (const e of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${escapeText(e.uid)}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${formatUtc(e.start)}`,
      `DTEND:${formatUtc(e.end)}`,
      `SUMMARY:${escapeText(e.summary)}`,
    );
    if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`);
    if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
    const categories = (e.categories ?? []).filter((c) => c.length > 0);
    if (categories.length) lines.push(`CATEGORIES:${categories.map(escapeText).join(',')}`);
    // A race in the calendar does not make its subscriber busy.
    lines.push('TRANSP:TRANSPARENT', 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map((l) => foldLine(l) + CRLF).join('');
}

// --- Sessions as events --------------------------------------------------------------------------------------

/** The stable UID of a session (its event_instance id). */
const sessionUid = (instanceId: number): string => `session-${instanceId}@simlane`;

/** A session's end: its own end time, else its start plus its length, else one hour after its start. */
export function sessionEnd(i: Pick<Session, 'startTime' | 'endTime' | 'sessionMinutes'>): Date {
  const start = i.startTime.getTime();
  if (i.endTime && i.endTime.getTime() > start) return i.endTime;
  if (i.sessionMinutes && i.sessionMinutes > 0) return new Date(start + i.sessionMinutes * MINUTE_MS);
  return new Date(start + HOUR_MS);
}

/** `sports_car` → `Sports Car`. */
export function categoryLabel(category: string): string {
  return category
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

/** A session with the rows around it, as loaded by the calendar controller (missing rows tolerated). */
export interface SessionContext {
  instance: Pick<Session, 'id' | 'startTime' | 'endTime' | 'sessionMinutes' | 'entryCount'>;
  week?: Pick<RaceWeek, 'raceWeekNum' | 'raceTimeLimit' | 'raceLapLimit'> | null;
  series?: Pick<Series, 'seriesId' | 'name' | 'category'> | null;
  season?: Pick<Season, 'name'> | null;
  layout?: Pick<TrackLayout, 'trackName' | 'configName'> | null;
  /** The event's classes, fastest first. */
  classes?: readonly Pick<CarClass, 'name'>[];
  /** The week's own cars, for a series that changes cars week to week. */
  cars?: readonly Pick<Car, 'name'>[];
}

/** Lists at most `max` names, then how many more. */
function names(list: readonly { name: string }[], max = 8): string {
  const shown = list.slice(0, max).map((x) => x.name);
  return list.length > max ? `${shown.join(', ')} and ${list.length - max} more` : shown.join(', ');
}

export function sessionEvent(s: SessionContext): CalendarEvent {
  const trackName = s.layout?.trackName ?? null;
  const track = [trackName, s.layout?.configName].filter(Boolean).join(' ');
  const seriesName = s.series?.name ?? s.season?.name ?? 'iRacing session';
  const description: string[] = [];
  if (s.season?.name) description.push(`Season: ${s.season.name}`);
  if (s.week) description.push(`Week ${s.week.raceWeekNum + 1}`);
  if (s.classes?.length)
    description.push(`${s.classes.length > 1 ? 'Classes' : 'Class'}: ${names(s.classes)}`);
  if (s.cars?.length) description.push(`Cars: ${names(s.cars)}`);
  if (s.week?.raceTimeLimit) description.push(`Race: ${s.week.raceTimeLimit} min`);
  else if (s.week?.raceLapLimit) description.push(`Race: ${s.week.raceLapLimit} laps`);
  if (s.instance.entryCount !== null && s.instance.entryCount !== undefined)
    description.push(`Registered: ${s.instance.entryCount}`);
  return {
    uid: sessionUid(s.instance.id),
    start: s.instance.startTime,
    end: sessionEnd(s.instance),
    summary: track ? `${seriesName} — ${track}` : seriesName,
    location: trackName,
    description: description.join('\n') || null,
    categories: s.series?.category ? [categoryLabel(s.series.category)] : [],
  };
}
