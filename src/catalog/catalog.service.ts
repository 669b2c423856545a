// Read side of the catalog: filtered, keyset-paginated lists and the batch look-ups behind the DataLoaders.
// Other modules use this service (never the catalog's repositories). Every read selects the columns its GraphQL
// type shows, as plain rows (never the stored `raw` payloads, never a hydrated entity); a list's count runs only
// when `totalCount` is selected (docs/architecture.md §6.1).
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { NotFoundError } from '../core/errors/domain-error.js';
import { paginateLazily, pick, plainRows, readColumns, selectColumns } from '../core/graphql/pagination.js';
import type { KeysetSort, LazyConnectionShape } from '../core/graphql/pagination.js';
import { categoryValues } from './dto/catalog.args.js';
import type { CarClassesArgs, CarsArgs, LayoutsArgs, TracksArgs } from './dto/catalog.args.js';
import { CarClassCar } from './entities/car-class-car.entity.js';
import { CarClass } from './entities/car-class.entity.js';
import { CarModel } from './entities/car-model.entity.js';
import { Car } from './entities/car.entity.js';
import { TrackLayout } from './entities/track-layout.entity.js';
import { Track } from './entities/track.entity.js';
import { TrackModel } from './entities/track-model.entity.js';

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Columns no GraphQL field (nor the calendar feed) shows, left unread: iRacing's stored payloads and bookkeeping.
 * A column added to an entity is read unless named here; the objects read lack these properties.
 */
export const OMIT = {
  car: ['raw', 'createdAt', 'updatedAt'],
  carClass: ['createdAt', 'updatedAt'],
  carModel: ['createdAt', 'updatedAt'],
  track: ['createdAt', 'updatedAt'],
  layout: ['raw', 'createdAt', 'updatedAt'],
  trackModel: ['createdAt', 'updatedAt'],
} as const satisfies Record<string, readonly string[]>;

/** A keyset page of plain rows of `alias`'s columns but `omit`, counted only when asked. */
function page<T>(
  qb: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  omit: readonly string[],
  args: { first?: number; after?: string },
  sort: KeysetSort<T>,
): Promise<LazyConnectionShape<T>> {
  // Every join of these lists is to-one (a car's model): counting rows needs no DISTINCT.
  return paginateLazily(qb, args, sort, { columns: readColumns(qb, alias, omit), joinsToOne: true });
}

/** The first row, or NOT_FOUND. */
async function one<T>(rows: Promise<T[]>, type: string, id: number): Promise<T> {
  return (await rows)[0] ?? Promise.reject(new NotFoundError(type, id));
}

@Injectable()
export class CatalogService {
  constructor(
    @InjectRepository(Car) private readonly cars: Repository<Car>,
    @InjectRepository(CarClass) private readonly classes: Repository<CarClass>,
    @InjectRepository(CarClassCar) private readonly members: Repository<CarClassCar>,
    @InjectRepository(CarModel) private readonly carModels: Repository<CarModel>,
    @InjectRepository(Track) private readonly tracks: Repository<Track>,
    @InjectRepository(TrackLayout) private readonly layouts: Repository<TrackLayout>,
    @InjectRepository(TrackModel) private readonly trackModels: Repository<TrackModel>,
  ) {}

