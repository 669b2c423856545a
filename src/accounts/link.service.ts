// Links a racer's own iRacing account (DESIGN "Racers' own accounts"): `start` makes the PKCE verifier and the
// state and keeps them in Redis for 10 minutes; `complete` takes the state back once (GETDEL), exchanges the code,
// asks `member/info` whose token it is, stores the refresh token sealed (TokenVault), keeps the access token
// sealed in Redis until it expires, and issues a viewer token; `unlink` forgets all three. Tokens, codes and
// verifiers never reach a log line or an error message (docs/architecture.md §6.7).
import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../core/config/app-config.js';
import {
  BadInputError,
  DomainError,
  ErrorCode,
  ServiceUnavailableError,
} from '../core/errors/domain-error.js';
import { DataVersion } from '../core/graphql/data-version.js';
import { MemberErasure } from '../core/member-erasure.js';
import { InjectRedis } from '../core/redis/redis.provider.js';
import { IracingOAuth, IracingOAuthError } from '../iracing/iracing-oauth.js';
import type { MemberTokens } from '../iracing/iracing-oauth.js';
import { IracingError } from '../iracing/iracing.errors.js';
import type { IracingMemberInfo } from '../iracing/iracing.payloads.js';
import { errorMessage } from '../core/errors/domain-error.js';
import { ImportReport } from '../core/import/import-report.js';
import { MembersImporter } from '../members/members.importer.js';
import type { OwnedContentDeleted } from '../members/owned-content.js';
import { SyncRun, SyncTrigger } from '../scheduler/sync-run.entity.js';
import { SyncRunService } from '../scheduler/sync-run.service.js';
import { MEMBER_ACCOUNT_KIND } from './accounts.kinds.js';
import { TokenCipher } from './token-cipher.js';
import { TokenVault } from './token-vault.service.js';
import type { LinkView } from './token-vault.service.js';
import { ViewerTokens } from './viewer-tokens.service.js';

/** How long a started link waits for its code (the racer signs in meanwhile). */
export const LINK_STATE_TTL_SECONDS = 600;
/**
 * Links one client address may start per minute: a started link holds a state in Redis for 10 minutes, so an
 * anonymous caller cannot fill Redis with them.
 */
export const LINK_STARTS_PER_MINUTE = 30;
/** A state or a verifier: 32 random bytes in base64url. */
const RANDOM_RE = /^[A-Za-z0-9_-]{43}$/;
const MAX_CODE = 2048;
const VIEWER_TOKEN_LABEL = 'iRacing link';
/** OAuth errors that mean this server's client is refused, not the racer's code. */
const CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'unsupported_grant_type']);

/** What a started link keeps in Redis under its state. */
export interface PendingLink {
  verifier: string;
  redirectUri: string;
}

export interface LinkCompletion {
  custId: number;
  /** Shown once, to the racer who signed in; stored only as its digest. */
  viewerToken: string;
  /** The member's first sync (summary and recent form), queued on the member queue; null if it could not be. */
  firstSync: SyncRun | null;
}

export interface UnlinkOutcome extends OwnedContentDeleted {
  custId: number;
  linkDeleted: boolean;
  accessTokenDeleted: boolean;
  viewerTokensRevoked: number;
  /** What the features above accounts erased (MemberErasure), by name: planItemsDeleted, … */
  erased: Record<string, number>;
}

/** Linking is turned off by the server's settings. */
export class LinkingDisabledError extends DomainError {
  constructor() {
    super(
      ErrorCode.FORBIDDEN,
      'Linking iRacing accounts is off on this server: IRACING_REDIRECT_URIS (and TOKEN_ENCRYPTION_KEY) are not set',
    );
  }
}

/** The Redis key of a started link's state. */
export function linkStateKey(prefix: string, state: string): string {
  return `${prefix}:accounts:link-state:${state}`;
}

/**
 * The Redis key of a refresh answer received and not stored yet (sealed): what a process killed between the two
 * leaves for the next refresh (docs/architecture.md §5.1).
 */
export function refreshAnswerKey(prefix: string, custId: number): string {
  return `${prefix}:accounts:refresh-answer:${custId}`;
}

