// The plan's iCalendar feed (docs/architecture.md §6.9), read back with a real iCalendar parser (ical.js): stable
// UIDs, a reminder on every planned session, all-day weeks with an exclusive end, escaped text, cancelled starts.
import ICAL from 'ical.js';
import { allDaySpan, favouriteWeekUid, planCalendar, planUid, planWeekUid } from './plan-calendar.js';
import type { FeedEntry, FeedWeek, PlanCalendarOptions } from './plan-calendar.js';

const STAMP = new Date('2026-03-03T12:00:00Z');
const OPTIONS: PlanCalendarOptions = {
  name: 'Simlane race plan',
  stamp: STAMP,
  reminderMinutes: 15,
  timeZone: 'Europe/Berlin',
};

/** A week of iRacing: Tuesday 00:00 UTC to the next Tuesday. */
const week = (id: number, over: Partial<FeedWeek> = {}): FeedWeek => ({
  raceWeekId: id,
  seriesName: 'Global Mazda MX-5 Cup',
  trackName: 'Okayama International Circuit',
  configName: 'Full Course',
  raceWeekNum: 2,
  start: new Date('2026-03-03T00:00:00Z'),
  end: new Date('2026-03-10T00:00:00Z'),
  ...over,
});

const session = (id: number, start: string, over: Partial<FeedEntry> = {}): FeedEntry =>
  ({
    kind: 'SESSION',
    planItemId: id,
    start: new Date(start),
    end: new Date(new Date(start).getTime() + 30 * 60_000),
    week: week(11),
    carName: 'Mazda MX-5 Cup',
    changeReason: null,
    cancelled: false,
    ...over,
  }) as FeedEntry;

function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    const alarm = v.getFirstSubcomponent('valarm');
    return {
      uid: e.uid,
      summary: e.summary,
      location: e.location ?? null,
      description: e.description ?? null,
      allDay: e.startDate.isDate,
      start: e.startDate.toString(),
      end: e.endDate.toString(),
      status: v.getFirstPropertyValue('status'),
      transp: v.getFirstPropertyValue('transp'),
      trigger: alarm ? String(alarm.getFirstPropertyValue('trigger')) : null,
      alarmAction: alarm?.getFirstPropertyValue('action') ?? null,
      alarmText: alarm?.getFirstPropertyValue('description') ?? null,
    };
  });
  return { calendar, events };
}

