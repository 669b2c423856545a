import { changeOf, overlaps } from './plan.service.js';

const sig = (parts: Record<string, string>) =>
  Object.entries(parts)
    .map(([k, v]) => `${k}:${v}`)
    .join('|');

describe('changeOf', () => {
  const planned = { track: '12', cars: 'a', classes: 'b', times: 'c', allowed: 'd' };

  it('says nothing changed for the same signature, and that a week gone is gone', () => {
    expect(changeOf(sig(planned), sig(planned))).toBeNull();
    expect(changeOf(sig(planned), null)).toBe('the race week is no longer on the schedule');
  });

  it('names each part that changed, once', () => {
    expect(changeOf(sig(planned), sig({ ...planned, times: 'x' }))).toBe(
      'the session times changed since it was planned',
    );
    expect(changeOf(sig(planned), sig({ ...planned, track: '13', classes: 'x' }))).toBe(
      'the track, the car classes changed since it was planned',
    );
    // The cars a week allows are the cars of its classes: a catalog sync can change them alone.
    expect(changeOf(sig(planned), sig({ ...planned, allowed: 'x' }))).toBe(
      'the cars changed since it was planned',
    );
    // A week given its own list of cars: its list and the cars it allows both changed, named once.
    expect(changeOf(sig(planned), sig({ ...planned, cars: 'x', allowed: 'y' }))).toBe(
      'the cars changed since it was planned',
    );
  });

  it('does not take a part the planned signature did not keep for a change', () => {
    const { allowed: _allowed, ...older } = planned;
    expect(changeOf(sig(older), sig(planned))).toBeNull();
    expect(changeOf(sig(older), sig({ ...planned, times: 'x' }))).toBe(
      'the session times changed since it was planned',
    );
  });
});

describe('overlaps', () => {
  it('pairs the sessions whose times overlap, both ways', () => {
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 10) + minutes * 60_000);
    // 10:00-11:00 and 10:30-11:30 overlap; 11:30-12:00 starts as the second ends.
    const out = overlaps([
      { id: 1, start: at(0), end: at(60) },
      { id: 2, start: at(30), end: at(90) },
      { id: 3, start: at(90), end: at(120) },
    ]);
    expect(out.get(1)).toEqual([2]);
    expect(out.get(2)).toEqual([1]);
    expect(out.get(3)).toBeUndefined();
  });
});
