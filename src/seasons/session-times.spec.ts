import { parseClock, parseDay, sessionStarts } from './session-times.js';
import type { RaceTimeDescriptor } from './session-times.js';

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
const week = (start: string, end: string) => [new Date(start), new Date(end)] as const;

describe('sessionStarts', () => {
  it('repeats from the first session time on every listed day, within the day and the week', () => {
    const d: RaceTimeDescriptor = {
      repeating: true,
      first_session_time: '00:45:00',
      repeat_minutes: 120,
      day_offset: [0, 1, 2, 3, 4, 5, 6],
      start_date: '2025-02-11',
      session_minutes: 72,
      super_session: false,
    };
    const starts = sessionStarts([d], ...week('2025-02-11T00:00:00Z', '2025-02-17T23:58:00Z'));
    expect(starts).toHaveLength(7 * 12);
    expect(iso(starts[0].start)).toBe('2025-02-11T00:45:00Z');
    expect(iso(starts[0].end as Date)).toBe('2025-02-11T01:57:00Z');
    expect(iso(starts[11].start)).toBe('2025-02-11T22:45:00Z');
    expect(iso(starts[12].start)).toBe('2025-02-12T00:45:00Z');
    expect(iso(starts[starts.length - 1].start)).toBe('2025-02-17T22:45:00Z');
  });

  it('handles a week that crosses a month and a year', () => {
    const d: RaceTimeDescriptor = {
      repeating: true,
      first_session_time: '23:00:00',
      repeat_minutes: 60,
      day_offset: [0, 2, 6],
      start_date: '2025-12-30',
      session_minutes: 40,
    };
    const starts = sessionStarts([d], ...week('2025-12-30T00:00:00Z', '2026-01-05T23:59:00Z'));
    expect(starts.map((s) => iso(s.start))).toEqual([
      '2025-12-30T23:00:00Z',
      '2026-01-01T23:00:00Z',
      '2026-01-05T23:00:00Z',
    ]);
    const feb = sessionStarts(
      [{ ...d, start_date: '2028-02-27', day_offset: [0, 1, 2, 3] }],
      ...week('2028-02-27T00:00:00Z', '2028-03-05T00:00:00Z'),
    );
    // 2028 is a leap year: 27, 28, 29 February and 1 March.
    expect(feb.map((s) => iso(s.start).slice(0, 10))).toEqual([
      '2028-02-27',
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
  });

  it('repeats every 15 minutes and stops at the end of the week', () => {
    const d: RaceTimeDescriptor = {
      repeating: true,
      first_session_time: '00:00:00',
      repeat_minutes: 15,
      day_offset: [0, 1, 2, 3, 4, 5, 6],
      start_date: '2025-09-09',
      session_minutes: 20,
    };
    const starts = sessionStarts([d], ...week('2025-09-09T00:00:00Z', '2025-09-15T23:30:00Z'));
    expect(starts).toHaveLength(7 * 96 - 2);
    expect(iso(starts[1].start)).toBe('2025-09-09T00:15:00Z');
    expect(iso(starts[starts.length - 1].start)).toBe('2025-09-15T23:15:00Z');
    const gaps = new Set(starts.slice(1).map((s, i) => s.start.getTime() - starts[i].start.getTime()));
    expect([...gaps]).toEqual([15 * 60_000]);
  });

  it('lists the session times of a non-repeating descriptor and merges several descriptors', () => {
    const fixed: RaceTimeDescriptor = {
      repeating: false,
      session_minutes: 252,
      session_times: ['2025-02-15T02:00:00Z', '2025-02-13T02:00:00Z', '2025-02-13T19:00:00Z'],
      super_session: true,
    };
    const daily: RaceTimeDescriptor = {
      repeating: true,
      first_session_time: '19:00:00',
      repeat_minutes: 0,
      day_offset: [2, 4],
      start_date: '2025-02-11',
      session_minutes: 60,
    };
    const starts = sessionStarts([fixed, daily], ...week('2025-02-11T00:00:00Z', '2025-02-17T23:59:00Z'));
    expect(starts.map((s) => [iso(s.start), s.sessionMinutes, s.superSession])).toEqual([
      ['2025-02-13T02:00:00Z', 252, true],
      // The same start in both descriptors: one session, the later descriptor's.
      ['2025-02-13T19:00:00Z', 60, false],
      ['2025-02-15T02:00:00Z', 252, true],
      ['2025-02-15T19:00:00Z', 60, false],
    ]);
  });

  it('uses the week start when a repeating descriptor has no start date, and rejects malformed times', () => {
    const d: RaceTimeDescriptor = { repeating: true, first_session_time: '12:30', repeat_minutes: 720 };
    const starts = sessionStarts([d], ...week('2026-03-03T00:00:00Z', '2026-03-09T23:59:00Z'));
    expect(starts.map((s) => iso(s.start))).toEqual(['2026-03-03T12:30:00Z']);
    expect(starts[0].end).toBeNull();
    expect(() => parseClock('25:00:00')).toThrow(/not a time of day/);
    expect(() => parseClock('noon')).toThrow(/expected HH:MM:SS/);
    expect(() => parseDay('2025-02-30')).toThrow(/not a date/);
    expect(() =>
      sessionStarts([{ repeating: false, session_times: ['soon'] }], new Date(0), new Date(1e12)),
    ).toThrow(/session_times: not a time/);
  });
});

describe('sessionStarts with a fixed last session at the week end', () => {
  it('keeps a listed session that starts exactly at week_end_time', () => {
    const starts = sessionStarts(
      [
        {
          repeating: false,
          session_minutes: 60,
          session_times: ['2025-02-13T02:00:00Z', '2025-02-17T20:00:00Z'],
        },
      ],
      new Date('2025-02-11T00:00:00Z'),
      new Date('2025-02-17T20:00:00Z'),
    );
    expect(starts.map((s) => s.start.toISOString())).toEqual([
      '2025-02-13T02:00:00.000Z',
      '2025-02-17T20:00:00.000Z',
    ]);
  });
});
