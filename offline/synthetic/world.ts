// The synthetic iRacing world: the catalog, the series, their seasons over a window of quarters around an anchor
// date, the members, and the ids that tie them together. Everything is a pure function of (seed, scale, anchor):
// the current and next quarters' seasons are planned at construction and older ones on first use, sessions are
// enumerated from the week's race time descriptors, results are simulated per subsession on demand, and session
// and subsession ids encode (start time, series, split) so that any id can be decoded without an index.
//
// Ids: season_id = 1000 + (quarter index - 8000) * series + series index (increasing with time);
// session_id = 150M + slot, subsession_id = 40M + slot * 8 + split, where slot = (15-minute steps since the
// window's first quarter) * series + series index. They stay below 2^31 up to about scale 10.
import { generateCatalog, type SyntheticCatalog } from './catalog.js';
import {
  HOUR,
  MINUTE,
  quarterOf,
  quarterStart,
  SLOT,
  tuesdayOnOrBefore,
  WEEK,
  type Row,
  type TrackCategory,
} from './common.js';
import { MemberPool } from './members.js';
import { planSeason, prepareSeason, weekStarts, type SeasonPlan, type WeekPlan } from './seasons.js';
import { planSeries, type SeriesPlan } from './series.js';

export interface WorldOptions {
  seed?: number;
  scale?: number;
  /** The anchor: rounded down to the most recent Tuesday 00:00 UTC. Defaults to now. */
  now?: Date;
}

/** Quarters of past seasons kept before the anchor's quarter (three years). */
export const PAST_QUARTERS = 12;
/** Series at scale 1 (the size of iRacing's official series list). */
export const BASE_SERIES = 150;
export const MAX_SPLITS = 8;
const SEASON_BASE = 1000;
const QI_ORIGIN = 2000 * 4;
const SESSION_BASE = 150_000_000;
const SUBSESSION_BASE = 40_000_000;

/** One session (a start time of a series' race week). */
export interface SessionRef {
  series: SeriesPlan;
  season: SeasonPlan;
  week: WeekPlan;
  start: number;
  sessionId: number;
  slot: number;
}

export class World {
  readonly seed: number;
  readonly scale: number;
  readonly anchor: number;
  readonly anchorQi: number;
  readonly firstQi: number;
  readonly lastQi: number;
  /** Start of the window's first quarter: the origin of session slots. */
  readonly epoch: number;
  readonly catalog: SyntheticCatalog;
  readonly cars = new Map<number, Row>();
  readonly classes = new Map<number, Row>();
  readonly tracks = new Map<number, Row>();
  readonly tracksByCategory = new Map<TrackCategory, Row[]>();
  readonly series: SeriesPlan[];
  readonly seriesById = new Map<number, SeriesPlan>();
  readonly members: MemberPool;
  private readonly seasonCache = new Map<string, SeasonPlan | null>();

  constructor(options: WorldOptions = {}) {
    this.seed = options.seed ?? 1;
    this.scale = options.scale ?? 1;
    if (!Number.isFinite(this.scale) || this.scale < 0)
      throw new RangeError(`scale must be >= 0, got ${this.scale}`);
    this.anchor = tuesdayOnOrBefore((options.now ?? new Date()).getTime());
    this.anchorQi = quarterOf(this.anchor);
    this.firstQi = this.anchorQi - PAST_QUARTERS;
    this.lastQi = this.anchorQi + 1;
    this.epoch = quarterStart(this.firstQi);
    this.catalog = generateCatalog({ seed: this.seed, scale: this.scale });
    for (const car of this.catalog.cars) this.cars.set(car.car_id as number, car);
    for (const cls of this.catalog.carClasses) this.classes.set(cls.car_class_id as number, cls);
    for (const t of this.catalog.tracks) {
      this.tracks.set(t.track_id as number, t);
      if (t.retired === true) continue;
      const c = t.category as TrackCategory;
      const list = this.tracksByCategory.get(c) ?? [];
      list.push(t);
      this.tracksByCategory.set(c, list);
    }
    this.series = planSeries(this.seed, Math.round(BASE_SERIES * this.scale), this.catalog, this.anchorQi);
    for (const s of this.series) this.seriesById.set(s.seriesId, s);
    this.members = new MemberPool(this.seed, this.scale, this.series, this.anchor);
    // Up to scale 4 the seasons of the current and next quarters are planned up front (what series/seasons
    // serves, so that its first answer is fast); past seasons, sessions and results are generated on demand.
    if (this.series.length <= 4 * BASE_SERIES) {
      for (const qi of [this.anchorQi, this.lastQi])
        for (const s of this.seasonsOfQuarter(qi)) prepareSeason(this, s);
    }
  }

