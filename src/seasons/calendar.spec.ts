// Unit tests of the iCalendar writer: TEXT escaping, folding at 75 octets without splitting UTF-8 sequences,
// CRLF line ends, UTC stamps, and a session's event (summary, end, description, categories).
import {
  buildCalendar,
  categoryLabel,
  CRLF,
  escapeText,
  foldLine,
  formatUtc,
  sessionEnd,
  sessionEvent,
} from './calendar.js';
import { parseCalendarQuery, parseIsoTime } from './calendar.controller.js';

const octets = (s: string) => Buffer.byteLength(s, 'utf8');
/** Undoes folding (RFC 5545 §3.1): a CRLF followed by one space or tab is removed. */
const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');

describe('iCalendar writer', () => {
  it('escapes backslash, semicolon, comma and line breaks in TEXT, and leaves colons alone', () => {
    expect(escapeText('a\\b;c,d:e')).toBe('a\\\\b\\;c\\,d:e');
    expect(escapeText('one\ntwo\r\nthree\rfour')).toBe('one\\ntwo\\nthree\\nfour');
    expect(escapeText('\\n')).toBe('\\\\n'); // a literal backslash-n stays two characters
    expect(escapeText('tab\there\u0000\u0007')).toBe('tab\there'); // HTAB kept, other controls dropped
  });

  it('leaves lines of up to 75 octets alone', () => {
    const line = `SUMMARY:${'x'.repeat(67)}`;
    expect(octets(line)).toBe(75);
    expect(foldLine(line)).toBe(line);
  });

  it('folds a long line at 75 octets with CRLF + space, never inside a UTF-8 sequence', () => {
    const line = `LOCATION:${'Nürburgring Nordschleife — Grand-Prix-Strecke, ü€😀 '.repeat(6)}`;
    expect(octets(line)).toBeGreaterThan(3 * 75);
    const folded = foldLine(line);
    const physical = folded.split(CRLF);
    expect(physical.length).toBeGreaterThan(3);
    for (const [i, p] of physical.entries()) {
      expect(octets(p)).toBeLessThanOrEqual(75);
      if (i > 0) expect(p.startsWith(' ')).toBe(true);
      // Each physical line is valid UTF-8 on its own: no sequence was cut.
      const bytes = Buffer.from(p, 'utf8');
      expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(p);
      expect(p).not.toMatch(/[\ud800-\udbff]$|^ ?[\udc00-\udfff]/); // no surrogate pair cut either
    }
    // Every line but the last is filled to within one code point of the limit.
    for (const p of physical.slice(0, -1)) expect(octets(p)).toBeGreaterThan(75 - 4);
    expect(unfold(folded)).toBe(line);
  });

  it('folds exactly where a multi-byte character would cross the 75th octet', () => {
    const line = `${'a'.repeat(74)}ü${'b'.repeat(10)}`; // ü is 2 octets: 74 + 2 > 75
    const [first, second] = foldLine(line).split(CRLF);
    expect(first).toBe('a'.repeat(74));
    expect(second).toBe(` ü${'b'.repeat(10)}`);
  });

  it('formats UTC date-times as YYYYMMDDTHHMMSSZ', () => {
    expect(formatUtc(new Date('2026-03-04T05:06:07.890Z'))).toBe('20260304T050607Z');
    expect(formatUtc(new Date('2026-12-31T23:00:00+02:00'))).toBe('20261231T210000Z');
    expect(() => formatUtc(new Date('nope'))).toThrow(RangeError);
  });

  it('writes a VCALENDAR with CRLF line ends only, and folded, escaped events', () => {
    const stamp = new Date('2026-01-01T12:00:00Z');
    const text = buildCalendar(
      [
        {
          uid: 'session-7@simlane',
          start: new Date('2026-01-02T18:15:00Z'),
          end: new Date('2026-01-02T19:00:00Z'),
          summary: 'GT Sprint; Nürburgring, GP',
          location: 'Nürburgring',
          description: `Season: 2026 S1\nWeek 3\n${'Classes: GT3, GT4, '.repeat(8)}`,
          categories: ['Sports Car', 'a,b'],
        },
      ],
      { name: 'Races, all', stamp },
    );
    expect(text.endsWith(CRLF)).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // no bare CR or LF
    for (const p of text.split(CRLF).slice(0, -1)) expect(octets(p)).toBeLessThanOrEqual(75);
    const lines = unfold(text).split(CRLF).slice(0, -1);
    expect(lines.slice(0, 6)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      expect.stringMatching(/^PRODID:-\/\/Simlane\/\//),
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'X-WR-CALNAME:Races\\, all',
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        'BEGIN:VEVENT',
        'UID:session-7@simlane',
        'DTSTAMP:20260101T120000Z',
        'DTSTART:20260102T181500Z',
        'DTEND:20260102T190000Z',
        'SUMMARY:GT Sprint\\; Nürburgring\\, GP',
        'LOCATION:Nürburgring',
        'CATEGORIES:Sports Car,a\\,b',
        'END:VEVENT',
      ]),
    );
    expect(lines.find((l) => l.startsWith('DESCRIPTION:'))).toMatch(
      /^DESCRIPTION:Season: 2026 S1\\nWeek 3\\nClasses: GT3\\, GT4\\, /,
    );
    expect(lines.at(-1)).toBe('END:VCALENDAR');
  });
});

