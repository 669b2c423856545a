import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPart, resultPayload } from '../iracing/iracing.payloads.js';
import { IracingPayloadError } from '../iracing/iracing.errors.js';
import { subsessionBundle } from './results.mapping.js';

const SAMPLES = process.env.IRACING_SAMPLES_DIR ?? join(process.cwd(), '..', 'shared', 'iracing-samples');
type Raw = Record<string, unknown>;
const recorded = JSON.parse(readFileSync(join(SAMPLES, 'results-get.json'), 'utf8')) as Raw;
const check = (payload: unknown) => checkPart('results/get', '', payload, resultPayload);

describe('subsessionBundle: classes and "not applicable" values', () => {
  it('keeps each class of the recorded race with its entries and strength of field, in order', () => {
    expect(subsessionBundle(check(recorded)).classes).toEqual([
      { car_class_id: 2268, position: 0, strength_of_field: 2961, entries: 30 },
    ]);
  });

  it("stores iRacing's -1 as null: a practice's SoF, its cautions and lead changes, a class's SoF", () => {
    const practice = {
      ...structuredClone(recorded),
      event_strength_of_field: -1,
      num_cautions: -1,
      num_caution_laps: -1,
      num_lead_changes: -1,
      car_classes: [
        { car_class_id: 4029, strength_of_field: -1, num_entries: 2 },
        { car_class_id: 4011, strength_of_field: 2247, num_entries: 5 },
        { car_class_id: 4029, strength_of_field: 1500, num_entries: 9 },
      ],
    };
    const b = subsessionBundle(check(practice));
    expect(b.event).toMatchObject({
      strength_of_field: null,
      num_cautions: null,
      num_caution_laps: null,
      num_lead_changes: null,
    });
    expect(b.classes).toEqual([
      { car_class_id: 4029, position: 0, strength_of_field: null, entries: 2 },
      { car_class_id: 4011, position: 1, strength_of_field: 2247, entries: 5 },
    ]);
  });

  it("stores a result row's -1 as null: a practice's start position, no timed lap, no interval", () => {
    const { drivers } = subsessionBundle(check(recorded));
    const practice = drivers.filter((d) => d.simsession_number === -2);
    expect(practice).toHaveLength(30);
    for (const d of practice) expect(d.starting_position).toBeNull();
    const measured = [
      'starting_position',
      'best_lap_time',
      'best_lap_num',
      'average_lap',
      'interval',
      'champ_points',
    ];
    for (const d of drivers)
      for (const column of measured) {
        const v = (d as Record<string, unknown>)[column];
        expect(v === null || (typeof v === 'number' && v >= 0)).toBe(true);
      }
    // A race row keeps its values (0-based positions, times in 1/10,000 s).
    const race = drivers.find((d) => d.simsession_number === 0 && d.finish_position === 0);
    expect(race).toMatchObject({ starting_position: expect.any(Number), best_lap_time: expect.any(Number) });
  });

  it('has no classes before 2024, and names a malformed class', () => {
    const { car_classes: _dropped, ...older } = recorded;
    expect(subsessionBundle(check(older)).classes).toEqual([]);
    const bad = { ...recorded, car_classes: [{ car_class_id: 'GT4', strength_of_field: 1 }] };
    expect(() => check(bad)).toThrow(IracingPayloadError);
    expect(() => check(bad)).toThrow(/car_classes\[0\]\.car_class_id/);
  });
});
