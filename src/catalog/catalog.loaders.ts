// The catalog's per-request DataLoaders: every nested catalog field resolves through one of these, so a
// query costs one statement per level, whatever the number of parents. Rows a loader reads along the way (a
// class's cars) prime the loaders that would read them again.
import DataLoader from 'dataloader';
import { groupBy, indexBy } from '../core/graphql/dataloader.registry.js';
import type { CatalogService } from './catalog.service.js';
import type { CarClass } from './entities/car-class.entity.js';
import type { CarModel } from './entities/car-model.entity.js';
import type { Car } from './entities/car.entity.js';
import type { TrackLayout } from './entities/track-layout.entity.js';
import type { Track } from './entities/track.entity.js';
import type { TrackModel } from './entities/track-model.entity.js';

export class CatalogLoaders {
  constructor(private readonly catalog: CatalogService) {}

  /** A layout another module read with its own rows (a join): its `layout` costs no statement. */
  primeLayout(layout: TrackLayout): void {
    this.layout.prime(layout.trackId, layout);
  }

  readonly car = new DataLoader<number, Car | null>(async (ids) =>
    indexBy(ids, await this.catalog.carsByIds(ids), (c) => c.carId),
  );

  readonly carClass = new DataLoader<number, CarClass | null>(async (ids) =>
    indexBy(ids, await this.catalog.carClassesByIds(ids), (c) => c.carClassId),
  );

  readonly layout = new DataLoader<number, TrackLayout | null>(async (ids) =>
    indexBy(ids, await this.catalog.layoutsByIds(ids), (l) => l.trackId),
  );

  readonly track = new DataLoader<number, Track | null>(async (ids) =>
    indexBy(ids, await this.catalog.tracksByPackageIds(ids), (t) => t.packageId),
  );

  readonly carModel = new DataLoader<number, CarModel | null>(async (ids) =>
    indexBy(ids, await this.catalog.carModelsByIds(ids), (m) => m.id),
  );

  readonly trackModel = new DataLoader<number, TrackModel | null>(async (ids) =>
    indexBy(ids, await this.catalog.trackModelsByIds(ids), (m) => m.id),
  );

  readonly layoutsOfTrack = new DataLoader<number, TrackLayout[]>(async (ids) =>
    groupBy(ids, await this.catalog.layoutsByPackageIds(ids), (l) => l.packageId),
  );

  readonly carsOfClass = new DataLoader<number, Car[]>(async (ids) => {
    const rows = await this.catalog.carsOfClasses(ids);
    // The cars come with their classes: a later `car` of one of them costs no statement.
    for (const { car } of rows) this.car.prime(car.carId, car);
    return groupBy(ids, rows, (m) => m.carClassId).map((list) => list.map((m) => m.car));
  });

  readonly classesOfCar = new DataLoader<number, CarClass[]>(async (ids) => {
    const rows = await this.catalog.classesOfCars(ids);
    for (const { carClass } of rows) this.carClass.prime(carClass.carClassId, carClass);
    return groupBy(ids, rows, (m) => m.carId).map((list) => list.map((m) => m.carClass));
  });
}
