import { BadInputError } from '../core/errors/domain-error.js';
import { bestBasket, cartPrice, discountPct, VOLUME_DISCOUNTS } from './purchase-basket.js';
import type { Basket, BasketCandidate } from './purchase-basket.js';

/** A value that is the sum of each key's worth. */
const additive =
  (worth: Record<string, number>) =>
  (keys: readonly string[]): number =>
    keys.reduce((s, k) => s + (worth[k] ?? 0), 0);

const priceOf = (candidates: readonly BasketCandidate[], basket: Basket) =>
  cartPrice(basket.keys.map((k) => candidates.find((c) => c.key === k)?.price as number));

describe('discountPct', () => {
  it("follows iRacing's volume tiers", () => {
    expect([0, 1, 2, 3, 5, 6, 39, 40, 250].map((n) => discountPct(n))).toEqual([
      0, 0, 0, 10, 10, 15, 15, 20, 20,
    ]);
  });

  it('takes tiers in any order, and other tiers', () => {
    const reversed = [...VOLUME_DISCOUNTS].reverse();
    expect([2, 3, 5, 6, 39, 40].map((n) => discountPct(n, reversed))).toEqual([0, 10, 10, 15, 15, 20]);
    expect(discountPct(2, [{ minItems: 2, pct: 5 }])).toBe(5);
    expect(discountPct(10, [])).toBe(0);
  });

  it('rejects a count or a tier that makes no sense, naming it', () => {
    expect(() => discountPct(-1)).toThrow(BadInputError);
    expect(() => discountPct(1.5)).toThrow(/^items: /);
    expect(() => discountPct(3, [{ minItems: 3, pct: 120 }])).toThrow(/^tiers\[0\]\.pct: /);
    expect(() =>
      discountPct(3, [
        { minItems: 3, pct: 10 },
        { minItems: 0, pct: 5 },
      ]),
    ).toThrow(/^tiers\[1\]\.minItems: /);
  });

  it('keeps the default tiers frozen', () => {
    expect(Object.isFrozen(VOLUME_DISCOUNTS)).toBe(true);
    expect(Object.isFrozen(VOLUME_DISCOUNTS[0])).toBe(true);
  });
});

describe('cartPrice', () => {
  it('sums, discounts the whole cart and rounds to cents, half up', () => {
    expect(cartPrice([11.95, 14.95])).toEqual({ listPrice: 26.9, discountPct: 0, total: 26.9 });
    // 38.85 × 0.9 = 34.965 → 34.97
    expect(cartPrice([11.95, 14.95, 11.95])).toEqual({ listPrice: 38.85, discountPct: 10, total: 34.97 });
    // 89.70 × 0.85 = 76.245 → 76.25
    expect(cartPrice(Array(6).fill(14.95))).toEqual({ listPrice: 89.7, discountPct: 15, total: 76.25 });
    // Binary doubles: 0.1 + 0.2 is 0.30000000000000004, and 1.005 × 100 is 100.49999…
    expect(cartPrice([0.1, 0.2])).toEqual({ listPrice: 0.3, discountPct: 0, total: 0.3 });
    expect(cartPrice([1.005])).toEqual({ listPrice: 1.01, discountPct: 0, total: 1.01 });
    expect(cartPrice(Array(40).fill(11.95))).toEqual({ listPrice: 478, discountPct: 20, total: 382.4 });
  });

  it('prices an empty cart at 0 and rejects bad prices', () => {
    expect(cartPrice([])).toEqual({ listPrice: 0, discountPct: 0, total: 0 });
    expect(() => cartPrice([11.95, 0])).toThrow(/^prices\[1\]: /);
    expect(() => cartPrice([Number.NaN])).toThrow(BadInputError);
    expect(() => cartPrice([-3])).toThrow(BadInputError);
  });
});