/** The Redis key of a racer's current access token (sealed). */
export function accessTokenKey(prefix: string, custId: number): string {
  return `${prefix}:accounts:access-token:${custId}`;
}

@Injectable()
export class LinkService {
  private readonly log = new Logger(LinkService.name);
  private readonly prefix: string;

  constructor(
    private readonly config: AppConfig,
    private readonly oauth: IracingOAuth,
    private readonly vault: TokenVault,
    private readonly viewers: ViewerTokens,
    private readonly cipher: TokenCipher,
    private readonly members: MembersImporter,
    private readonly runs: SyncRunService,
    private readonly erasure: MemberErasure,
    private readonly version: DataVersion,
    @InjectRedis() private readonly redis: Redis,
  ) {
    this.prefix = config.env.QUEUE_PREFIX;
  }

  /**
   * Where to send the racer, and the state their return will carry; `redirectUri` must be listed exactly. At
   * most LINK_STARTS_PER_MINUTE per `client` (the caller's address).
   */
  async start(redirectUri: string, client = 'unknown'): Promise<{ authorizeUrl: string; state: string }> {
    this.checkEnabled();
    await this.countStart(client);
    if (!this.config.iracingRedirectUris.includes(redirectUri))
      throw new BadInputError(
        'redirectUri is not one of the callback URLs this server accepts (IRACING_REDIRECT_URIS); it must match ' +
          'one exactly',
        { setting: 'IRACING_REDIRECT_URIS' },
      );
    if (!this.oauth.configured)
      throw new ServiceUnavailableError(
        "Linking needs this server's iRacing client: IRACING_CLIENT_ID and IRACING_CLIENT_SECRET are not set",
      );
    const verifier = randomBytes(32).toString('base64url');
    const codeChallenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
    const state = randomBytes(32).toString('base64url');
    const pending: PendingLink = { verifier, redirectUri };
    const stored = await this.redisCall(() =>
      this.redis.set(
        linkStateKey(this.prefix, state),
        JSON.stringify(pending),
        'EX',
        LINK_STATE_TTL_SECONDS,
        'NX',
      ),
    );
    if (stored !== 'OK') throw new ServiceUnavailableError('Could not start the link: try again');
    return { authorizeUrl: this.oauth.authorizeUrl({ redirectUri, state, codeChallenge }), state };
  }

  /**
   * Finishes a link with what iRacing sent back to the redirect URI. The state is spent at once, whatever
   * follows; nothing is stored unless iRacing accepts the code and says whose account it is.
   */
  async complete(state: string, code: string): Promise<LinkCompletion> {
    this.checkEnabled();
    if (typeof code !== 'string' || code === '' || code.length > MAX_CODE)
      throw new BadInputError('code is missing or malformed: pass the code iRacing sent to the redirect URI');
    const pending = await this.takeState(state);
    const tokens = await this.iracing(() =>
      this.oauth.exchangeCode({ code, redirectUri: pending.redirectUri, codeVerifier: pending.verifier }),
    );
    const info = await this.iracing(() => this.oauth.memberInfo(tokens.accessToken));
    const custId = info.cust_id;
    await this.vault.storeLink(custId, tokens.refreshToken, tokens.refreshExpiresAt);
    await this.keepAccessToken(custId, tokens);
    const viewerToken = await this.viewers.issue(custId, VIEWER_TOKEN_LABEL);
    this.log.log(`cust_id ${custId} linked their iRacing account`);
    const firstSync = await this.firstSync(info);
    // Also completed by the callback page, outside GraphQL (docs/architecture.md §6.10).
    await this.version.changed();
    return { custId, viewerToken, firstSync };
  }

