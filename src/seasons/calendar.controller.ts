// GET /calendar.ics: the race calendar (the `sessions` query, same filters) as an iCalendar feed that calendar
// apps import or subscribe to. Sessions are read page by page through SeasonsService.sessions; the rows
// around them (event, race week, series, season, layout, classes, cars) in one set-based query each.
import {
  BadRequestException,
  Controller,
  Get,
  HttpException,
  HttpStatus,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Requesters } from '../core/auth/requester.js';
import { CatalogService } from '../catalog/catalog.service.js';
import { DomainError, ErrorCode } from '../core/errors/domain-error.js';
import { MAX_PAGE_SIZE } from '../core/graphql/pagination.js';
import { OWNERSHIP_LOOKUP } from '../core/ownership.js';
import type { OwnedContent, OwnershipLookup } from '../core/ownership.js';
import { buildCalendar, sessionEvent } from './calendar.js';
import type { CalendarEvent } from './calendar.js';
import type { SessionFilter } from './dto/seasons.args.js';
import type { EventClass, Session } from './entities/event.entity.js';
import { SeasonsService } from './seasons.service.js';

const DAY_MS = 86_400_000;
const CALENDAR_DEFAULT_DAYS = 7;
const CALENDAR_MAX_DAYS = 31;
const CALENDAR_DEFAULT_LIMIT = 500;
const CALENDAR_MAX_LIMIT = 2000;
/** As the GraphQL filters (seasons.args.ts). */
const MAX_IDS = 200;
const MAX_INT = 2_147_483_647;

const LIST_PARAMS = ['seriesIds', 'carClassIds', 'carIds', 'trackIds'] as const;
const KNOWN_PARAMS = new Set<string>(['from', 'to', 'ownedByCustId', 'limit', ...LIST_PARAMS]);

export interface CalendarQuery {
  from: Date;
  to: Date;
  seriesIds?: number[];
  carClassIds?: number[];
  carIds?: number[];
  trackIds?: number[];
  ownedByCustId?: number;
  limit: number;
}

/** A 400 with `{ error }`, the message naming the parameter. */
const bad = (message: string) => new BadRequestException({ error: message });

/** One value of a parameter: a repeated list parameter is joined, a repeated single one refused. */
function single(name: string, raw: unknown, list: boolean): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) {
    if (!list) throw bad(`"${name}" is given more than once`);
    return raw.map(String).join(',');
  }
  if (typeof raw !== 'string') throw bad(`"${name}" is not a plain value`);
  return raw;
}

function positiveInt(name: string, value: string, what = `"${name}"`): number {
  const s = value.trim();
  if (!/^\d{1,10}$/.test(s)) throw bad(`${what} must be a positive integer, got "${value.slice(0, 40)}"`);
  const n = Number(s);
  if (n < 1 || n > MAX_INT) throw bad(`${what} must be between 1 and ${MAX_INT}, got ${s}`);
  return n;
}