  // --- Seasons --------------------------------------------------------------------------------------------

  seasonId(series: SeriesPlan, qi: number): number {
    return SEASON_BASE + (qi - QI_ORIGIN) * this.series.length + series.index;
  }

  /** When the season of a quarter is published (its schedule becomes visible). */
  publishedAt(series: SeriesPlan, qi: number): number {
    return quarterStart(qi) - series.publishLeadWeeks * WEEK;
  }

  /** The series' season in a quarter, if it is part of the world (ran, runs, or is published at the anchor). */
  season(series: SeriesPlan, qi: number): SeasonPlan | undefined {
    if (qi < this.firstQi || qi > this.lastQi || qi < series.firstQi) return undefined;
    if (qi === this.lastQi && this.anchor < this.publishedAt(series, qi)) return undefined;
    const key = `${series.index}:${qi}`;
    let plan = this.seasonCache.get(key);
    if (plan === undefined) {
      plan = planSeason(this, series, qi, this.seasonId(series, qi)) ?? null;
      this.seasonCache.set(key, plan);
    }
    return plan ?? undefined;
  }

  seasonById(seasonId: number): SeasonPlan | undefined {
    const k = this.series.length;
    const rel = seasonId - SEASON_BASE;
    if (!Number.isInteger(seasonId) || rel < 0) return undefined;
    const series = this.series[rel % k];
    return series ? this.season(series, Math.floor(rel / k) + QI_ORIGIN) : undefined;
  }

  seasonsOfQuarter(qi: number): SeasonPlan[] {
    const out: SeasonPlan[] = [];
    for (const s of this.series) {
      const season = this.season(s, qi);
      if (season) out.push(season);
    }
    return out;
  }

  /** The season and race week of a series at a time, if the series races then. */
  weekAt(series: SeriesPlan, at: number): { season: SeasonPlan; week: WeekPlan } | undefined {
    const season = this.season(series, quarterOf(at));
    if (!season) return undefined;
    const week = season.weeks[Math.floor((at - season.start) / WEEK)];
    return week ? { season, week } : undefined;
  }

  // --- Sessions and subsessions ----------------------------------------------------------------------------

  slotOf(series: SeriesPlan, start: number): number {
    return ((start - this.epoch) / SLOT) * this.series.length + series.index;
  }

  sessionRef(series: SeriesPlan, season: SeasonPlan, week: WeekPlan, start: number): SessionRef {
    const slot = this.slotOf(series, start);
    return { series, season, week, start, slot, sessionId: SESSION_BASE + slot };
  }

  subsessionId(session: SessionRef, split: number): number {
    return SUBSESSION_BASE + session.slot * MAX_SPLITS + split;
  }

  /** The session a slot names, when that series has a session starting then. */
  sessionAtSlot(slot: number): SessionRef | undefined {
    if (!Number.isInteger(slot) || slot < 0) return undefined;
    const k = this.series.length;
    const series = this.series[slot % k];
    const start = this.epoch + Math.floor(slot / k) * SLOT;
    const found = this.weekAt(series, start);
    if (!found) return undefined;
    const starts = weekStarts(found.week);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] === start) return this.sessionRef(series, found.season, found.week, start);
      if (starts[mid] < start) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  sessionById(sessionId: number): SessionRef | undefined {
    return this.sessionAtSlot(sessionId - SESSION_BASE);
  }

  /** Decodes a subsession id into its session and split index (the split may not exist: check the entrants). */
  decodeSubsession(subsessionId: number): { session: SessionRef; split: number } | undefined {
    const rel = subsessionId - SUBSESSION_BASE;
    if (!Number.isInteger(subsessionId) || rel < 0) return undefined;
    const session = this.sessionAtSlot(Math.floor(rel / MAX_SPLITS));
    return session ? { session, split: rel % MAX_SPLITS } : undefined;
  }

  /** The scheduled end of a session: start + the week's session minutes. */
  scheduledEnd(session: SessionRef): number {
    return session.start + session.week.sessionMinutes * MINUTE;
  }

  /** Every session of a series whose start is in [from, to), in start order. */
  sessionsBetween(series: SeriesPlan, from: number, to: number): SessionRef[] {
    const out: SessionRef[] = [];
    let weekStart = Math.max(this.epoch, tuesdayOnOrBefore(from));
    for (; weekStart < to; weekStart += WEEK) {
      const found = this.weekAt(series, weekStart + HOUR);
      if (!found) continue;
      for (const start of weekStarts(found.week)) {
        if (start >= from && start < to) out.push(this.sessionRef(series, found.season, found.week, start));
      }
    }
    return out;
  }
}
