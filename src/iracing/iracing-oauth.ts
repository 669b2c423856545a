// A racer's own iRacing login (docs/architecture.md §5.1; DESIGN "Racers' own accounts"): the authorization URL
// of the authorization code flow with PKCE (S256), the code exchanged for the member's tokens, their refresh, and
// `member/info` read with the member's access token (who the token belongs to). The client secret is sent masked,
// as for `password_limited`. Nothing here is stored: the caller keeps the tokens. A token POST is never retried
// (a code or a refresh token is single-use); the `member/info` GET retries outages like every Data API call.
// Tokens, codes, verifiers and the secret never appear in an error message or a log line.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import type { Redis } from 'ioredis';
import { MetricsService } from '../core/metrics/metrics.service.js';
import { REDIS } from '../core/redis/redis.provider.js';
import { IracingAuth } from './iracing-auth.js';
import { IracingHttp } from './iracing-http.js';
import {
  IracingAuthError,
  IracingError,
  IracingPayloadError,
  IracingUnavailableError,
} from './iracing.errors.js';
import { checkPart, memberInfoPayload } from './iracing.payloads.js';
import type { IracingMemberInfo } from './iracing.payloads.js';
import { clientOptionsFrom } from './iracing.client.js';
import type { IracingClientOptions } from './iracing.client.js';
import { LinkedDataFetcher } from './linked-data.js';
import { clientFields, postTokenForm, TOKEN_ENDPOINT } from './oauth-token.js';
import { LocalRateLimiter, RedisRateLimiter } from './rate-limiter.js';
import type { Check } from './decode.js';
import type { Params } from './iracing-http.js';

/** The client's settings the racers' grants use (the same as IracingClient's). */
export type IracingOAuthOptions = Pick<
  IracingClientOptions,
  | 'oauthUrl'
  | 'apiUrl'
  | 'clientId'
  | 'clientSecret'
  | 'timeoutMs'
  | 'maxAttempts'
  | 'retryBaseMs'
  | 'maintenanceDelayMs'
  | 'redisPrefix'
>;

/** What iRacing answers to the authorization code and refresh grants. */
export interface MemberTokens {
  accessToken: string;
  accessExpiresAt: Date;
  /** Single-use: a refresh spends it and answers a new one. */
  refreshToken: string;
  refreshExpiresAt: Date | null;
}

/**
 * iRacing's OAuth server refused a grant (RFC 6749 §5.2: `invalid_grant`, `invalid_client`, …). The message
 * names the grant type and the OAuth error code only: never its description, which may quote what was sent.
 */
export class IracingOAuthError extends IracingError {
  override readonly retryable = false;
  constructor(
    readonly grantType: string,
    /** The OAuth error code iRacing answered (`invalid_grant`, …), or `http_<status>` without one. */
    readonly oauthError: string,
    override readonly status: number,
  ) {
    super(TOKEN_ENDPOINT, `iRacing refused the ${grantType} grant: ${oauthError} (HTTP ${status})`);
  }
}

/** Injection token of explicit options (tests, tools); the application reads AppConfig. */
export const IRACING_OAUTH_OPTIONS = Symbol('IRACING_OAUTH_OPTIONS');

const MEMBER_INFO = 'member/info';
const SCOPE = 'iracing.auth';
/** An OAuth error code as RFC 6749 §5.2 spells them; anything else is not echoed. */
const OAUTH_ERROR_RE = /^[a-z][a-z0-9_.-]{0,63}$/i;

@Injectable()
export class IracingOAuth {
  private readonly oauthUrl: string;
  private readonly apiUrl: string;
  private readonly timeoutMs: number;
  private readonly links: LinkedDataFetcher;
  private readonly options: IracingOAuthOptions;

  private readonly redis?: Redis;
  private readonly prefix: string;

  constructor(
    @Optional() config?: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() @Inject(IRACING_OAUTH_OPTIONS) given?: IracingOAuthOptions,
    @Optional() @Inject(REDIS) redis?: Redis,
  ) {
    const options = given ?? clientOptionsFrom(config);
    this.redis = redis;
    this.prefix = options.redisPrefix ?? 'simlane';
    this.options = options;
    this.oauthUrl = options.oauthUrl.replace(/\/+$/, '');
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const settings = {
      maxAttempts: options.maxAttempts ?? 4,
      retryBaseMs: options.retryBaseMs ?? 1000,
      timeoutMs: this.timeoutMs,
      maintenanceDelayMs: options.maintenanceDelayMs ?? 5 * 60_000,
    };
    // Members' calls go through IracingHttp.memberGet only: with the member's token, outside the system
    // account's token and rate-limit budget, which these instances therefore never touch.
    const http = new IracingHttp(
      settings,
      new IracingAuth({ oauthUrl: this.oauthUrl }),
      new LocalRateLimiter(),
      metrics,
    );
    this.links = new LinkedDataFetcher(http, { ...settings, apiUrl: this.apiUrl, chunkConcurrency: 1 });
  }

