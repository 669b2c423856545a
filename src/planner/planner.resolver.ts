// GraphQL of the planner, on `me` (the viewer) and as the viewer's mutations (docs/architecture.md §6.9). Every
// field reads the viewer's own data only: `me` exists for a live viewer token alone. Rows are turned into catalog and
// schedule objects through the per-request DataLoaders, one statement per level.
import { UseGuards } from '@nestjs/common';
import { Args, Context, Float, Info, Int, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Viewer } from '../accounts/dto/accounts.types.js';
import { ViewerGuard, viewerOf } from '../accounts/viewer.guard.js';
import type { ViewerContext } from '../accounts/viewer.guard.js';
import { CatalogLoaders } from '../catalog/catalog.loaders.js';
import { Requesters } from '../core/auth/requester.js';
import { BadInputError } from '../core/errors/domain-error.js';
import { PageArgs, selectsField } from '../core/graphql/pagination.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { present } from '../core/graphql/dataloader.registry.js';
import { SeasonsLoaders } from '../seasons/seasons.loaders.js';
import {
  Favourites,
  FavouriteKind,
  PlanItem,
  PlannerSettingsView,
  PlannerWeekConnection,
  PlannerWeekFilter,
  PurchaseGuide,
  PurchaseGuideFilter,
  RaceableSessionConnection,
  RaceableSessionFilter,
  SeasonPlan,
  SettingsInput,
} from './dto/planner.types.js';
import { PlanService } from './plan.service.js';
import { PlannerService } from './planner.service.js';
import { PurchaseGuideService } from './purchase-guide.service.js';

const catalog = (ctx: GraphQLContext) => ctx.loaders.get(CatalogLoaders);
const schedule = (ctx: GraphQLContext) => ctx.loaders.get(SeasonsLoaders);
const DAY = 86_400_000;

@Resolver(() => Viewer)
export class PlannerResolver {
  constructor(
    private readonly planner: PlannerService,
    private readonly plans: PlanService,
    private readonly guide: PurchaseGuideService,
    private readonly requesters: Requesters,
  ) {}

  private async viewer(ctx: ViewerContext): Promise<number> {
    return (await viewerOf(ctx, this.requesters))!;
  }

  @ResolveField(() => RaceableSessionConnection, {
    complexity: 100,
    description:
      'The race calendar limited to sessions the viewer can enter now: a track they own or free, an allowed car ' +
      'they own or free (the week’s own list for rotating-car series), and the licence the series asks.',
  })
  raceableSessions(
    @Parent() v: Viewer,
    @Args() page: PageArgs,
    @Info() info: GraphQLResolveInfo,
    @Args('filter', { type: () => RaceableSessionFilter, nullable: true }) filter?: RaceableSessionFilter,
  ) {
    return this.planner.raceableSessions(v.custId, { filter, ...page }, selectsField(info, 'totalCount'));
  }

  @ResolveField(() => PlannerWeekConnection, {
    complexity: 100,
    description:
      'Race weeks the viewer can race; with includeBlocked, also the others, each with every reason.',
  })
  raceWeeks(
    @Parent() v: Viewer,
    @Args() page: PageArgs,
    @Args('filter', { type: () => PlannerWeekFilter, nullable: true }) filter?: PlannerWeekFilter,
  ) {
    return this.planner.raceWeeks(v.custId, { filter, ...page });
  }

  @ResolveField(() => Favourites)
  async favourites(@Parent() v: Viewer, @Context() ctx: ViewerContext): Promise<Favourites> {
    const f = await this.planner.favourites(v.custId);
    const [series, cars, tracks] = await Promise.all([
      schedule(ctx).series.loadMany(f.SERIES),
      catalog(ctx).car.loadMany(f.CAR),
      catalog(ctx).track.loadMany(f.TRACK),
    ]);
    return {
      seriesIds: f.SERIES,
      carIds: f.CAR,
      trackPackageIds: f.TRACK,
      series: present(series),
      cars: present(cars),
      tracks: present(tracks),
    };
  }

  @ResolveField(() => [SeasonPlan], {
    description:
      'Each season of a quarter: its weeks the viewer can race, has raced, and whether participation credit ' +
      'is still reachable.',
  })
  async seasons(
    @Parent() v: Viewer,
    @Context() ctx: ViewerContext,
    @Args('year', { type: () => Int }) year: number,
    @Args('quarter', { type: () => Int }) quarter: number,
    @Args('favouritesOnly', {
      type: () => Boolean,
      nullable: true,
      description: 'Only seasons with a week of a favourite series, track or car (each still counted whole).',
    })
    favouritesOnly?: boolean,
  ): Promise<SeasonPlan[]> {
    const plans = await this.planner.seasonPlans(v.custId, year, quarter, favouritesOnly === true);
    const seasons = await schedule(ctx).season.loadMany(plans.map((p) => p.seasonId));
    return plans
      .map((p, i) => ({ ...p, season: seasons[i] }))
      .filter(
        (p): p is SeasonPlan & { seasonId: number } => Boolean(p.season) && !(p.season instanceof Error),
      );
  }

