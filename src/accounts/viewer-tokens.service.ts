// Issues and checks the opaque bearer tokens through which a racer's client reads as that racer
// (`viewer_token`), the way admin keys are kept (docs/architecture.md §6.6): a token is shown once, when issued,
// and stored only as its SHA-256 digest; it is never logged. Owns every statement on `viewer_token`.
import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BadInputError } from '../core/errors/domain-error.js';
import { sqlRows } from './accounts.sql.js';

/** Marks the tokens as this service's (and lets a secret scanner recognise them). */
export const VIEWER_TOKEN_PREFIX = 'slv_';
/** The prefix and the base64url of 32 random bytes (43 characters, no padding). */
const TOKEN_RE = /^slv_[A-Za-z0-9_-]{43}$/;
const MAX_LABEL = 100;
/** `last_used_at` is written at most this often per token: a token in use costs no write per request. */
const LAST_USED_RESOLUTION = '1 minute';

/** The stored form of a viewer token: sha256 hex. */
export function viewerTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

@Injectable()
export class ViewerTokens {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new token for `custId` (`slv_` + 32 random bytes, base64url): returned once, stored only as its digest. */
  async issue(custId: number, label?: string): Promise<string> {
    checkCustId(custId);
    const token = VIEWER_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await sqlRows(this.db, `INSERT INTO viewer_token (token_hash, cust_id, label) VALUES ($1, $2, $3)`, [
      viewerTokenHash(token),
      custId,
      cleanLabel(label),
    ]);
    return token;
  }

  /**
   * The cust_id a token stands for, or null when it is unknown, revoked or not shaped like one. Notes the use
   * in `last_used_at` when the last note is a minute old or more, in the same statement.
   */
  async resolve(token: string): Promise<number | null> {
    if (typeof token !== 'string' || !TOKEN_RE.test(token)) return null;
    const rows = await sqlRows<{ cust_id: number }>(
      this.db,
      `WITH found AS (
         SELECT id, cust_id, last_used_at FROM viewer_token WHERE token_hash = $1 AND revoked_at IS NULL
       ), used AS (
         UPDATE viewer_token v SET last_used_at = now() FROM found
         WHERE v.id = found.id
           AND (found.last_used_at IS NULL OR found.last_used_at <= now() - interval '${LAST_USED_RESOLUTION}')
       )
       SELECT cust_id FROM found`,
      [viewerTokenHash(token)],
    );
    return rows[0]?.cust_id ?? null;
  }

  /** Revokes one token; false when it is unknown or already revoked. */
  async revoke(token: string): Promise<boolean> {
    if (typeof token !== 'string' || !TOKEN_RE.test(token)) return false;
    const rows = await sqlRows(
      this.db,
      `UPDATE viewer_token SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id`,
      [viewerTokenHash(token)],
    );
    return rows.length > 0;
  }

  /** Revokes every live token of a racer; returns how many. */
  async revokeAll(custId: number): Promise<number> {
    checkCustId(custId);
    const rows = await sqlRows(
      this.db,
      `UPDATE viewer_token SET revoked_at = now() WHERE cust_id = $1 AND revoked_at IS NULL RETURNING id`,
      [custId],
    );
    return rows.length;
  }
}

function checkCustId(custId: number): void {
  if (!Number.isSafeInteger(custId) || custId < 1 || custId > 2_147_483_647)
    throw new BadInputError(`cust_id must be a positive 32-bit integer (got ${String(custId)})`);
}

function cleanLabel(label: string | undefined): string | null {
  if (label === undefined || label === null) return null;
  const line = String(label)
    .replace(/\p{Cc}+/gu, ' ')
    .trim();
  if (line.length > MAX_LABEL) throw new BadInputError(`a token label is at most ${MAX_LABEL} characters`);
  return line || null;
}
