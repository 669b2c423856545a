// The set-based upsert of sim_profile rows that merges rather than overwrites: member/info and member/get each
// know part of a profile and send nulls for what they do not (member/get has no flair_country_code, and a null
// iRating for a category the member has not raced), so a null never erases a stored value:
// - each column: `COALESCE(EXCLUDED.c, t.c)`;
// - licenses: merged by category (category_id, else category), field by field, the incoming non-null fields over
//   the stored ones; a category the source does not list is kept;
// - raw: the stored object overlaid with the incoming top-level keys (nulls were left out by the mapping);
// - display_name: the incoming name when it has one, else the stored one, else a placeholder for a new profile.
// One statement per batch; an unchanged profile is not written (IS DISTINCT FROM) and counts as unchanged.
// The columns come from the Member entity; `info_at` and `summary_at` are set by statements of their own.
import type { DataSource, EntityManager } from 'typeorm';
import type { WriteCounts } from '../core/database/bulk-upsert.js';
import { entityUpsertSpec, uniqueByKey, zeroCounts } from '../core/database/bulk-upsert.js';
import { Member } from './entities/member.entity.js';
import type { ProfileRow } from './members.mapping.js';

/** The license's merge key in SQL, as `licenseKey` (members.mapping.ts) computes it. */
const licenseKeySql = (e: string) =>
  `CASE WHEN jsonb_typeof(${e}->'category_id') = 'number' THEN ${e}->>'category_id'
        ELSE NULLIF(btrim(${e}->>'category'), '') END`;

/**
 * SQL merging two jsonb license arrays: `incoming` over `stored`, per category, its null fields left out; the
 * result in iRacing's order (`seq`), then by key, so the same licenses always give the same array.
 */
function mergeLicensesSql(stored: string, incoming: string): string {
  return `(SELECT COALESCE(jsonb_agg(m.v ORDER BY m.seq NULLS LAST, m.k), '[]'::jsonb) FROM (
      SELECT k, v, CASE WHEN jsonb_typeof(v->'seq') = 'number' THEN (v->>'seq')::numeric END AS seq FROM (
        SELECT k, COALESCE(a.v, '{}'::jsonb) || COALESCE(jsonb_strip_nulls(b.v), '{}'::jsonb) AS v
        FROM (SELECT ${licenseKeySql('e')} AS k, e AS v FROM jsonb_array_elements(COALESCE(${stored}, '[]'::jsonb)) e) a
        FULL JOIN (SELECT ${licenseKeySql('e')} AS k, e AS v
                   FROM jsonb_array_elements(COALESCE(${incoming}, '[]'::jsonb)) e) b USING (k)
      ) j) m)`;
}

const q = (name: string) => `"${name}"`;

/** The stored value each column gets from the incoming one (`EXCLUDED`) and the stored one (`t`). */
function merged(c: string): string {
  switch (c) {
    case 'display_name':
      return `COALESCE((SELECT NULLIF(btrim(i.display_name), '') FROM x i WHERE i.cust_id = EXCLUDED.cust_id),
                       t.display_name)`;
    case 'raw':
      return `t.raw || EXCLUDED.raw`;
    case 'licenses':
      return mergeLicensesSql('t.licenses', 'EXCLUDED.licenses');
    default:
      return `COALESCE(EXCLUDED.${q(c)}, t.${q(c)})`;
  }
}

/** What a new profile is inserted with. */
function inserted(c: string): string {
  switch (c) {
    case 'display_name':
      return `COALESCE(NULLIF(btrim(x.display_name), ''), 'Member ' || x.cust_id)`;
    case 'raw':
      return `COALESCE(x.raw, '{}'::jsonb)`;
    case 'licenses':
      return mergeLicensesSql(`'[]'::jsonb`, 'x.licenses');
    default:
      return `x.${q(c)}`;
  }
}

/** The upsert statement over the profile columns of the entity (those a profile row may set), with their types. */
function upsertSql(columns: Record<string, string>): string {
  const names = Object.keys(columns);
  const target = ['display_name', ...names, 'raw'];
  return `WITH x AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(cust_id int, display_name text, ${names
      .map((c) => `${q(c)} ${columns[c]}`)
      .join(', ')}, raw jsonb)
  ), w AS (
    INSERT INTO sim_profile AS t (cust_id, ${target.map(q).join(', ')})
    SELECT x.cust_id, ${target.map(inserted).join(', ')} FROM x ORDER BY x.cust_id
    ON CONFLICT (cust_id) DO UPDATE SET ${target.map((c) => `${q(c)} = ${merged(c)}`).join(', ')},
      updated_at = now()
    WHERE (${target.map((c) => `t.${q(c)}`).join(', ')})
      IS DISTINCT FROM (${target.map(merged).join(', ')})
    RETURNING (xmax = 0) AS inserted
  ) SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated
    FROM w`;
}

const statements = new WeakMap<DataSource, string>();

function statementFor(db: DataSource): string {
  let sql = statements.get(db);
  if (!sql) {
    const { columns } = entityUpsertSpec(db, {
      entity: Member,
      key: ['cust_id'],
      exclude: ['cust_id', 'display_name', 'raw', 'info_at', 'summary_at'],
    });
    sql = upsertSql(columns);
    statements.set(db, sql);
  }
  return sql;
}

/**
 * Upserts profiles, merging each with the stored one (see above). Rows of the same cust_id: the last one wins.
 * Sorted by cust_id, so concurrent imports lock shared profiles in the same order.
 */
export async function upsertProfiles(em: EntityManager, rows: readonly ProfileRow[]): Promise<WriteCounts> {
  const sql = statementFor(em.connection);
  const counts = zeroCounts();
  const unique = uniqueByKey(
    rows.map((r) => ({ ...r }) as ProfileRow & Record<string, unknown>),
    ['cust_id'],
  );
  for (let i = 0; i < unique.length; i += 1000) {
    const batch = unique.slice(i, i + 1000);
    const [r] = (await em.query(sql, [JSON.stringify(batch)])) as { created: number; updated: number }[];
    counts.created += r.created;
    counts.updated += r.updated;
    counts.unchanged += batch.length - r.created - r.updated;
  }
  return counts;
}
