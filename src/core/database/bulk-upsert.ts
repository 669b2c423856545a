// Set-based writes for importers (docs/architecture.md §4.5): a batch of rows goes to PostgreSQL as one JSON
// parameter, expanded by jsonb_to_recordset, upserted with ON CONFLICT … DO UPDATE … WHERE … IS DISTINCT FROM …, so
// an unchanged row is neither written nor counted as updated. One statement per batch, never one per row.
// The columns of a spec come from the entity's TypeORM metadata (`entityUpserts`): a column is spelled in its
// entity and its migration, and an importer only names the columns it must not write.
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/** Anything that runs SQL: a TypeORM EntityManager or QueryRunner. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface UpsertSpec {
  table: string;
  /** Target columns and their PostgreSQL types, as read from the JSON rows. */
  columns: Record<string, string>;
  /** The conflict target (a unique constraint). */
  key: string[];
  /**
   * Columns computed from the input instead of copied, as SQL over the input alias `x`
   * (for example a foreign id looked up by a natural key). Their input fields go in `inputs`.
   */
  computed?: Record<string, string>;
  /** Extra input fields (name → type) that only `computed` expressions read. */
  inputs?: Record<string, string>;
  /** Column set to now() when a row really changes. */
  touch?: string;
  batchSize?: number;
  /**
   * Send the rows as one array per column (`unnest($1::int[], $2::timestamptz[], …)`) instead of JSON: faster
   * for large batches of scalar columns. Needs scalar types only (no jsonb, arrays or computed inputs).
   */
  columnar?: boolean;
}

/** An upsert spec told by its entity: the table and columns are read from the entity's metadata. */
export interface EntityUpsert extends Omit<UpsertSpec, 'table' | 'columns'> {
  entity: EntityTarget<ObjectLiteral>;
  /**
   * Columns of the entity this import must not write (another module's, or ones set by a statement of their
   * own): names, or patterns (`/^forecast_/`).
   */
  exclude?: readonly (string | RegExp)[];
}

/**
 * Upsert specs whose table and columns (`databaseName`, PostgreSQL type) come from the entities' metadata.
 * Left out of each: generated ids, the created/updated timestamps, its `touch` and `computed` columns and its
 * `exclude` list. Built once per data source, on first use.
 */
export function entityUpserts<K extends string>(
  defs: Record<K, EntityUpsert>,
): (db: DataSource) => Record<K, UpsertSpec> {
  const built = new WeakMap<DataSource, Record<K, UpsertSpec>>();
  return (db) => {
    let specs = built.get(db);
    if (!specs) {
      specs = Object.fromEntries(
        Object.entries<EntityUpsert>(defs).map(([name, def]) => [name, entityUpsertSpec(db, def)]),
      ) as Record<K, UpsertSpec>;
      built.set(db, specs);
    }
    return specs;
  };
}

/** One upsert spec from its entity's metadata (see `entityUpserts`). */
export function entityUpsertSpec(db: DataSource, def: EntityUpsert): UpsertSpec {
  const { entity, exclude = [], ...rest } = def;
  const meta = db.getMetadata(entity);
  const names = meta.columns.map((c) => c.databaseName);
  const rules = [...exclude, ...Object.keys(rest.computed ?? {}), ...(rest.touch ? [rest.touch] : [])];
  const matches = (rule: string | RegExp, name: string) =>
    typeof rule === 'string' ? rule === name : rule.test(name);
  // A misspelt exclusion would silently write the column it meant to protect.
  const unknown = rules.filter((rule) => !names.some((n) => matches(rule, n)));
  if (unknown.length) throw new Error(`${meta.tableName} has no column ${unknown.map(String).join(', ')}`);
  const columns: Record<string, string> = {};
  for (const c of meta.columns) {
    const skipped = rules.some((rule) => matches(rule, c.databaseName));
    if (c.isGenerated || c.isCreateDate || c.isUpdateDate || c.isVirtual || skipped) continue;
    columns[c.databaseName] = `${db.driver.normalizeType(c)}${c.isArray ? '[]' : ''}`;
  }
  return { ...rest, table: meta.tableName, columns };
}

export interface WriteCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export const zeroCounts = (): WriteCounts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0 });

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Keeps the last row of each key, as ON CONFLICT cannot touch one row twice in a statement. */
export function uniqueByKey<T extends Record<string, unknown>>(rows: T[], key: string[]): T[] {
  const map = new Map<string, T>();
  for (const r of rows) map.set(key.map((k) => String(r[k])).join('\u0000'), r);
  return [...map.values()];
}

