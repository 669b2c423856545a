// Keeps the refresh tokens of linked iRacing accounts (`iracing_link`), sealed by TokenCipher with the row's
// cust_id bound into the tag. It owns every statement on that table (docs/architecture.md §3). Tokens are
// plaintext only between a caller and this service: they never reach a log line, an error message or a column
// (§6.7). A refreshed token replaces the stored one by compare-and-set on `version`, in the statement that checks
// it: a crash leaves the old token or the new one, never neither, and of two writers one wins.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BadInputError } from '../core/errors/domain-error.js';
import { redactUrl } from '../core/security/url-secrets.js';
import { sqlRows } from './accounts.sql.js';
import { checkCustId } from './bearer-tokens.js';
import type { LinkStatus } from './entities/iracing-link.entity.js';
import { TokenCipher, TokenCipherError } from './token-cipher.js';

/** A link as others may see it: everything but the token. */
export interface LinkView {
  custId: number;
  status: LinkStatus;
  statusReason: string | null;
  /** The TOKEN_ENCRYPTION_KEY id the stored token is sealed under (null without a token). */
  keyId: string | null;
  refreshExpiresAt: Date | null;
  linkedAt: Date;
  lastSyncAt: Date | null;
  lastRefreshAt: Date | null;
  updatedAt: Date;
  version: number;
}

/** The stored refresh token of an active link, and the version a replacement must name. */
export interface StoredRefreshToken {
  refreshToken: string;
  version: number;
  refreshExpiresAt: Date | null;
}

interface LinkRow {
  cust_id: number;
  status: LinkStatus;
  status_reason: string | null;
  key_id: string | null;
  refresh_expires_at: Date | null;
  linked_at: Date;
  last_sync_at: Date | null;
  last_refresh_at: Date | null;
  updated_at: Date;
  version: number;
}

/**
 * An ACTIVE link whose stored refresh token has passed its expiry: iRacing would refuse it, so the racer must sign
 * in again (docs/architecture.md §5.1, §6.6). Its row may still say ACTIVE (nothing has tried it yet); everything
 * read here treats it as NEEDS_RELINK, on the database's clock, so that what `me` reports and what the syncs decide
 * agree: the view says NEEDS_RELINK, the daily pass does not queue it, and no refresh is attempted with it.
 */
const LAPSED = `(status = 'ACTIVE' AND coalesce(refresh_expires_at <= now(), false))`;
const LAPSED_REASON = 'the refresh token lapsed';
/** Every column but the token; the status and reason as LAPSED says. */
const VIEW_COLUMNS = `cust_id,
  CASE WHEN ${LAPSED} THEN 'NEEDS_RELINK' ELSE status END AS status,
  CASE WHEN ${LAPSED} THEN '${LAPSED_REASON}' ELSE status_reason END AS status_reason,
  key_id, refresh_expires_at, linked_at, last_sync_at, last_refresh_at, updated_at, version`;
const MAX_REASON = 500;
const ROTATION_BATCH = 200;

@Injectable()
export class TokenVault {
  private readonly log = new Logger(TokenVault.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cipher: TokenCipher,
  ) {}

  /**
   * Links (or links again) an account: the token is sealed and stored, the status ACTIVE. A link that exists
   * keeps its `linked_at`; its version is raised, so a refresh begun before it loses its compare-and-set.
   */
  async storeLink(custId: number, refreshToken: string, refreshExpiresAt: Date | null): Promise<LinkView> {
    checkCustId(custId);
    checkToken(refreshToken);
    const sealed = this.cipher.encrypt(refreshToken, context(custId));
    const rows = await this.query<LinkRow>(
      `INSERT INTO iracing_link AS l (cust_id, status, status_reason, refresh_token, key_id, refresh_expires_at)
       VALUES ($1, 'ACTIVE', NULL, $2, $3, $4)
       ON CONFLICT (cust_id) DO UPDATE SET
         status = 'ACTIVE', status_reason = NULL, refresh_token = EXCLUDED.refresh_token, key_id = EXCLUDED.key_id,
         refresh_expires_at = EXCLUDED.refresh_expires_at, updated_at = now(), version = l.version + 1
       RETURNING ${VIEW_COLUMNS}`,
      [custId, sealed.ciphertext, sealed.keyId, refreshExpiresAt],
    );
    return toView(rows[0]);
  }

