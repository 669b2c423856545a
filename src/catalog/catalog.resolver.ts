// GraphQL for the catalog: thin resolvers (validated args, one service call) and field resolvers through
// the per-request DataLoaders.
import {
  Args,
  Context,
  Float,
  Int,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { Connection } from '../core/graphql/pagination.js';
import { CatalogLoaders } from './catalog.loaders.js';
import { CatalogService } from './catalog.service.js';
import { CarClassesArgs, CarsArgs, LayoutsArgs, TracksArgs } from './dto/catalog.args.js';
import { CarClass } from './entities/car-class.entity.js';
import { CarModel } from './entities/car-model.entity.js';
import { Car } from './entities/car.entity.js';
import { TrackLayout } from './entities/track-layout.entity.js';
import { Track } from './entities/track.entity.js';
import { TrackModel } from './entities/track-model.entity.js';

@ObjectType()
export class CarConnection extends Connection(Car, 'Car') {}
@ObjectType()
export class CarClassConnection extends Connection(CarClass, 'CarClass') {}
@ObjectType()
export class TrackConnection extends Connection(Track, 'Track') {}
@ObjectType()
export class TrackLayoutConnection extends Connection(TrackLayout, 'TrackLayout') {}

const LBS_PER_KG = 2.20462;
const KM_PER_MILE = 1.609344;
const loaders = (ctx: GraphQLContext) => ctx.loaders.get(CatalogLoaders);

@Resolver(() => Car)
export class CarResolver {
  constructor(private readonly catalog: CatalogService) {}

  @Query(() => CarConnection, { description: 'Cars, by name.' })
  cars(@Args() args: CarsArgs) {
    return this.catalog.listCars(args);
  }

  @Query(() => Car, { description: 'One car by iRacing car_id.' })
  car(@Args('id', { type: () => Int }) id: number) {
    return this.catalog.car(id);
  }

  @ResolveField(() => [CarClass], { description: 'The car classes this car races in.' })
  classes(@Parent() car: Car, @Context() ctx: GraphQLContext) {
    return loaders(ctx).classesOfCar.load(car.carId);
  }

  @ResolveField(() => CarModel, { nullable: true })
  carModel(@Parent() car: Car, @Context() ctx: GraphQLContext) {
    return loaders(ctx).carModel.load(car.carModelId);
  }

  @ResolveField(() => Float, { nullable: true, description: 'Weight in kilograms.' })
  weightKg(@Parent() car: Car): number | null {
    return car.weightLbs === null ? null : Math.round((car.weightLbs / LBS_PER_KG) * 10) / 10;
  }
}

@Resolver(() => CarClass)
export class CarClassResolver {
  constructor(private readonly catalog: CatalogService) {}

  @Query(() => CarClassConnection, { description: 'Car classes, by name.' })
  carClasses(@Args() args: CarClassesArgs) {
    return this.catalog.listCarClasses(args);
  }

  @Query(() => CarClass, { description: 'One car class by iRacing car_class_id.' })
  carClass(@Args('id', { type: () => Int }) id: number) {
    return this.catalog.carClass(id);
  }

  @ResolveField(() => [Car], { description: 'The cars of the class.' })
  cars(@Parent() cls: CarClass, @Context() ctx: GraphQLContext) {
    return loaders(ctx).carsOfClass.load(cls.carClassId);
  }
}

@Resolver(() => Track)
export class TrackResolver {
  constructor(private readonly catalog: CatalogService) {}

  @Query(() => TrackConnection, { description: 'Tracks (purchasable packages), by name.' })
  tracks(@Args() args: TracksArgs) {
    return this.catalog.listTracks(args);
  }

  @Query(() => Track, { description: 'One track by its iRacing package_id.' })
  track(@Args('id', { type: () => Int }) id: number) {
    return this.catalog.track(id);
  }

  @ResolveField(() => [TrackLayout], { description: 'The configurations of the track.' })
  layouts(@Parent() track: Track, @Context() ctx: GraphQLContext) {
    return loaders(ctx).layoutsOfTrack.load(track.packageId);
  }

  @ResolveField(() => TrackModel, { nullable: true, description: 'The real place.' })
  trackModel(@Parent() track: Track, @Context() ctx: GraphQLContext) {
    return loaders(ctx).trackModel.load(track.trackModelId);
  }
}

@Resolver(() => TrackLayout)
export class TrackLayoutResolver {
  constructor(private readonly catalog: CatalogService) {}

  @Query(() => TrackLayoutConnection, { description: 'Track configurations, by track name.' })
  layouts(@Args() args: LayoutsArgs) {
    return this.catalog.listLayouts(args);
  }

  @Query(() => TrackLayout, { description: 'One track configuration by iRacing track_id.' })
  layout(@Args('id', { type: () => Int }) id: number) {
    return this.catalog.layout(id);
  }

  @ResolveField(() => Track, { nullable: true, description: 'The package this configuration belongs to.' })
  track(@Parent() layout: TrackLayout, @Context() ctx: GraphQLContext) {
    return loaders(ctx).track.load(layout.packageId);
  }

  @ResolveField(() => Float, { nullable: true, description: 'Lap length in kilometres.' })
  lengthKm(@Parent() layout: TrackLayout): number | null {
    return layout.lengthMiles === null ? null : Math.round(layout.lengthMiles * KM_PER_MILE * 1000) / 1000;
  }
}
