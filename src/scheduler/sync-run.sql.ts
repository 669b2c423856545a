// SQL helpers of the sync_run table shared by the run service and the run recorder: canonical parameters, dedupe
// keys and the arithmetic of counts.
import { createHash } from 'node:crypto';
import type { EntityCounts } from '../core/import/import-report.js';
import type { SyncCounts } from './sync-run.entity.js';

/** JSON with sorted keys and no undefined values, so equal parameters give equal dedupe keys. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The dedupe key of a run: sha256 (hex) of its kind and canonical parameters, whatever their size. */
export function dedupeKey(kind: string, params: Record<string, unknown>): string {
  return createHash('sha256')
    .update(`${kind}:${stableJson(params)}`)
    .digest('hex');
}

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, affected]; an INSERT or SELECT as rows. */
export function rowsOf<T>(result: unknown): T[] {
  const r = result as unknown[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}

/** The counts without `failed`, for the counts an execution wrote. */
export function written(counts: EntityCounts): EntityCounts {
  const out: EntityCounts = {};
  for (const [k, c] of Object.entries(counts))
    out[k] = { created: c.created, updated: c.updated, unchanged: c.unchanged, deleted: c.deleted };
  return out;
}

export function totalsOf(byEntity: EntityCounts, failed: number): SyncCounts {
  const t: SyncCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0, failed };
  for (const c of Object.values(byEntity)) {
    t.created += c.created;
    t.updated += c.updated;
    t.unchanged += c.unchanged;
    t.deleted += c.deleted;
  }
  return t;
}
export const ACTIVE_SQL = `status IN ('QUEUED', 'RUNNING')`;
export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The QUEUED run of a dedupe key, if any (a follower waiting its turn, docs/architecture.md §4.10). */
export async function queuedRunOf(
  db: { query(sql: string, params?: unknown[]): Promise<unknown> },
  key: string,
): Promise<{ id: number; jobId: string | null } | undefined> {
  const [queued] = rowsOf<{ id: number; jobId: string | null }>(
    await db.query(`SELECT id, job_id AS "jobId" FROM sync_run WHERE dedupe_key = $1 AND status = 'QUEUED'`, [
      key,
    ]),
  );
  return queued;
}