  /**
   * The refresh token of an ACTIVE link with its version; null when there is no link or it needs a new login,
   * lapsed ones included (a refresh with it could only be refused).
   */
  async readRefreshToken(custId: number): Promise<StoredRefreshToken | null> {
    checkCustId(custId);
    const rows = await this.query<{
      refresh_token: string;
      key_id: string;
      version: number;
      refresh_expires_at: Date | null;
    }>(
      `SELECT refresh_token, key_id, version, refresh_expires_at FROM iracing_link
       WHERE cust_id = $1 AND status = 'ACTIVE' AND NOT ${LAPSED}`,
      [custId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      refreshToken: this.open(custId, { keyId: row.key_id, ciphertext: row.refresh_token }),
      version: row.version,
      refreshExpiresAt: row.refresh_expires_at,
    };
  }

  /**
   * Replaces the token of an ACTIVE link at `expectedVersion` with `newToken` (what iRacing answered to a refresh),
   * in one statement that checks the version. Returns the new version, or null when the version has moved on (
   * another writer refreshed, relinked or marked the link) or there is no active link: the caller then reads the
   * link again instead of writing.
   */
  async replaceRefreshToken(
    custId: number,
    expectedVersion: number,
    newToken: string,
    refreshExpiresAt: Date | null,
  ): Promise<number | null> {
    checkCustId(custId);
    checkToken(newToken);
    const sealed = this.cipher.encrypt(newToken, context(custId));
    const rows = await this.query<{ version: number }>(
      `UPDATE iracing_link SET refresh_token = $3, key_id = $4, refresh_expires_at = $5, last_refresh_at = now(),
         updated_at = now(), version = version + 1
       WHERE cust_id = $1 AND version = $2 AND status = 'ACTIVE'
       RETURNING version`,
      [custId, expectedVersion, sealed.ciphertext, sealed.keyId, refreshExpiresAt],
    );
    return rows[0]?.version ?? null;
  }

  /**
   * Marks a link as needing a new login and drops its token (one iRacing refused is of no further use). With
   * `expectedVersion`, only if the link is still at that version: a worker whose refresh failed because another
   * had already used the token must not break the link the other one renewed. Returns whether it was marked.
   */
  async markNeedsRelink(custId: number, reason: string, expectedVersion?: number): Promise<boolean> {
    checkCustId(custId);
    const why = cleanReason(reason);
    const rows = await this.query<{ version: number }>(
      `UPDATE iracing_link SET status = 'NEEDS_RELINK', status_reason = $2, refresh_token = NULL, key_id = NULL,
         updated_at = now(), version = version + 1
       WHERE cust_id = $1 AND ($3::int IS NULL OR version = $3)
       RETURNING version`,
      [custId, why, expectedVersion ?? null],
    );
    // The reason stays on the row: it comes from the caller, who may quote more than it should.
    if (rows.length) this.log.warn(`iRacing link of cust_id ${custId} needs a new login`);
    return rows.length > 0;
  }

  /** Records that a sync on behalf of this racer finished; false when there is no link. */
  async recordSync(custId: number, at: Date = new Date()): Promise<boolean> {
    checkCustId(custId);
    const rows = await this.query(
      `UPDATE iracing_link SET last_sync_at = $2 WHERE cust_id = $1 RETURNING cust_id`,
      [custId, at],
    );
    return rows.length > 0;
  }

  /** The cust_ids of every ACTIVE link whose refresh token has not lapsed, in order. */
  async activeLinks(): Promise<number[]> {
    const rows = await this.query<{ cust_id: number }>(
      `SELECT cust_id FROM iracing_link WHERE status = 'ACTIVE' AND NOT ${LAPSED} ORDER BY cust_id`,
      [],
    );
    return rows.map((r) => r.cust_id);
  }

  /** Forgets a link and its token; false when there was none. */
  async deleteLink(custId: number): Promise<boolean> {
    checkCustId(custId);
    const rows = await this.query(`DELETE FROM iracing_link WHERE cust_id = $1 RETURNING cust_id`, [custId]);
    return rows.length > 0;
  }

  /** The link without its token, or null. */
  async link(custId: number): Promise<LinkView | null> {
    checkCustId(custId);
    const rows = await this.query<LinkRow>(`SELECT ${VIEW_COLUMNS} FROM iracing_link WHERE cust_id = $1`, [
      custId,
    ]);
    return rows[0] ? toView(rows[0]) : null;
  }

  /**
   * Seals again, under the current (first) key of TOKEN_ENCRYPTION_KEY, every token sealed under another one, and
   * returns how many it re-sealed. Each row is written only if it has not changed since it was read, and without
   * raising its version, so a refresh running meanwhile neither loses nor is lost. A row no key opens is left as
   * it is and logged by cust_id and key id. Once no row remains under an old key, that key may be removed.
   */
  async rotateKeys(): Promise<number> {
    const current = this.cipher.currentKeyId;
    if (current === undefined)
      throw new TokenCipherError('TOKEN_ENCRYPTION_KEY is not set: there is no key to rotate to');
    let done = 0;
    let after = 0;
    const unreadable: string[] = [];
    for (;;) {
      const rows = await this.query<{
        cust_id: number;
        key_id: string;
        refresh_token: string;
        version: number;
      }>(
        `SELECT cust_id, key_id, refresh_token, version FROM iracing_link
         WHERE refresh_token IS NOT NULL AND key_id <> $1 AND cust_id > $2
         ORDER BY cust_id LIMIT ${ROTATION_BATCH}`,
        [current, after],
      );
      for (const row of rows) {
        let sealed;
        try {
          sealed = this.cipher.reencrypt(
            { keyId: row.key_id, ciphertext: row.refresh_token },
            context(row.cust_id),
          );
        } catch (err) {
          if (!(err instanceof TokenCipherError)) throw err;
          unreadable.push(`cust_id ${row.cust_id} (${err.message})`);
          continue;
        }
        const written = await this.query(
          `UPDATE iracing_link SET refresh_token = $4, key_id = $5
           WHERE cust_id = $1 AND version = $2 AND key_id = $3 RETURNING cust_id`,
          [row.cust_id, row.version, row.key_id, sealed.ciphertext, sealed.keyId],
        );
        done += written.length;
      }
      if (rows.length < ROTATION_BATCH) break;
      after = rows[rows.length - 1].cust_id;
    }
    if (unreadable.length)
      this.log.warn(
        `key rotation left ${unreadable.length} token(s) it cannot open: ${unreadable.join('; ')}`,
      );
    if (done) this.log.log(`key rotation: ${done} token(s) re-sealed under key id "${current}"`);
    return done;
  }

  private open(custId: number, sealed: { keyId: string; ciphertext: string }): string {
    try {
      return this.cipher.decrypt(sealed, context(custId));
    } catch (err) {
      if (err instanceof TokenCipherError)
        throw new TokenCipherError(`iRacing link of cust_id ${custId}: ${err.message}`, err.keyId);
      throw err;
    }
  }

  private query<T = Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
    return sqlRows<T>(this.db, sql, params);
  }
}

/** Bound into each token's tag: a sealed token opens only in its own row. */
function context(custId: number): string {
  return `iracing_link:${custId}`;
}

function checkToken(token: string): void {
  if (typeof token !== 'string' || token === '') throw new BadInputError('the refresh token is empty');
}

/** One line, bounded, with any credential inside a URL removed. */
function cleanReason(reason: string): string {
  const line = redactUrl(String(reason))
    .replace(/\p{Cc}+/gu, ' ')
    .trim();
  return (line || 'no reason given').slice(0, MAX_REASON);
}

function toView(row: LinkRow): LinkView {
  return {
    custId: row.cust_id,
    status: row.status,
    statusReason: row.status_reason,
    keyId: row.key_id,
    refreshExpiresAt: row.refresh_expires_at,
    linkedAt: row.linked_at,
    lastSyncAt: row.last_sync_at,
    lastRefreshAt: row.last_refresh_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
