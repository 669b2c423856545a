import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IracingCar, IracingTrack } from '../iracing/iracing.payloads.js';
import { baseName, carModelOf, carRows, trackRows } from './catalog.mapping.js';

const sample = <T>(f: string): T =>
  JSON.parse(readFileSync(resolve(process.cwd(), '../shared/iracing-samples', f), 'utf8')) as T;

describe('catalog mapping', () => {
  it('strips retired/legacy prefixes and year suffixes from track names', () => {
    expect(baseName('[Legacy] Charlotte Motor Speedway - 2008')).toBe('Charlotte Motor Speedway');
    expect(baseName('[Retired] Lime Rock Park - 2008')).toBe('Lime Rock Park');
    expect(baseName('Circuit de Spa-Francorchamps')).toBe('Circuit de Spa-Francorchamps');
  });

  it('groups cars by make and model, falling back to the name when either is missing', () => {
    const car = (o: Partial<IracingCar>) => ({ car_id: 1, car_name: 'X', package_id: 1, ...o }) as IracingCar;
    expect(carModelOf(car({ car_make: 'Mazda', car_model: 'MX-5' })).key).toBe('mazda|mx-5');
    expect(carModelOf(car({ car_make: 'Radical ', car_model: ' ', car_name: 'Radical SR8' })).key).toBe(
      'name:radical sr8',
    );
    expect(carModelOf(car({ car_name: '[Legacy] Mercedes-AMG GT3' })).key).toBe('name:mercedes-amg gt3');
  });

  it('maps the recorded cars: one row per car, fewer car models than cars', () => {
    const { simCars, carModels } = carRows(sample<IracingCar[]>('car-get.json'));
    expect(simCars).toHaveLength(181);
    expect(carModels.length).toBeLessThan(181);
    expect(new Set(carModels.map((m) => m.key)).size).toBe(carModels.length);
    expect(simCars[0]).toMatchObject({
      car_id: 1,
      weight_lbs: 1250,
      car_types: expect.arrayContaining(['road']),
    });
  });

  it('maps the recorded tracks: packages, places and configurations', () => {
    const { simTracks, trackModels, layouts } = trackRows(sample<IracingTrack[]>('track-get.json'));
    expect(layouts).toHaveLength(424);
    expect(simTracks).toHaveLength(148);
    expect(trackModels.length).toBeLessThan(148);
    const limeRock = simTracks.filter((t) => t.track_model_key === 'lime rock park');
    expect(limeRock.length).toBeGreaterThan(1);
  });
});
