// Read side of the seasons module: filtered, keyset-paginated lists (series, seasons, race weeks, the race
// calendar) and the batch look-ups behind the DataLoaders. Other modules use this service, never its repositories.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Category, categoryValues } from '../catalog/dto/catalog.args.js';
import { BadInputError, NotFoundError } from '../core/errors/domain-error.js';
import { paginate, perParentWindow } from '../core/graphql/pagination.js';
import type { ConnectionShape } from '../core/graphql/pagination.js';
import type {
  CalendarFilter,
  RaceWeeksArgs,
  SeasonsArgs,
  SeriesListArgs,
  SessionsArgs,
} from './dto/seasons.args.js';
import { CarRestriction, CarRestrictionChange } from './entities/car-restriction.entity.js';
import { Event, EventClass, Session } from './entities/event.entity.js';
import { RaceWeek } from './entities/race-week.entity.js';
import { Season } from './entities/season.entity.js';
import { Series } from './entities/series.entity.js';
import type { OwnedContent } from '../core/ownership.js';

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const SERIES_CATEGORIES = new Set<Category>([Category.SPORTS_CAR, Category.FORMULA_CAR]);

function checkTemperatures(f?: CalendarFilter): void {
  if (f?.minAirTempC !== undefined && f.maxAirTempC !== undefined && f.minAirTempC > f.maxAirTempC)
    throw new BadInputError(
      `"minAirTempC" (${f.minAirTempC}) must not be above "maxAirTempC" (${f.maxAirTempC})`,
    );
}

function checkRange(from?: Date, to?: Date): void {
  for (const [name, d] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (d && Number.isNaN(d.getTime())) throw new BadInputError(`"${name}" is not a valid time`);
  }
  if (from && to && from.getTime() >= to.getTime())
    throw new BadInputError(`"from" (${from.toISOString()}) must be before "to" (${to.toISOString()})`);
}

/** Where a race week (alias `rw`) lets one of `carIds` race: its own cars when it lists them, else its classes'. */
const WEEK_ALLOWS_CARS = `(CASE WHEN cardinality(rw.car_ids) > 0 THEN rw.car_ids && CAST(:carIds AS int[])
  ELSE EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_class_id = ANY(rw.car_class_ids) AND m.car_id = ANY(CAST(:carIds AS int[]))) END)`;

@Injectable()
export class SeasonsService {
  constructor(
    @InjectRepository(Series) private readonly series: Repository<Series>,
    @InjectRepository(Season) private readonly seasons: Repository<Season>,
    @InjectRepository(RaceWeek) private readonly weeks: Repository<RaceWeek>,
    @InjectRepository(CarRestriction) private readonly restrictions: Repository<CarRestriction>,
    @InjectRepository(CarRestrictionChange) private readonly changes: Repository<CarRestrictionChange>,
    @InjectRepository(Event) private readonly events: Repository<Event>,
    @InjectRepository(EventClass) private readonly eventClasses: Repository<EventClass>,
    @InjectRepository(Session) private readonly instances: Repository<Session>,
  ) {}

  // --- Lists ---------------------------------------------------------------------------------------------------

  listSeries(args: SeriesListArgs): Promise<ConnectionShape<Series>> {
    const qb = this.series.createQueryBuilder('s');
    const f = args.filter;
    if (f?.search) qb.andWhere('(s.name ILIKE :q OR s.short_name ILIKE :q)', { q: like(f.search) });
    if (f?.category) {
      const cats = SERIES_CATEGORIES.has(f.category)
        ? [f.category]
        : [...new Set([f.category, ...categoryValues(f.category, 'car')])];
      qb.andWhere('s.category = ANY(:cats)', { cats });
    }
    if (f?.official !== undefined) qb.andWhere('s.official = :official', { official: f.official });
    return paginate(qb, args, {
      sortExpr: 's.name',
      idExpr: 's.seriesId',
      values: (s) => [s.name, s.seriesId],
    });
  }

  listSeasons(args: SeasonsArgs): Promise<ConnectionShape<Season>> {
    const qb = this.seasons.createQueryBuilder('season');
    const f = args.filter;
    if (f?.seriesId) qb.andWhere('season.series_id = :seriesId', { seriesId: f.seriesId });
    if (f?.year) qb.andWhere('season.year = :year', { year: f.year });
    if (f?.quarter) qb.andWhere('season.quarter = :quarter', { quarter: f.quarter });
    if (f?.active !== undefined) qb.andWhere('season.active = :active', { active: f.active });
    return paginate(qb, args, {
      sortExpr: 'season.seasonId',
      idExpr: 'season.seasonId',
      values: (s) => [s.seasonId, s.seasonId],
      direction: 'DESC',
    });
  }

