// Tolerant readers of payload values shared by the seasons mappings: a value of the wrong type reads as null.
export type Raw = Record<string, unknown>;

/** `o` without `keys` (the fields stored in columns), for a `raw` column. */
export const omit = (o: Raw, keys: readonly string[]): Raw => {
  const out: Raw = {};
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v;
  return out;
};
export const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
export const intOrNull = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v) ? v : null;
export const numOrNull = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;
export const boolOr = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