describe('bestBasket (every subset)', () => {
  it('maximises an additive value within the budget', () => {
    const candidates = [
      { key: 'a', price: 10 },
      { key: 'b', price: 20 },
      { key: 'c', price: 15 },
    ];
    const basket = bestBasket(candidates, 30, additive({ a: 5, b: 7, c: 6 }));
    expect(basket).toEqual({ keys: ['a', 'b'], listPrice: 30, discountPct: 0, total: 30, value: 12 });
  });

  it('prefers a complementary track and car to a lone item worth something by itself', () => {
    const candidates = [
      { key: 'lone', price: 10 },
      { key: 'track', price: 15 },
      { key: 'car', price: 12 },
    ];
    const value = (keys: readonly string[]) =>
      (keys.includes('track') && keys.includes('car') ? 10 : 0) + (keys.includes('lone') ? 3 : 0);
    expect(bestBasket(candidates, 27, value)).toMatchObject({ keys: ['track', 'car'], total: 27, value: 10 });
    expect(bestBasket(candidates, 26, value)).toMatchObject({ keys: ['lone'], total: 10, value: 3 });
  });

  it('finds a three-item cart that fits only thanks to the 10 % discount', () => {
    const candidates = [
      { key: 'a', price: 14 },
      { key: 'b', price: 14 },
      { key: 'c', price: 1 },
    ];
    // a + b is 28 at full price, over 27; a + b + c is 29 − 10 % = 26.10.
    const basket = bestBasket(candidates, 27, additive({ a: 5, b: 5 }));
    expect(basket).toEqual({ keys: ['a', 'b', 'c'], listPrice: 29, discountPct: 10, total: 26.1, value: 10 });
  });

  it('returns the empty basket, valued by value([]), when nothing fits', () => {
    const candidates = [{ key: 'a', price: 10 }];
    const value = (keys: readonly string[]) => keys.length - 1;
    expect(bestBasket(candidates, 0, value)).toEqual({
      keys: [],
      listPrice: 0,
      discountPct: 0,
      total: 0,
      value: -1,
    });
    expect(bestBasket(candidates, 9.99, value).keys).toEqual([]);
    expect(bestBasket([], 100, value).keys).toEqual([]);
  });

  it('breaks ties by lower total, then fewer items, then the candidates’ order', () => {
    const same = additive({ a: 5, b: 5 });
    const cheaper = [
      { key: 'a', price: 10 },
      { key: 'b', price: 8 },
    ];
    expect(bestBasket(cheaper, 10, same).keys).toEqual(['b']);
    // Equal value and equal total: one item beats two, even listed after them.
    const fewer = [
      { key: 'b', price: 5 },
      { key: 'c', price: 5 },
      { key: 'a', price: 10 },
    ];
    expect(bestBasket(fewer, 10, additive({ a: 5, b: 2.5, c: 2.5 })).keys).toEqual(['a']);
    const twins = [
      { key: 'b', price: 10 },
      { key: 'a', price: 10 },
    ];
    expect(bestBasket(twins, 10, same).keys).toEqual(['b']);
  });

  it('returns keys in the candidates’ order and honours other tiers', () => {
    const candidates = ['x', 'y', 'z'].map((key) => ({ key, price: 10 }));
    const basket = bestBasket(candidates, 15, additive({ x: 1, y: 1, z: 1 }), [{ minItems: 2, pct: 50 }]);
    // Two items at 50 % off cost 10; three cost 15: all three fit.
    expect(basket).toEqual({ keys: ['x', 'y', 'z'], listPrice: 30, discountPct: 50, total: 15, value: 3 });
  });
});

