// GET /calendar/<feed token>.ics: a racer's plan as a personal iCalendar feed that calendar apps subscribe to
// (docs/architecture.md §6.9). The token in the path is the only credential (calendar apps send no headers): an
// unknown, revoked or malformed one answers the same 404, never saying which; request logs show the path as
// `/calendar/[redacted].ics` (§6.7). The feed covers a day back to 120 days ahead: the planned sessions and weeks
// (PlanService), and with the racer's feedFavourites setting the weeks of their favourite series they can race.
// The names shown (series, track, car) and the planned sessions' ends are read in one set-based statement.
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { sessionEnd } from '../seasons/calendar.js';
import type { PlanItem } from './dto/planner.types.js';
import { FeedTokens } from './feed-tokens.service.js';
import { planCalendar } from './plan-calendar.js';
import type { FeedEntry, FeedWeek } from './plan-calendar.js';
import { PlanService } from './plan.service.js';
import { PlannerService } from './planner.service.js';

const DAY_MS = 86_400_000;
const FEED_DAYS_BEFORE = 1;
const FEED_DAYS_AFTER = 120;
/** Favourite weeks listed at most (one page of PlannerService.raceWeeks). */
const MAX_FAVOURITE_WEEKS = 100;
/** The one answer for every feed that cannot be read: it does not tell an unknown token from a revoked one. */
const NO_FEED = 'no such calendar feed';
const FEED_FILE_RE = /^(.+)\.ics$/;

/** What the feed shows of its race weeks, cars and planned sessions. */
export interface FeedNames {
  weeks: Map<number, FeedWeek>;
  cars: Map<number, string>;
  /** Session.id → its end (its own, else start plus length, else an hour: seasons' sessionEnd). */
  sessionEnds: Map<number, Date>;
}

interface NameRow {
  kind: 'week' | 'car' | 'session';
  id: number;
  name: string | null;
  track_name: string | null;
  config_name: string | null;
  race_week_num: number | null;
  start_time: Date | null;
  end_time: Date | null;
  minutes: number | null;
}

/** The names of the race weeks and cars and the ends of the sessions, in one statement. */
export async function loadFeedNames(
  db: DataSource,
  weekIds: readonly number[],
  carIds: readonly number[],
  sessionIds: readonly number[],
): Promise<FeedNames> {
  const out: FeedNames = { weeks: new Map(), cars: new Map(), sessionEnds: new Map() };
  if (!weekIds.length && !carIds.length && !sessionIds.length) return out;
  const rows = (await db.query(
    `SELECT 'week' AS kind, rw.id, COALESCE(s.name, se.name) AS name, l.track_name, l.config_name,
            rw.race_week_num, rw.start_time, rw.end_time, NULL::int AS minutes
     FROM race_week rw
     LEFT JOIN series s ON s.series_id = rw.series_id
     LEFT JOIN season se ON se.season_id = rw.season_id
     LEFT JOIN sim_layout l ON l.track_id = rw.track_id
     WHERE rw.id = ANY($1::int[])
     UNION ALL
     SELECT 'car', c.car_id, c.name, NULL, NULL, NULL, NULL, NULL, NULL FROM sim_car c WHERE c.car_id = ANY($2::int[])
     UNION ALL
     SELECT 'session', i.id, NULL, NULL, NULL, NULL, i.start_time, i.end_time, i.session_minutes
     FROM event_instance i WHERE i.id = ANY($3::int[])`,
    [[...new Set(weekIds)], [...new Set(carIds)], [...new Set(sessionIds)]],
  )) as NameRow[];
  for (const r of rows) {
    if (r.kind === 'car' && r.name !== null) out.cars.set(r.id, r.name);
    else if (r.kind === 'session' && r.start_time)
      out.sessionEnds.set(
        r.id,
        sessionEnd({ startTime: r.start_time, endTime: r.end_time, sessionMinutes: r.minutes }),
      );
    else if (r.kind === 'week' && r.start_time && r.end_time)
      out.weeks.set(r.id, {
        raceWeekId: r.id,
        seriesName: r.name,
        trackName: r.track_name,
        configName: r.config_name,
        raceWeekNum: r.race_week_num,
        start: r.start_time,
        end: r.end_time,
      });
  }
  return out;
}