  /** Whether the client id and secret the code and refresh grants need are configured. */
  get configured(): boolean {
    return Boolean(this.options.clientId && this.options.clientSecret);
  }

  /** Where to send the racer's browser: iRacing's sign-in, which returns to `redirectUri` with a code. */
  authorizeUrl(q: { redirectUri: string; state: string; codeChallenge: string }): string {
    const query = new URLSearchParams({
      client_id: this.client().clientId,
      redirect_uri: q.redirectUri,
      response_type: 'code',
      code_challenge: q.codeChallenge,
      code_challenge_method: 'S256',
      state: q.state,
      scope: SCOPE,
    });
    return `${this.oauthUrl}/oauth2/authorize?${query.toString()}`;
  }

  /** The authorization code grant with its PKCE verifier; `redirectUri` exactly as in the authorization URL. */
  exchangeCode(q: { code: string; redirectUri: string; codeVerifier: string }): Promise<MemberTokens> {
    return this.tokenRequest('authorization_code', {
      code: q.code,
      redirect_uri: q.redirectUri,
      code_verifier: q.codeVerifier,
    });
  }

  /** A new access token, and a new refresh token in place of `refreshToken` (spent whatever the outcome). */
  refresh(refreshToken: string): Promise<MemberTokens> {
    return this.tokenRequest('refresh_token', { refresh_token: refreshToken });
  }

  /**
   * `member/info` of the member `accessToken` belongs to, its `{link}` followed and its shape checked. With
   * `custId` (a linked member's sync), within that member's own rate-limit budget.
   */
  memberInfo(accessToken: string, custId?: number): Promise<IracingMemberInfo> {
    return this.memberData(MEMBER_INFO, {}, accessToken, memberInfoPayload, custId);
  }

  /**
   * A `/data` endpoint asked as the member `accessToken` belongs to (`stats/member_summary`, …), its shape
   * checked. With `custId`, its requests spend that member's own budget, mirrored from iRacing's rate-limit
   * headers for their token and shared in Redis by every process (docs/architecture.md §5.3); never the system
   * account's.
   */
  async memberData<T>(
    endpoint: string,
    params: Params,
    accessToken: string,
    check: Check<T>,
    custId?: number,
  ): Promise<T> {
    const budget =
      custId === undefined
        ? undefined
        : this.redis
          ? new RedisRateLimiter(this.redis, `${this.prefix}:member:${custId}`)
          : new LocalRateLimiter();
    const { payload } = await this.links.fetchData(endpoint, params, accessToken, budget);
    return checkPart(endpoint, '', payload, check);
  }

  private client(): { clientId: string; clientSecret: string } {
    const { clientId, clientSecret } = this.options;
    if (!clientId || !clientSecret)
      throw new IracingAuthError(
        TOKEN_ENDPOINT,
        "a racer's login needs this server's iRacing client: set IRACING_CLIENT_ID and IRACING_CLIENT_SECRET",
      );
    return { clientId, clientSecret };
  }

  private async tokenRequest(grantType: string, fields: Record<string, string>): Promise<MemberTokens> {
    const { clientId, clientSecret } = this.client();
    const form = { grant_type: grantType, ...clientFields(clientId, clientSecret), ...fields };
    let answer;
    try {
      answer = await postTokenForm(this.oauthUrl, form, this.timeoutMs);
    } catch (err) {
      this.metrics?.iracingRequests.inc({ endpoint: TOKEN_ENDPOINT, status: '0' });
      throw err;
    }
    const { status, ok, json } = answer;
    this.metrics?.iracingRequests.inc({ endpoint: TOKEN_ENDPOINT, status: String(status) });
    if (status >= 500 || status === 429) throw new IracingUnavailableError(TOKEN_ENDPOINT, `HTTP ${status}`);
    if (!ok) {
      const code = typeof json.error === 'string' && OAUTH_ERROR_RE.test(json.error) ? json.error : undefined;
      throw new IracingOAuthError(grantType, code ?? `http_${status}`, status);
    }
    return tokensOf(json, Date.now());
  }
}

/** The tokens of a successful answer; a payload error naming the field when one is missing. */
function tokensOf(json: Record<string, unknown>, now: number): MemberTokens {
  const { access_token: access, refresh_token: refresh, expires_in: expiresIn } = json;
  const refreshIn = json.refresh_token_expires_in;
  if (typeof access !== 'string' || !access)
    throw new IracingPayloadError(TOKEN_ENDPOINT, 'access_token', 'missing from the token answer');
  if (typeof refresh !== 'string' || !refresh)
    throw new IracingPayloadError(TOKEN_ENDPOINT, 'refresh_token', 'missing from the token answer');
  const seconds = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
  const accessIn = seconds(expiresIn) ?? 600;
  const refreshSeconds = seconds(refreshIn);
  return {
    accessToken: access,
    accessExpiresAt: new Date(now + accessIn * 1000),
    refreshToken: refresh,
    refreshExpiresAt: refreshSeconds === undefined ? null : new Date(now + refreshSeconds * 1000),
  };
}