describe('planCalendar', () => {
  it('writes a calendar calendar apps refresh hourly, every line CRLF-ended and at most 75 octets', () => {
    const text = planCalendar([session(1, '2026-03-04T18:00:00Z')], OPTIONS);
    const { calendar } = parse(text);
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Simlane race plan');
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/Berlin');
    expect(text).toContain('\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n');
    expect(text).toContain('\r\nX-PUBLISHED-TTL:PT1H\r\n');
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('writes a planned session as a timed event with a stable UID, the car, and a reminder', () => {
    const entries = [session(7, '2026-03-04T18:00:00Z')];
    const first = planCalendar(entries, OPTIONS);
    const again = planCalendar(entries, { ...OPTIONS, stamp: new Date('2026-03-03T13:00:00Z') });
    const [e] = parse(first).events;
    expect(e).toEqual({
      uid: planUid(7),
      summary: 'Global Mazda MX-5 Cup — Okayama International Circuit Full Course',
      location: 'Okayama International Circuit Full Course',
      description: 'Car: Mazda MX-5 Cup\nWeek 3',
      allDay: false,
      start: '2026-03-04T18:00:00Z',
      end: '2026-03-04T18:30:00Z',
      status: 'CONFIRMED',
      transp: 'OPAQUE',
      trigger: '-PT15M',
      alarmAction: 'DISPLAY',
      alarmText: 'Global Mazda MX-5 Cup — Okayama International Circuit Full Course starts in 15 minutes',
    });
    expect(e.uid).toBe('plan-7@simlane');
    // The same plan read an hour later: the same events, only DTSTAMP differs.
    expect(parse(again).events).toEqual(parse(first).events);
    expect(again.replace(/DTSTAMP:\S+/g, '')).toBe(first.replace(/DTSTAMP:\S+/g, ''));
  });

  it('gives every timed event its reminder, and none when reminderMinutes is 0', () => {
    const entries = [session(1, '2026-03-04T18:00:00Z'), session(2, '2026-03-05T18:00:00Z')];
    expect(
      parse(planCalendar(entries, { ...OPTIONS, reminderMinutes: 90 })).events.map((e) => e.trigger),
    ).toEqual(['-PT90M', '-PT90M']);
    const none = planCalendar(entries, { ...OPTIONS, reminderMinutes: 0 });
    expect(none).not.toContain('VALARM');
    expect(parse(none).events).toHaveLength(2);
  });

  it('writes planned weeks as all-day events spanning the week (end exclusive), and favourite weeks', () => {
    const text = planCalendar(
      [
        { kind: 'WEEK', planItemId: 3, week: week(21), carName: 'Ray FF1600', changeReason: null },
        {
          kind: 'FAVOURITE_WEEK',
          week: week(22, { seriesName: 'Formula Vee', trackName: 'Lime Rock Park' }),
        },
      ],
      OPTIONS,
    );
    expect(text).toContain('\r\nDTSTART;VALUE=DATE:20260303\r\nDTEND;VALUE=DATE:20260310\r\n');
    const events = parse(text).events;
    expect(events.map((e) => [e.uid, e.allDay, e.start, e.end, e.transp, e.trigger])).toEqual([
      [favouriteWeekUid(22), true, '2026-03-03', '2026-03-10', 'TRANSPARENT', null],
      [planWeekUid(3), true, '2026-03-03', '2026-03-10', 'TRANSPARENT', null],
    ]);
    // Same start: in UID order.
    expect(events.map((e) => e.uid)).toEqual(['fav-week-22@simlane', 'plan-week-3@simlane']);
    expect(events[1].description).toBe('Planned week\nCar: Ray FF1600\nWeek 3');
    expect(events[0].summary).toBe('Formula Vee — Lime Rock Park Full Course');
    expect(events[0].description).toBe('A week of a favourite series\nWeek 3');
  });

  it('lists a favourite week the racer planned once, as the planned week', () => {
    const text = planCalendar(
      [
        { kind: 'FAVOURITE_WEEK', week: week(21) },
        { kind: 'WEEK', planItemId: 3, week: week(21), carName: null, changeReason: null },
        { kind: 'FAVOURITE_WEEK', week: week(23) },
      ],
      OPTIONS,
    );
    expect(parse(text).events.map((e) => e.uid)).toEqual(['fav-week-23@simlane', 'plan-week-3@simlane']);
  });

  it('spans whole UTC days: a week ending mid-day still covers its last day', () => {
    expect(allDaySpan(new Date('2026-03-03T00:00:00Z'), new Date('2026-03-10T00:00:00Z'))).toEqual({
      start: '20260303',
      end: '20260310',
    });
    expect(allDaySpan(new Date('2026-03-03T00:00:00Z'), new Date('2026-03-09T23:59:59Z'))).toEqual({
      start: '20260303',
      end: '20260310',
    });
    expect(allDaySpan(new Date('2026-03-03T05:00:00Z'), new Date('2026-03-03T05:00:00Z'))).toEqual({
      start: '20260303',
      end: '20260304',
    });
  });

  it('escapes text: commas, semicolons, backslashes and line breaks come back as written', () => {
    const name = 'Series; "A", B\\C\nnext';
    const text = planCalendar(
      [
        session(1, '2026-03-04T18:00:00Z', {
          week: week(11, { seriesName: name, trackName: 'Track, Config; X', configName: null }),
          carName: 'Car, with; punctuation',
        }),
      ],
      { ...OPTIONS, name: 'Plan, mine; ok' },
    );
    expect(text).toContain('SUMMARY:Series\\; "A"\\, B\\\\C\\nnext — Track\\, Config\\; X');
    // ical.js leaves an X- property's value as written: the escaped text.
    expect(text).toContain('\r\nX-WR-CALNAME:Plan\\, mine\\; ok\r\n');
    const { events } = parse(text);
    expect(events[0].summary).toBe(`${name} — Track, Config; X`);
    expect(events[0].location).toBe('Track, Config; X');
    expect(events[0].description).toBe('Car: Car, with; punctuation\nWeek 3');
  });

  it('sends a start that left the schedule as CANCELLED, without a reminder, and a change with its reason', () => {
    const text = planCalendar(
      [
        session(1, '2026-03-04T18:00:00Z', {
          cancelled: true,
          changeReason: 'the planned start is no longer on the schedule',
        }),
        session(2, '2026-03-05T18:00:00Z', { changeReason: 'the track changed since it was planned' }),
        session(3, '2026-03-06T18:00:00Z', {
          week: null,
          carName: null,
          cancelled: true,
          changeReason: 'the race week is no longer on the schedule',
        }),
      ],
      OPTIONS,
    );
    const [gone, changed, weekGone] = parse(text).events;
    expect(gone).toMatchObject({ uid: 'plan-1@simlane', status: 'CANCELLED', trigger: null });
    expect(gone.description).toBe(
      'Car: Mazda MX-5 Cup\nWeek 3\nCancelled: the planned start is no longer on the schedule',
    );
    expect(changed).toMatchObject({ uid: 'plan-2@simlane', status: 'CONFIRMED', trigger: '-PT15M' });
    expect(changed.description).toBe(
      'Car: Mazda MX-5 Cup\nWeek 3\nChanged: the track changed since it was planned',
    );
    expect(weekGone).toMatchObject({
      uid: 'plan-3@simlane',
      status: 'CANCELLED',
      summary: 'Planned iRacing session',
      location: null,
      description: 'Cancelled: the race week is no longer on the schedule',
    });
  });

  it('orders events by start, then UID, whatever the order given', () => {
    const text = planCalendar(
      [
        session(9, '2026-03-05T18:00:00Z'),
        { kind: 'WEEK', planItemId: 4, week: week(21), carName: null, changeReason: null },
        session(8, '2026-03-04T18:00:00Z'),
      ],
      OPTIONS,
    );
    expect(parse(text).events.map((e) => e.uid)).toEqual([
      'plan-week-4@simlane',
      'plan-8@simlane',
      'plan-9@simlane',
    ]);
  });

  it('folds long lines without splitting a character, and reads them back whole', () => {
    const long = 'Grand Prix Légendes — Nürburgring Nordschleife '.repeat(4).trim();
    const text = planCalendar(
      [session(1, '2026-03-04T18:00:00Z', { week: week(11, { seriesName: long }) })],
      OPTIONS,
    );
    expect(text).toMatch(/\r\n /);
    expect(parse(text).events[0].summary.startsWith(long)).toBe(true);
  });

  it('writes an empty plan as a valid calendar without events', () => {
    const { calendar, events } = parse(planCalendar([], { ...OPTIONS, timeZone: undefined }));
    expect(events).toEqual([]);
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBeNull();
  });
});