/**
 * The feed's entries: each planned session (cancelled once its start left the schedule), each planned week still
 * on the schedule (a removed week has no dates to show), and the favourite weeks.
 */
export function feedEntries(
  plan: readonly PlanItem[],
  favouriteWeekIds: readonly number[],
  names: FeedNames,
) {
  const entries: FeedEntry[] = [];
  const carName = (id: number | null) => (id === null ? null : (names.cars.get(id) ?? null));
  for (const item of plan) {
    const week = names.weeks.get(item.raceWeekId) ?? null;
    if (item.kind === 'SESSION' && item.startTime) {
      const end = item.sessionPk === null ? undefined : names.sessionEnds.get(item.sessionPk);
      entries.push({
        kind: 'SESSION',
        planItemId: item.id,
        start: item.startTime,
        end: end ?? sessionEnd({ startTime: item.startTime, endTime: null, sessionMinutes: null }),
        week,
        carName: carName(item.carId),
        changeReason: item.changeReason,
        cancelled: item.sessionPk === null,
      });
    } else if (item.kind === 'WEEK' && week)
      entries.push({
        kind: 'WEEK',
        planItemId: item.id,
        week,
        carName: carName(item.carId),
        changeReason: item.changeReason,
      });
  }
  for (const id of favouriteWeekIds) {
    const week = names.weeks.get(id);
    if (week) entries.push({ kind: 'FAVOURITE_WEEK', week });
  }
  return entries;
}

@Controller()
export class FeedController {
  constructor(
    private readonly tokens: FeedTokens,
    private readonly planner: PlannerService,
    private readonly plans: PlanService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Get('calendar/:file')
  async feed(@Param('file') file: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    const token = FEED_FILE_RE.exec(file)?.[1];
    const custId = token === undefined ? null : await this.tokens.resolve(token);
    if (custId === null) throw new NotFoundException({ error: NO_FEED });
    const now = new Date();
    const from = new Date(now.getTime() - FEED_DAYS_BEFORE * DAY_MS);
    const to = new Date(now.getTime() + FEED_DAYS_AFTER * DAY_MS);
    const settings = await this.planner.settings(custId);
    const [plan, favouriteWeekIds] = await Promise.all([
      this.plans.list(custId, from, to, settings.timeZone),
      settings.feedFavourites ? this.favouriteWeeks(custId, from, to) : Promise.resolve([]),
    ]);
    const names = await loadFeedNames(
      this.db,
      [...plan.map((p) => p.raceWeekId), ...favouriteWeekIds],
      plan.flatMap((p) => (p.carId === null ? [] : [p.carId])),
      plan.flatMap((p) => (p.sessionPk === null ? [] : [p.sessionPk])),
    );
    const body = planCalendar(feedEntries(plan, favouriteWeekIds, names), {
      name: 'Simlane race plan',
      stamp: now,
      reminderMinutes: settings.reminderMinutes,
      timeZone: settings.timeZone,
    });
    res.setHeader('content-type', 'text/calendar; charset=utf-8');
    res.setHeader('content-disposition', 'inline; filename="simlane-plan.ics"');
    res.setHeader('cache-control', 'private, max-age=300');
    return body;
  }

  /** The race weeks of the racer's favourite series they can race in the window (none without such a favourite). */
  private async favouriteWeeks(custId: number, from: Date, to: Date): Promise<number[]> {
    const { SERIES: seriesIds } = await this.planner.favourites(custId);
    if (!seriesIds.length) return [];
    const page = await this.planner.raceWeeks(custId, {
      filter: { from, to, seriesIds, favouritesOnly: true, includeBlocked: false },
      first: MAX_FAVOURITE_WEEKS,
    });
    return page.edges.map((e) => e.node.raceWeekId);
  }
}
