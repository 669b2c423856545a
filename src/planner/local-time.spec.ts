import { BadInputError } from '../core/errors/domain-error.js';
import { checkTimeZone, localDateTime, offsetMinutes, weekPattern } from './local-time.js';

const MINUTE = 60_000;

/** Starts from `first` every `minutes` up to and including `last` (all UTC). */
function every(minutes: number, first: string, last: string): Date[] {
  const out: Date[] = [];
  for (let t = Date.parse(first); t <= Date.parse(last); t += minutes * MINUTE) out.push(new Date(t));
  return out;
}

/** A real race week: Tuesday 00:45 UTC, then every 2 hours until Monday 22:45 UTC (7 × 12 sessions). */
const twoHourly = every(120, '2026-12-01T00:45:00Z', '2026-12-07T22:45:00Z');

describe('checkTimeZone', () => {
  it('canonicalises the name as Intl does', () => {
    expect(checkTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(checkTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(checkTimeZone('AMERICA/NEW_YORK')).toBe('America/New_York');
    expect(checkTimeZone(' Europe/Berlin ')).toBe('Europe/Berlin');
    expect(checkTimeZone('UTC')).toBe('UTC');
    expect(checkTimeZone('utc')).toBe('UTC');
    // ICU's canonical spelling of a link depends on its version (Node 20: Asia/Calcutta); the rules are the same.
    expect(['Asia/Kolkata', 'Asia/Calcutta']).toContain(checkTimeZone('Asia/Kolkata'));
  });

  it('rejects unknown, empty, too long and fixed-offset names, naming the value', () => {
    expect(() => checkTimeZone('Mars/Base')).toThrow(BadInputError);
    expect(() => checkTimeZone('Mars/Base')).toThrow('timeZone: unknown IANA time zone "Mars/Base"');
    expect(() => checkTimeZone('')).toThrow(BadInputError);
    expect(() => checkTimeZone('   ')).toThrow(/^timeZone: .*""/);
    expect(() => checkTimeZone('Europe/' + 'x'.repeat(60))).toThrow(/^timeZone: too long .*"Europe\/xxx/);
    expect(() => checkTimeZone('+05:30')).toThrow('timeZone: unknown IANA time zone "+05:30"');
    // Called twice: the second answer comes from the remembered names and must agree.
    expect(checkTimeZone('europe/berlin')).toBe('Europe/Berlin');
  });
});

describe('localDateTime and offsetMinutes', () => {
  it('follows Europe/Berlin across the spring daylight saving change', () => {
    expect(localDateTime(new Date('2026-03-28T23:00:00Z'), 'Europe/Berlin')).toBe(
      '2026-03-29T00:00:00+01:00',
    );
    expect(localDateTime(new Date('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toBe(
      '2026-03-29T01:59:59+01:00',
    );
    expect(localDateTime(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(
      '2026-03-29T03:00:00+02:00',
    );
    expect(localDateTime(new Date('2026-03-29T01:45:00Z'), 'Europe/Berlin')).toBe(
      '2026-03-29T03:45:00+02:00',
    );
    expect(offsetMinutes(new Date('2026-03-28T23:00:00Z'), 'Europe/Berlin')).toBe(60);
    expect(offsetMinutes(new Date('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe(120);
  });

  it('shows negative, half-hour and zero offsets', () => {
    expect(localDateTime(new Date('2026-01-15T03:30:00Z'), 'America/New_York')).toBe(
      '2026-01-14T22:30:00-05:00',
    );
    expect(localDateTime(new Date('2026-07-15T03:30:00Z'), 'America/New_York')).toBe(
      '2026-07-14T23:30:00-04:00',
    );
    expect(offsetMinutes(new Date('2026-01-15T03:30:00Z'), 'America/New_York')).toBe(-300);
    expect(localDateTime(new Date('2026-12-31T20:15:00Z'), 'Asia/Kolkata')).toBe('2027-01-01T01:45:00+05:30');
    expect(offsetMinutes(new Date('2026-12-31T20:15:00Z'), 'Asia/Kolkata')).toBe(330);
    expect(localDateTime(new Date('2026-12-31T23:59:59.999Z'), 'UTC')).toBe('2026-12-31T23:59:59+00:00');
    expect(Object.is(offsetMinutes(new Date('2026-06-01T00:00:00Z'), 'UTC'), 0)).toBe(true);
  });

  it('rejects an unknown zone and an invalid date', () => {
    expect(() => localDateTime(new Date(), 'Mars/Base')).toThrow(BadInputError);
    expect(() => localDateTime(new Date(Number.NaN), 'UTC')).toThrow('at: not a valid date');
    expect(() => offsetMinutes(new Date(Number.NaN), 'UTC')).toThrow(BadInputError);
  });
});

describe('weekPattern', () => {
  it('describes a week every 2 hours at :45 by the local minute of the hour', () => {
    expect(twoHourly).toHaveLength(84);
    expect(weekPattern(twoHourly, 'UTC')).toBe('every 2 h at :45, Tue–Mon');
    // +05:30: the minute becomes :15, and Monday 22:45 UTC is already Tuesday 04:15 in India.
    expect(weekPattern(twoHourly, 'Asia/Kolkata')).toBe('every 2 h at :15, Tue–Tue');
    // −05:00: Tuesday 00:45 UTC is still Monday evening in New York.
    expect(weekPattern(twoHourly, 'America/New_York')).toBe('every 2 h at :45, Mon–Mon');
  });

  it('ignores order and duplicates', () => {
    const shuffled = [...twoHourly]
      .reverse()
      .concat(twoHourly.slice(0, 10).map((d) => new Date(d.getTime())));
    expect(weekPattern(shuffled, 'UTC')).toBe('every 2 h at :45, Tue–Mon');
  });

  it('keeps the minute of an hourly schedule through a whole-hour daylight saving change', () => {
    const march = every(120, '2026-03-24T00:45:00Z', '2026-03-30T20:45:00Z');
    expect(weekPattern(march, 'Europe/Berlin')).toBe('every 2 h at :45, Tue–Mon');
  });

  it('lists the minutes of the hour of a schedule more frequent than hourly', () => {
    const halfHourly = every(30, '2026-12-01T00:15:00Z', '2026-12-07T23:45:00Z');
    expect(weekPattern(halfHourly, 'UTC')).toBe('every 30 min (:15, :45), Tue–Mon');
    expect(weekPattern(halfHourly, 'Asia/Kolkata')).toBe('every 30 min (:15, :45), Tue–Tue');
    const quarterly = every(15, '2026-12-01T00:00:00Z', '2026-12-01T23:45:00Z');
    expect(weekPattern(quarterly, 'UTC')).toBe('every 15 min (:00, :15, :30, :45), Tue');
    // Twelve minutes of the hour read worse than the first start.
    expect(weekPattern(every(5, '2026-12-01T00:00:00Z', '2026-12-01T02:00:00Z'), 'UTC')).toBe(
      'every 5 min from 00:00, Tue',
    );
    // 45 minutes does not divide the hour: the minutes drift, so the schedule is anchored at its first start.
    expect(weekPattern(every(45, '2026-12-01T00:00:00Z', '2026-12-01T12:00:00Z'), 'UTC')).toBe(
      'every 45 min from 00:00, Tue',
    );
  });

  it('anchors an interval that is not a whole number of hours dividing the day at the first local time', () => {
    const ninety = every(90, '2026-12-01T00:15:00Z', '2026-12-07T23:59:00Z');
    expect(ninety[ninety.length - 1].toISOString()).toBe('2026-12-07T22:45:00.000Z');
    expect(weekPattern(ninety, 'UTC')).toBe('every 1 h 30 min from 00:15, Tue–Mon');
    expect(weekPattern(ninety, 'Asia/Kolkata')).toBe('every 1 h 30 min from 05:45, Tue–Tue');
    expect(weekPattern(every(300, '2026-12-01T01:00:00Z', '2026-12-03T00:00:00Z'), 'UTC')).toBe(
      'every 5 h from 01:00, Tue–Wed',
    );
  });

  it('gives the local time of a daily schedule', () => {
    const daily = every(1440, '2026-12-01T18:00:00Z', '2026-12-07T18:00:00Z');
    expect(weekPattern(daily, 'UTC')).toBe('daily at 18:00, Tue–Mon');
    expect(weekPattern(daily, 'Europe/Berlin')).toBe('daily at 19:00, Tue–Mon');
    expect(weekPattern(daily, 'Asia/Kolkata')).toBe('daily at 23:30, Tue–Mon');
    expect(weekPattern(every(2880, '2026-12-01T18:00:00Z', '2026-12-07T18:00:00Z'), 'UTC')).toBe(
      'every 2 days at 18:00, Tue–Mon',
    );
  });

  it('names the change of local time of a daily schedule across a daylight saving change', () => {
    const spring = every(1440, '2026-03-24T18:00:00Z', '2026-03-30T18:00:00Z');
    expect(spring).toHaveLength(7);
    expect(weekPattern(spring, 'Europe/Berlin')).toBe('daily at 19:00 (20:00 from Sun 29 Mar), Tue–Mon');
    expect(weekPattern(spring, 'UTC')).toBe('daily at 18:00, Tue–Mon');
    const autumn = every(1440, '2026-10-20T18:00:00Z', '2026-10-26T18:00:00Z');
    expect(weekPattern(autumn, 'Europe/Berlin')).toBe('daily at 20:00 (19:00 from Sun 25 Oct), Tue–Mon');
  });

  it('lists an irregular schedule start by start, at most six', () => {
    const weekend = [new Date('2026-12-06T14:00:00Z'), new Date('2026-12-05T18:00:00Z')];
    expect(weekPattern(weekend, 'UTC')).toBe('Sat 18:00, Sun 14:00');
    expect(weekPattern(weekend, 'Europe/Berlin')).toBe('Sat 19:00, Sun 15:00');
    // Two starts a regular interval apart are still only two starts.
    expect(weekPattern(twoHourly.slice(0, 2), 'UTC')).toBe('Tue 00:45, Tue 02:45');
    const uneven = [
      '01T18:00',
      '02T18:00',
      '03T20:00',
      '04T18:00',
      '05T12:00',
      '05T18:00',
      '06T12:00',
      '06T18:00',
    ];
    expect(
      weekPattern(
        uneven.map((d) => new Date(`2026-12-${d}:00Z`)),
        'UTC',
      ),
    ).toBe('Tue 18:00, Wed 18:00, Thu 20:00, Fri 18:00, Sat 12:00, Sat 18:00 … (+2 more)');
  });

  it('handles a single start and no start', () => {
    expect(weekPattern([new Date('2026-12-01T00:45:00Z')], 'UTC')).toBe('Tue 00:45');
    expect(weekPattern([new Date('2026-12-01T00:45:00Z')], 'Asia/Kolkata')).toBe('Tue 06:15');
    expect(weekPattern([], 'UTC')).toBe('no sessions');
  });

  it('rejects an unknown zone and invalid starts', () => {
    expect(() => weekPattern(twoHourly, 'Mars/Base')).toThrow('timeZone: unknown IANA time zone "Mars/Base"');
    expect(() => weekPattern([], 'Mars/Base')).toThrow(BadInputError);
    expect(() => weekPattern([twoHourly[0], new Date('nope')], 'UTC')).toThrow('starts[1]: not a valid date');
  });
});