  listRaceWeeks(args: RaceWeeksArgs): Promise<ConnectionShape<RaceWeek>> {
    const qb = this.weeks.createQueryBuilder('rw');
    const f = args.filter;
    checkRange(f?.from, f?.to);
    checkTemperatures(f);
    this.calendarFilter(qb, f);
    if (f?.category) {
      if (SERIES_CATEGORIES.has(f.category)) {
        qb.andWhere(
          'EXISTS (SELECT 1 FROM series s WHERE s.series_id = rw.series_id AND s.category = :cat)',
          {
            cat: f.category,
          },
        );
      } else {
        qb.andWhere('rw.category = ANY(:cats)', { cats: categoryValues(f.category, 'track') });
      }
    }
    return paginate(qb, args, {
      sortExpr: 'rw.startTime',
      idExpr: 'rw.id',
      values: (w) => [w.startTime.toISOString(), w.id],
    });
  }

  /**
   * The race calendar: session starts, filtered through their event's race week. `owned` (the member's content,
   * for `ownedByCustId`) keeps weeks on a track they own or that is free, with an allowed car they own or free.
   * `weekIds` keeps the sessions of those race weeks only (the planner's raceable weeks).
   */
  listSessions(
    args: SessionsArgs,
    owned?: OwnedContent,
    weekIds?: readonly number[],
  ): Promise<ConnectionShape<Session>> {
    const f = args.filter;
    checkRange(f?.from, f?.to);
    checkTemperatures(f);
    const qb = this.instances
      .createQueryBuilder('i')
      .innerJoin(Event, 'e', 'e.id = i.event_id')
      .innerJoin(RaceWeek, 'rw', 'rw.id = e.race_week_id')
      .andWhere('i.start_time >= :from', { from: f?.from ?? new Date() });
    if (f?.to) qb.andWhere('i.start_time < :to', { to: f.to });
    this.weekFilter(qb, f);
    if (f?.carClassIds?.length)
      qb.andWhere('rw.car_class_ids && CAST(:carClassIds AS int[])', { carClassIds: f.carClassIds });
    if (weekIds) qb.andWhere('rw.id = ANY(CAST(:weekIds AS int[]))', { weekIds: [...weekIds] });
    if (owned) {
      qb.andWhere(
        `EXISTS (SELECT 1 FROM sim_layout l JOIN sim_track t ON t.package_id = l.package_id
           WHERE l.track_id = rw.track_id AND (t.free_with_subscription OR t.package_id = ANY(CAST(:ownedTracks AS int[]))))`,
        { ownedTracks: owned.trackPackageIds },
      );
      qb.andWhere(
        `EXISTS (SELECT 1 FROM sim_car c WHERE (c.free_with_subscription OR c.car_id = ANY(CAST(:ownedCars AS int[])))
           AND CASE WHEN cardinality(rw.car_ids) > 0 THEN c.car_id = ANY(rw.car_ids)
                    ELSE EXISTS (SELECT 1 FROM car_class_car m WHERE m.car_id = c.car_id AND m.car_class_id = ANY(rw.car_class_ids)) END)`,
        { ownedCars: owned.carIds },
      );
    }
    return paginate(qb, args, {
      sortExpr: 'i.startTime',
      idExpr: 'i.id',
      values: (i) => [i.startTime.toISOString(), i.id],
    });
  }

  /** Race weeks (alias `rw`) that overlap [from, to) and match the series, track and car filters. */
  private calendarFilter(qb: SelectQueryBuilder<RaceWeek>, f?: CalendarFilter): void {
    if (f?.from) qb.andWhere('rw.end_time > :from', { from: f.from });
    if (f?.to) qb.andWhere('rw.start_time < :to', { to: f.to });
    this.weekFilter(qb, f);
  }