  /**
   * The member's first sync: what `member/info` already said (profile, licences, owned content) is written at
   * once, so the answer shows it; the rest (summary, recent form) is queued on the member queue. Neither undoes
   * the link when it fails: the queued run, or the daily pass over linked members, catches up.
   */
  private async firstSync(info: IracingMemberInfo): Promise<SyncRun | null> {
    const custId = info.cust_id;
    const report = new ImportReport();
    try {
      await this.members.importAccount(info, {}, report);
    } catch (err) {
      report.fail(`member ${custId}`, err);
    }
    for (const f of report.failures)
      this.log.warn(`cust_id ${custId}: the first import of their account failed (${f.message})`);
    try {
      return await this.runs.enqueue(MEMBER_ACCOUNT_KIND, { custId }, SyncTrigger.SYNC);
    } catch (err) {
      this.log.warn(`cust_id ${custId}: their first sync could not be queued (${errorMessage(err)})`);
      return null;
    }
  }

  /**
   * Forgets a racer's link, their cached access token, every viewer token of theirs, their owned content and what
   * the features above keep of theirs (MemberErasure: plan, favourites, settings, calendar feeds).
   */
  async unlink(custId: number): Promise<UnlinkOutcome> {
    const linkDeleted = await this.vault.deleteLink(custId);
    const accessTokenDeleted = await this.forgetAccessToken(custId);
    await this.forgetRefreshAnswer(custId);
    const viewerTokensRevoked = await this.viewers.revokeAll(custId);
    const owned = await this.members.forgetOwnedContent(custId);
    const erased = await this.erasure.erase(custId);
    await this.version.changed();
    this.log.log(`cust_id ${custId} unlinked their iRacing account`);
    return { custId, linkDeleted, accessTokenDeleted, viewerTokensRevoked, ...owned, erased };
  }

  /** The racer's link without its token, or null. */
  link(custId: number): Promise<LinkView | null> {
    return this.vault.link(custId);
  }

  /** The racer's access token while it lasts (kept since the link or the last refresh), or null. */
  async accessToken(custId: number): Promise<{ accessToken: string; expiresAt: Date } | null> {
    const raw = await this.redisCall(() => this.redis.get(accessTokenKey(this.prefix, custId)));
    if (!raw) return null;
    const kept = JSON.parse(raw) as { keyId: string; ciphertext: string; expiresAt: number };
    if (kept.expiresAt <= Date.now()) return null;
    const accessToken = this.cipher.decrypt(kept, accessContext(custId));
    return { accessToken, expiresAt: new Date(kept.expiresAt) };
  }

  /** Forgets the racer's kept access token. */
  async forgetAccessToken(custId: number): Promise<boolean> {
    return (await this.redisCall(() => this.redis.del(accessTokenKey(this.prefix, custId)))) > 0;
  }

  /** Counts a started link for its client address in this minute; refuses past LINK_STARTS_PER_MINUTE. */
  private async countStart(client: string): Promise<void> {
    const minute = Math.floor(Date.now() / 60_000);
    const key = `${this.prefix}:accounts:link-starts:${minute}:${client}`;
    const [[, started]] = (await this.redisCall(() =>
      this.redis.multi().incr(key).expire(key, 120).exec(),
    )) as [[Error | null, number]];
    if (started > LINK_STARTS_PER_MINUTE)
      throw new BadInputError(
        `too many links started from this address (at most ${LINK_STARTS_PER_MINUTE} a minute): try again in a minute`,
      );
  }

  private checkEnabled(): void {
    if (!this.config.accountLinkingEnabled) throw new LinkingDisabledError();
  }

  /** The started link of `state`, removed in the same command (a state is used once). */
  private async takeState(state: string): Promise<PendingLink> {
    const unknown = () => new BadInputError('unknown or expired state: start the link again');
    if (typeof state !== 'string' || !RANDOM_RE.test(state)) throw unknown();
    const raw = await this.redisCall(() => this.redis.getdel(linkStateKey(this.prefix, state)));
    if (!raw) throw unknown();
    const pending = JSON.parse(raw) as Partial<PendingLink>;
    if (typeof pending.verifier !== 'string' || typeof pending.redirectUri !== 'string') throw unknown();
    return { verifier: pending.verifier, redirectUri: pending.redirectUri };
  }

