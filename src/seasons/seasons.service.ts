// Read side of the seasons module: filtered, keyset-paginated lists (series, seasons, race weeks, the race
// calendar) and the batch look-ups behind the DataLoaders. Other modules use this service, never its repositories.
// Every read selects the columns its GraphQL type shows (read-columns.ts), as plain rows: no stored payload is read
// and no entity hydrated; a list's count runs only when `totalCount` is selected (docs/architecture.md §6.1).
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { GraphQLResolveInfo } from 'graphql';
import { Repository } from 'typeorm';
import type { SelectQueryBuilder } from 'typeorm';
import { OMIT as CATALOG_OMIT } from '../catalog/catalog.service.js';
import { Category, categoryValues } from '../catalog/dto/catalog.args.js';
import { TrackLayout } from '../catalog/entities/track-layout.entity.js';
import { NotFoundError } from '../core/errors/domain-error.js';
import {
  paginateLazily,
  perParentWindow,
  pick,
  plainRows,
  readColumns,
  selectColumns,
} from '../core/graphql/pagination.js';
import type { KeysetSort, LazyConnectionShape } from '../core/graphql/pagination.js';
import { SqlSelection } from '../core/graphql/sql-selection.js';
import type { RaceWeeksArgs, SeasonsArgs, SeriesListArgs, SessionsArgs } from './dto/seasons.args.js';
import { CarRestriction, CarRestrictionChange } from './entities/car-restriction.entity.js';
import { Event, EventClass, Session } from './entities/event.entity.js';
import { RaceWeek } from './entities/race-week.entity.js';
import { Season } from './entities/season.entity.js';
import { Series } from './entities/series.entity.js';
import type { OwnedContent } from '../core/ownership.js';
import { OMIT } from './read-columns.js';
import {
  calendarFilter,
  checkRange,
  checkTemperatures,
  ownedFilter,
  weekFilter,
} from './calendar-filters.js';
import type { SeasonsLoaders } from './seasons.loaders.js';

const SESSION_SORT: KeysetSort<Session> = {
  sortExpr: 'i.startTime',
  idExpr: 'i.id',
  values: (i) => [i.startTime.toISOString(), i.id],
};

const SEASON_SORT: KeysetSort<Season> = {
  sortExpr: 'season.seasonId',
  idExpr: 'season.seasonId',
  values: (s) => [s.seasonId, s.seasonId],
  direction: 'DESC',
};

