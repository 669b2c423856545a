// What to buy for a budget, as pure functions: iRacing sells cars and tracks one by one, with a volume discount on
// the whole cart at checkout, and a racer wants the cart that opens the most racing for the money.
// The worth of a cart is the caller's set function (a race week needs its track AND an allowed car): this module only
// prices carts and searches them, exactly for few candidates and heuristically for many.

import { BadInputError } from '../core/errors/domain-error.js';

/** One tier of iRacing's volume discount on a cart of content: at least `minItems` items → `pct` % off every item. */
export interface DiscountTier {
  minItems: number;
  pct: number;
}

/**
 * iRacing's volume discount on a cart of cars and tracks (the store applies it at checkout): 3–5 items 10 %, 6 or more
 * 15 %, 40 or more 20 % (as iRacing's store lists it; kept here, in one place, and overridable by callers).
 */
export const VOLUME_DISCOUNTS: readonly DiscountTier[] = Object.freeze([
  Object.freeze({ minItems: 3, pct: 10 }),
  Object.freeze({ minItems: 6, pct: 15 }),
  Object.freeze({ minItems: 40, pct: 20 }),
]);

export interface BasketCandidate {
  key: string;
  price: number;
}

export interface Basket {
  keys: string[];
  listPrice: number;
  discountPct: number;
  total: number;
  value: number;
}

/** Up to this many candidates every subset is tried (2^14 = 16,384 carts, each one call of `value`). */
const EXACT_LIMIT = 14;
/** Beyond it, pairs are tried among this many best single items (435 pairs), where greedy steps miss pairs. */
const PAIR_POOL = 30;

function checkTiers(tiers: readonly DiscountTier[]): readonly DiscountTier[] {
  if (!Array.isArray(tiers)) throw new BadInputError('tiers: expected a list of discount tiers');
  tiers.forEach((t, i) => {
    if (!Number.isInteger(t?.minItems) || t.minItems < 1)
      throw new BadInputError(
        `tiers[${i}].minItems: expected a whole number >= 1, got ${String(t?.minItems)}`,
      );
    if (!Number.isFinite(t.pct) || t.pct < 0 || t.pct > 100)
      throw new BadInputError(`tiers[${i}].pct: expected a percentage from 0 to 100, got ${String(t.pct)}`);
  });
  return tiers;
}

/** Tiers already checked: the best percentage among those the cart reaches (so their order does not matter). */
function pctFor(items: number, tiers: readonly DiscountTier[]): number {
  let pct = 0;
  for (const t of tiers) if (items >= t.minItems && t.pct > pct) pct = t.pct;
  return pct;
}

/** The percentage off for a cart of `items` items (0 below the first tier). Tiers in any order. */
export function discountPct(items: number, tiers: readonly DiscountTier[] = VOLUME_DISCOUNTS): number {
  if (!Number.isInteger(items) || items < 0)
    throw new BadInputError(`items: expected a whole number >= 0, got ${String(items)}`);
  return pctFor(items, checkTiers(tiers));
}

/**
 * Rounds to cents, half up. Prices are decimal but doubles are binary (1.005 × 100 is 100.49999…): reading the
 * cents to 6 decimals first drops that representation error before rounding.
 */
function toCents(amount: number): number {
  return Math.round(Number((amount * 100).toFixed(6))) / 100;
}

/** A cart from the sum of its prices and its size; the discount applies to the whole sum, rounded once. */
function priceCart(sum: number, items: number, tiers: readonly DiscountTier[]) {
  const pct = pctFor(items, tiers);
  return { listPrice: toCents(sum), discountPct: pct, total: toCents((sum * (100 - pct)) / 100) };
}

function checkPrice(price: number, field: string): number {
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0)
    throw new BadInputError(`${field}: expected a positive finite price, got ${String(price)}`);
  return price;
}

/** What a cart costs: its list price (sum), the discount and the total, rounded to cents (2 decimals). */
export function cartPrice(
  prices: readonly number[],
  tiers: readonly DiscountTier[] = VOLUME_DISCOUNTS,
): { listPrice: number; discountPct: number; total: number } {
  if (!Array.isArray(prices)) throw new BadInputError('prices: expected a list of prices');
  const sum = prices.reduce((s, p, i) => s + checkPrice(p, `prices[${i}]`), 0);
  return priceCart(sum, prices.length, checkTiers(tiers));
}

/** A cart under consideration: candidate indexes, ascending (the candidates' order). */
type Pick = readonly number[];

/** The search's view of the inputs, checked once. */
interface Search {
  keys: readonly string[];
  prices: readonly number[];
  budget: number;
  tiers: readonly DiscountTier[];
  /** The caller's value of a cart, checked. */
  valueOf: (pick: Pick) => number;
}

