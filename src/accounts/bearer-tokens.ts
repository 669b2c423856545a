// Opaque bearer tokens kept the way admin keys are (docs/architecture.md §6.6): a prefix naming the kind, then 32
// random bytes in base64url; shown once, when issued, and stored only as their SHA-256 digest in a table of their
// own (`viewer_token`, `planner_feed_token`: token_hash, cust_id, created_at, last_used_at, revoked_at); never
// logged. A token of one kind never passes for another: each kind has its prefix, its shape check and its table.
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BadInputError } from '../core/errors/domain-error.js';
import { sqlRows } from './accounts.sql.js';

/** `last_used_at` is written at most this often per token: a token in use costs no write per request. */
const LAST_USED_RESOLUTION = '1 minute';

/** The stored form of a token: sha256 hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function checkCustId(custId: number): void {
  if (!Number.isSafeInteger(custId) || custId < 1 || custId > 2_147_483_647)
    throw new BadInputError(`cust_id must be a positive 32-bit integer (got ${String(custId)})`);
}

export class BearerTokenTable {
  private readonly shape: RegExp;

  constructor(
    private readonly db: DataSource,
    private readonly table: 'viewer_token' | 'planner_feed_token',
    readonly prefix: string,
  ) {
    this.shape = new RegExp(`^${prefix}[A-Za-z0-9_-]{43}$`);
  }

  /** Whether `token` is shaped like a token of this kind (checked before any statement). */
  shaped(token: unknown): token is string {
    return typeof token === 'string' && this.shape.test(token);
  }

  /** A new token for `custId`, with `columns` of the row (a label): returned once, stored only as its digest. */
  async issue(custId: number, columns: Record<string, unknown> = {}): Promise<string> {
    checkCustId(custId);
    const token = this.prefix + randomBytes(32).toString('base64url');
    const names = Object.keys(columns);
    await sqlRows(
      this.db,
      `INSERT INTO ${this.table} (token_hash, cust_id${names.map((n) => `, ${n}`).join('')})
       VALUES ($1, $2${names.map((_, i) => `, $${i + 3}`).join('')})`,
      [tokenHash(token), custId, ...Object.values(columns)],
    );
    return token;
  }

  /**
   * The cust_id a token stands for, or null when it is unknown, revoked or not shaped like one. Notes the use in
   * `last_used_at` when the last note is a minute old or more, in the same statement.
   */
  async resolve(token: string): Promise<number | null> {
    if (!this.shaped(token)) return null;
    const rows = await sqlRows<{ cust_id: number }>(
      this.db,
      `WITH found AS (
         SELECT id, cust_id, last_used_at FROM ${this.table} WHERE token_hash = $1 AND revoked_at IS NULL
       ), used AS (
         UPDATE ${this.table} t SET last_used_at = now() FROM found
         WHERE t.id = found.id
           AND (found.last_used_at IS NULL OR found.last_used_at <= now() - interval '${LAST_USED_RESOLUTION}')
       )
       SELECT cust_id FROM found`,
      [tokenHash(token)],
    );
    return rows[0]?.cust_id ?? null;
  }

  /** Revokes one token; false when it is unknown or already revoked. */
  async revoke(token: string): Promise<boolean> {
    if (!this.shaped(token)) return false;
    const rows = await sqlRows(
      this.db,
      `UPDATE ${this.table} SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id`,
      [tokenHash(token)],
    );
    return rows.length > 0;
  }

  /** Revokes every live token of a racer; returns how many. */
  async revokeAll(custId: number): Promise<number> {
    checkCustId(custId);
    const rows = await sqlRows(
      this.db,
      `UPDATE ${this.table} SET revoked_at = now() WHERE cust_id = $1 AND revoked_at IS NULL RETURNING id`,
      [custId],
    );
    return rows.length;
  }
}
