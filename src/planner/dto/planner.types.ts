// The planner's GraphQL types: what the viewer can race (sessions, weeks with the reasons they cannot), favourites,
// a season's participation, the purchase guide, the plan and the viewer's settings.
import {
  Field,
  Float,
  InputType,
  Int,
  ObjectType,
  OmitType,
  PickType,
  registerEnumType,
} from '@nestjs/graphql';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Car } from '../../catalog/entities/car.entity.js';
import { Track } from '../../catalog/entities/track.entity.js';
import { Connection } from '../../core/graphql/pagination.js';
import { SessionFilter } from '../../seasons/dto/seasons.args.js';
import { Session } from '../../seasons/entities/event.entity.js';
import { RaceWeek } from '../../seasons/entities/race-week.entity.js';
import { Season } from '../../seasons/entities/season.entity.js';
import { Series } from '../../seasons/entities/series.entity.js';

export enum BlockReason {
  TRACK_NOT_OWNED = 'TRACK_NOT_OWNED',
  NO_CAR_OWNED = 'NO_CAR_OWNED',
  LICENCE_TOO_LOW = 'LICENCE_TOO_LOW',
}
registerEnumType(BlockReason, { name: 'BlockReason', description: 'Why the viewer cannot race a week.' });

export enum FavouriteKind {
  SERIES = 'SERIES',
  CAR = 'CAR',
  TRACK = 'TRACK',
}
registerEnumType(FavouriteKind, {
  name: 'FavouriteKind',
  description: 'SERIES: a series_id. CAR: a car_id. TRACK: a track package (Track.id).',
});

@ObjectType({ description: 'One reason the viewer cannot race a week, with what would lift it.' })
export class WeekBlock {
  @Field(() => BlockReason)
  reason: BlockReason;

  @Field({ description: 'In words, e.g. "Watkins Glen is not owned".' })
  message: string;

  @Field(() => Track, { nullable: true, description: 'TRACK_NOT_OWNED: the package to buy.' })
  track?: Track | null;

  @Field(() => [Car], { nullable: true, description: 'NO_CAR_OWNED: the cars the week allows (any one).' })
  cars?: Car[] | null;

  @Field(() => Int, { nullable: true, description: 'LICENCE_TOO_LOW: the lowest level the series allows.' })
  requiredLicenceLevel?: number | null;

  @Field(() => Int, { nullable: true, description: "LICENCE_TOO_LOW: the viewer's level in that category." })
  myLicenceLevel?: number | null;
}

@ObjectType({ description: 'A race week as the viewer can (or cannot) race it.' })
export class PlannerWeek {
  raceWeekId: number;
  trackPackageId: number;
  myCarIds: number[];
  blocks: WeekBlockRow[];

  raceWeek?: RaceWeek;

  @Field()
  raceable: boolean;

  @Field(() => String, {
    description: "The week's session starts as a readable pattern in the viewer's time zone.",
  })
  pattern: string;
}

/** A block before its track and cars are loaded. */
export interface WeekBlockRow {
  reason: BlockReason;
  message: string;
  trackPackageId?: number;
  carIds?: number[];
  requiredLicenceLevel?: number | null;
  myLicenceLevel?: number | null;
}

@ObjectType()
export class PlannerWeekConnection extends Connection(PlannerWeek, 'PlannerWeek') {}

@ObjectType({ description: 'A session the viewer can enter now, with the cars of theirs that may race it.' })
export class RaceableSession {
  myCarIds: number[];

  @Field(() => Session)
  session: Session;

  @Field({ description: "The start in the viewer's time zone, with its offset (me.settings.timeZone)." })
  localStartTime: string;
}

@ObjectType()
export class RaceableSessionConnection extends Connection(RaceableSession, 'RaceableSession') {}

@InputType({ description: 'The calendar filters, without ownedByCustId (the viewer is implied).' })
export class RaceableSessionFilter extends OmitType(SessionFilter, ['ownedByCustId'] as const, InputType) {
  @Field({
    nullable: true,
    description: 'Weeks of a favourite series, at a favourite track or with a favourite car.',
  })
  @IsOptional()
  @IsBoolean()
  favouritesOnly?: boolean;
}

@InputType({ description: 'Race weeks of the planner (weeks overlapping [from, to)).' })
export class PlannerWeekFilter extends PickType(
  SessionFilter,
  ['from', 'to', 'seriesIds', 'trackIds', 'carIds'] as const,
  InputType,
) {
  @Field(() => [Int], { nullable: true, description: 'Weeks of these seasons.' })
  @IsOptional()
  @IsInt({ each: true })
  seasonIds?: number[];

  @Field({
    nullable: true,
    description: 'Weeks of a favourite series, at a favourite track or with a favourite car.',
  })
  @IsOptional()
  @IsBoolean()
  favouritesOnly?: boolean;

  @Field({ nullable: true, description: 'Also the weeks the viewer cannot race, each with its reasons.' })
  @IsOptional()
  @IsBoolean()
  includeBlocked?: boolean;
}

@ObjectType({ description: "The viewer's favourites." })
export class Favourites {
  seriesIds: number[];
  carIds: number[];
  trackPackageIds: number[];

