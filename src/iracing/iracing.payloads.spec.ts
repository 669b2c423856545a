import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DecodeError } from './decode.js';
import { carClassPayload, carPayload, trackPayload } from './iracing.payloads.js';

const sample = (f: string): unknown =>
  JSON.parse(readFileSync(resolve(process.cwd(), '../shared/iracing-samples', f), 'utf8')) as unknown;

describe('catalog payload checks', () => {
  it('accept the recorded iRacing payloads', () => {
    expect(carPayload(sample('car-get.json'), '')).toHaveLength(181);
    expect(carClassPayload(sample('carclass-get.json'), '')).toHaveLength(251);
    expect(trackPayload(sample('track-get.json'), '')).toHaveLength(424);
  });

  it('name the field path of a wrong type', () => {
    const cars = sample('car-get.json') as Record<string, unknown>[];
    cars[12] = { ...cars[12], car_id: '12' };
    try {
      carPayload(cars, '');
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).path).toBe('[12].car_id');
      expect((err as DecodeError).message).toBe('expected an integer, got string "12"');
    }
  });

  it('name nested paths and missing fields', () => {
    const classes = sample('carclass-get.json') as Record<string, unknown>[];
    classes[3] = { ...classes[3], cars_in_class: [{ car_id: 1 }, { car_dirpath: 'x' }] };
    expect(() => carClassPayload(classes, '')).toThrow(/field missing/);
    try {
      carClassPayload(classes, '');
    } catch (err) {
      expect((err as DecodeError).path).toBe('[3].cars_in_class[1].car_id');
    }
  });

  it('reject a payload that is not a list', () => {
    expect(() => trackPayload({ tracks: [] }, '')).toThrow(/expected an array, got an object/);
  });
});
