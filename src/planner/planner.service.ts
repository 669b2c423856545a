// The planner's read side for one viewer (docs/architecture.md §6.9): what they can race (sessions, and weeks with
// every reason they cannot), their favourites and settings, and a quarter's seasons with participation credit.
// Each question costs a bounded number of statements whatever the viewer owns: the week eligibility (planner.sql.ts),
// then at most one page of sessions (SeasonsService) or one look-up of session starts for the weeks shown.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows } from '../accounts/accounts.sql.js';
import { BadInputError } from '../core/errors/domain-error.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor } from '../core/graphql/pagination.js';
import type { ConnectionShape, LazyConnectionShape } from '../core/graphql/pagination.js';
import { SeasonsService } from '../seasons/seasons.service.js';
import { BlockReason, FavouriteKind } from './dto/planner.types.js';
import type {
  PlannerSettingsView,
  PlannerWeek,
  PlannerWeekFilter,
  RaceableSession,
  RaceableSessionFilter,
  SeasonPlan,
  SettingsInput,
  WeekBlockRow,
} from './dto/planner.types.js';
import { checkTimeZone, localDateTime, weekPattern } from './local-time.js';
import { seasonCounts, weekEligibility } from './planner.sql.js';
import type { WeekEligibility } from './planner.sql.js';

const WEEKS_CURSOR = 'plannerWeeks';
const DEFAULT_SETTINGS: PlannerSettingsView = { timeZone: 'UTC', reminderMinutes: 30, feedFavourites: false };
const LICENCE_NAMES = ['Rookie', 'D', 'C', 'B', 'A', 'Pro'];

/**
 * Weeks of racing iRacing's participation credit asks of a series' season: 8 of a 12-week season, and for shorter
 * schedules the weeks minus their drop weeks (an 8-week series with 2 drop weeks needs 6, a 6-week one 4), which is
 * two thirds of the weeks rounded up (iRacing FAQ "Race Participation Credit program", faq.iracing.com article 140).
 */
export function weeksForCredit(weeks: number): number {
  return Math.ceil((2 * weeks) / 3);
}

/** A licence level as iRacing names its class: 1-4 Rookie, 5-8 D, … 17-20 A, 21+ Pro. */
export function licenceName(level: number): string {
  return LICENCE_NAMES[Math.min(Math.floor((Math.max(level, 1) - 1) / 4), 5)];
}

/** Every reason a week is blocked, in a fixed order. */
export function blocksOf(w: WeekEligibility, trackName?: string): WeekBlockRow[] {
  const out: WeekBlockRow[] = [];
  if (!w.trackOwned)
    out.push({
      reason: BlockReason.TRACK_NOT_OWNED,
      message: `the track package ${trackName ?? w.trackPackageId} is not owned`,
      trackPackageId: w.trackPackageId,
    });
  if (!w.myCarIds.length)
    out.push({
      reason: BlockReason.NO_CAR_OWNED,
      message: `none of the ${w.allowedCarIds.length} cars the week allows is owned`,
      carIds: w.allowedCarIds,
    });
  if (!w.licenceOk)
    out.push({
      reason: BlockReason.LICENCE_TOO_LOW,
      message:
        `the series needs a ${licenceName(w.requiredLevel ?? 1)} licence (level ${w.requiredLevel}); ` +
        `yours in its category is ${licenceName(w.myLevel)} (level ${w.myLevel})`,
      requiredLicenceLevel: w.requiredLevel,
      myLicenceLevel: w.myLevel,
    });
  return out;
}