  listCars(args: CarsArgs): Promise<LazyConnectionShape<Car>> {
    const qb = this.cars.createQueryBuilder('car');
    const f = args.filter;
    if (f?.search) {
      qb.leftJoin('car.carModel', 'model').andWhere(
        '(car.name ILIKE :q OR car.abbreviation ILIKE :q OR model.make ILIKE :q OR model.model ILIKE :q)',
        { q: like(f.search) },
      );
    }
    if (f?.category) qb.andWhere('car.categories && :cats', { cats: categoryValues(f.category, 'car') });
    if (f?.free !== undefined) qb.andWhere('car.free_with_subscription = :free', { free: f.free });
    if (f?.carClassId) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_id = car.car_id AND m.car_class_id = :cls)',
        {
          cls: f.carClassId,
        },
      );
    }
    return page(qb, 'car', OMIT.car, args, {
      sortExpr: 'car.name',
      idExpr: 'car.carId',
      values: (c: Car) => [c.name, c.carId],
    });
  }

  listCarClasses(args: CarClassesArgs): Promise<LazyConnectionShape<CarClass>> {
    const qb = this.classes.createQueryBuilder('cls');
    const f = args.filter;
    if (f?.search) qb.andWhere('(cls.name ILIKE :q OR cls.short_name ILIKE :q)', { q: like(f.search) });
    if (f?.carId) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_class_id = cls.car_class_id AND m.car_id = :car)',
        {
          car: f.carId,
        },
      );
    }
    return page(qb, 'cls', OMIT.carClass, args, {
      sortExpr: 'cls.name',
      idExpr: 'cls.carClassId',
      values: (c: CarClass) => [c.name, c.carClassId],
    });
  }

  listTracks(args: TracksArgs): Promise<LazyConnectionShape<Track>> {
    const qb = this.tracks.createQueryBuilder('track');
    const f = args.filter;
    const layoutConds: string[] = [];
    const params: Record<string, unknown> = {};
    if (f?.search) {
      qb.andWhere(
        `(track.name ILIKE :q OR track.location ILIKE :q OR EXISTS (SELECT 1 FROM sim_layout l
          WHERE l.package_id = track.package_id AND l.config_name ILIKE :q))`,
        { q: like(f.search) },
      );
    }
    if (f?.category) {
      layoutConds.push('l.category = ANY(:cats)');
      params.cats = categoryValues(f.category, 'track');
    }
    if (f?.includeRetired === false) layoutConds.push('NOT l.retired');
    if (layoutConds.length) {
      qb.andWhere(
        `EXISTS (SELECT 1 FROM sim_layout l WHERE l.package_id = track.package_id AND ${layoutConds.join(' AND ')})`,
        params,
      );
    }
    if (f?.free !== undefined) qb.andWhere('track.free_with_subscription = :free', { free: f.free });
    return page(qb, 'track', OMIT.track, args, {
      sortExpr: 'track.name',
      idExpr: 'track.packageId',
      values: (t: Track) => [t.name, t.packageId],
    });
  }

  listLayouts(args: LayoutsArgs): Promise<LazyConnectionShape<TrackLayout>> {
    const qb = this.layouts.createQueryBuilder('layout');
    const f = args.filter;
    if (f?.search) {
      qb.andWhere('(layout.track_name ILIKE :q OR layout.config_name ILIKE :q)', { q: like(f.search) });
    }
    if (f?.category)
      qb.andWhere('layout.category = ANY(:cats)', { cats: categoryValues(f.category, 'track') });
    if (f?.includeRetired === false) qb.andWhere('NOT layout.retired');
    if (f?.free !== undefined) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM sim_track t WHERE t.package_id = layout.package_id AND t.free_with_subscription = :free)',
        { free: f.free },
      );
    }
    return page(qb, 'layout', OMIT.layout, args, {
      sortExpr: 'layout.trackName',
      idExpr: 'layout.trackId',
      values: (l: TrackLayout) => [l.trackName, l.trackId],
    });
  }

  car(id: number): Promise<Car> {
    return one(this.carsByIds([id]), 'Car', id);
  }

  carClass(id: number): Promise<CarClass> {
    return one(this.carClassesByIds([id]), 'CarClass', id);
  }

  track(id: number): Promise<Track> {
    return one(this.tracksByPackageIds([id]), 'Track', id);
  }

  layout(id: number): Promise<TrackLayout> {
    return one(this.layoutsByIds([id]), 'TrackLayout', id);
  }

  // Batch look-ups for DataLoaders: one statement per batch of keys.

  carsByIds(ids: readonly number[]): Promise<Car[]> {
    const qb = this.cars.createQueryBuilder('c').where('c.car_id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 'c', OMIT.car);
  }

  carClassesByIds(ids: readonly number[]): Promise<CarClass[]> {
    const qb = this.classes.createQueryBuilder('c').where('c.car_class_id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 'c', OMIT.carClass);
  }

  layoutsByIds(ids: readonly number[]): Promise<TrackLayout[]> {
    const qb = this.layouts.createQueryBuilder('l').where('l.track_id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 'l', OMIT.layout);
  }

  tracksByPackageIds(ids: readonly number[]): Promise<Track[]> {
    const qb = this.tracks.createQueryBuilder('t').where('t.package_id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 't', OMIT.track);
  }

  carModelsByIds(ids: readonly number[]): Promise<CarModel[]> {
    const qb = this.carModels.createQueryBuilder('m').where('m.id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 'm', OMIT.carModel);
  }

  trackModelsByIds(ids: readonly number[]): Promise<TrackModel[]> {
    const qb = this.trackModels.createQueryBuilder('m').where('m.id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 'm', OMIT.trackModel);
  }

  layoutsByPackageIds(ids: readonly number[]): Promise<TrackLayout[]> {
    const qb = this.layouts
      .createQueryBuilder('l')
      .where('l.package_id = ANY(:ids)', { ids: [...ids] })
      .orderBy('l.track_id', 'ASC');
    return plainRows(qb, 'l', OMIT.layout);
  }

  /** The cars of many classes at once, by class (one statement). */
  async carsOfClasses(classIds: readonly number[]): Promise<{ carClassId: number; car: Car }[]> {
    const qb = this.members
      .createQueryBuilder('m')
      .innerJoin(Car, 'c', 'c.car_id = m.car_id')
      .where('m.car_class_id = ANY(:ids)', { ids: [...classIds] })
      .orderBy('m.car_id', 'ASC');
    const car = readColumns(qb, 'c', OMIT.car, 'c__');
    const rows = await selectColumns(qb, [
      { sql: 'm.car_class_id', key: 'carClassId', property: 'carClassId' },
      ...car,
    ]).getRawMany<Record<string, unknown>>();
    return rows.map((r) => ({ carClassId: r.carClassId as number, car: pick<Car>(r, car) }));
  }

  /** The classes of many cars at once, by car (one statement). */
  async classesOfCars(carIds: readonly number[]): Promise<{ carId: number; carClass: CarClass }[]> {
    const qb = this.members
      .createQueryBuilder('m')
      .innerJoin(CarClass, 'c', 'c.car_class_id = m.car_class_id')
      .where('m.car_id = ANY(:ids)', { ids: [...carIds] })
      .orderBy('m.car_class_id', 'ASC');
    const carClass = readColumns(qb, 'c', OMIT.carClass, 'c__');
    const rows = await selectColumns(qb, [
      { sql: 'm.car_id', key: 'carId', property: 'carId' },
      ...carClass,
    ]).getRawMany<Record<string, unknown>>();
    return rows.map((r) => ({ carId: r.carId as number, carClass: pick<CarClass>(r, carClass) }));
  }
}
