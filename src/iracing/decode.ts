// Minimal payload checks: each checker verifies a value in place and returns it typed, or throws a
// DecodeError carrying the field path (`[12].car_id`). Objects keep every field iRacing sent, checked or not.

export class DecodeError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`expected ${expected}, got ${describe(got)}`);
  }
}

export type Check<T> = (value: unknown, path: string) => T;
export type Checked<C> = C extends Check<infer T> ? T : never;

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 40 ? `${s.slice(0, 40)}…` : s}`;
}

export const int: Check<number> = (v, p) => {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new DecodeError(p, 'an integer', v);
};

export const num: Check<number> = (v, p) => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new DecodeError(p, 'a number', v);
};

export const str: Check<string> = (v, p) => {
  if (typeof v === 'string') return v;
  throw new DecodeError(p, 'a string', v);
};

export const bool: Check<boolean> = (v, p) => {
  if (typeof v === 'boolean') return v;
  throw new DecodeError(p, 'a boolean', v);
};

/** An ISO-8601 date or date-time string. */
export const isoDate: Check<string> = (v, p) => {
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return v;
  throw new DecodeError(p, 'an ISO date string', v);
};

/** Any value: checked later, where a failure concerns one unit only. */
export const anything: Check<unknown> = (v) => v;

/** A field that may be absent or null. */
export function optional<T>(check: Check<T>): Check<T | null | undefined> {
  return (v, p) => (v === undefined || v === null ? (v as null | undefined) : check(v, p));
}

export function array<T>(check: Check<T>): Check<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) throw new DecodeError(p, 'an array', v);
    for (let i = 0; i < v.length; i++) check(v[i], `${p}[${i}]`);
    return v as T[];
  };
}

/**
 * A list that cannot be empty: a whole catalog (every car iRacing has) that comes back empty is an upstream
 * fault, and importing it would delete everything that is missing from it.
 */
export function nonEmpty<T>(check: Check<T[]>): Check<T[]> {
  return (v, p) => {
    const list = check(v, p);
    if (list.length === 0) throw new DecodeError(p, 'a non-empty array', v);
    return list;
  };
}

type Shape = Record<string, Check<unknown>>;
export type ObjectOf<S extends Shape> = { [K in keyof S]: Checked<S[K]> } & Record<string, unknown>;

export function object<S extends Shape>(shape: S): Check<ObjectOf<S>> {
  const entries = Object.entries(shape);
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError(p, 'an object', v);
    const o = v as Record<string, unknown>;
    for (const [key, check] of entries) check(o[key], p ? `${p}.${key}` : key);
    return o as ObjectOf<S>;
  };
}
