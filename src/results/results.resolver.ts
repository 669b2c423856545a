// GraphQL for results: `subsession(id)` with its simsessions, driver and team results and laps; `results(filter)`;
// and `Member.recentResults`. Times are exposed in seconds (iRacing stores 1/10000 s), positions from 1.
import {
  Args,
  Context,
  Field,
  Float,
  Int,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { CatalogLoaders } from '../catalog/catalog.loaders.js';
import { CarClass } from '../catalog/entities/car-class.entity.js';
import { Car } from '../catalog/entities/car.entity.js';
import { TrackLayout } from '../catalog/entities/track-layout.entity.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { cappedListComplexity, Connection } from '../core/graphql/pagination.js';
import { Member } from '../members/entities/member.entity.js';
import { MembersLoaders } from '../members/members.loaders.js';
import { Session } from '../seasons/entities/event.entity.js';
import { RaceWeek } from '../seasons/entities/race-week.entity.js';
import { Season } from '../seasons/entities/season.entity.js';
import { Series } from '../seasons/entities/series.entity.js';
import { SeasonsLoaders } from '../seasons/seasons.loaders.js';
import { toCelsius, toMetresPerSecond } from '../seasons/weather-summary.js';
import { RecentResultsArgs, ResultsArgs } from './dto/results.args.js';
import { SubsessionLeague } from './dto/subsession-league.type.js';
import {
  MAX_TREND_SEASONS,
  ParticipationTrendArgs,
  SeasonParticipation,
  WeekParticipation,
} from './dto/participation.types.js';
import { Subsession } from './entities/subsession.entity.js';
import { SubsessionClass } from './entities/subsession-class.entity.js';
import { SubsessionKind } from './entities/subsession-kind.js';
import { Lap } from './entities/lap.entity.js';
import { DriverResult, TeamResult } from './entities/driver-result.entity.js';
import { ResultsLoaders } from './results.loaders.js';
import { ResultsService } from './results.service.js';

@ObjectType()
export class SubsessionConnection extends Connection(Subsession, 'Subsession') {}

@ObjectType({ description: 'One simsession of a subsession with its results.' })
export class SimSession {
  @Field(() => Int, { description: 'The main event is 0, the one before -1, and so on.' })
  simsessionNumber: number;

  @Field(() => Int, {
    nullable: true,
    description: 'iRacing simsession_type (3 practice, 4 qualify, 6 race…).',
  })
  type: number | null;

  @Field(() => String, { nullable: true })
  name: string | null;

  // A full grid is about 60 cars.
  @Field(() => [DriverResult], { complexity: 64, description: 'Every driver, in finishing order.' })
  results: DriverResult[];

  @Field(() => [TeamResult], { complexity: 64, description: 'Every team (team races), in finishing order.' })
  teams: TeamResult[];
}

@ObjectType({ description: 'The conditions of a subsession, in °C and m/s.' })
export class SubsessionWeather {
  @Field(() => Float, { nullable: true })
  airTempC: number | null;

  @Field(() => Float, { nullable: true, description: '%.' })
  relHumidityPct: number | null;

  @Field(() => Float, { nullable: true })
  windMs: number | null;

  @Field(() => Int, { nullable: true })
  windDir: number | null;

  @Field(() => Int, { nullable: true, description: 'iRacing skies (0 clear … 3 overcast).' })
  skies: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of the final session with precipitation, %.' })
  precipTimePct: number | null;
}

const seconds = (v: number | null | undefined): number | null =>
  v === null || v === undefined || v < 0 ? null : v / 10000;
const position = (v: number | null | undefined): number | null =>
  v === null || v === undefined || v < 0 ? null : v + 1;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const results = (ctx: GraphQLContext) => ctx.loaders.get(ResultsLoaders);
const catalog = (ctx: GraphQLContext) => ctx.loaders.get(CatalogLoaders);
const seasons = (ctx: GraphQLContext) => ctx.loaders.get(SeasonsLoaders);

@Resolver(() => Subsession)
export class SubsessionResolver {
  constructor(private readonly service: ResultsService) {}

  @Query(() => Subsession, { description: 'One subsession by iRacing subsession_id.' })
  subsession(@Args('id', { type: () => Int }) id: number) {
    return this.service.subsession(id);
  }

  @Query(() => SubsessionConnection, { description: 'Subsessions, newest first.' })
  results(@Args() args: ResultsArgs) {
    return this.service.list(args);
  }

  @ResolveField(() => [SimSession], {
    complexity: 3,
    description: 'Practice, qualify and race: main event last.',
  })
  async sessions(@Parent() r: Subsession, @Context() ctx: GraphQLContext): Promise<SimSession[]> {
    const [drivers, teams] = await Promise.all([
      results(ctx).driversOfResult.load(r.id),
      results(ctx).teamsOfResult.load(r.id),
    ]);
    return (r.simsessions ?? []).map((s) => ({
      simsessionNumber: s.simsession_number,
      type: s.simsession_type,
      name: s.simsession_name,
      results: drivers.filter((d) => d.simsessionNumber === s.simsession_number),
      teams: teams.filter((t) => t.simsessionNumber === s.simsession_number),
    }));
  }

  @ResolveField(() => [SubsessionClass], {
    complexity: 3,
    description:
      "Its car classes in iRacing's order: entries and strength of field of each (empty before 2024).",
  })
  classes(@Parent() r: Subsession, @Context() ctx: GraphQLContext) {
    return results(ctx).classesOfResult.load(r.id);
  }

  @ResolveField(() => SubsessionLeague, { nullable: true, description: 'Null unless a league session.' })
  league(@Parent() r: Subsession): SubsessionLeague | null {
    return r.kind === SubsessionKind.LEAGUE && r.leagueId !== null
      ? { id: r.leagueId, seasonId: r.leagueSeasonId }
      : null;
  }

  @ResolveField(() => Float, { nullable: true, description: 'Fastest lap of the event, seconds.' })
  bestLapTime(@Parent() r: Subsession): number | null {
    return seconds(r.eventBestLapTime);
  }

  @ResolveField(() => SubsessionWeather, { nullable: true })
  weather(@Parent() r: Subsession): SubsessionWeather | null {
    const w = r.weather;
    if (!w) return null;
    return {
      airTempC: toCelsius(w.temp_value, w.temp_units),
      relHumidityPct: num(w.rel_humidity),
      windMs: toMetresPerSecond(w.wind_value, w.wind_units),
      windDir: num(w.wind_dir),
      skies: num(w.skies),
      precipTimePct: num(w.precip_time_pct),
    };
  }

  @ResolveField(() => TrackLayout, { nullable: true })
  layout(@Parent() r: Subsession, @Context() ctx: GraphQLContext) {
    return catalog(ctx).layout.load(r.trackId);
  }

  @ResolveField(() => Series, { nullable: true })
  series(@Parent() r: Subsession, @Context() ctx: GraphQLContext) {
    return r.seriesId === null ? null : seasons(ctx).series.load(r.seriesId);
  }

  @ResolveField(() => Season, { nullable: true })
  season(@Parent() r: Subsession, @Context() ctx: GraphQLContext) {
    return r.seasonId === null ? null : seasons(ctx).season.load(r.seasonId);
  }

  @ResolveField(() => Session, {
    nullable: true,
    description: 'The session on the calendar it was a split of.',
  })
  session(@Parent() r: Subsession, @Context() ctx: GraphQLContext) {
    return r.eventInstanceId === null ? null : seasons(ctx).instance.load(r.eventInstanceId);
  }
}

/** Fields a driver and a team result share. */
function shared() {
  return {
    car: (x: { carId: number | null }, ctx: GraphQLContext) =>
      x.carId === null ? null : catalog(ctx).car.load(x.carId),
    carClass: (x: { carClassId: number | null }, ctx: GraphQLContext) =>
      x.carClassId === null ? null : catalog(ctx).carClass.load(x.carClassId),
  };
}

@Resolver(() => DriverResult)
export class DriverResultResolver {
  @ResolveField(() => Member, { nullable: true })
  member(@Parent() p: DriverResult, @Context() ctx: GraphQLContext) {
    return ctx.loaders.get(MembersLoaders).profile.load(p.custId);
  }

  @ResolveField(() => Car, { nullable: true })
  car(@Parent() p: DriverResult, @Context() ctx: GraphQLContext) {
    return shared().car(p, ctx);
  }

  @ResolveField(() => CarClass, { nullable: true })
  carClass(@Parent() p: DriverResult, @Context() ctx: GraphQLContext) {
    return shared().carClass(p, ctx);
  }

  @ResolveField(() => Int, { nullable: true, description: 'From 1.' })
  finishPosition(@Parent() p: DriverResult): number | null {
    return position(p.finishPosition);
  }

  @ResolveField(() => Int, { nullable: true, description: 'From 1.' })
  finishPositionInClass(@Parent() p: DriverResult): number | null {
    return position(p.finishPositionInClass);
  }

  @ResolveField(() => Int, { nullable: true, description: 'From 1; null outside races.' })
  startingPosition(@Parent() p: DriverResult): number | null {
    return position(p.startingPosition);
  }

  @ResolveField(() => Float, { nullable: true, description: 'Seconds.' })
  bestLapTime(@Parent() p: DriverResult): number | null {
    return seconds(p.bestLapTime);
  }

  @ResolveField(() => Float, { nullable: true, description: 'Seconds.' })
  averageLap(@Parent() p: DriverResult): number | null {
    return seconds(p.averageLap);
  }

  @ResolveField(() => Float, {
    nullable: true,
    description: 'Seconds behind the winner (null for a lapped car).',
  })
  interval(@Parent() p: DriverResult): number | null {
    return seconds(p.interval);
  }

  @ResolveField(() => Subsession, { nullable: true })
  subsession(@Parent() p: DriverResult, @Context() ctx: GraphQLContext) {
    return results(ctx).result.load(p.eventResultId);
  }

  // An endurance race runs to hundreds of laps.
  @ResolveField(() => [Lap], { complexity: 300, description: 'Laps, when they were synced (includeLaps).' })
  laps(@Parent() p: DriverResult, @Context() ctx: GraphQLContext) {
    return results(ctx).laps.load(`${p.eventResultId}:${p.simsessionNumber}:${p.custId}`);
  }
}

@Resolver(() => TeamResult)
export class TeamResultResolver {
  @ResolveField(() => Car, { nullable: true })
  car(@Parent() t: TeamResult, @Context() ctx: GraphQLContext) {
    return shared().car(t, ctx);
  }

  @ResolveField(() => CarClass, { nullable: true })
  carClass(@Parent() t: TeamResult, @Context() ctx: GraphQLContext) {
    return shared().carClass(t, ctx);
  }

  @ResolveField(() => Int, { nullable: true, description: 'From 1.' })
  finishPosition(@Parent() t: TeamResult): number | null {
    return position(t.finishPosition);
  }

  @ResolveField(() => Float, { nullable: true, description: 'Seconds.' })
  bestLapTime(@Parent() t: TeamResult): number | null {
    return seconds(t.bestLapTime);
  }

  @ResolveField(() => [DriverResult], {
    complexity: 4,
    description: "The team's drivers in this simsession.",
  })
  async drivers(@Parent() t: TeamResult, @Context() ctx: GraphQLContext) {
    const all = await results(ctx).driversOfResult.load(t.eventResultId);
    return all.filter((d) => d.simsessionNumber === t.simsessionNumber && d.teamId === t.teamId);
  }
}

@Resolver(() => Lap)
export class LapResolver {
  @ResolveField(() => Float, { nullable: true, description: 'Seconds; null for a lap without a time.' })
  lapTime(@Parent() l: Lap): number | null {
    return seconds(l.lapTime);
  }
}

@Resolver(() => Member)
export class MemberResultsResolver {
  @ResolveField(() => [DriverResult], {
    complexity: cappedListComplexity(10, 50),
    description: 'The latest main-event results, newest first.',
  })
  recentResults(@Parent() m: Member, @Args() args: RecentResultsArgs, @Context() ctx: GraphQLContext) {
    return results(ctx)
      .recentOf(args.first ?? 10)
      .load(m.custId);
  }
}

@Resolver(() => SubsessionClass)
export class SubsessionClassResolver {
  @ResolveField(() => CarClass, { nullable: true })
  carClass(@Parent() c: SubsessionClass, @Context() ctx: GraphQLContext) {
    return catalog(ctx).carClass.load(c.carClassId);
  }
}

@Resolver(() => Season)
export class SeasonParticipationResolver {
  @ResolveField(() => [WeekParticipation], {
    complexity: 13,
    description: 'How many raced each week with results (results/season_results), in order of weeks.',
  })
  participation(@Parent() s: Season, @Context() ctx: GraphQLContext) {
    return results(ctx).participationOfSeason.load(s.seasonId);
  }
}

@Resolver(() => WeekParticipation)
export class WeekParticipationResolver {
  @ResolveField(() => RaceWeek, { nullable: true })
  async raceWeek(@Parent() w: WeekParticipation, @Context() ctx: GraphQLContext) {
    const weeks = await seasons(ctx).raceWeeksOfSeason.load(w.seasonId);
    return weeks.find((x) => x.raceWeekNum === w.raceWeekNum) ?? null;
  }
}

@Resolver(() => Series)
export class SeriesParticipationResolver {
  @ResolveField(() => [SeasonParticipation], {
    complexity: MAX_TREND_SEASONS,
    description: 'How many raced its latest seasons with results, newest first.',
  })
  participationTrend(
    @Parent() s: Series,
    @Args() args: ParticipationTrendArgs,
    @Context() ctx: GraphQLContext,
  ) {
    return results(ctx)
      .trendOf(args.seasons ?? 4)
      .load(s.seriesId);
  }
}

@Resolver(() => SeasonParticipation)
export class SeasonParticipationTrendResolver {
  @ResolveField(() => Season, { nullable: true })
  season(@Parent() p: SeasonParticipation, @Context() ctx: GraphQLContext) {
    return seasons(ctx).season.load(p.seasonId);
  }
}