  private weekFilter(qb: SelectQueryBuilder<ObjectLiteral>, f?: CalendarFilter): void {
    if (f?.seriesIds?.length) qb.andWhere('rw.series_id = ANY(:seriesIds)', { seriesIds: f.seriesIds });
    if (f?.trackIds?.length) qb.andWhere('rw.track_id = ANY(:trackIds)', { trackIds: f.trackIds });
    if (f?.carIds?.length) qb.andWhere(WEEK_ALLOWS_CARS, { carIds: f.carIds });
    // The forecast when fetched, else iRacing's own summary of the schedule.
    if (f?.rainPossible !== undefined)
      qb.andWhere(
        `COALESCE(rw.forecast_rain_possible, (rw.weather_summary->>'precip_chance_pct')::float > 0) = :rain`,
        { rain: f.rainPossible },
      );
    if (f?.minAirTempC !== undefined)
      qb.andWhere(
        `COALESCE(rw.forecast_min_air_temp_c, (rw.weather_summary->>'temp_low_c')::float) >= :minTemp`,
        {
          minTemp: f.minAirTempC,
        },
      );
    if (f?.maxAirTempC !== undefined)
      qb.andWhere(
        `COALESCE(rw.forecast_max_air_temp_c, (rw.weather_summary->>'temp_high_c')::float) <= :maxTemp`,
        {
          maxTemp: f.maxAirTempC,
        },
      );
  }

  // --- One by id -----------------------------------------------------------------------------------------------

  async oneSeries(id: number): Promise<Series> {
    return (await this.series.findOneBy({ seriesId: id })) ?? Promise.reject(new NotFoundError('Series', id));
  }

  async season(id: number): Promise<Season> {
    return (
      (await this.seasons.findOneBy({ seasonId: id })) ?? Promise.reject(new NotFoundError('Season', id))
    );
  }

  async raceWeek(id: number): Promise<RaceWeek> {
    return (await this.weeks.findOneBy({ id })) ?? Promise.reject(new NotFoundError('RaceWeek', id));
  }

  // --- Batch look-ups for DataLoaders: one statement per batch of keys ------------------------------------

  seriesByIds(ids: readonly number[]): Promise<Series[]> {
    return this.series.findBy({ seriesId: In([...ids]) });
  }

  seasonsByIds(ids: readonly number[]): Promise<Season[]> {
    return this.seasons.findBy({ seasonId: In([...ids]) });
  }

  seasonsOfSeries(seriesIds: readonly number[]): Promise<Season[]> {
    return this.seasons.find({ where: { seriesId: In([...seriesIds]) }, order: { seasonId: 'DESC' } });
  }

  raceWeeksByIds(ids: readonly number[]): Promise<RaceWeek[]> {
    return this.weeks.findBy({ id: In([...ids]) });
  }

  raceWeeksOfSeasons(seasonIds: readonly number[]): Promise<RaceWeek[]> {
    return this.weeks.find({ where: { seasonId: In([...seasonIds]) }, order: { raceWeekNum: 'ASC' } });
  }

  restrictionsOfWeeks(weekIds: readonly number[]): Promise<CarRestriction[]> {
    return this.restrictions.find({ where: { raceWeekId: In([...weekIds]) }, order: { carId: 'ASC' } });
  }

  restrictionChangesOfWeeks(weekIds: readonly number[]): Promise<CarRestrictionChange[]> {
    return this.changes.find({
      where: { raceWeekId: In([...weekIds]) },
      order: { seenAt: 'DESC', id: 'DESC' },
    });
  }

  instancesByIds(ids: readonly number[]): Promise<Session[]> {
    return this.instances.findBy({ id: In([...ids]) });
  }

  eventsByIds(ids: readonly number[]): Promise<Event[]> {
    return this.events.findBy({ id: In([...ids]) });
  }

  eventsOfWeeks(weekIds: readonly number[]): Promise<Event[]> {
    return this.events.findBy({ raceWeekId: In([...weekIds]) });
  }

  classesOfEvents(eventIds: readonly number[]): Promise<EventClass[]> {
    return this.eventClasses.find({ where: { eventId: In([...eventIds]) }, order: { position: 'ASC' } });
  }

  /** The first `first` session starts of each event in [from, to), in order. */
  instancesOfEvents(
    eventIds: readonly number[],
    from: Date | undefined,
    to: Date | undefined,
    first: number,
  ): Promise<Session[]> {
    checkRange(from, to);
    const filter = [from ? 'start_time >= :from' : 'TRUE', to ? 'start_time < :to' : 'TRUE'].join(' AND ');
    return this.instances
      .createQueryBuilder('i')
      .where(perParentWindow('event_instance', 'event_id', 'start_time, id', filter), {
        ids: [...eventIds],
        from,
        to,
        first,
      })
      .orderBy('i.start_time', 'ASC')
      .addOrderBy('i.id', 'ASC')
      .getMany();
  }
}
