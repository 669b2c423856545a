// What to buy next (docs/architecture.md §6.9): the car and track packages the viewer does not own, ranked by what
// each would add from now on: race weeks they could then race, seasons whose participation credit it would make
// reachable, favourite series with a week it unlocks. A week needs its track AND one of its cars, so packages are
// worth more together: with a budget, the best cart is searched over the joint value (purchase-basket.ts), priced
// with iRacing's volume discount. Five statements at once whatever the viewer owns: the weeks a purchase could open,
// each season's counts, the prices, the weeks raced and the favourites; the rest is arithmetic over those rows.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CATEGORY_IDS } from '../catalog/dto/catalog.args.js';
import type { Category } from '../catalog/dto/catalog.args.js';
import { BadInputError } from '../core/errors/domain-error.js';
import type { PurchaseBasket, PurchaseGuideFilter, PurchaseSuggestion } from './dto/planner.types.js';
import { PlannerService, weeksForCredit } from './planner.service.js';
import { seasonCounts, weekEligibility } from './planner.sql.js';
import type { SeasonCounts, WeekEligibility } from './planner.sql.js';
import { bestBasket } from './purchase-basket.js';

/**
 * Packages the basket search weighs (those that would unlock the most weeks, alone or with another): more than the
 * 40 items of the last volume discount tier, so that a cart can reach it and still choose among them.
 */
export const BASKET_CANDIDATES = 50;
const MAX_FIRST = 100;

/** A package to buy: `car:<car_id>` or `track:<package_id>`. */
export type Key = string;

export interface Prospect {
  week: WeekEligibility;
  /** The track package to buy, when not owned. */
  track: Key | null;
  /** Cars that would do (any one), when none is owned. */
  cars: Key[] | null;
}

@Injectable()
export class PurchaseGuideService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly planner: PlannerService,
  ) {}

  async guide(
    custId: number,
    filter: PurchaseGuideFilter = {},
    budget: number | null = null,
    first = 20,
  ): Promise<{ suggestions: PurchaseSuggestion[]; basket: PurchaseBasket | null }> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST)
      throw new BadInputError(`first must be between 1 and ${MAX_FIRST}, got ${first}`);
    const now = new Date();
    const window = {
      from: now,
      seriesIds: filter.seriesIds,
      favouritesOnly: filter.favouritesOnly,
      categoryId: filter.category ? CATEGORY_IDS[filter.category as Category] : undefined,
      // The weeks already over count towards a season's participation: whole seasons are read.
      wholeSeasons: true,
    };
    // Five independent statements at once: the weeks a purchase could open, each season's counts, the prices, the
    // weeks raced and the favourites.
    const [open, counts, prices, raced, favourites] = await Promise.all([
      weekEligibility(this.db, custId, { ...window, includeBlocked: true, prospectsOnly: true }),
      // A season's participation is of all its weeks: its counts are never limited to the favourites' weeks
      // (a favourite track or car names some of a season's weeks only).
      seasonCounts(this.db, custId, { ...window, favouritesOnly: false }),
      this.prices(),
      this.planner.racedWeeks(custId, null, now),
      this.planner.favourites(custId),
    ]);
    const prospects = prospectsOf(open);
    const keys = [...new Set(prospects.flatMap((p) => [...(p.track ? [p.track] : []), ...(p.cars ?? [])]))];
    const buyable = keys.filter((k) => prices.has(k));
    const value = valuer(prospects, counts, raced, new Set(favourites.SERIES));
    const suggestions = buyable
      .map((k) => ({ key: k, v: value([k]) }))
      .filter((x) => x.v.weeks > 0)
      .sort(
        (a, b) =>
          b.v.weeks - a.v.weeks ||
          b.v.seasons - a.v.seasons ||
          b.v.favourites - a.v.favourites ||
          (prices.get(a.key) ?? 0) - (prices.get(b.key) ?? 0) ||
          a.key.localeCompare(b.key),
      )
      .slice(0, first)
      .map((x) => suggestion(x.key, prices.get(x.key) ?? null, x.v));
    if (budget === null) return { suggestions, basket: null };
    if (!Number.isFinite(budget) || budget < 0)
      throw new BadInputError(`budget must be a positive amount of USD, got ${budget}`);
    return { suggestions, basket: basketOf(buyable, prospects, prices, budget, value) };
  }

  /** List prices of every paid car and track package, one statement (a few hundred rows); free ones are left out. */
  private async prices(): Promise<Map<Key, number>> {
    const rows = (await this.db.query(
      `SELECT 'car:' || car_id AS key, price::float AS price FROM sim_car
       WHERE NOT free_with_subscription AND price > 0
       UNION ALL
       SELECT 'track:' || package_id, price::float FROM sim_track
       WHERE NOT free_with_subscription AND price > 0`,
    )) as { key: string; price: number }[];
    return new Map(rows.map((r) => [r.key, r.price]));
  }
}

