// A linked racer's access token for the syncs that act as them (docs/architecture.md §5.1): the one kept in Redis
// while it lasts, else a refresh with their refresh token. Refresh tokens work once, so one process at a time
// refreshes a member (a Redis lock per member), and the new refresh token replaces the spent one in one
// compare-and-set statement on the link's version before the new access token is used. The answer is kept in Redis
// (sealed) before it is stored, so that a process killed between iRacing's answer and the store loses no link: the
// next refresh stores that answer instead of spending the old token again. iRacing's refusal of a refresh token
// (spent or lapsed) marks the link NEEDS_RELINK.
import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../core/config/app-config.js';
import { DomainError, ErrorCode, ServiceUnavailableError } from '../core/errors/domain-error.js';
import { InjectRedis } from '../core/redis/redis.provider.js';
import { IracingOAuth, IracingOAuthError } from '../iracing/iracing-oauth.js';
import type { MemberTokens } from '../iracing/iracing-oauth.js';
import { LinkService } from './link.service.js';
import { TokenVault } from './token-vault.service.js';

/** Refresh this long before the access token ends. */
const EARLY_MS = 60_000;
/**
 * How long a member's refresh lock lives beyond the token request's own timeout (IRACING_TIMEOUT_MS): a holder
 * that crashed frees it by then, one that is alive has had its answer or given up.
 */
const LOCK_MARGIN_MS = 5_000;
const RELEASE_LUA = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The member must sign in with iRacing again (no link, or iRacing refused its refresh token). */
export class RelinkNeededError extends DomainError {
  constructor(readonly custId: number) {
    super(ErrorCode.FORBIDDEN, `member ${custId} must link their iRacing account again`, { custId });
  }
}

@Injectable()
export class MemberAccess {
  private readonly log = new Logger(MemberAccess.name);

  constructor(
    private readonly config: AppConfig,
    private readonly oauth: IracingOAuth,
    private readonly vault: TokenVault,
    private readonly links: LinkService,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  /**
   * An access token of `custId` valid for at least a minute: kept, refreshed here, or refreshed by another
   * process. `renewWithinMs`: refresh anyway when the stored refresh token lapses within that time, so that a
   * link in use is kept alive well inside iRacing's 7 days (docs/architecture.md §5.1).
   */
  async accessToken(
    custId: number,
    options: { renewWithinMs?: number; waitMs?: number } = {},
  ): Promise<string> {
    const deadline = Date.now() + (options.waitMs ?? this.lockMs);
    const usable = async () =>
      options.renewWithinMs !== undefined && (await this.lapsesWithin(custId, options.renewWithinMs))
        ? null
        : this.fresh(custId);
    for (;;) {
      const kept = await usable();
      if (kept) return kept;
      const lock = await this.lock(custId);
      if (lock) {
        try {
          // Under the lock, again: another process may have refreshed meanwhile.
          return (await usable()) ?? (await this.refresh(custId));
        } finally {
          await this.release(custId, lock);
        }
      }
      if (Date.now() > deadline)
        throw new ServiceUnavailableError(
          `the refresh of member ${custId}'s iRacing token is taking too long`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Forgets the kept access token (iRacing refused it): the next `accessToken` refreshes. */
  async forget(custId: number): Promise<void> {
    await this.links.forgetAccessToken(custId);
  }

  /** Whether the link's refresh token lapses within `ms` (no link: false, `refresh` says so). */
  private async lapsesWithin(custId: number, ms: number): Promise<boolean> {
    const link = await this.vault.link(custId);
    return Boolean(link?.refreshExpiresAt && link.refreshExpiresAt.getTime() - Date.now() < ms);
  }

  private async fresh(custId: number): Promise<string | null> {
    const kept = await this.links.accessToken(custId);
    return kept && kept.expiresAt.getTime() - Date.now() > EARLY_MS ? kept.accessToken : null;
  }

  /** Under the member's lock: spends the stored refresh token and stores the new one before anything else. */
  private async refresh(custId: number): Promise<string> {
    const stored = await this.vault.readRefreshToken(custId);
    if (!stored) throw new RelinkNeededError(custId);
    const kept = await this.links.refreshAnswer(custId);
    if (kept && kept.fromVersion === stored.version) {
      // An answer received and never stored (its process died): the stored token is spent, this one is not.
      this.log.warn(`member ${custId}: storing a refresh answer a stopped process had received`);
      await this.store(custId, stored.version, kept.tokens);
      if (kept.tokens.accessExpiresAt.getTime() - Date.now() > EARLY_MS) return kept.tokens.accessToken;
      return this.refresh(custId);
    }
    if (kept) await this.links.forgetRefreshAnswer(custId);
    let tokens;
    try {
      tokens = await this.oauth.refresh(stored.refreshToken);
    } catch (err) {
      if (err instanceof IracingOAuthError && err.oauthError === 'invalid_grant') {
        await this.vault.markNeedsRelink(custId, 'iRacing refused the refresh token', stored.version);
        this.log.warn(`member ${custId}: iRacing refused the refresh token; the link needs a new sign-in`);
        throw new RelinkNeededError(custId);
      }
      throw err;
    }
    try {
      await this.links.keepRefreshAnswer(custId, stored.version, tokens);
    } catch {
      this.log.warn(`member ${custId}: the refresh answer could not be kept in Redis; storing it at once`);
    }
    await this.store(custId, stored.version, tokens);
    return tokens.accessToken;
  }

  /** The new refresh token in place of the one of `version` (compare-and-set), then the access token kept. */
  private async store(custId: number, version: number, tokens: MemberTokens): Promise<void> {
    const expires = tokens.refreshExpiresAt ?? new Date(Date.now() + 7 * 24 * 3_600_000);
    const next = await this.vault.replaceRefreshToken(custId, version, tokens.refreshToken, expires);
    if (next === null) throw new RelinkNeededError(custId);
    await this.links.keepAccessToken(custId, tokens);
    await this.links.forgetRefreshAnswer(custId);
  }

  private async lock(custId: number): Promise<string | null> {
    const owner = randomBytes(12).toString('hex');
    const set = await this.redis.set(this.lockKey(custId), owner, 'PX', this.lockMs, 'NX');
    return set === 'OK' ? owner : null;
  }

  private async release(custId: number, owner: string): Promise<void> {
    await this.redis.eval(RELEASE_LUA, 1, this.lockKey(custId), owner).catch(() => undefined);
  }

  private get lockMs(): number {
    return this.config.env.IRACING_TIMEOUT_MS + LOCK_MARGIN_MS;
  }

  private lockKey(custId: number): string {
    return `${this.config.env.QUEUE_PREFIX}:accounts:refresh-lock:${custId}`;
  }
}