  @ResolveField(() => PurchaseGuide, {
    complexity: 200,
    description:
      'Packages the viewer does not own, ranked by what each would add; with a budget (USD), the best cart under ' +
      "iRacing's volume discount.",
  })
  purchaseGuide(
    @Parent() v: Viewer,
    @Args('filter', { type: () => PurchaseGuideFilter, nullable: true }) filter?: PurchaseGuideFilter,
    @Args('budget', { type: () => Float, nullable: true }) budget?: number | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
  ) {
    return this.guide.guide(v.custId, filter ?? {}, budget ?? null, first ?? 20);
  }

  @ResolveField(() => [PlanItem], {
    complexity: 100,
    description: "The viewer's plan between from (default now) and to (default 14 days later).",
  })
  async plan(
    @Parent() v: Viewer,
    @Args('from', { type: () => Date, nullable: true }) from?: Date | null,
    @Args('to', { type: () => Date, nullable: true }) to?: Date | null,
  ): Promise<PlanItem[]> {
    const start = from ?? new Date();
    const { timeZone } = await this.planner.settings(v.custId);
    return this.plans.list(v.custId, start, to ?? new Date(start.getTime() + 14 * DAY), timeZone);
  }

  @ResolveField(() => PlannerSettingsView)
  settings(@Parent() v: Viewer): Promise<PlannerSettingsView> {
    return this.planner.settings(v.custId);
  }

  // --- Mutations -----------------------------------------------------------------------------------------------

  @Mutation(() => Favourites, { description: 'Marks (or, with favourite: false, unmarks) a favourite.' })
  @UseGuards(ViewerGuard)
  async setFavourite(
    @Context() ctx: ViewerContext,
    @Args('kind', { type: () => FavouriteKind }) kind: FavouriteKind,
    @Args('id', { type: () => Int }) id: number,
    @Args('favourite', { type: () => Boolean, nullable: true, defaultValue: true }) favourite: boolean,
  ): Promise<Favourites> {
    const custId = await this.viewer(ctx);
    await this.planner.setFavourite(custId, kind, id, favourite);
    return this.favourites({ custId }, ctx);
  }

  @Mutation(() => Int, {
    description: 'Plans a session of the calendar (Session.id), with a car; the plan item id.',
  })
  @UseGuards(ViewerGuard)
  async planSession(
    @Context() ctx: ViewerContext,
    @Args('sessionId', { type: () => Int }) sessionId: number,
    @Args('carId', { type: () => Int, nullable: true }) carId?: number | null,
  ): Promise<number> {
    return this.plans.planSession(await this.viewer(ctx), sessionId, carId);
  }

  @Mutation(() => Int, { description: 'Plans a whole race week with a car it allows; the plan item id.' })
  @UseGuards(ViewerGuard)
  async planWeek(
    @Context() ctx: ViewerContext,
    @Args('raceWeekId', { type: () => Int }) raceWeekId: number,
    @Args('carId', { type: () => Int }) carId: number,
  ): Promise<number> {
    return this.plans.planWeek(await this.viewer(ctx), raceWeekId, carId);
  }

  @Mutation(() => Boolean, { description: 'Removes a planned session; false when it was not planned.' })
  @UseGuards(ViewerGuard)
  async unplanSession(
    @Context() ctx: ViewerContext,
    @Args('sessionId', { type: () => Int }) sessionId: number,
  ): Promise<boolean> {
    return this.plans.unplanSession(await this.viewer(ctx), sessionId);
  }

  @Mutation(() => Boolean, { description: 'Removes a planned week; false when it was not planned.' })
  @UseGuards(ViewerGuard)
  async unplanWeek(
    @Context() ctx: ViewerContext,
    @Args('raceWeekId', { type: () => Int }) raceWeekId: number,
  ): Promise<boolean> {
    return this.plans.unplanWeek(await this.viewer(ctx), raceWeekId);
  }

  @Mutation(() => PlannerSettingsView, {
    description: "Sets the viewer's time zone, reminder and feed options.",
  })
  @UseGuards(ViewerGuard)
  async setMySettings(
    @Context() ctx: ViewerContext,
    @Args('input', { type: () => SettingsInput }) input: SettingsInput,
  ): Promise<PlannerSettingsView> {
    if (input.timeZone === null) throw new BadInputError('timeZone may not be null');
    return this.planner.saveSettings(await this.viewer(ctx), input);
  }
}