export interface Worth {
  weeks: number;
  seasons: number;
  favourites: number;
}

/** Weeks a purchase can open: blocked by content only (a licence is earned, not bought). */
export function prospectsOf(weeks: readonly WeekEligibility[]): Prospect[] {
  return weeks.map((w) => ({
    week: w,
    track: w.trackOwned ? null : `track:${w.trackPackageId}`,
    cars: w.myCarIds.length ? null : w.allowedCarIds.map((c) => `car:${c}`),
  }));
}

/**
 * The best cart within `budget` over the BASKET_CANDIDATES packages that appear in the most openable weeks (alone
 * or as the half of a track-and-car pair), by joint value.
 */
export function basketOf(
  buyable: readonly Key[],
  prospects: readonly Prospect[],
  prices: ReadonlyMap<Key, number>,
  budget: number,
  value: (keys: readonly Key[]) => Worth,
): PurchaseBasket {
  const pool = buyable
    .map((k) => ({ key: k, potential: prospects.filter((p) => p.track === k || p.cars?.includes(k)).length }))
    .sort((a, b) => b.potential - a.potential || a.key.localeCompare(b.key))
    .slice(0, BASKET_CANDIDATES);
  const best = bestBasket(
    pool.map((p) => ({ key: p.key, price: prices.get(p.key)! })),
    budget,
    (ks) => score(value(ks)),
  );
  return {
    items: best.keys.map((k) => suggestion(k, prices.get(k) ?? null, value([k]))),
    listPrice: best.listPrice,
    discountPct: best.discountPct,
    total: best.total,
    raceableWeeksAdded: value(best.keys).weeks,
  };
}

/** One number for the basket search: weeks first, then seasons reaching credit, then favourite series. */
function score(w: Worth): number {
  return w.weeks * 10_000 + w.seasons * 100 + w.favourites;
}

/** What owning `keys` on top of what the viewer owns would add (weeks, seasons reaching credit, favourites). */
export function valuer(
  prospects: readonly Prospect[],
  counts: readonly SeasonCounts[],
  raced: ReadonlySet<string>,
  favouriteSeries: ReadonlySet<number>,
): (keys: readonly Key[]) => Worth {
  const bySeason = new Map(
    counts.map((c) => [c.seasonId, { total: c.weeks, raced: c.racedWeeks, open: c.raceableWeeksLeft }]),
  );
  // The prospects each package takes part in: a cart's worth reads only its packages' prospects. A week already
  // raced adds nothing: it is left out once here rather than at every cart the basket search values.
  const byKey = new Map<Key, Prospect[]>();
  for (const p of prospects) {
    if (raced.has(`${p.week.seasonId}:${p.week.raceWeekNum}`)) continue;
    for (const k of [...(p.track ? [p.track] : []), ...(p.cars ?? [])]) {
      const list = byKey.get(k);
      if (list) list.push(p);
      else byKey.set(k, [p]);
    }
  }
  return (keys) => {
    const owned = new Set(keys);
    const seen = new Set<Prospect>();
    const gained = new Map<number, number>();
    const series = new Set<number>();
    let weeks = 0;
    for (const k of keys)
      for (const p of byKey.get(k) ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        if (
          (p.track !== null && !owned.has(p.track)) ||
          (p.cars !== null && !p.cars.some((c) => owned.has(c)))
        )
          continue;
        weeks++;
        gained.set(p.week.seasonId, (gained.get(p.week.seasonId) ?? 0) + 1);
        if (favouriteSeries.has(p.week.seriesId)) series.add(p.week.seriesId);
      }
    let seasons = 0;
    for (const [seasonId, extra] of gained) {
      const s = bySeason.get(seasonId)!;
      const needed = weeksForCredit(s.total);
      if (s.raced + s.open < needed && s.raced + s.open + extra >= needed) seasons++;
    }
    return { weeks, seasons, favourites: series.size };
  };
}

function suggestion(key: Key, price: number | null, w: Worth): PurchaseSuggestion {
  const [kind, id] = key.split(':');
  return {
    kind: kind === 'car' ? 'CAR' : 'TRACK',
    packageKind: kind === 'car' ? 'CAR' : 'TRACK',
    refId: Number(id),
    price,
    raceableWeeksAdded: w.weeks,
    seasonsReachingCredit: w.seasons,
    favouriteSeriesUnlocked: w.favourites,
  };
}
