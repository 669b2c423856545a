// The accounts storage on the run's real, migrated database: refresh tokens stored only sealed (no plaintext in
// any column), compare-and-set replacement, key rotation, tampered rows refused without echoing a secret, viewer
// tokens kept as digests, and the migration's down() and up(). Every token and key is registered with the
// end-of-run log scan, which then proves none reached a log line (docs/architecture.md §6.7).
import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { SchedulerModule } from '../../src/scheduler/scheduler.module.js';
import { AccountsModule } from '../../src/accounts/accounts.module.js';
import { TokenCipher, TokenCipherError } from '../../src/accounts/token-cipher.js';
import { TokenVault } from '../../src/accounts/token-vault.service.js';
import { ViewerTokens, viewerTokenHash } from '../../src/accounts/viewer-tokens.service.js';
import { loadConfig } from '../../src/core/config/app-config.js';
import { CoreModule } from '../../src/core/core.module.js';
import { AccountLinks1795319500000 } from '../../src/core/database/migrations/1795319500000-AccountLinks.js';
import { createPino, PinoLogger } from '../../src/core/logging/logging.js';
import { ALL_ENTITIES } from '../../src/entities.js';
import { registerLogSecret } from '../support/harness.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
registerLogSecret('TOKEN_ENCRYPTION_KEY k1', K1);
registerLogSecret('TOKEN_ENCRYPTION_KEY k2', K2);

/** A refresh token as iRacing might issue one, registered with the log scan. */
function refreshToken(label: string): string {
  const token = `rt-${label}-${randomBytes(24).toString('base64url')}`;
  registerLogSecret(`refresh token ${label}`, token);
  return token;
}

/** The forms a leaked token could take in a row: as is, base64, hex. */
function forms(token: string): string[] {
  const b = Buffer.from(token, 'utf8');
  return [token, b.toString('base64'), b.toString('base64url'), b.toString('hex')];
}

class Accounts {
  constructor(readonly app: INestApplicationContext) {}
  get vault(): TokenVault {
    return this.app.get(TokenVault, { strict: false });
  }
  get viewers(): ViewerTokens {
    return this.app.get(ViewerTokens, { strict: false });
  }
  get db(): DataSource {
    return this.app.get(DataSource);
  }
  async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, params)) as T[];
  }
}