const RACE_WEEK_SORT: KeysetSort<RaceWeek> = {
  sortExpr: 'rw.startTime',
  idExpr: 'rw.id',
  values: (w) => [w.startTime.toISOString(), w.id],
};

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const SERIES_CATEGORIES = new Set<Category>([Category.SPORTS_CAR, Category.FORMULA_CAR]);

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
    private readonly sql: SqlSelection,
  ) {}

  // --- Lists ---------------------------------------------------------------------------------------------------

  listSeries(args: SeriesListArgs): Promise<LazyConnectionShape<Series>> {
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
    const sort: KeysetSort<Series> = {
      sortExpr: 's.name',
      idExpr: 's.seriesId',
      values: (s) => [s.name, s.seriesId],
    };
    return paginateLazily(qb, args, sort, { columns: readColumns(qb, 's', OMIT.series) });
  }

  /** `info`: the selection of the field being resolved, for a selection-compiled page when it is covered. */
  async listSeasons(args: SeasonsArgs, info?: GraphQLResolveInfo): Promise<LazyConnectionShape<Season>> {
    const query = () => this.seasonsQuery(args);
    const compiled =
      info && (await this.sql.page(info, Season, args, SEASON_SORT, query, { joinsToOne: true }));
    if (compiled) return compiled;
    const qb = query();
    return paginateLazily(qb, args, SEASON_SORT, { columns: readColumns(qb, 'season', OMIT.season) });
  }

  private seasonsQuery(args: SeasonsArgs): SelectQueryBuilder<Season> {
    const qb = this.seasons.createQueryBuilder('season');
    const f = args.filter;
    if (f?.seriesId) qb.andWhere('season.series_id = :seriesId', { seriesId: f.seriesId });
    if (f?.year) qb.andWhere('season.year = :year', { year: f.year });
    if (f?.quarter) qb.andWhere('season.quarter = :quarter', { quarter: f.quarter });
    if (f?.active !== undefined) qb.andWhere('season.active = :active', { active: f.active });
    return qb;
  }

  async listRaceWeeks(
    args: RaceWeeksArgs,
    info?: GraphQLResolveInfo,
  ): Promise<LazyConnectionShape<RaceWeek>> {
    const query = () => this.raceWeeksQuery(args);
    const compiled =
      info && (await this.sql.page(info, RaceWeek, args, RACE_WEEK_SORT, query, { joinsToOne: true }));
    if (compiled) return compiled;
    const qb = query();
    return paginateLazily(qb, args, RACE_WEEK_SORT, { columns: readColumns(qb, 'rw', OMIT.raceWeek) });
  }

  private raceWeeksQuery(args: RaceWeeksArgs): SelectQueryBuilder<RaceWeek> {
    const qb = this.weeks.createQueryBuilder('rw');
    const f = args.filter;
    checkRange(f?.from, f?.to);
    checkTemperatures(f);
    calendarFilter(qb, f);
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
    return qb;
  }

  /**
   * The race calendar, one page in one statement: session starts joined to their events and race weeks (to-one),
   * read as plain rows. `loaders` (the request's) are primed with those events and weeks, so a session's `event`
   * and `raceWeek` cost no statement. The count runs only when asked for. `owned`, `weekIds`: see sessionsQuery.
   */
  async sessions(
    args: SessionsArgs,
    options: {
      /** The selection of the field being resolved, for a selection-compiled page when it is covered. */
      info?: GraphQLResolveInfo;
      owned?: OwnedContent;
      weekIds?: readonly number[];
      loaders?: SeasonsLoaders;
      /** With `loaders`: the week's series and layout are read in the same statement and primed too. */
      primeLayout?: (layout: TrackLayout) => void;
      /** The count is wanted: it runs beside the page. */
      eagerCount?: boolean;
    } = {},
  ): Promise<LazyConnectionShape<Session>> {
    const query = () => this.sessionsQuery(args, options.owned, options.weekIds);
    // A plan holds its parameters: not kept where they come from stored data (owned content, raceable weeks) or
    // from the clock (no `from`: from now on).
    const reuse = !options.owned && !options.weekIds && args.filter?.from !== undefined;
    const compiled =
      options.info &&
      (await this.sql.page(options.info, Session, args, SESSION_SORT, query, { joinsToOne: true, reuse }));
    if (compiled) return compiled;
    return this.sessionsPage(query(), args, options.loaders, options.primeLayout, options.eagerCount);
  }

  private sessionsPage(
    qb: SelectQueryBuilder<Session>,
    args: SessionsArgs,
    loaders?: SeasonsLoaders,
    primeLayout?: (layout: TrackLayout) => void,
    eagerCount?: boolean,
  ): Promise<LazyConnectionShape<Session>> {
    // To-one joins on primary keys: they change no count (PostgreSQL drops them from the count's plan).
    const joined = loaders && primeLayout;
    if (joined)
      qb.leftJoin(Series, 's', 's.series_id = rw.series_id').leftJoin(
        TrackLayout,
        'l',
        'l.track_id = rw.track_id',
      );
    const cols = {
      i: readColumns(qb, 'i', OMIT.session, 'i__'),
      e: readColumns(qb, 'e', OMIT.event, 'e__'),
      rw: readColumns(qb, 'rw', OMIT.raceWeek, 'rw__'),
      s: joined ? readColumns(qb, 's', OMIT.series, 's__') : [],
      l: joined ? readColumns(qb, 'l', CATALOG_OMIT.layout, 'l__') : [],
    };
    return paginateLazily(qb, args, SESSION_SORT, {
      columns: [...cols.i, ...cols.e, ...cols.rw, ...cols.s, ...cols.l],
      joinsToOne: true,
      eagerCount,
      node: (row) => {
        const series = joined ? pick<Series>(row, cols.s) : null;
        loaders?.primeWeek(
          pick<Event>(row, cols.e),
          pick<RaceWeek>(row, cols.rw),
          series?.seriesId ? series : null,
        );
        if (joined) {
          const layout = pick<TrackLayout>(row, cols.l);
          if (layout.trackId) primeLayout(layout);
        }
        return pick<Session>(row, cols.i);
      },
    });
  }

  /**
   * Session starts, filtered through their event's race week (aliases `i`, `e`, `rw`). `owned` (the member's
   * content, for `ownedByCustId`) keeps weeks on a track they own or that is free, with an allowed car they own or
   * free. `weekIds` keeps the sessions of those race weeks only (the planner's raceable weeks).
   */
  private sessionsQuery(
    args: SessionsArgs,
    owned?: OwnedContent,
    weekIds?: readonly number[],
  ): SelectQueryBuilder<Session> {
    const f = args.filter;
    checkRange(f?.from, f?.to);
    checkTemperatures(f);
    const qb = this.instances
      .createQueryBuilder('i')
      .innerJoin(Event, 'e', 'e.id = i.event_id')
      .innerJoin(RaceWeek, 'rw', 'rw.id = e.race_week_id')
      .andWhere('i.start_time >= :from', { from: f?.from ?? new Date() });
    if (f?.to) qb.andWhere('i.start_time < :to', { to: f.to });
    weekFilter(qb, f);
    if (f?.carClassIds?.length)
      qb.andWhere('rw.car_class_ids && CAST(:carClassIds AS int[])', { carClassIds: f.carClassIds });
    if (weekIds) qb.andWhere('rw.id = ANY(CAST(:weekIds AS int[]))', { weekIds: [...weekIds] });
    if (owned) ownedFilter(qb, owned);
    return qb;
  }

  // --- One by id -----------------------------------------------------------------------------------------------

  async oneSeries(id: number): Promise<Series> {
    return (await this.seriesByIds([id]))[0] ?? Promise.reject(new NotFoundError('Series', id));
  }

  async season(id: number): Promise<Season> {
    return (await this.seasonsByIds([id]))[0] ?? Promise.reject(new NotFoundError('Season', id));
  }

  async raceWeek(id: number): Promise<RaceWeek> {
    return (await this.raceWeeksByIds([id]))[0] ?? Promise.reject(new NotFoundError('RaceWeek', id));
  }

  // --- Batch look-ups for DataLoaders: one statement per batch of keys ------------------------------------

  seriesByIds(ids: readonly number[]): Promise<Series[]> {
    const qb = this.series.createQueryBuilder('s').where('s.series_id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 's', OMIT.series);
  }

  seasonsByIds(ids: readonly number[]): Promise<Season[]> {
    const qb = this.seasons.createQueryBuilder('s').where('s.season_id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 's', OMIT.season);
  }

  seasonsOfSeries(seriesIds: readonly number[]): Promise<Season[]> {
    const qb = this.seasons
      .createQueryBuilder('s')
      .where('s.series_id = ANY(:ids)', { ids: [...seriesIds] })
      .orderBy('s.season_id', 'DESC');
    return plainRows(qb, 's', OMIT.season);
  }

  raceWeeksByIds(ids: readonly number[]): Promise<RaceWeek[]> {
    const qb = this.weeks.createQueryBuilder('rw').where('rw.id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 'rw', OMIT.raceWeek);
  }

  /** The weeks of seasons in order, each with its event (one per week, a to-one join): one statement. */
  async raceWeeksOfSeasons(seasonIds: readonly number[]): Promise<{ week: RaceWeek; event: Event | null }[]> {
    const qb = this.weeks
      .createQueryBuilder('rw')
      .leftJoin(Event, 'e', 'e.race_week_id = rw.id')
      .where('rw.season_id = ANY(:ids)', { ids: [...seasonIds] })
      .orderBy('rw.race_week_num', 'ASC');
    const week = readColumns(qb, 'rw', OMIT.raceWeek, 'rw__');
    const event = readColumns(qb, 'e', OMIT.event, 'e__');
    const rows = await selectColumns(qb, [...week, ...event]).getRawMany<Record<string, unknown>>();
    return rows.map((r) => ({
      week: pick<RaceWeek>(r, week),
      event: r.e__id === null ? null : pick<Event>(r, event),
    }));
  }

  restrictionsOfWeeks(weekIds: readonly number[]): Promise<CarRestriction[]> {
    const qb = this.restrictions
      .createQueryBuilder('r')
      .where('r.race_week_id = ANY(:ids)', { ids: [...weekIds] })
      .orderBy('r.car_id', 'ASC');
    return plainRows(qb, 'r', OMIT.restriction);
  }

  restrictionChangesOfWeeks(weekIds: readonly number[]): Promise<CarRestrictionChange[]> {
    const qb = this.changes
      .createQueryBuilder('c')
      .where('c.race_week_id = ANY(:ids)', { ids: [...weekIds] })
      .orderBy('c.seen_at', 'DESC')
      .addOrderBy('c.id', 'DESC');
    return plainRows(qb, 'c', OMIT.restrictionChange);
  }

  instancesByIds(ids: readonly number[]): Promise<Session[]> {
    const qb = this.instances.createQueryBuilder('i').where('i.id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 'i', OMIT.session);
  }

  eventsByIds(ids: readonly number[]): Promise<Event[]> {
    const qb = this.events.createQueryBuilder('e').where('e.id = ANY(:ids)', { ids: [...ids] });
    return plainRows(qb, 'e', OMIT.event);
  }

  eventsOfWeeks(weekIds: readonly number[]): Promise<Event[]> {
    const qb = this.events.createQueryBuilder('e').where('e.race_week_id = ANY(:ids)', { ids: [...weekIds] });
    return plainRows(qb, 'e', OMIT.event);
  }

  classesOfEvents(eventIds: readonly number[]): Promise<EventClass[]> {
    const qb = this.eventClasses
      .createQueryBuilder('c')
      .where('c.event_id = ANY(:ids)', { ids: [...eventIds] })
      .orderBy('c.position', 'ASC');
    return plainRows(qb, 'c', OMIT.eventClass);
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
    const qb = this.instances
      .createQueryBuilder('i')
      .where(perParentWindow('event_instance', 'event_id', 'start_time, id', filter), {
        ids: [...eventIds],
        from,
        to,
        first,
      })
      .orderBy('i.start_time', 'ASC')
      .addOrderBy('i.id', 'ASC');
    return plainRows(qb, 'i', OMIT.session);
  }
}