  /** The access token, sealed, in Redis until iRacing says it expires. */
  async keepAccessToken(custId: number, tokens: MemberTokens): Promise<void> {
    const ttlMs = tokens.accessExpiresAt.getTime() - Date.now();
    if (ttlMs <= 0) return;
    const sealed = this.cipher.encrypt(tokens.accessToken, accessContext(custId));
    const value = JSON.stringify({ ...sealed, expiresAt: tokens.accessExpiresAt.getTime() });
    await this.redisCall(() => this.redis.set(accessTokenKey(this.prefix, custId), value, 'PX', ttlMs));
  }

  /**
   * Keeps a refresh answer, sealed, until its refresh token lapses, before it is stored: refresh tokens work once,
   * so an answer lost between iRacing and the link would lose the link. `fromVersion`: the link's version whose
   * refresh token it spent.
   */
  async keepRefreshAnswer(custId: number, fromVersion: number, tokens: MemberTokens): Promise<void> {
    const expiresAt = tokens.refreshExpiresAt?.getTime() ?? Date.now() + REFRESH_TOKEN_DAYS * 86_400_000;
    const ttlMs = expiresAt - Date.now();
    if (ttlMs <= 0) return;
    const sealed = this.cipher.encrypt(
      JSON.stringify({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }),
      refreshAnswerContext(custId),
    );
    const value = JSON.stringify({
      ...sealed,
      fromVersion,
      accessExpiresAt: tokens.accessExpiresAt.getTime(),
      refreshExpiresAt: tokens.refreshExpiresAt?.getTime() ?? null,
    });
    await this.redisCall(() => this.redis.set(refreshAnswerKey(this.prefix, custId), value, 'PX', ttlMs));
  }

  /** The refresh answer kept and not stored, with the link version whose token it spent; or null. */
  async refreshAnswer(custId: number): Promise<{ fromVersion: number; tokens: MemberTokens } | null> {
    const raw = await this.redisCall(() => this.redis.get(refreshAnswerKey(this.prefix, custId)));
    if (!raw) return null;
    const kept = JSON.parse(raw) as {
      keyId: string;
      ciphertext: string;
      fromVersion: number;
      accessExpiresAt: number;
      refreshExpiresAt: number | null;
    };
    const opened = JSON.parse(this.cipher.decrypt(kept, refreshAnswerContext(custId))) as {
      accessToken: string;
      refreshToken: string;
    };
    return {
      fromVersion: kept.fromVersion,
      tokens: {
        ...opened,
        accessExpiresAt: new Date(kept.accessExpiresAt),
        refreshExpiresAt: kept.refreshExpiresAt === null ? null : new Date(kept.refreshExpiresAt),
      },
    };
  }

  /** Forgets a kept refresh answer (stored, or outdated). */
  async forgetRefreshAnswer(custId: number): Promise<void> {
    await this.redisCall(() => this.redis.del(refreshAnswerKey(this.prefix, custId)));
  }

  /** An iRacing call, its failures told the caller as domain errors (never quoting what was sent). */
  private async iracing<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof IracingOAuthError) {
        if (CLIENT_ERRORS.has(err.oauthError)) {
          this.log.warn(
            `iRacing refused this server's client (${err.oauthError}): check IRACING_CLIENT_ID and ` +
              'IRACING_CLIENT_SECRET',
          );
          throw new ServiceUnavailableError(`iRacing refused this server's client (${err.oauthError})`);
        }
        throw new BadInputError(
          `iRacing refused the authorization code (${err.oauthError}): start the link again`,
          { oauthError: err.oauthError },
        );
      }
      if (err instanceof IracingError) throw new ServiceUnavailableError(`${err.message}: try again later`);
      throw err;
    }
  }

  private async redisCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new ServiceUnavailableError('Redis is unreachable: try again later');
    }
  }
}

/** Bound into the sealed access token's tag: it opens only under its own key. */
function accessContext(custId: number): string {
  return `iracing_access:${custId}`;
}

/** Bound into a sealed refresh answer's tag. */
function refreshAnswerContext(custId: number): string {
  return `iracing_refresh_answer:${custId}`;
}

/** iRacing's refresh tokens last about this long when the answer does not say. */
const REFRESH_TOKEN_DAYS = 7;