export async function bulkUpsert(
  db: Queryable,
  spec: UpsertSpec,
  rows: Record<string, unknown>[],
): Promise<WriteCounts> {
  const counts = zeroCounts();
  const unique = uniqueByKey(rows, spec.key);
  if (unique.length === 0) return counts;
  // A column the rows do not carry would be written as null: a column added to the entity and not mapped yet.
  const absent = Object.keys(spec.columns).filter((c) => !(c in unique[0]));
  if (absent.length)
    throw new Error(
      `upsert into ${spec.table}: the rows have no ${absent.join(', ')} (map it, or exclude it)`,
    );
  const computed = spec.computed ?? {};
  const target = [...Object.keys(spec.columns), ...Object.keys(computed)];
  const columns = Object.entries({ ...spec.columns, ...(spec.inputs ?? {}) });
  const select = target.map((c) => (c in computed ? `(${computed[c]})` : `x.${q(c)}`)).join(', ');
  const changing = target.filter((c) => !spec.key.includes(c));
  const set = [
    ...changing.map((c) => `${q(c)} = EXCLUDED.${q(c)}`),
    ...(spec.touch ? [`${q(spec.touch)} = now()`] : []),
  ].join(', ');
  const conflict = changing.length
    ? `DO UPDATE SET ${set} WHERE (${changing.map((c) => `t.${q(c)}`).join(', ')}, NULL) IS DISTINCT FROM (${changing
        .map((c) => `EXCLUDED.${q(c)}`)
        .join(', ')}, NULL)`
    : 'DO NOTHING';
  const source = spec.columnar
    ? `unnest(${columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')}) AS x(${columns.map(([c]) => q(c)).join(', ')})`
    : `jsonb_to_recordset($1::jsonb) AS x(${columns.map(([c, t]) => `${q(c)} ${t}`).join(', ')})`;
  const sql = `WITH w AS (
    INSERT INTO ${q(spec.table)} AS t (${target.map(q).join(', ')})
    SELECT ${select} FROM ${source}
    ON CONFLICT (${spec.key.map(q).join(', ')}) ${conflict}
    RETURNING (xmax = 0) AS inserted
  ) SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM w`;
  const size = spec.batchSize ?? 5000;
  for (let i = 0; i < unique.length; i += size) {
    const batch = unique.slice(i, i + size);
    const params = spec.columnar
      ? columns.map(([c]) => batch.map((r) => r[c] ?? null))
      : [JSON.stringify(batch)];
    const [r] = (await db.query(sql, params)) as { created: number; updated: number }[];
    counts.created += r.created;
    counts.updated += r.updated;
    counts.unchanged += batch.length - r.created - r.updated;
  }
  return counts;
}

export interface DeleteMissingSpec {
  table: string;
  /** The key columns and their types. */
  key: Record<string, string>;
  /** Restricts the deletion to a scope, as SQL over the table alias `t` with `$2` bound to `scopeParam`. */
  scope?: string;
}

/** Deletes the rows of `table` (within `scope`) whose key is not among `keep`: upsert what came, delete what did not. */
export async function deleteMissing(
  db: Queryable,
  spec: DeleteMissingSpec,
  keep: Record<string, unknown>[],
  scopeParam?: unknown,
): Promise<number> {
  const cols = Object.keys(spec.key);
  const recordset = Object.entries(spec.key)
    .map(([c, t]) => `${q(c)} ${t}`)
    .join(', ');
  // NOT IN over the keys kept runs as one hashed subplan (keys are never null): a set of thousands of rows is
  // compared in linear time, where NOT EXISTS over a function scan may loop over every pair.
  const sql = `WITH d AS (
    DELETE FROM ${q(spec.table)} AS t
    WHERE ${spec.scope ? `(${spec.scope}) AND ` : ''}(${cols.map((c) => `t.${q(c)}`).join(', ')}) NOT IN (
      SELECT ${cols.map((c) => `x.${q(c)}`).join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${recordset}))
    RETURNING 1
  ) SELECT count(*)::int AS deleted FROM d`;
  const params: unknown[] = [JSON.stringify(keep.map((r) => Object.fromEntries(cols.map((c) => [c, r[c]]))))];
  if (spec.scope) params.push(scopeParam);
  const [r] = (await db.query(sql, params)) as { deleted: number }[];
  return r.deleted;
}

/**
 * Makes the child rows of one parent exactly `rows`: deletes those no longer listed (unless `missing` is null,
 * for a parent just created), then upserts the list. One set of counts for both.
 */
export async function replaceRows(
  db: Queryable,
  upsert: UpsertSpec,
  rows: Record<string, unknown>[],
  missing: DeleteMissingSpec | null,
  scopeParam?: unknown,
): Promise<WriteCounts> {
  const deleted = missing ? await deleteMissing(db, missing, rows, scopeParam) : 0;
  const counts = await bulkUpsert(db, upsert, rows);
  return { ...counts, deleted: counts.deleted + deleted };
}