@Injectable()
export class PlannerService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly schedule: SeasonsService,
  ) {}

  async settings(custId: number): Promise<PlannerSettingsView> {
    const rows = (await this.db.query(
      `SELECT time_zone AS "timeZone", reminder_minutes AS "reminderMinutes", feed_favourites AS "feedFavourites"
       FROM planner_settings WHERE cust_id = $1`,
      [custId],
    )) as PlannerSettingsView[];
    return rows[0] ?? { ...DEFAULT_SETTINGS };
  }

  async saveSettings(custId: number, input: SettingsInput): Promise<PlannerSettingsView> {
    const current = await this.settings(custId);
    const next: PlannerSettingsView = {
      timeZone: input.timeZone === undefined ? current.timeZone : checkTimeZone(input.timeZone),
      reminderMinutes: input.reminderMinutes ?? current.reminderMinutes,
      feedFavourites: input.feedFavourites ?? current.feedFavourites,
    };
    await this.db.query(
      `INSERT INTO planner_settings (cust_id, time_zone, reminder_minutes, feed_favourites) VALUES ($1, $2, $3, $4)
       ON CONFLICT (cust_id) DO UPDATE SET time_zone = $2, reminder_minutes = $3, feed_favourites = $4,
         updated_at = now()`,
      [custId, next.timeZone, next.reminderMinutes, next.feedFavourites],
    );
    return next;
  }

  /** Sessions the viewer can enter now, each with their cars that may race it (two statements, three with the count). */
  async raceableSessions(
    custId: number,
    args: { filter?: RaceableSessionFilter; first?: number; after?: string },
    /** `totalCount` is wanted: it is counted beside the page. */
    withCount = false,
  ): Promise<LazyConnectionShape<RaceableSession>> {
    const { favouritesOnly, ...filter } = args.filter ?? {};
    const from = filter.from ?? new Date();
    const [weeks, { timeZone }] = await Promise.all([
      weekEligibility(this.db, custId, {
        from,
        to: filter.to,
        seriesIds: filter.seriesIds,
        trackIds: filter.trackIds,
        carIds: filter.carIds,
        favouritesOnly,
        withEvents: true,
      }),
      this.settings(custId),
    ]);
    const weekOfEvent = new Map<number, WeekEligibility>();
    for (const w of weeks) for (const e of w.eventIds) weekOfEvent.set(e, w);
    // The count of the page runs only when totalCount is asked for (docs/architecture.md §6.1).
    const page = await this.schedule.sessions(
      { filter: { ...filter, from }, first: args.first, after: args.after },
      { weekIds: weeks.map((w) => w.raceWeekId), eagerCount: withCount },
    );
    return {
      ...page,
      edges: page.edges.map((e) => ({
        cursor: e.cursor,
        node: {
          session: e.node,
          myCarIds: weekOfEvent.get(e.node.eventId)?.myCarIds ?? [],
          localStartTime: localDateTime(e.node.startTime, timeZone),
        },
      })),
    };
  }

  /** Race weeks of the window, raceable or (with includeBlocked) not, each with its reasons; keyset pages. */
  async raceWeeks(
    custId: number,
    args: { filter?: PlannerWeekFilter; first?: number; after?: string },
  ): Promise<ConnectionShape<PlannerWeek>> {
    const f = args.filter ?? {};
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    const [weeks, { timeZone }] = await Promise.all([
      weekEligibility(this.db, custId, { ...f, from: f.from ?? new Date() }),
      this.settings(custId),
    ]);
    let start = 0;
    if (args.after) {
      const [t, id] = decodeCursor(args.after, 2, WEEKS_CURSOR);
      if (typeof t !== 'string' || typeof id !== 'number')
        throw new BadInputError('"after" is not a cursor of this list', { argument: 'after' });
      const after = (w: WeekEligibility) =>
        w.startTime.toISOString() > t || (w.startTime.toISOString() === t && w.raceWeekId > id);
      start = weeks.findIndex(after);
      if (start < 0) start = weeks.length;
    }
    const page = weeks.slice(start, start + first);
    const starts = await this.sessionStarts(page.map((w) => w.raceWeekId));
    const edges = page.map((w) => ({
      cursor: encodeCursor([w.startTime.toISOString(), w.raceWeekId], WEEKS_CURSOR),
      node: {
        raceWeekId: w.raceWeekId,
        trackPackageId: w.trackPackageId,
        myCarIds: w.myCarIds,
        raceable: w.raceable,
        blocks: blocksOf(w),
        pattern: weekPattern(starts.get(w.raceWeekId) ?? [], timeZone),
      } as PlannerWeek,
    }));
    return {
      edges,
      totalCount: weeks.length,
      pageInfo: {
        hasNextPage: start + first < weeks.length,
        hasPreviousPage: start > 0,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  /** Session starts of the weeks, by week (one statement). */
  async sessionStarts(weekIds: readonly number[]): Promise<Map<number, Date[]>> {
    const out = new Map<number, Date[]>();
    if (!weekIds.length) return out;
    const rows = (await this.db.query(
      `SELECT e.race_week_id AS id, array_agg(i.start_time ORDER BY i.start_time) AS starts
       FROM event_instance i JOIN event e ON e.id = i.event_id
       WHERE e.race_week_id = ANY($1::int[]) GROUP BY e.race_week_id`,
      [[...weekIds]],
    )) as { id: number; starts: Date[] }[];
    for (const r of rows) out.set(r.id, r.starts);
    return out;
  }

  /** Deletes a racer's favourites and settings (an unlink); how many favourites. */
  async forget(custId: number): Promise<number> {
    await this.db.query(`DELETE FROM planner_settings WHERE cust_id = $1`, [custId]);
    return (
      await sqlRows(this.db, `DELETE FROM planner_favourite WHERE cust_id = $1 RETURNING ref_id`, [custId])
    ).length;
  }

  // --- Favourites ----------------------------------------------------------------------------------------------

  async favourites(custId: number): Promise<Record<FavouriteKind, number[]>> {
    const rows = (await this.db.query(
      `SELECT kind, ref_id FROM planner_favourite WHERE cust_id = $1 ORDER BY kind, ref_id`,
      [custId],
    )) as { kind: FavouriteKind; ref_id: number }[];
    const out: Record<FavouriteKind, number[]> = { SERIES: [], CAR: [], TRACK: [] };
    for (const r of rows) out[r.kind].push(r.ref_id);
    return out;
  }

  /** Marks or unmarks a favourite; the id must name a stored series, car or track package. */
  async setFavourite(custId: number, kind: FavouriteKind, id: number, favourite: boolean): Promise<void> {
    if (!favourite) {
      await this.db.query(`DELETE FROM planner_favourite WHERE cust_id = $1 AND kind = $2 AND ref_id = $3`, [
        custId,
        kind,
        id,
      ]);
      return;
    }
    const table = {
      SERIES: 'series WHERE series_id',
      CAR: 'sim_car WHERE car_id',
      TRACK: 'sim_track WHERE package_id',
    }[kind];
    const rows = (await this.db.query(
      `INSERT INTO planner_favourite (cust_id, kind, ref_id)
       SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM ${table} = $3)
       ON CONFLICT DO NOTHING RETURNING ref_id`,
      [custId, kind, id],
    )) as unknown[];
    if (!rows.length) {
      const known = (await this.db.query(`SELECT 1 FROM ${table} = $1`, [id])) as unknown[];
      if (!known.length) throw new BadInputError(`no ${kind.toLowerCase()} with id ${id} is known`, { id });
    }
  }

  // --- Seasons and participation -------------------------------------------------------------------------------

  /**
   * The seasons of a quarter with weeks the viewer could race or raced, and their participation credit; with
   * `favouritesOnly`, the seasons with a week of a favourite series, at a favourite track or allowing a favourite
   * car, each counted on all its weeks.
   */
  async seasonPlans(
    custId: number,
    year: number,
    quarter: number,
    favouritesOnly = false,
  ): Promise<(SeasonPlan & { seasonId: number })[]> {
    if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4)
      throw new BadInputError(`quarter must be 1 to 4, got ${quarter}`);
    const seasonIds = (
      (await this.db.query(`SELECT season_id FROM season WHERE year = $1 AND quarter = $2`, [
        year,
        quarter,
      ])) as {
        season_id: number;
      }[]
    ).map((r) => r.season_id);
    if (!seasonIds.length) return [];
    const counts = await seasonCounts(this.db, custId, { seasonIds, favouritesOnly });
    return counts.map((c) => {
      const needed = weeksForCredit(c.weeks);
      return {
        ...c,
        season: undefined as never,
        weeksNeeded: needed,
        creditReachable: c.racedWeeks + c.raceableWeeksLeft >= needed,
        creditEarned: c.racedWeeks >= needed,
      };
    });
  }

  /**
   * `season_id:race_week_num` of every week the viewer raced an official session of these seasons, or (`seasonIds`
   * null) of the seasons with a week ending after `after`.
   */
  async racedWeeks(custId: number, seasonIds: readonly number[] | null, after?: Date): Promise<Set<string>> {
    const rows = (await this.db.query(
      `SELECT DISTINCT er.season_id, er.race_week_num FROM participant_result pr
       JOIN event_result er ON er.id = pr.event_result_id
       WHERE pr.cust_id = $1 AND er.kind = 'OFFICIAL'
         AND ($2::int[] IS NULL OR er.season_id = ANY($2::int[]))
         AND ($3::timestamptz IS NULL OR er.season_id IN (SELECT season_id FROM race_week WHERE end_time > $3))`,
      [custId, seasonIds ? [...seasonIds] : null, after ?? null],
    )) as { season_id: number; race_week_num: number }[];
    return new Set(rows.map((r) => `${r.season_id}:${r.race_week_num}`));
  }
}
