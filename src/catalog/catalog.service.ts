// Read side of the catalog: filtered, keyset-paginated lists and the batch look-ups behind the DataLoaders.
// Other modules use this service (never the catalog's repositories).
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { NotFoundError } from '../core/errors/domain-error.js';
import { paginate } from '../core/graphql/pagination.js';
import type { ConnectionShape } from '../core/graphql/pagination.js';
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

  listCars(args: CarsArgs): Promise<ConnectionShape<Car>> {
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
    return paginate(qb, args, {
      sortExpr: 'car.name',
      idExpr: 'car.carId',
      values: (c) => [c.name, c.carId],
    });
  }

  listCarClasses(args: CarClassesArgs): Promise<ConnectionShape<CarClass>> {
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
    return paginate(qb, args, {
      sortExpr: 'cls.name',
      idExpr: 'cls.carClassId',
      values: (c) => [c.name, c.carClassId],
    });
  }

  listTracks(args: TracksArgs): Promise<ConnectionShape<Track>> {
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
    return paginate(qb, args, {
      sortExpr: 'track.name',
      idExpr: 'track.packageId',
      values: (t) => [t.name, t.packageId],
    });
  }

  listLayouts(args: LayoutsArgs): Promise<ConnectionShape<TrackLayout>> {
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
    return paginate(qb, args, {
      sortExpr: 'layout.trackName',
      idExpr: 'layout.trackId',
      values: (l) => [l.trackName, l.trackId],
    });
  }

  async car(id: number): Promise<Car> {
    return (await this.cars.findOneBy({ carId: id })) ?? Promise.reject(new NotFoundError('Car', id));
  }

  async carClass(id: number): Promise<CarClass> {
    return (
      (await this.classes.findOneBy({ carClassId: id })) ?? Promise.reject(new NotFoundError('CarClass', id))
    );
  }

  async track(id: number): Promise<Track> {
    return (await this.tracks.findOneBy({ packageId: id })) ?? Promise.reject(new NotFoundError('Track', id));
  }

  async layout(id: number): Promise<TrackLayout> {
    return (
      (await this.layouts.findOneBy({ trackId: id })) ?? Promise.reject(new NotFoundError('TrackLayout', id))
    );
  }

  // Batch look-ups for DataLoaders: one statement per batch of keys.

  carsByIds(ids: readonly number[]): Promise<Car[]> {
    return this.cars.findBy({ carId: In([...ids]) });
  }

  carClassesByIds(ids: readonly number[]): Promise<CarClass[]> {
    return this.classes.findBy({ carClassId: In([...ids]) });
  }

  layoutsByIds(ids: readonly number[]): Promise<TrackLayout[]> {
    return this.layouts.findBy({ trackId: In([...ids]) });
  }

  tracksByPackageIds(ids: readonly number[]): Promise<Track[]> {
    return this.tracks.findBy({ packageId: In([...ids]) });
  }

  carModelsByIds(ids: readonly number[]): Promise<CarModel[]> {
    return this.carModels.findBy({ id: In([...ids]) });
  }

  trackModelsByIds(ids: readonly number[]): Promise<TrackModel[]> {
    return this.trackModels.findBy({ id: In([...ids]) });
  }

  layoutsByPackageIds(ids: readonly number[]): Promise<TrackLayout[]> {
    return this.layouts.find({ where: { packageId: In([...ids]) }, order: { trackId: 'ASC' } });
  }

  /** Memberships with their cars, for the cars of many classes at once. */
  classMembersWithCars(classIds: readonly number[]): Promise<CarClassCar[]> {
    return this.members.find({
      where: { carClassId: In([...classIds]) },
      relations: { car: true },
      order: { carId: 'ASC' },
    });
  }

  /** Memberships with their classes, for the classes of many cars at once. */
  carMembersWithClasses(carIds: readonly number[]): Promise<CarClassCar[]> {
    return this.members.find({
      where: { carId: In([...carIds]) },
      relations: { carClass: true },
      order: { carClassId: 'ASC' },
    });
  }
}
