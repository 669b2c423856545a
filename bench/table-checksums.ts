// A checksum of every imported table that two databases can be compared by, whatever order their rows were
// written in: surrogate ids (serial `id` columns) and the foreign keys that point at them are replaced by the
// referenced row's natural key (its unique constraint, recursively), and bookkeeping times (`*_at` columns) are
// left out. Equal checksums and counts mean the same rows: none duplicated, none lost, none different.
import pg from 'pg';

/** Bookkeeping tables: what a sync did, not what it imported. */
const SKIPPED = new Set(['typeorm_migrations', 'sync_run', 'payload_hash', 'sync_checkpoint']);

export interface TableChecksum {
  table: string;
  rows: number;
  /** md5 over the sum of the rows' md5s: independent of row order. */
  md5: string;
}

interface TableInfo {
  name: string;
  columns: string[];
  surrogate: boolean; // primary key is a generated `id`
  naturalKey: string[];
  fks: Map<string, string>; // column -> referenced table whose surrogate id it holds
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

async function describe(client: pg.Client): Promise<TableInfo[]> {
  const cols = (
    await client.query<{ table: string; column: string; generated: boolean }>(
      `SELECT table_name AS table, column_name AS column,
              (column_default LIKE 'nextval(%' OR is_identity = 'YES') AS generated
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    )
  ).rows;
  const constraints = (
    await client.query<{
      table: string;
      type: string;
      columns: string[];
      ref: string | null;
      refcols: string[];
    }>(
      `SELECT c.conrelid::regclass::text AS table, c.contype AS type,
              array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS columns,
              c.confrelid::regclass::text AS ref,
              array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS refcols
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f')
       UNION ALL
       SELECT t.relname, 'u', array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)::text[], NULL, '{}'
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND i.indisunique AND i.indpred IS NULL
         AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    )
  ).rows;
  const names = [...new Set(cols.map((c) => c.table))].filter((t) => !SKIPPED.has(t));
  const infos = new Map<string, TableInfo>();
  for (const name of names) {
    const mine = cols.filter((c) => c.table === name);
    const pk = constraints.find((c) => c.table === name && c.type === 'p')?.columns ?? [];
    const surrogate = pk.length === 1 && mine.some((c) => c.column === pk[0] && c.generated);
    const unique = constraints.find((c) => c.table === name && c.type === 'u')?.columns;
    const data = mine.map((c) => c.column).filter((c) => !(surrogate && c === pk[0]) && !c.endsWith('_at'));
    infos.set(name, {
      name,
      columns: mine.map((c) => c.column),
      surrogate,
      naturalKey: surrogate ? (unique ?? data) : pk,
      fks: new Map(),
    });
  }
  for (const fk of constraints.filter((c) => c.type === 'f')) {
    const info = infos.get(fk.table);
    const target = fk.ref ? infos.get(fk.ref) : undefined;
    if (info && target?.surrogate && fk.columns.length === 1) info.fks.set(fk.columns[0], target.name);
  }
  return [...infos.values()];
}

/** Per-table row counts and checksums of a database, comparable with another database's. */
export async function tableChecksums(
  databaseUrl: string,
  /** Text that differs between equal databases (the address of the iRacing server in stored links). */
  neutral: string[] = [],
): Promise<TableChecksum[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await describe(client);
    const byName = new Map(tables.map((t) => [t.name, t]));
    // The natural key of each surrogate row as text, built once referenced tables have theirs.
    const keyed = new Set<string>();
    const keyOf = async (t: TableInfo): Promise<void> => {
      if (keyed.has(t.name)) return;
      for (const ref of new Set(t.fks.values())) if (ref !== t.name) await keyOf(byName.get(ref)!);
      const parts = t.naturalKey.map((c) =>
        t.fks.has(c) ? `nk_${t.fks.get(c)}_${c}.nk` : `t.${q(c)}::text`,
      );
      const joins = t.naturalKey
        .filter((c) => t.fks.has(c))
        .map(
          (c) =>
            `LEFT JOIN nk_${t.fks.get(c)} nk_${t.fks.get(c)}_${c} ON nk_${t.fks.get(c)}_${c}.id = t.${q(c)}`,
        );
      await client.query(
        `CREATE TEMP TABLE nk_${t.name} AS SELECT t.id, concat_ws('|', ${parts.join(', ')}) AS nk
         FROM ${q(t.name)} t ${joins.join(' ')}`,
      );
      await client.query(`CREATE INDEX ON nk_${t.name} (id)`);
      keyed.add(t.name);
    };
    for (const t of tables) for (const ref of new Set(t.fks.values())) await keyOf(byName.get(ref)!);

    const out: TableChecksum[] = [];
    for (const t of tables.sort((a, b) => a.name.localeCompare(b.name))) {
      const dropped = t.columns.filter(
        (c) => c.endsWith('_at') || (t.surrogate && c === 'id') || t.fks.has(c),
      );
      const replaced = [...t.fks.keys()].map((c) => `'${c}', fk_${c}.nk`);
      const joins = [...t.fks.entries()].map(
        ([c, ref]) => `LEFT JOIN nk_${ref} fk_${c} ON fk_${c}.id = t.${q(c)}`,
      );
      const row = `(to_jsonb(t) ${dropped.map((c) => `- '${c}'`).join(' ')}${
        replaced.length ? ` || jsonb_build_object(${replaced.join(', ')})` : ''
      })::text`;
      const neutralised = neutral.reduce((expr, _, i) => `replace(${expr}, $${i + 1}, '<neutral>')`, row);
      // An order-free multiset hash: the sum of each row's md5 (as two 60-bit numbers), no sort needed.
      const { rows } = await client.query<{ rows: number; md5: string | null }>(
        `SELECT count(*)::int AS rows, md5(sum(('x' || substr(h, 1, 15))::bit(60)::bigint)::text || ':' ||
                sum(('x' || substr(h, 16, 15))::bit(60)::bigint)::text) AS md5
         FROM (SELECT md5(${neutralised}) AS h FROM ${q(t.name)} t ${joins.join(' ')}) x`,
        neutral,
      );
      out.push({ table: t.name, rows: rows[0].rows, md5: rows[0].md5 ?? '-' });
    }
    return out;
  } finally {
    await client.end();
  }
}

/** The tables whose counts or checksums differ between two databases' checksums. */
export function checksumDifferences(a: TableChecksum[], b: TableChecksum[]): string[] {
  const other = new Map(b.map((t) => [t.table, t]));
  const diff: string[] = [];
  for (const t of a) {
    const o = other.get(t.table);
    if (!o) diff.push(`${t.table}: missing`);
    else if (o.rows !== t.rows || o.md5 !== t.md5)
      diff.push(`${t.table}: ${t.rows} rows ${t.md5.slice(0, 8)} vs ${o.rows} rows ${o.md5.slice(0, 8)}`);
  }
  for (const t of b) if (!a.some((x) => x.table === t.table)) diff.push(`${t.table}: only in the second`);
  return diff;
}
