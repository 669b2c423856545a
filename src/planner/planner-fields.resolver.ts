// The planner's nested objects resolved through the per-request DataLoaders (docs/architecture.md §6.2): a planner
// week's race week, cars and blocks; a raceable session's cars; a purchase suggestion's package; a plan item's
// week, session and car. One statement per level whatever the number of rows.
import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { CatalogLoaders } from '../catalog/catalog.loaders.js';
import { Car } from '../catalog/entities/car.entity.js';
import { Track } from '../catalog/entities/track.entity.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { present } from '../core/graphql/dataloader.registry.js';
import { Session } from '../seasons/entities/event.entity.js';
import { RaceWeek } from '../seasons/entities/race-week.entity.js';
import { SeasonsLoaders } from '../seasons/seasons.loaders.js';
import {
  PlanItem,
  PlannerWeek,
  PurchaseSuggestion,
  RaceableSession,
  WeekBlock,
} from './dto/planner.types.js';

const catalog = (ctx: GraphQLContext) => ctx.loaders.get(CatalogLoaders);
const schedule = (ctx: GraphQLContext) => ctx.loaders.get(SeasonsLoaders);

async function cars(ctx: GraphQLContext, ids: readonly number[]): Promise<Car[]> {
  return present(await catalog(ctx).car.loadMany([...ids]));
}

@Resolver(() => PlannerWeek)
export class PlannerWeekResolver {
  @ResolveField(() => RaceWeek)
  async raceWeek(@Parent() w: PlannerWeek, @Context() ctx: GraphQLContext): Promise<RaceWeek | null> {
    return schedule(ctx).raceWeek.load(w.raceWeekId);
  }

  @ResolveField(() => [Car], {
    complexity: 20,
    description: "The viewer's cars (owned or free) the week allows.",
  })
  myCars(@Parent() w: PlannerWeek, @Context() ctx: GraphQLContext): Promise<Car[]> {
    return cars(ctx, w.myCarIds);
  }

  @ResolveField(() => [WeekBlock], {
    complexity: 5,
    description: 'Why the viewer cannot race it (empty: they can).',
  })
  async blockedBy(@Parent() w: PlannerWeek, @Context() ctx: GraphQLContext): Promise<WeekBlock[]> {
    return Promise.all(
      w.blocks.map(async (b) => ({
        reason: b.reason,
        message: b.message,
        track: b.trackPackageId === undefined ? null : await catalog(ctx).track.load(b.trackPackageId),
        cars: b.carIds === undefined ? null : await cars(ctx, b.carIds),
        requiredLicenceLevel: b.requiredLicenceLevel ?? null,
        myLicenceLevel: b.myLicenceLevel ?? null,
      })),
    );
  }
}

@Resolver(() => RaceableSession)
export class RaceableSessionResolver {
  @ResolveField(() => [Car], {
    complexity: 20,
    description: "The viewer's cars (owned or free) that may race it.",
  })
  myCars(@Parent() s: RaceableSession, @Context() ctx: GraphQLContext): Promise<Car[]> {
    return cars(ctx, s.myCarIds);
  }
}

@Resolver(() => PurchaseSuggestion)
export class PurchaseSuggestionResolver {
  @ResolveField(() => Car, { nullable: true })
  car(@Parent() p: PurchaseSuggestion, @Context() ctx: GraphQLContext): Promise<Car | null> | null {
    return p.kind === 'CAR' ? catalog(ctx).car.load(p.refId) : null;
  }

  @ResolveField(() => Track, { nullable: true })
  track(@Parent() p: PurchaseSuggestion, @Context() ctx: GraphQLContext): Promise<Track | null> | null {
    return p.kind === 'TRACK' ? catalog(ctx).track.load(p.refId) : null;
  }
}

@Resolver(() => PlanItem)
export class PlanItemResolver {
  @ResolveField(() => RaceWeek, { nullable: true })
  raceWeek(@Parent() p: PlanItem, @Context() ctx: GraphQLContext): Promise<RaceWeek | null> {
    return schedule(ctx).raceWeek.load(p.raceWeekId);
  }

  @ResolveField(() => Session, { nullable: true })
  session(@Parent() p: PlanItem, @Context() ctx: GraphQLContext): Promise<Session | null> | null {
    return p.sessionPk === null ? null : schedule(ctx).instance.load(p.sessionPk);
  }

  @ResolveField(() => Car, { nullable: true })
  car(@Parent() p: PlanItem, @Context() ctx: GraphQLContext): Promise<Car | null> | null {
    return p.carId === null ? null : catalog(ctx).car.load(p.carId);
  }
}

export const PLANNER_FIELD_RESOLVERS = [
  PlannerWeekResolver,
  RaceableSessionResolver,
  PurchaseSuggestionResolver,
  PlanItemResolver,
];