describe('sessions as events', () => {
  const start = new Date('2026-05-01T10:00:00Z');

  it('ends at the end time, else after the session length, else one hour later', () => {
    const end = new Date('2026-05-01T10:40:00Z');
    expect(sessionEnd({ startTime: start, endTime: end, sessionMinutes: 90 })).toEqual(end);
    expect(sessionEnd({ startTime: start, endTime: null, sessionMinutes: 90 })).toEqual(
      new Date('2026-05-01T11:30:00Z'),
    );
    expect(sessionEnd({ startTime: start, endTime: null, sessionMinutes: null })).toEqual(
      new Date('2026-05-01T11:00:00Z'),
    );
    // An end not after the start is ignored (DTEND must follow DTSTART).
    expect(sessionEnd({ startTime: start, endTime: start, sessionMinutes: null })).toEqual(
      new Date('2026-05-01T11:00:00Z'),
    );
  });

  it('names the series, track and configuration, and describes season, week, classes, cars and entries', () => {
    const e = sessionEvent({
      instance: { id: 42, startTime: start, endTime: null, sessionMinutes: 45, entryCount: 17 },
      week: { raceWeekNum: 2, raceTimeLimit: 30, raceLapLimit: null },
      series: { seriesId: 9, name: 'GT Sprint', category: 'sports_car' },
      season: { name: 'GT Sprint - 2026 Season 2' },
      layout: { trackName: 'Nürburgring', configName: 'GP' },
      classes: [{ name: 'GT3' }, { name: 'GT4' }],
      cars: [{ name: 'Porsche 911 GT3 R' }],
    });
    expect(e).toEqual({
      uid: 'session-42@simlane',
      start,
      end: new Date('2026-05-01T10:45:00Z'),
      summary: 'GT Sprint — Nürburgring GP',
      location: 'Nürburgring',
      description:
        'Season: GT Sprint - 2026 Season 2\nWeek 3\nClasses: GT3, GT4\nCars: Porsche 911 GT3 R\nRace: 30 min\nRegistered: 17',
      categories: ['Sports Car'],
    });
    expect(categoryLabel('dirt_oval')).toBe('Dirt Oval');
  });

  it('tolerates missing rows', () => {
    const e = sessionEvent({
      instance: { id: 1, startTime: start, endTime: null, sessionMinutes: null, entryCount: null },
    });
    expect(e).toMatchObject({
      summary: 'iRacing session',
      location: null,
      description: null,
      categories: [],
    });
  });
});

describe('calendar query', () => {
  const now = new Date('2026-05-01T10:00:00Z');
  const error = (query: Record<string, unknown>): string => {
    try {
      parseCalendarQuery(query, now);
    } catch (err) {
      return ((err as { getResponse(): { error: string } }).getResponse?.() ?? { error: String(err) }).error;
    }
    throw new Error(`accepted ${JSON.stringify(query)}`);
  };

  it('defaults to a week from now and 500 sessions', () => {
    expect(parseCalendarQuery({}, now)).toEqual({
      from: now,
      to: new Date('2026-05-08T10:00:00Z'),
      limit: 500,
    });
  });

  it('parses times, id lists, the owner and the limit', () => {
    expect(
      parseCalendarQuery(
        {
          from: '2026-05-02',
          to: '2026-05-03T12:30:00+02:00',
          seriesIds: '3, 4,3',
          carIds: ['1', '2'],
          ownedByCustId: '123',
          limit: '2000',
        },
        now,
      ),
    ).toEqual({
      from: new Date('2026-05-02T00:00:00Z'),
      to: new Date('2026-05-03T10:30:00Z'),
      seriesIds: [3, 4],
      carIds: [1, 2],
      ownedByCustId: 123,
      limit: 2000,
    });
    expect(parseIsoTime('from', '2026-05-02T10:00Z')).toEqual(new Date('2026-05-02T10:00:00Z'));
    expect(parseIsoTime('from', '2026-05-02T10:00:00.5-0130')).toEqual(new Date('2026-05-02T11:30:00.500Z'));
  });

  it('names the bad parameter', () => {
    expect(error({ carIds: 'abc' })).toMatch(/"carIds"/);
    expect(error({ trackIds: '1,,2' })).toMatch(/"trackIds"/);
    expect(error({ seriesIds: '0' })).toMatch(/"seriesIds"/);
    expect(error({ from: 'yesterday' })).toMatch(/"from"/);
    expect(error({ from: '2026-02-30' })).toMatch(/"from"/);
    expect(error({ to: '2026-05-02T10:00:00' })).toMatch(/"to" must give its time zone/);
    expect(error({ from: '2026-05-03', to: '2026-05-02' })).toMatch(/"from" .* must be before "to"/);
    expect(error({ from: '2026-05-01', to: '2026-06-02' })).toMatch(/31 days/);
    expect(error({ limit: '0' })).toMatch(/"limit"/);
    expect(error({ limit: '2001' })).toMatch(/"limit"/);
    expect(error({ ownedByCustId: '-5' })).toMatch(/"ownedByCustId"/);
    expect(error({ from: ['2026-05-02', '2026-05-03'] })).toMatch(/"from" is given more than once/);
    expect(error({ seriesId: '3' })).toMatch(/unknown parameter "seriesId"/);
  });
});
