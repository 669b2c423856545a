import type { SeasonCounts, WeekEligibility } from './planner.sql.js';
import { discountPct, VOLUME_DISCOUNTS } from './purchase-basket.js';
import { BASKET_CANDIDATES, basketOf, prospectsOf, valuer } from './purchase-guide.service.js';

const DAY = 86_400_000;

/** A week still to come of season 1, at track package `pkg` (not owned), with a car the racer owns. */
function week(n: number, pkg: number): WeekEligibility {
  const start = new Date(Date.UTC(2030, 0, 1) + n * 7 * DAY);
  return {
    raceWeekId: 1000 + n,
    seriesId: 1,
    seasonId: 1,
    raceWeekNum: n,
    startTime: start,
    endTime: new Date(start.getTime() + 7 * DAY),
    categoryId: 2,
    trackPackageId: pkg,
    trackOwned: false,
    allowedCarIds: [],
    myCarIds: [7],
    requiredLevel: 1,
    myLevel: 20,
    licenceOk: true,
    raceable: false,
    eventIds: [],
  };
}

describe('the purchase guide’s basket', () => {
  it('weighs enough packages for a cart at the last volume discount tier', () => {
    const last = Math.max(...VOLUME_DISCOUNTS.map((t) => t.minItems));
    expect(BASKET_CANDIDATES).toBeGreaterThan(last);
  });

  it('buys 45 track packages at 20 % off when the budget allows them all', () => {
    // 45 weeks, each at its own missing track package of 10: 450 − 20 % = 360. A search among 30 of them could
    // not reach the 40 items of the 20 % tier (30 at 15 % cost 255).
    const weeks = Array.from({ length: 45 }, (_, i) => week(i, 100 + i));
    const prospects = prospectsOf(weeks);
    const counts: SeasonCounts[] = [
      { seasonId: 1, weeks: 45, raceableWeeks: 0, racedWeeks: 0, raceableWeeksLeft: 0 },
    ];
    const prices = new Map(weeks.map((w) => [`track:${w.trackPackageId}`, 10]));
    const value = valuer(prospects, counts, new Set(), new Set());
    const basket = basketOf([...prices.keys()], prospects, prices, 360, value);
    expect(basket).toMatchObject({ listPrice: 450, discountPct: 20, total: 360, raceableWeeksAdded: 45 });
    expect(basket.items).toHaveLength(45);
    expect(basket.discountPct).toBe(discountPct(45));
    expect(basket.items[0]).toMatchObject({ kind: 'TRACK', refId: 100, price: 10, raceableWeeksAdded: 1 });
  });
});