/**
 * The cart of at most what `budget` allows (total after discount <= budget) that maximises `value(keys)`, a set
 * function (NOT additive: a race week needs a track AND a car, so two items may be worth more together). Exact (every
 * subset) when there are at most 14 candidates; otherwise greedy by marginal value per price (re-pricing the cart with
 * its tier discount at each step, which may let one more item fit, and growing it at once to a higher tier when no
 * single item fits), compared with the best single item and with the best pair among the top 30 candidates by
 * single value, keeping the best. Ties: higher value, then lower total, then fewer items, then keys in order.
 * Candidates with price <= 0 or not finite are rejected with a BadInputError; budget must be >= 0 and finite
 * (BadInputError). Returns the empty basket (value = value([])) when nothing fits. `keys` in the returned basket
 * sorted by the candidates' order.
 */
export function bestBasket(
  candidates: readonly BasketCandidate[],
  budget: number,
  value: (keys: readonly string[]) => number,
  tiers: readonly DiscountTier[] = VOLUME_DISCOUNTS,
): Basket {
  const search = prepare(candidates, budget, value, tiers);
  return candidates.length <= EXACT_LIMIT ? exactSearch(search) : heuristicSearch(remembering(search));
}

function prepare(
  candidates: readonly BasketCandidate[],
  budget: number,
  value: (keys: readonly string[]) => number,
  tiers: readonly DiscountTier[],
): Search {
  if (!Array.isArray(candidates)) throw new BadInputError('candidates: expected a list of candidates');
  if (typeof budget !== 'number' || !Number.isFinite(budget) || budget < 0)
    throw new BadInputError(`budget: expected a finite amount >= 0, got ${String(budget)}`);
  if (typeof value !== 'function')
    throw new BadInputError('value: expected a function of the keys of a cart');
  const seen = new Set<string>();
  candidates.forEach((c, i) => {
    if (typeof c?.key !== 'string' || c.key === '')
      throw new BadInputError(`candidates[${i}].key: expected a non-empty string`);
    // Two candidates with one key would make the keys of a cart ambiguous for `value`.
    if (seen.has(c.key)) throw new BadInputError(`candidates[${i}].key: duplicate key "${c.key}"`);
    seen.add(c.key);
    checkPrice(c.price, `candidates[${i}].price`);
  });
  const keys = candidates.map((c) => c.key);
  const valueOf = (pick: Pick): number => {
    const cartKeys = pick.map((i) => keys[i]);
    const v = value(cartKeys);
    // NaN compares false with everything and would make the best cart depend on the search order.
    if (typeof v !== 'number' || Number.isNaN(v))
      throw new BadInputError(`value: expected a number for [${cartKeys.join(', ')}], got ${String(v)}`);
    return v;
  };
  return { keys, prices: candidates.map((c) => c.price), budget, tiers: checkTiers(tiers), valueOf };
}

/** The same search, asking `value` once per distinct cart (the heuristic prices the same carts several times). */
function remembering(search: Search): Search {
  const cache = new Map<string, number>();
  const valueOf = (pick: Pick): number => {
    const id = pick.join(',');
    let v = cache.get(id);
    if (v === undefined) cache.set(id, (v = search.valueOf(pick)));
    return v;
  };
  return { ...search, valueOf };
}

/** The basket of a cart, or null when it does not fit the budget (value not asked). */
function basketOf(search: Search, pick: Pick): Basket | null {
  const sum = pick.reduce((s, i) => s + search.prices[i], 0);
  const price = priceCart(sum, pick.length, search.tiers);
  if (price.total > search.budget) return null;
  return { keys: pick.map((i) => search.keys[i]), ...price, value: search.valueOf(pick) };
}

/**
 * Whether `a` is a better answer than `b`: higher value, then lower total, then fewer items, then the keys that
 * come first in the candidates' order (a fixed rule, so equal carts never depend on the search order).
 */
function better(a: Basket, b: Basket, order: ReadonlyMap<string, number>): boolean {
  if (a.value !== b.value) return a.value > b.value;
  if (a.total !== b.total) return a.total < b.total;
  if (a.keys.length !== b.keys.length) return a.keys.length < b.keys.length;
  for (let i = 0; i < a.keys.length; i++) {
    const d = (order.get(a.keys[i]) as number) - (order.get(b.keys[i]) as number);
    if (d !== 0) return d < 0;
  }
  return false;
}

function orderOf(search: Search): Map<string, number> {
  return new Map(search.keys.map((k, i) => [k, i]));
}

/**
 * Every subset. The discount makes the cost of a cart depend on its size, so a cart can fit where a smaller one
 * does not (two items at full price over budget, three at 10 % off under it): only a full search sees every such cart.
 */
function exactSearch(search: Search): Basket {
  const n = search.keys.length;
  const order = orderOf(search);
  let best = basketOf(search, []) as Basket; // the empty cart costs 0 <= budget
  for (let mask = 1; mask < 1 << n; mask++) {
    const pick: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) pick.push(i);
    const basket = basketOf(search, pick);
    if (basket && better(basket, best, order)) best = basket;
  }
  return best;
}