  @Field(() => [Series])
  series: Series[];

  @Field(() => [Car])
  cars: Car[];

  @Field(() => [Track])
  tracks: Track[];
}

@ObjectType({ description: 'A season of a quarter as the viewer can race it, and its participation credit.' })
export class SeasonPlan {
  @Field(() => Season)
  season: Season;

  @Field(() => Int, { description: 'Race weeks of the season.' })
  weeks: number;

  @Field(() => Int, { description: 'Weeks the viewer can race with what they own and their licence.' })
  raceableWeeks: number;

  @Field(() => Int, { description: 'Weeks the viewer has raced (stored results of official races).' })
  racedWeeks: number;

  @Field(() => Int, { description: 'Weeks the participation credit needs.' })
  weeksNeeded: number;

  @Field(() => Int, { description: 'Weeks not over yet that the viewer can race.' })
  raceableWeeksLeft: number;

  @Field({ description: 'Raced weeks plus raceable weeks still to come reach weeksNeeded.' })
  creditReachable: boolean;

  @Field({ description: 'Raced weeks already reach weeksNeeded.' })
  creditEarned: boolean;
}

@InputType()
export class SettingsInput {
  @Field({ nullable: true, description: 'IANA time zone, e.g. Europe/Berlin.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Calendar feed reminder, minutes before a start (0: none).',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10080)
  reminderMinutes?: number;

  @Field({ nullable: true, description: "The calendar feed also lists the favourites' weeks." })
  @IsOptional()
  @IsBoolean()
  feedFavourites?: boolean;
}

@ObjectType('PlannerSettings', { description: "The viewer's planner settings." })
export class PlannerSettingsView {
  @Field()
  timeZone: string;

  @Field(() => Int)
  reminderMinutes: number;

  @Field()
  feedFavourites: boolean;
}

@ObjectType({ description: 'A package the viewer does not own, and what buying it would add.' })
export class PurchaseSuggestion {
  kind: 'CAR' | 'TRACK';
  refId: number;

  @Field(() => String, { description: 'CAR or TRACK.' })
  packageKind: string;

  car?: Car | null;
  track?: Track | null;

  @Field(() => Float, { nullable: true, description: 'List price, USD.' })
  price: number | null;

  @Field(() => Int, { description: 'Weeks still to come the viewer could then race.' })
  raceableWeeksAdded: number;

  @Field(() => Int, { description: 'Seasons whose participation credit it would make reachable.' })
  seasonsReachingCredit: number;

  @Field(() => Int, { description: 'Favourite series with a week it would unlock.' })
  favouriteSeriesUnlocked: number;
}

@ObjectType({ description: 'The best cart under a budget, with iRacing volume discount.' })
export class PurchaseBasket {
  @Field(() => [PurchaseSuggestion])
  items: PurchaseSuggestion[];

  @Field(() => Float)
  listPrice: number;

  @Field(() => Float, { description: 'Percent off every item (the volume discount of that many items).' })
  discountPct: number;

  @Field(() => Float)
  total: number;

  @Field(() => Int, { description: 'Weeks still to come the viewer could race with the whole cart.' })
  raceableWeeksAdded: number;
}

@ObjectType()
export class PurchaseGuide {
  @Field(() => [PurchaseSuggestion])
  suggestions: PurchaseSuggestion[];

  @Field(() => PurchaseBasket, { nullable: true, description: 'With a budget: the best cart within it.' })
  basket: PurchaseBasket | null;
}

@InputType()
export class PurchaseGuideFilter {
  @Field(() => String, {
    nullable: true,
    description: 'oval, sports_car, formula_car, dirt_oval, dirt_road.',
  })
  @IsOptional()
  @IsIn(['oval', 'road', 'sports_car', 'formula_car', 'dirt_oval', 'dirt_road'])
  category?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsBoolean()
  favouritesOnly?: boolean;

  @Field(() => [Int], { nullable: true })
  @IsOptional()
  @IsInt({ each: true })
  seriesIds?: number[];
}

@ObjectType({ description: 'A session or a whole week of the viewer’s plan.' })
export class PlanItem {
  raceWeekId: number;
  carId: number | null;
  /** The planned session's row (Session.id) while it is on the schedule. */
  sessionPk: number | null;

  @Field(() => Int)
  id: number;

  @Field(() => String, { description: 'SESSION or WEEK.' })
  kind: string;

  raceWeek: RaceWeek | null;
  session: Session | null;

  @Field(() => Date, { nullable: true, description: 'SESSION: the planned start.' })
  startTime: Date | null;

  @Field(() => String, { nullable: true, description: "SESSION: the start in the viewer's time zone." })
  localStartTime: string | null;

  @Field(() => Car, { nullable: true, description: 'The car the viewer plans to race.' })
  car?: Car | null;

  @Field({
    description:
      "The week's track, cars or session times changed (or it left the schedule) since it was planned.",
  })
  changed: boolean;

  @Field(() => String, { nullable: true, description: 'What changed.' })
  changeReason: string | null;

  @Field(() => [Int], { description: 'Ids of the planned sessions this one overlaps.' })
  overlapsWith: number[];
}