function intList(name: string, value: string): number[] | undefined {
  if (value.trim() === '') return undefined;
  const items = value.split(',');
  if (items.length > MAX_IDS)
    throw bad(`"${name}" lists ${items.length} ids, at most ${MAX_IDS} are allowed`);
  return [...new Set(items.map((x) => positiveInt(name, x, `every id of "${name}"`)))];
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An ISO 8601 time: a date (midnight UTC) or a date and time with `Z` or an offset (a local time would depend
 * on the server's zone). Impossible dates such as 2026-02-30 are refused rather than rolled over.
 */
export function parseIsoTime(name: string, value: string): Date {
  const m = ISO_TIME.exec(value.trim());
  const invalid = () =>
    bad(`"${name}" must be an ISO 8601 time such as 2026-01-31T18:00:00Z, got "${value}"`);
  if (!m) throw invalid();
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (h !== undefined && zone === undefined)
    throw bad(`"${name}" must give its time zone (Z or an offset such as +01:00), got "${value}"`);
  const fields = [
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
  ] as const;
  const utc = Date.UTC(...fields, Math.floor(Number(`0.${frac ?? 0}`) * 1000));
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] ||
    check.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  )
    throw invalid();
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const hours = Number(z[2]);
    const minutes = Number(z[3] ?? 0);
    if (hours > 23 || minutes > 59) throw invalid();
    offsetMin = (z[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return new Date(utc - offsetMin * 60_000);
}

/** Validates the query string of /calendar.ics; throws a 400 naming the first bad parameter. */
export function parseCalendarQuery(query: Record<string, unknown>, now: Date): CalendarQuery {
  for (const key of Object.keys(query))
    if (!KNOWN_PARAMS.has(key))
      throw bad(`unknown parameter "${key.slice(0, 40)}" (allowed: ${[...KNOWN_PARAMS].join(', ')})`);
  const fromRaw = single('from', query.from, false);
  const toRaw = single('to', query.to, false);
  const from = fromRaw !== undefined ? parseIsoTime('from', fromRaw) : now;
  const to =
    toRaw !== undefined
      ? parseIsoTime('to', toRaw)
      : new Date(from.getTime() + CALENDAR_DEFAULT_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime())
    throw bad(
      `"from" (${from.toISOString()}${fromRaw === undefined ? ', now' : ''}) must be before "to" (${to.toISOString()})`,
    );
  if (to.getTime() - from.getTime() > CALENDAR_MAX_DAYS * DAY_MS)
    throw bad(`"from" to "to" spans more than ${CALENDAR_MAX_DAYS} days`);

  const q: CalendarQuery = { from, to, limit: CALENDAR_DEFAULT_LIMIT };
  for (const name of LIST_PARAMS) {
    const raw = single(name, query[name], true);
    const ids = raw === undefined ? undefined : intList(name, raw);
    if (ids) q[name] = ids;
  }
  const owner = single('ownedByCustId', query.ownedByCustId, false);
  if (owner !== undefined) q.ownedByCustId = positiveInt('ownedByCustId', owner);
  const limit = single('limit', query.limit, false);
  if (limit !== undefined) {
    if (!/^\s*\d{1,10}\s*$/.test(limit) || Number(limit) < 1 || Number(limit) > CALENDAR_MAX_LIMIT)
      throw bad(`"limit" must be an integer from 1 to ${CALENDAR_MAX_LIMIT}, got "${limit.slice(0, 40)}"`);
    q.limit = Number(limit);
  }
  return q;
}

const byKey = <T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T> =>
  new Map(rows.map((r) => [key(r), r]));
/** A batch look-up, skipped when there is nothing to look up. */
const batch = <T>(ids: readonly number[], load: (ids: readonly number[]) => Promise<T[]>): Promise<T[]> =>
  ids.length ? load(ids) : Promise.resolve([]);
const unique = (ids: readonly (number | null | undefined)[]): number[] => [
  ...new Set(ids.filter((x): x is number => typeof x === 'number')),
];

@Controller()
export class CalendarController {
  constructor(
    private readonly seasons: SeasonsService,
    private readonly catalog: CatalogService,
    private readonly moduleRef: ModuleRef,
    private readonly requesters: Requesters,
  ) {}

  @Get('calendar.ics')
  async calendar(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const now = new Date();
    const q = parseCalendarQuery(query, now);
    try {
      const owner = q.ownedByCustId;
      // What a member owns is theirs (docs/architecture.md §6.6): their viewer token or an admin key.
      if (owner !== undefined)
        await this.requesters.assertMaySee({ req }, owner, '"ownedByCustId": owned content');
      const owned = owner === undefined ? undefined : await this.ownedContent(owner);
      const { sessions, totalCount } = await this.sessions(q, owned);
      const body = buildCalendar(await this.events(sessions), { name: 'Simlane race calendar', stamp: now });
      res.setHeader('content-type', 'text/calendar; charset=utf-8');
      res.setHeader('content-disposition', 'inline; filename="simlane.ics"');
      res.setHeader('cache-control', `${owner === undefined ? 'public' : 'private'}, max-age=300`);
      res.setHeader('x-total-count', String(totalCount));
      return body;
    } catch (err) {
      throw asHttp(err);
    }
  }

  private async ownedContent(custId: number): Promise<OwnedContent> {
    const lookup = this.moduleRef.get<OwnershipLookup>(OWNERSHIP_LOOKUP, { strict: false });
    const owned = await lookup.ownedContent(custId);
    if (!owned)
      throw new HttpException(
        {
          error: `"ownedByCustId": member ${custId} was not found (their owned content must be synced first)`,
        },
        HttpStatus.NOT_FOUND,
      );
    return owned;
  }

  /** The first `limit` sessions, page after page (keyset), and how many match in all. */
  private async sessions(
    q: CalendarQuery,
    owned?: OwnedContent,
  ): Promise<{ sessions: Session[]; totalCount: number }> {
    const filter: SessionFilter = {
      from: q.from,
      to: q.to,
      seriesIds: q.seriesIds,
      carClassIds: q.carClassIds,
      carIds: q.carIds,
      trackIds: q.trackIds,
      ownedByCustId: q.ownedByCustId,
    };
    const sessions: Session[] = [];
    let after: string | undefined;
    let totalCount = 0;
    for (;;) {
      const first = Math.min(MAX_PAGE_SIZE, q.limit - sessions.length);
      const page = await this.seasons.sessions({ filter, first, after }, { owned });
      // Counted once, with the first page.
      if (after === undefined) totalCount = await page.totalCount;
      sessions.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage || sessions.length >= q.limit || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    return { sessions, totalCount };
  }

  /** The sessions as events, their rows loaded a set at a time (never one query per session). */
  private async events(sessions: readonly Session[]): Promise<CalendarEvent[]> {
    if (!sessions.length) return [];
    const events = await batch(unique(sessions.map((s) => s.eventId)), (ids) =>
      this.seasons.eventsByIds(ids),
    );
    const [weeks, layouts, eventClasses] = await Promise.all([
      batch(unique(events.map((e) => e.raceWeekId)), (ids) => this.seasons.raceWeeksByIds(ids)),
      batch(unique(events.map((e) => e.trackId)), (ids) => this.catalog.layoutsByIds(ids)),
      batch(unique(events.map((e) => e.id)), (ids) => this.seasons.classesOfEvents(ids)),
    ]);
    const [series, seasons, carClasses, cars] = await Promise.all([
      batch(unique(weeks.map((w) => w.seriesId)), (ids) => this.seasons.seriesByIds(ids)),
      batch(unique(weeks.map((w) => w.seasonId)), (ids) => this.seasons.seasonsByIds(ids)),
      batch(unique(eventClasses.map((c) => c.carClassId)), (ids) => this.catalog.carClassesByIds(ids)),
      batch(unique(weeks.flatMap((w) => w.carIds)), (ids) => this.catalog.carsByIds(ids)),
    ]);
    const eventById = byKey(events, (e) => e.id);
    const weekById = byKey(weeks, (w) => w.id);
    const layoutById = byKey(layouts, (l) => l.trackId);
    const seriesById = byKey(series, (s) => s.seriesId);
    const seasonById = byKey(seasons, (s) => s.seasonId);
    const classById = byKey(carClasses, (c) => c.carClassId);
    const carById = byKey(cars, (c) => c.carId);
    const classesOfEvent = new Map<number, EventClass[]>(); // each in position order (classesOfEvents)
    for (const c of eventClasses) {
      const list = classesOfEvent.get(c.eventId);
      if (list) list.push(c);
      else classesOfEvent.set(c.eventId, [c]);
    }

    return sessions.map((instance) => {
      const event = eventById.get(instance.eventId);
      const week = event?.raceWeekId ? weekById.get(event.raceWeekId) : undefined;
      return sessionEvent({
        instance,
        week,
        series: week ? seriesById.get(week.seriesId) : undefined,
        season: week ? seasonById.get(week.seasonId) : undefined,
        layout: event ? layoutById.get(event.trackId) : undefined,
        classes: (classesOfEvent.get(instance.eventId) ?? [])
          .map((c) => classById.get(c.carClassId))
          .filter((c) => c !== undefined),
        cars: (week?.carIds ?? []).map((id) => carById.get(id)).filter((c) => c !== undefined),
      });
    });
  }
}

/** Domain errors of the service as `{ error }` answers; anything else stays a 500. */
function asHttp(err: unknown): unknown {
  if (err instanceof HttpException || !(err instanceof DomainError)) return err;
  const status =
    err.code === ErrorCode.BAD_USER_INPUT
      ? HttpStatus.BAD_REQUEST
      : err.code === ErrorCode.NOT_FOUND
        ? HttpStatus.NOT_FOUND
        : err.code === ErrorCode.FORBIDDEN
          ? HttpStatus.FORBIDDEN
          : HttpStatus.INTERNAL_SERVER_ERROR;
  return status === HttpStatus.INTERNAL_SERVER_ERROR
    ? err
    : new HttpException({ error: err.message }, status);
}
