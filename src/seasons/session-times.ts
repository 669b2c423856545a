// Session start times of a race week from its `race_time_descriptors` (docs/architecture.md §5.7), as pure
// functions.
// A repeating descriptor gives `first_session_time` + k × `repeat_minutes` on each `day_offset` day counted from
// the descriptor's `start_date`, within that day and before the week ends; the others list `session_times`
// (kept as listed).
// Everything is UTC.

export interface RaceTimeDescriptor {
  repeating: boolean;
  super_session?: boolean | null;
  session_minutes?: number | null;
  first_session_time?: string | null;
  repeat_minutes?: number | null;
  day_offset?: number[] | null;
  start_date?: string | null;
  session_times?: string[] | null;
}

export interface SessionStart {
  start: Date;
  /** start + session_minutes, when the descriptor gives them. */
  end: Date | null;
  sessionMinutes: number | null;
  superSession: boolean;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** `HH:MM[:SS]` → milliseconds after midnight; throws on anything else. */
export function parseClock(value: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) throw new Error(`first_session_time: expected HH:MM:SS, got "${value}"`);
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || s > 59) throw new Error(`first_session_time: not a time of day: "${value}"`);
  return ((h * 60 + min) * 60 + s) * 1000;
}

/** `YYYY-MM-DD` (or a full ISO time, whose day is taken) → that day's 00:00 UTC in ms. */
export function parseDay(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (!m) throw new Error(`start_date: expected YYYY-MM-DD, got "${value}"`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3]))
    throw new Error(`start_date: not a date: "${value}"`);
  return ms;
}

/**
 * Every session start of a week, sorted and unique by start (a later descriptor naming the same start wins).
 * `weekStart` is used when a repeating descriptor has no `start_date`; no repetition at or after `weekEnd` is kept.
 */
export function sessionStarts(
  descriptors: readonly RaceTimeDescriptor[],
  weekStart: Date,
  weekEnd: Date,
): SessionStart[] {
  const end = weekEnd.getTime();
  const byStart = new Map<number, SessionStart>();
  const add = (ms: number, d: RaceTimeDescriptor) => {
    const minutes = d.session_minutes ?? null;
    byStart.set(ms, {
      start: new Date(ms),
      end: minutes === null ? null : new Date(ms + minutes * MINUTE),
      sessionMinutes: minutes,
      superSession: d.super_session === true,
    });
  };
  for (const d of descriptors) {
    if (d.repeating) {
      if (!d.first_session_time)
        throw new Error('a repeating race time descriptor has no first_session_time');
      const first = parseClock(d.first_session_time);
      const repeat = d.repeat_minutes ?? 0;
      if (!Number.isInteger(repeat) || repeat < 0)
        throw new Error(`repeat_minutes: expected a whole number of minutes, got ${repeat}`);
      const base = d.start_date ? parseDay(d.start_date) : Math.floor(weekStart.getTime() / DAY) * DAY;
      for (const offset of d.day_offset ?? [0]) {
        const day = base + offset * DAY;
        for (let t = day + first; t < day + DAY && t < end; t += repeat * MINUTE) {
          add(t, d);
          if (repeat === 0) break;
        }
      }
    } else {
      // Listed times are the week's own: all kept (iRacing's week_end_time is often the last of them).
      for (const s of d.session_times ?? []) {
        const ms = Date.parse(s);
        if (Number.isNaN(ms)) throw new Error(`session_times: not a time: "${s}"`);
        add(ms, d);
      }
    }
  }
  return [...byStart.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}