/**
 * Too many candidates for every subset: the best of a greedy cart, the best single item and the best pair among
 * the most valuable single items. Pairs matter because a set function may give nothing for a track or a car alone,
 * and then no greedy step ever gains anything.
 */
function heuristicSearch(search: Search): Basket {
  const order = orderOf(search);
  let best = basketOf(search, []) as Basket;
  const consider = (basket: Basket | null) => {
    if (basket && better(basket, best, order)) best = basket;
  };
  const singles = search.keys.map((_, i) => basketOf(search, [i]));
  singles.forEach(consider);
  // The pool ranks candidates by their value alone, affordable or not: whether a pair fits is its own price's
  // question, answered by basketOf.
  const pool = search.keys
    .map((_, i) => ({ i, v: search.valueOf([i]) }))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, PAIR_POOL)
    .map((x) => x.i)
    .sort((a, b) => a - b);
  for (let a = 0; a < pool.length; a++)
    for (let b = a + 1; b < pool.length; b++) consider(basketOf(search, [pool[a], pool[b]]));
  consider(greedy(search, order));
  return best;
}

/**
 * Adds, one at a time, the item of the best marginal value per price among those whose cart still fits, until no
 * item adds value. Each step prices the whole cart again with its tier: the discount of a larger cart can make room
 * for an item that did not fit in the smaller one. When no single item fits, the cart may still grow by several at
 * once to a higher tier (`tierJump`), and the steps go on from there. The best cart met on the way is the answer.
 */
function greedy(search: Search, order: ReadonlyMap<string, number>): Basket {
  let cart = basketOf(search, []) as Basket;
  let pick: number[] = [];
  let best = cart;
  for (;;) {
    let step: { pick: number[]; basket: Basket; ratio: number } | null = null;
    for (let i = 0; i < search.keys.length; i++) {
      if (pick.includes(i)) continue;
      const next = [...pick, i].sort((a, b) => a - b);
      const basket = basketOf(search, next);
      if (!basket || basket.value <= cart.value) continue;
      const ratio = (basket.value - cart.value) / search.prices[i];
      if (!step || ratio > step.ratio) step = { pick: next, basket, ratio };
    }
    const next = step ?? tierJump(search, pick, cart, order);
    if (!next) return best;
    ({ pick, basket: cart } = next);
    if (better(cart, best, order)) best = cart;
  }
}

/**
 * A cart that fits only at a higher tier may be out of reach one item at a time: at 15 % off, 37 items of 10 cost
 * 314.50 and 38 cost 323, over a budget of 320 that 40 items at 20 % off (320) meet. From a cart no single item can
 * grow, this fills it at once up to each higher tier's size, three ways: the items that add value to it (cheapest
 * first, or best value per price first) then the cheapest others; or the cheapest of all, since items worth nothing
 * can pay for themselves with the discount they bring and make room for more. The best such cart that fits and
 * loses no value, or null. The cart grows by at least two items each time, so the greedy search still ends.
 */
function tierJump(
  search: Search,
  pick: readonly number[],
  cart: Basket,
  order: ReadonlyMap<string, number>,
): { pick: number[]; basket: Basket } | null {
  const rest = search.keys
    .map((_, i) => i)
    .filter((i) => !pick.includes(i))
    .map((i) => ({ i, gain: search.valueOf([...pick, i].sort((a, b) => a - b)) - cart.value }));
  const price = (x: { i: number }) => search.prices[x.i];
  const adding = rest.filter((x) => x.gain > 0);
  const others = rest.filter((x) => x.gain <= 0).sort((a, b) => price(a) - price(b) || a.i - b.i);
  const rankings = [
    [...adding].sort((a, b) => price(a) - price(b) || a.i - b.i),
    [...adding].sort((a, b) => b.gain / price(b) - a.gain / price(a) || a.i - b.i),
  ].map((r) => [...r, ...others]);
  // The cheapest of all, those adding value first at one price: cheap items worth nothing may leave room for more.
  rankings.push([...rest].sort((a, b) => price(a) - price(b) || b.gain - a.gain || a.i - b.i));
  let found: { pick: number[]; basket: Basket } | null = null;
  for (const tier of search.tiers) {
    if (tier.minItems <= pick.length + 1 || tier.minItems > search.keys.length) continue;
    if (pctFor(tier.minItems, search.tiers) <= cart.discountPct) continue;
    for (const ranking of rankings) {
      const next = [...pick, ...ranking.slice(0, tier.minItems - pick.length).map((x) => x.i)].sort(
        (a, b) => a - b,
      );
      const basket = basketOf(search, next);
      if (basket && basket.value >= cart.value && (!found || better(basket, found.basket, order)))
        found = { pick: next, basket };
    }
  }
  return found;
}
