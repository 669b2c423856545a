// A tiny seeded PRNG (mulberry32) for the synthetic datasets: the same seed always gives the same sequence,
// so generated payloads are reproducible byte for byte. Never use Math.random in the generators.

// Module-level aliases: global lookups are slow inside Jest's VM contexts, and `next` runs millions of times.
const { imul, floor, trunc } = Math;

/** Mixes a seed with a salt into an independent 32-bit seed, so separate streams do not share a sequence. */
export function mixSeed(seed: number, salt: number): number {
  let h = (trunc(seed) ^ imul(salt, 0x9e3779b1)) >>> 0;
  h = imul(h ^ (h >>> 16), 0x85ebca6b);
  h = imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = trunc(seed) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability p. */
  bool(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new RangeError('Rng.pick: empty array');
    return arr[this.int(0, arr.length - 1)];
  }

  /** Picks a value by relative weight from `[value, weight]` pairs. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    if (entries.length === 0) throw new RangeError('Rng.weighted: no entries');
    let total = 0;
    for (let i = 0; i < entries.length; i++) total += entries[i][1];
    let r = this.next() * total;
    for (let i = 0; i < entries.length; i++) {
      r -= entries[i][1];
      if (r < 0) return entries[i][0];
    }
    return entries[entries.length - 1][0];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(arr: readonly T[]): T[] {
    return this.sample(arr, arr.length);
  }

  /** n distinct elements (by position) in random order; all of them if n >= arr.length. */
  sample<T>(arr: readonly T[], n: number): T[] {
    const copy = arr.slice();
    const count = n < 0 ? 0 : n > copy.length ? copy.length : n;
    for (let i = 0; i < count; i++) {
      const j = this.int(i, copy.length - 1);
      const tmp = copy[i];
      copy[i] = copy[j];
      copy[j] = tmp;
    }
    return copy.slice(0, count);
  }
}