/** A small deterministic generator (mulberry32), so the greedy case is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('bestBasket (more than 14 candidates)', () => {
  it('returns a feasible cart no worse than the best single item and the best pair', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = random(seed);
      const candidates = Array.from({ length: 20 }, (_, i) => ({
        key: `${i % 2 === 0 ? 'track' : 'car'}${i}`,
        price: [4.95, 11.95, 14.95, 19.95][Math.floor(rnd() * 4)],
      }));
      const worth = Object.fromEntries(candidates.map((c) => [c.key, Math.round(rnd() * 10)]));
      // Not additive: a cart with both a track and a car is worth a bonus.
      const value = (keys: readonly string[]) =>
        additive(worth)(keys) +
        (keys.some((k) => k.startsWith('track')) && keys.some((k) => k.startsWith('car')) ? 15 : 0);
      const budget = 40;
      const basket = bestBasket(candidates, budget, value);

      const price = priceOf(candidates, basket);
      expect(price).toEqual({
        listPrice: basket.listPrice,
        discountPct: basket.discountPct,
        total: basket.total,
      });
      expect(basket.total).toBeLessThanOrEqual(budget);
      expect(basket.value).toBe(value(basket.keys));
      let bestSmall = value([]);
      for (let i = 0; i < candidates.length; i++) {
        if (candidates[i].price <= budget) bestSmall = Math.max(bestSmall, value([candidates[i].key]));
        for (let j = i + 1; j < candidates.length; j++)
          if (cartPrice([candidates[i].price, candidates[j].price]).total <= budget)
            bestSmall = Math.max(bestSmall, value([candidates[i].key, candidates[j].key]));
      }
      expect(basket.value).toBeGreaterThanOrEqual(bestSmall);
    }
  });

  it('re-prices the greedy cart at each step, so the discount of a third item lets it fit', () => {
    const candidates = [
      { key: 'a', price: 14 },
      { key: 'b', price: 14 },
      { key: 'c', price: 1 },
      ...Array.from({ length: 17 }, (_, i) => ({ key: `dear${i}`, price: 100 })),
    ];
    const basket = bestBasket(candidates, 27, additive({ a: 10, b: 10, c: 1 }));
    expect(basket).toEqual({ keys: ['a', 'b', 'c'], listPrice: 29, discountPct: 10, total: 26.1, value: 21 });
  });

  it('finds a pair worth nothing item by item through the pairs of the most valuable items', () => {
    const candidates = [
      ...Array.from({ length: 18 }, (_, i) => ({ key: `cheap${i}`, price: 5 })),
      { key: 'track', price: 15 },
      { key: 'car', price: 12 },
    ];
    const value = (keys: readonly string[]) =>
      keys.filter((k) => k.startsWith('cheap')).length +
      (keys.includes('track') && keys.includes('car') ? 10 : 0);
    // Greedy alone buys six cheap items (30 − 15 % = 25.50) for 6; the pair is worth 10.
    expect(bestBasket(candidates, 27, value)).toMatchObject({ keys: ['track', 'car'], total: 27, value: 10 });
  });
});

describe('bestBasket at each tier of the volume discount', () => {
  /** The tiers below `pct`: what the store would charge without that tier. */
  const without = (pct: number) => VOLUME_DISCOUNTS.filter((t) => t.pct < pct);
  const items = (n: number, price: number, prefix = 'item') =>
    Array.from({ length: n }, (_, i) => ({ key: `${prefix}${String(i).padStart(2, '0')}`, price }));
  const everyItemOne = (keys: readonly string[]) => keys.filter((k) => k.startsWith('item')).length;

  it('fills a cart of 6 that fits only thanks to the 15 % tier (every subset)', () => {
    // Six at 10: 60 − 15 % = 51. Five cost 50 − 10 % = 45; six at 10 % would be 54, over 51.
    const candidates = [...items(6, 10), { key: 'dear', price: 60 }];
    const value = (keys: readonly string[]) => everyItemOne(keys) + (keys.includes('dear') ? 1 : 0);
    expect(bestBasket(candidates, 51, value, VOLUME_DISCOUNTS)).toEqual({
      keys: candidates.slice(0, 6).map((c) => c.key),
      listPrice: 60,
      discountPct: 15,
      total: 51,
      value: 6,
    });
    expect(bestBasket(candidates, 51, value, without(15))).toMatchObject({
      discountPct: 10,
      total: 45,
      value: 5,
    });
  });

  it('fills a cart of 6 that fits only thanks to the 15 % tier (more than 14 candidates)', () => {
    const candidates = [...items(6, 10), ...items(14, 70, 'dear')];
    expect(bestBasket(candidates, 51, everyItemOne, VOLUME_DISCOUNTS)).toMatchObject({
      keys: candidates.slice(0, 6).map((c) => c.key),
      discountPct: 15,
      total: 51,
      value: 6,
    });
    expect(bestBasket(candidates, 51, everyItemOne, without(15))).toMatchObject({ total: 45, value: 5 });
  });

  it('fills a cart of 40 that fits only thanks to the 20 % tier, though 38 and 39 items do not fit', () => {
    // Forty at 10: 400 − 20 % = 320. At 15 %, 37 items cost 314.50 and 38 cost 323: no cart of 38 or 39 fits, so
    // adding one item at a time never reaches the 40th.
    const candidates = [...items(40, 10), ...items(5, 90, 'dear')];
    const basket = bestBasket(candidates, 320, everyItemOne, VOLUME_DISCOUNTS);
    expect(basket).toEqual({
      keys: candidates.slice(0, 40).map((c) => c.key),
      listPrice: 400,
      discountPct: 20,
      total: 320,
      value: 40,
    });
    expect(cartPrice(Array(38).fill(10)).total).toBeGreaterThan(320);
    expect(bestBasket(candidates, 320, everyItemOne, without(20))).toMatchObject({
      discountPct: 15,
      total: 314.5,
      value: 37,
    });
  });

  it('pays for items worth nothing when the tier they reach lets more of those worth something fit', () => {
    // 38 items worth 1 at 10, two worth nothing at 1. At 15 % off 36 of the 38 fit 310 (306; 37 cost 314.50); the
    // 38 with the two others make 40 items at 20 % off: 382 − 20 % = 305.60.
    const candidates = [...items(38, 10), ...items(2, 1, 'filler'), ...items(5, 90, 'dear')];
    const value = (keys: readonly string[]) =>
      everyItemOne(keys) + keys.filter((k) => k.startsWith('dear')).length;
    expect(bestBasket(candidates, 310, value, VOLUME_DISCOUNTS)).toEqual({
      keys: candidates.slice(0, 40).map((c) => c.key),
      listPrice: 382,
      discountPct: 20,
      total: 305.6,
      value: 38,
    });
    expect(bestBasket(candidates, 310, value, without(20))).toMatchObject({ total: 306, value: 36 });
  });
});

