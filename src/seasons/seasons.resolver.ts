// GraphQL for the season graph: thin queries (validated args, one service call) and field resolvers through the
// per-request DataLoaders. A list field's `complexity` is its expected size, used by the complexity limit.
import { Args, Context, Info, Int, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { ModuleRef } from '@nestjs/core';
import { CatalogLoaders } from '../catalog/catalog.loaders.js';
import { NotFoundError } from '../core/errors/domain-error.js';
import { CarClass } from '../catalog/entities/car-class.entity.js';
import { Car } from '../catalog/entities/car.entity.js';
import { TrackLayout } from '../catalog/entities/track-layout.entity.js';
import { Requesters } from '../core/auth/requester.js';
import type { RequestContext } from '../core/auth/requester.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { present } from '../core/graphql/dataloader.registry.js';
import { cappedListComplexity, Connection } from '../core/graphql/pagination.js';
import {
  DEFAULT_INSTANCES,
  InstancesArgs,
  MAX_INSTANCES,
  RaceWeeksArgs,
  SeasonsArgs,
  SeriesListArgs,
  SessionsArgs,
} from './dto/seasons.args.js';
import {
  CarRestriction,
  CarRestrictionChange,
  RestrictionValues,
} from './entities/car-restriction.entity.js';
import { Event, EventClass, Session } from './entities/event.entity.js';
import { RaceWeek } from './entities/race-week.entity.js';
import { Season } from './entities/season.entity.js';
import { LicenseRange, Series } from './entities/series.entity.js';
import { SeasonsLoaders } from './seasons.loaders.js';
import { OWNERSHIP_LOOKUP } from '../core/ownership.js';
import type { OwnershipLookup } from '../core/ownership.js';
import { SeasonsService } from './seasons.service.js';

@ObjectType()
export class SeriesConnection extends Connection(Series, 'Series') {}
@ObjectType()
export class SeasonConnection extends Connection(Season, 'Season') {}
@ObjectType()
export class RaceWeekConnection extends Connection(RaceWeek, 'RaceWeek') {}
@ObjectType()
export class SessionConnection extends Connection(Session, 'Session') {}

const seasons = (ctx: GraphQLContext) => ctx.loaders.get(SeasonsLoaders);
const catalog = (ctx: GraphQLContext) => ctx.loaders.get(CatalogLoaders);

@Resolver(() => Series)
export class SeriesResolver {
  constructor(private readonly service: SeasonsService) {}

  @Query(() => SeriesConnection, { description: 'Series, by name.' })
  seriesList(@Args() args: SeriesListArgs) {
    return this.service.listSeries(args);
  }

  @Query(() => Series, { description: 'One series by iRacing series_id.' })
  series(@Args('id', { type: () => Int }) id: number) {
    return this.service.oneSeries(id);
  }

  // Up to 12 past quarters, the current and the next.
  @ResolveField(() => [Season], { complexity: 16, description: 'Its seasons, newest first.' })
  seasons(@Parent() s: Series, @Context() ctx: GraphQLContext) {
    return seasons(ctx).seasonsOfSeries.load(s.seriesId);
  }

  @ResolveField(() => [LicenseRange], { complexity: 7 })
  allowedLicenses(@Parent() s: Series): LicenseRange[] {
    return (s.allowedLicenses ?? []).map((l) => ({
      groupName: typeof l.group_name === 'string' ? l.group_name : null,
      licenseGroup: typeof l.license_group === 'number' ? l.license_group : null,
      minLicenseLevel: typeof l.min_license_level === 'number' ? l.min_license_level : null,
      maxLicenseLevel: typeof l.max_license_level === 'number' ? l.max_license_level : null,
    }));
  }
}

@Resolver(() => Season)
export class SeasonResolver {
  constructor(private readonly service: SeasonsService) {}

  @Query(() => SeasonConnection, { description: 'Seasons, newest first.' })
  seasons(@Args() args: SeasonsArgs, @Info() info: GraphQLResolveInfo) {
    return this.service.listSeasons(args, info);
  }

  @Query(() => Season, { description: 'One season by iRacing season_id.' })
  season(@Args('id', { type: () => Int }) id: number) {
    return this.service.season(id);
  }

  @ResolveField(() => Series, { nullable: true })
  series(@Parent() s: Season, @Context() ctx: GraphQLContext) {
    return seasons(ctx).series.load(s.seriesId);
  }

  @ResolveField(() => [RaceWeek], { complexity: 13, description: 'Its weeks, in order.' })
  raceWeeks(@Parent() s: Season, @Context() ctx: GraphQLContext) {
    return seasons(ctx).raceWeeksOfSeason.load(s.seasonId);
  }

  @ResolveField(() => [CarClass], { complexity: 3, description: "The season's car classes." })
  async carClasses(@Parent() s: Season, @Context() ctx: GraphQLContext) {
    return present(await catalog(ctx).carClass.loadMany(s.carClassIds));
  }
}

@Resolver(() => RaceWeek)
export class RaceWeekResolver {
  constructor(private readonly service: SeasonsService) {}

  @Query(() => RaceWeekConnection, { description: 'Race weeks, by start.' })
  raceWeeks(@Args() args: RaceWeeksArgs, @Info() info: GraphQLResolveInfo) {
    return this.service.listRaceWeeks(args, info);
  }

  @Query(() => RaceWeek)
  raceWeek(@Args('id', { type: () => Int }) id: number) {
    return this.service.raceWeek(id);
  }

  @ResolveField(() => Season, { nullable: true })
  season(@Parent() w: RaceWeek, @Context() ctx: GraphQLContext) {
    return seasons(ctx).season.load(w.seasonId);
  }

  @ResolveField(() => Series, { nullable: true })
  series(@Parent() w: RaceWeek, @Context() ctx: GraphQLContext) {
    return seasons(ctx).series.load(w.seriesId);
  }

  @ResolveField(() => TrackLayout, { nullable: true, description: 'The track configuration of the week.' })
  layout(@Parent() w: RaceWeek, @Context() ctx: GraphQLContext) {
    return catalog(ctx).layout.load(w.trackId);
  }

  @ResolveField(() => Int, { description: 'The week as racers count it (race_week_num + 1).' })
  weekNumber(@Parent() w: RaceWeek): number {
    return w.raceWeekNum + 1;
  }

  @ResolveField(() => [CarRestriction], { complexity: 30, description: 'Per-car BOP of the week.' })
  carRestrictions(@Parent() w: RaceWeek, @Context() ctx: GraphQLContext) {
    return seasons(ctx).restrictionsOfWeek.load(w.id);
  }

  @ResolveField(() => [CarRestrictionChange], {
    complexity: 30,
    description: 'BOP changes seen between syncs, newest first.',
  })
  restrictionHistory(@Parent() w: RaceWeek, @Context() ctx: GraphQLContext) {
    return seasons(ctx).restrictionChangesOfWeek.load(w.id);
  }

  @ResolveField(() => Event, { nullable: true })
  event(@Parent() w: RaceWeek, @Context() ctx: GraphQLContext) {
    return seasons(ctx).eventOfWeek.load(w.id);
  }

  @ResolveField(() => [CarClass], { complexity: 3, description: "The week's car classes." })
  async carClasses(@Parent() w: RaceWeek, @Context() ctx: GraphQLContext) {
    return present(await catalog(ctx).carClass.loadMany(w.carClassIds));
  }
}

@Resolver(() => CarRestriction)
export class CarRestrictionResolver {
  @ResolveField(() => Car, { nullable: true })
  car(@Parent() r: CarRestriction, @Context() ctx: GraphQLContext) {
    return catalog(ctx).car.load(r.carId);
  }
}

const restrictionValues = (v: Record<string, number | null> | null): RestrictionValues | null =>
  v && {
    maxDryTireSets: v.max_dry_tire_sets ?? null,
    maxPctFuelFill: v.max_pct_fuel_fill ?? null,
    powerAdjustPct: v.power_adjust_pct ?? null,
    weightPenaltyKg: v.weight_penalty_kg ?? null,
    raceSetupId: v.race_setup_id ?? null,
    qualSetupId: v.qual_setup_id ?? null,
  };

@Resolver(() => CarRestrictionChange)
export class CarRestrictionChangeResolver {
  @ResolveField(() => Car, { nullable: true })
  car(@Parent() c: CarRestrictionChange, @Context() ctx: GraphQLContext) {
    return catalog(ctx).car.load(c.carId);
  }

  @ResolveField(() => RestrictionValues, { nullable: true, description: 'Null when the car was added.' })
  before(@Parent() c: CarRestrictionChange): RestrictionValues | null {
    return restrictionValues(c.before);
  }

  @ResolveField(() => RestrictionValues, { nullable: true, description: 'Null when the car was removed.' })
  after(@Parent() c: CarRestrictionChange): RestrictionValues | null {
    return restrictionValues(c.after);
  }
}

@Resolver(() => Event)
export class EventResolver {
  @ResolveField(() => [EventClass], { complexity: 3, description: 'Fastest class first.' })
  classes(@Parent() e: Event, @Context() ctx: GraphQLContext) {
    return seasons(ctx).classesOfEvent.load(e.id);
  }

  @ResolveField(() => [Session], {
    complexity: cappedListComplexity(DEFAULT_INSTANCES, MAX_INSTANCES),
    description: 'Session starts in [from, to), in order (the first `first` of them).',
  })
  instances(@Parent() e: Event, @Args() args: InstancesArgs, @Context() ctx: GraphQLContext) {
    return seasons(ctx)
      .instancesOfEvent(args.from, args.to, args.first ?? DEFAULT_INSTANCES)
      .load(e.id);
  }

  @ResolveField(() => TrackLayout, { nullable: true })
  layout(@Parent() e: Event, @Context() ctx: GraphQLContext) {
    return catalog(ctx).layout.load(e.trackId);
  }

  @ResolveField(() => RaceWeek, { nullable: true })
  raceWeek(@Parent() e: Event, @Context() ctx: GraphQLContext) {
    return e.raceWeekId === null ? null : seasons(ctx).raceWeek.load(e.raceWeekId);
  }

  @ResolveField(() => Season, { nullable: true })
  season(@Parent() e: Event, @Context() ctx: GraphQLContext) {
    return e.seasonId === null ? null : seasons(ctx).season.load(e.seasonId);
  }

  @ResolveField(() => Series, { nullable: true })
  series(@Parent() e: Event, @Context() ctx: GraphQLContext) {
    return e.seriesId === null ? null : seasons(ctx).series.load(e.seriesId);
  }
}

@Resolver(() => EventClass)
export class EventClassResolver {
  @ResolveField(() => CarClass, { nullable: true })
  carClass(@Parent() c: EventClass, @Context() ctx: GraphQLContext) {
    return catalog(ctx).carClass.load(c.carClassId);
  }

  @ResolveField(() => [Car], {
    complexity: 20,
    description: "The class's cars in this event (the week's own cars when the series changes them).",
  })
  async cars(@Parent() c: EventClass, @Context() ctx: GraphQLContext): Promise<Car[]> {
    const members = await catalog(ctx).carsOfClass.load(c.carClassId);
    if (!c.carIds?.length) return members;
    const week = new Set(c.carIds);
    const inClass = members.filter((car) => week.has(car.carId));
    // The week's cars are not all in the class's current membership: show the week's list as given.
    return inClass.length ? inClass : present(await catalog(ctx).car.loadMany(c.carIds));
  }
}

@Resolver(() => Session)
export class SessionResolver {
  constructor(
    private readonly service: SeasonsService,
    private readonly moduleRef: ModuleRef,
    private readonly requesters: Requesters,
  ) {}

  @Query(() => SessionConnection, {
    description:
      'The race calendar: session starts, in order. `ownedByCustId` is private: that member (their viewer ' +
      'token) or an admin only.',
  })
  async sessions(
    @Args() args: SessionsArgs,
    @Context() ctx: GraphQLContext & RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    const custId = args.filter?.ownedByCustId;
    const loaders = seasons(ctx);
    const primeLayout = (l: TrackLayout) => catalog(ctx).primeLayout(l);
    if (custId === undefined) return this.service.sessions(args, { info, loaders, primeLayout });
    await this.requesters.assertMaySee(ctx, custId, '"ownedByCustId": owned content');
    const lookup = this.moduleRef.get<OwnershipLookup>(OWNERSHIP_LOOKUP, { strict: false });
    const owned = await lookup.ownedContent(custId);
    if (!owned) throw new NotFoundError('Member', custId);
    return this.service.sessions(args, { info, owned, loaders, primeLayout });
  }

  @ResolveField(() => Event, { nullable: true })
  event(@Parent() i: Session, @Context() ctx: GraphQLContext) {
    return seasons(ctx).event.load(i.eventId);
  }

  @ResolveField(() => RaceWeek, {
    nullable: true,
    description: "The session's race week (through its event).",
  })
  async raceWeek(@Parent() i: Session, @Context() ctx: GraphQLContext) {
    const event = await seasons(ctx).event.load(i.eventId);
    return event?.raceWeekId ? seasons(ctx).raceWeek.load(event.raceWeekId) : null;
  }
}