/** Core (PostgreSQL migrated at start by the normal runner, Redis) and the accounts module, with this key ring. */
async function startAccounts(tokenEncryptionKey: string): Promise<Accounts> {
  const config = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'simlane-test'}-${Math.random().toString(36).slice(2, 8)}`,
    ROLE: 'cli',
    SCHEDULER_ENABLED: 'false',
    MIGRATIONS_RUN: 'true',
    LOG_LEVEL: 'warn',
    LOG_FILE: process.env.LOG_FILE,
    LOG_FILE_LEVEL: process.env.LOG_FILE_LEVEL,
    IRACING_REDIRECT_URIS: 'http://127.0.0.1:5173/auth/iracing/callback',
    TOKEN_ENCRYPTION_KEY: tokenEncryptionKey,
  });
  @Module({})
  class AccountsTestRoot {}
  const app = await NestFactory.createApplicationContext(
    {
      module: AccountsTestRoot,
      // The scheduler without its worker or cron: the accounts queue a linked member's syncs through it.
      imports: [
        CoreModule.forRoot(config, ALL_ENTITIES),
        SchedulerModule.forRoot({ api: false, worker: false }),
        AccountsModule,
      ],
    },
    { logger: new PinoLogger(createPino(config)) },
  );
  await app.init();
  return new Accounts(app);
}

async function failure(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (err) {
    return err as Error;
  }
  throw new Error('no error');
}

describe('token vault and viewer tokens on PostgreSQL', () => {
  let a: Accounts;
  /** The vault of another process of the same deployment, started with this TOKEN_ENCRYPTION_KEY. */
  const vaultWith = (tokenEncryptionKey: string) =>
    new TokenVault(a.db, TokenCipher.fromSetting(tokenEncryptionKey));

  beforeAll(async () => {
    a = await startAccounts(`k1:${K1}`);
  }, 120_000);
  beforeEach(async () => {
    await a.rows(`TRUNCATE iracing_link, viewer_token RESTART IDENTITY`);
  });
  afterAll(async () => {
    await a?.app.close();
  });

  it('was created by the migration runner', async () => {
    const [done] = await a.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM typeorm_migrations WHERE name = 'AccountLinks1795319500000'`,
    );
    expect(done.n).toBe(1);
  });

  it('stores a link sealed: no column of the row holds the token', async () => {
    const token = refreshToken('store');
    const expires = new Date('2026-12-01T00:00:00Z');
    const view = await a.vault.storeLink(101, token, expires);
    expect(view).toMatchObject({
      custId: 101,
      status: 'ACTIVE',
      keyId: 'k1',
      version: 1,
      statusReason: null,
    });
    expect(view).not.toHaveProperty('refreshToken');
    const [raw] = await a.rows<{ row: string; refresh_token: string; key_id: string }>(
      `SELECT row_to_json(l)::text AS row, refresh_token, key_id FROM iracing_link l WHERE cust_id = 101`,
    );
    for (const form of forms(token)) expect(raw.row).not.toContain(form);
    expect(raw.key_id).toBe('k1');
    expect(Buffer.from(raw.refresh_token, 'base64').length).toBe(12 + 16 + Buffer.byteLength(token));
    // The entity never selects the token either.
    const link = await a.vault.link(101);
    expect(JSON.stringify(link)).not.toContain(token);
    expect(link?.refreshExpiresAt?.toISOString()).toBe(expires.toISOString());
  });

  it('round-trips, and a new link of the same racer keeps linked_at and raises the version', async () => {
    const first = refreshToken('first');
    const second = refreshToken('second');
    expect(await a.vault.readRefreshToken(102)).toBeNull();
    const linked = await a.vault.storeLink(102, first, null);
    expect(await a.vault.readRefreshToken(102)).toEqual({
      refreshToken: first,
      version: 1,
      refreshExpiresAt: null,
    });
    await a.rows(`UPDATE iracing_link SET linked_at = linked_at - interval '1 day' WHERE cust_id = 102`);
    const [before] = await a.rows<{ linked_at: Date }>(
      `SELECT linked_at FROM iracing_link WHERE cust_id = 102`,
    );
    const again = await a.vault.storeLink(102, second, null);
    expect(again.version).toBe(2);
    expect(again.linkedAt.toISOString()).toBe(before.linked_at.toISOString());
    expect(again.linkedAt.getTime()).toBeLessThan(linked.linkedAt.getTime());
    expect((await a.vault.readRefreshToken(102))?.refreshToken).toBe(second);
    expect(await a.vault.recordSync(102)).toBe(true);
    expect((await a.vault.link(102))?.lastSyncAt).toBeInstanceOf(Date);
    expect(await a.vault.deleteLink(102)).toBe(true);
    expect(await a.vault.deleteLink(102)).toBe(false);
    expect(await a.vault.link(102)).toBeNull();
  });

  it('replaces a token by compare-and-set: a stale version loses, and of two writers one wins', async () => {
    await a.vault.storeLink(103, refreshToken('cas-0'), null);
    const read = await a.vault.readRefreshToken(103);
    expect(read?.version).toBe(1);
    const winner = refreshToken('cas-1');
    const loser = refreshToken('cas-stale');
    expect(await a.vault.replaceRefreshToken(103, 1, winner, new Date('2027-01-01T00:00:00Z'))).toBe(2);
    expect(await a.vault.replaceRefreshToken(103, 1, loser, null)).toBeNull();
    const now = await a.vault.readRefreshToken(103);
    expect(now?.refreshToken).toBe(winner);
    expect(now?.version).toBe(2);
    expect((await a.vault.link(103))?.lastRefreshAt).toBeInstanceOf(Date);

    const racers = [refreshToken('race-a'), refreshToken('race-b'), refreshToken('race-c')];
    const results = await Promise.all(racers.map((t) => a.vault.replaceRefreshToken(103, 2, t, null)));
    expect(results.filter((v) => v !== null)).toEqual([3]);
    const stored = (await a.vault.readRefreshToken(103))?.refreshToken;
    expect(stored).toBe(racers[results.indexOf(3)]);
    expect(await a.vault.replaceRefreshToken(999, 1, refreshToken('none'), null)).toBeNull();
  });

  it('marks a link as needing a new login (only at the version named) and drops its token', async () => {
    await a.vault.storeLink(104, refreshToken('relink'), null);
    await a.vault.replaceRefreshToken(104, 1, refreshToken('relink-2'), null);
    expect(await a.vault.markNeedsRelink(104, 'invalid_grant', 1)).toBe(false);
    expect((await a.vault.link(104))?.status).toBe('ACTIVE');
    expect(
      await a.vault.markNeedsRelink(104, 'invalid_grant from https://u:relink-secret@oauth.example/token', 2),
    ).toBe(true);
    const link = await a.vault.link(104);
    expect(link).toMatchObject({ status: 'NEEDS_RELINK', keyId: null, version: 3 });
    expect(link?.statusReason).toMatch(/^invalid_grant from https:\/\/u:\*\*\*@oauth/);
    const [raw] = await a.rows<{ refresh_token: string | null }>(
      `SELECT refresh_token FROM iracing_link WHERE cust_id = 104`,
    );
    expect(raw.refresh_token).toBeNull();
    expect(await a.vault.readRefreshToken(104)).toBeNull();
    expect(await a.vault.replaceRefreshToken(104, 3, refreshToken('after-relink'), null)).toBeNull();
    // Linking again makes it ACTIVE.
    await a.vault.storeLink(104, refreshToken('relinked'), null);
    expect((await a.vault.link(104))?.status).toBe('ACTIVE');
  });

  it('treats a link whose refresh token has lapsed as NEEDS_RELINK: its view, the active links, the token read', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000);
    await a.vault.storeLink(601, refreshToken('lapsing'), inAnHour);
    await a.vault.storeLink(602, refreshToken('no-expiry'), null);
    await a.vault.storeLink(603, refreshToken('not-lapsed'), inAnHour);
    expect(await a.vault.activeLinks()).toEqual([601, 602, 603]);
    expect((await a.vault.link(601))?.status).toBe('ACTIVE');

    await a.rows(
      `UPDATE iracing_link SET refresh_expires_at = now() - interval '1 second' WHERE cust_id = 601`,
    );
    expect(await a.vault.link(601)).toMatchObject({
      status: 'NEEDS_RELINK',
      statusReason: 'the refresh token lapsed',
      version: 1,
    });
    // The daily pass does not queue it, and no refresh can be attempted with it.
    expect(await a.vault.activeLinks()).toEqual([602, 603]);
    expect(await a.vault.readRefreshToken(601)).toBeNull();
    // The row keeps what was stored; a link without an expiry, or one still inside it, stays ACTIVE.
    const [raw] = await a.rows<{ status: string }>(`SELECT status FROM iracing_link WHERE cust_id = 601`);
    expect(raw.status).toBe('ACTIVE');
    expect((await a.vault.link(602))?.status).toBe('ACTIVE');
    expect((await a.vault.readRefreshToken(603))?.version).toBe(1);

    // Signing in again makes it ACTIVE.
    const relinked = await a.vault.storeLink(601, refreshToken('relinked'), inAnHour);
    expect(relinked).toMatchObject({ status: 'ACTIVE', statusReason: null, version: 2 });
    expect(await a.vault.activeLinks()).toEqual([601, 602, 603]);
  });

  it('rotates keys: old rows open under a new first key, rotateKeys re-seals them without moving versions', async () => {
    const tokens = [refreshToken('rot-1'), refreshToken('rot-2'), refreshToken('rot-3')];
    for (const [i, token] of tokens.entries()) await a.vault.storeLink(201 + i, token, null);
    await a.vault.markNeedsRelink(203, 'revoked');
    const rotated = vaultWith(`k2:${K2},k1:${K1}`);
    // Before rotation: the old rows still open; a new link is sealed under k2.
    expect((await rotated.readRefreshToken(201))?.refreshToken).toBe(tokens[0]);
    const fresh = refreshToken('rot-new');
    await rotated.storeLink(204, fresh, null);
    const keysBefore = await a.rows<{ cust_id: number; key_id: string | null; version: number }>(
      `SELECT cust_id, key_id, version FROM iracing_link ORDER BY cust_id`,
    );
    expect(keysBefore.map((r) => r.key_id)).toEqual(['k1', 'k1', null, 'k2']);

    expect(await rotated.rotateKeys()).toBe(2);
    const keysAfter = await a.rows<{ cust_id: number; key_id: string | null; version: number }>(
      `SELECT cust_id, key_id, version FROM iracing_link ORDER BY cust_id`,
    );
    expect(keysAfter.map((r) => r.key_id)).toEqual(['k2', 'k2', null, 'k2']);
    expect(keysAfter.map((r) => r.version)).toEqual(keysBefore.map((r) => r.version));
    expect(await rotated.rotateKeys()).toBe(0);

    // Once rotated, the old key can go: a ring of k2 alone opens every row.
    const onlyNew = vaultWith(`k2:${K2}`);
    expect((await onlyNew.readRefreshToken(201))?.refreshToken).toBe(tokens[0]);
    expect((await onlyNew.readRefreshToken(202))?.refreshToken).toBe(tokens[1]);
    expect((await onlyNew.readRefreshToken(204))?.refreshToken).toBe(fresh);
    // A process still on the old ring cannot open them, and says which key it lacks.
    const err = await failure(a.vault.readRefreshToken(201));
    expect(err).toBeInstanceOf(TokenCipherError);
    expect(err.message).toMatch(/cust_id 201: .*key id "k2", which TOKEN_ENCRYPTION_KEY does not hold/);
    for (const secret of [K1, K2, ...tokens]) expect(err.message).not.toContain(secret);
  }, 60_000);

  it('refuses a tampered ciphertext or one moved to another row, naming neither token nor key', async () => {
    const token = refreshToken('tamper');
    const other = refreshToken('tamper-other');
    await a.vault.storeLink(301, token, null);
    await a.vault.storeLink(302, other, null);
    const [row] = await a.rows<{ refresh_token: string }>(
      `SELECT refresh_token FROM iracing_link WHERE cust_id = 301`,
    );
    const bytes = Buffer.from(row.refresh_token, 'base64');
    bytes[bytes.length - 1] ^= 0x01;
    await a.rows(`UPDATE iracing_link SET refresh_token = $1 WHERE cust_id = 301`, [
      bytes.toString('base64'),
    ]);
    const err = await failure(a.vault.readRefreshToken(301));
    expect(err).toBeInstanceOf(TokenCipherError);
    expect(err.message).toMatch(/cust_id 301: a token sealed under key id "k1" failed authentication/);
    for (const secret of [K1, K2, ...forms(token), other]) expect(err.message).not.toContain(secret);

    // A valid ciphertext copied into another racer's row does not open there.
    await a.rows(
      `UPDATE iracing_link SET refresh_token = (SELECT refresh_token FROM iracing_link WHERE cust_id = 302)
       WHERE cust_id = 301`,
    );
    expect((await failure(a.vault.readRefreshToken(301))).message).toMatch(/failed authentication/);
    // Rotation leaves an unreadable row as it is and carries on.
    const rotated = vaultWith(`k3:${K2},k1:${K1}`);
    expect(await rotated.rotateKeys()).toBe(1);
    const keys = await a.rows<{ key_id: string }>(`SELECT key_id FROM iracing_link ORDER BY cust_id`);
    expect(keys.map((r) => r.key_id)).toEqual(['k1', 'k3']);
  }, 60_000);

  it('issues viewer tokens kept only as digests; resolves, notes use at most once a minute, revokes', async () => {
    const token = await a.viewers.issue(401, 'phone');
    const second = await a.viewers.issue(401);
    const elsewhere = await a.viewers.issue(402, 'laptop');
    for (const t of [token, second, elsewhere]) registerLogSecret('viewer token', t);
    expect(token).toMatch(/^slv_[A-Za-z0-9_-]{43}$/);
    expect(new Set([token, second, elsewhere]).size).toBe(3);

    const rows = await a.rows<{ row: string; token_hash: string }>(
      `SELECT row_to_json(v)::text AS row, token_hash FROM viewer_token v ORDER BY id`,
    );
    expect(rows.map((r) => r.token_hash)).toEqual([token, second, elsewhere].map(viewerTokenHash));
    for (const t of [token, second, elsewhere])
      for (const r of rows) for (const form of [...forms(t), t.slice(4)]) expect(r.row).not.toContain(form);

    const lastUsed = async () =>
      (
        await a.rows<{ last_used_at: Date | null }>(
          `SELECT last_used_at FROM viewer_token WHERE token_hash = $1`,
          [viewerTokenHash(token)],
        )
      )[0].last_used_at;
    expect(await lastUsed()).toBeNull();
    expect(await a.viewers.resolve(token)).toBe(401);
    const firstUse = await lastUsed();
    expect(firstUse).toBeInstanceOf(Date);
    expect(await a.viewers.resolve(token)).toBe(401);
    expect((await lastUsed())?.getTime()).toBe(firstUse?.getTime());
    await a.rows(
      `UPDATE viewer_token SET last_used_at = now() - interval '2 minutes' WHERE token_hash = $1`,
      [viewerTokenHash(token)],
    );
    expect(await a.viewers.resolve(token)).toBe(401);
    expect((await lastUsed())?.getTime()).toBeGreaterThanOrEqual(firstUse?.getTime() ?? Infinity);

    expect(await a.viewers.resolve(`slv_${randomBytes(32).toString('base64url')}`)).toBeNull();
    expect(await a.viewers.resolve('not a token')).toBeNull();
    expect(await a.viewers.resolve(token.toUpperCase())).toBeNull();

    expect(await a.viewers.revoke(token)).toBe(true);
    expect(await a.viewers.revoke(token)).toBe(false);
    expect(await a.viewers.resolve(token)).toBeNull();
    expect(await a.viewers.resolve(second)).toBe(401);
    expect(await a.viewers.revokeAll(401)).toBe(1);
    expect(await a.viewers.resolve(second)).toBeNull();
    expect(await a.viewers.resolve(elsewhere)).toBe(402);
    await expect(a.viewers.issue(401, 'x'.repeat(101))).rejects.toThrow(/at most 100 characters/);
  });

  it('has a down() that removes both tables, and an up() that makes them again', async () => {
    const migration = new AccountLinks1795319500000();
    const runner = a.db.createQueryRunner();
    await runner.connect();
    const exists = async () =>
      (
        (await runner.query(
          `SELECT to_regclass('public.iracing_link') IS NOT NULL AS link, to_regclass('public.viewer_token') IS NOT NULL AS viewer`,
        )) as { link: boolean; viewer: boolean }[]
      )[0];
    await runner.startTransaction();
    try {
      expect(await exists()).toEqual({ link: true, viewer: true });
      await migration.down(runner);
      expect(await exists()).toEqual({ link: false, viewer: false });
      await migration.up(runner);
      expect(await exists()).toEqual({ link: true, viewer: true });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await a.vault.storeLink(501, refreshToken('after-down-up'), null)).toMatchObject({ version: 1 });
  });
});