describe('bestBasket input checks', () => {
  const value = additive({});
  it('names the offending field', () => {
    expect(() => bestBasket([{ key: 'a', price: 0 }], 10, value)).toThrow(BadInputError);
    expect(() =>
      bestBasket(
        [
          { key: 'a', price: 1 },
          { key: 'b', price: -1 },
        ],
        10,
        value,
      ),
    ).toThrow(/^candidates\[1\]\.price: /);
    expect(() => bestBasket([{ key: 'a', price: Number.POSITIVE_INFINITY }], 10, value)).toThrow(
      /^candidates\[0\]\.price: /,
    );
    expect(() => bestBasket([{ key: 'a', price: Number.NaN }], 10, value)).toThrow(
      /^candidates\[0\]\.price: /,
    );
    expect(() => bestBasket([], -1, value)).toThrow(/^budget: /);
    expect(() => bestBasket([], Number.NaN, value)).toThrow(/^budget: /);
    expect(() => bestBasket([], Number.POSITIVE_INFINITY, value)).toThrow(/^budget: /);
    expect(() =>
      bestBasket(
        [
          { key: 'a', price: 1 },
          { key: 'a', price: 2 },
        ],
        10,
        value,
      ),
    ).toThrow(/^candidates\[1\]\.key: duplicate/);
    expect(() => bestBasket([{ key: '', price: 1 }], 10, value)).toThrow(/^candidates\[0\]\.key: /);
    expect(() => bestBasket([{ key: 'a', price: 1 }], 10, () => Number.NaN)).toThrow(/^value: /);
    expect(() => bestBasket([{ key: 'a', price: 1 }], 10, value, [{ minItems: 1, pct: -5 }])).toThrow(
      /^tiers\[0\]\.pct: /,
    );
  });
});
