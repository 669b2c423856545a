// Holds the iRacing access token: OAuth2 `password_limited` login with masked secrets, refresh with the
// single-use refresh token before the access token ends, or a fixed IRACING_ACCESS_TOKEN. Concurrent
// callers in this process share one in-flight login or refresh. Tokens and secrets never leave this class
// except as the Authorization header, and never appear in an error message.
import { IracingAuthError, IracingUnavailableError } from './iracing.errors.js';
import { maskSecret } from './oauth-mask.js';

export interface IracingCredentials {
  oauthUrl: string;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  accessToken?: string;
}

interface TokenSet {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken?: string;
  refreshExpiresAt?: number;
}

/** Refresh this long before the access token expires. */
const EARLY_REFRESH_MS = 60_000;
const TOKEN_ENDPOINT = 'oauth2/token';

export class IracingAuth {
  private tokens?: TokenSet;
  private inflight?: Promise<TokenSet>;
  private readonly loginTimes: number[] = [];

  constructor(
    private readonly creds: IracingCredentials,
    /** Full logins allowed per hour: a locked account costs far more than a failed sync. */
    private readonly loginsPerHour = 3,
    private readonly now: () => number = Date.now,
  ) {}

  get configured(): boolean {
    const c = this.creds;
    return Boolean(c.accessToken || (c.clientId && c.clientSecret && c.username && c.password));
  }

  /** A valid access token, logging in or refreshing when needed. */
  async accessToken(): Promise<string> {
    if (this.creds.accessToken) return this.creds.accessToken;
    const t = this.tokens;
    if (t && t.accessExpiresAt - EARLY_REFRESH_MS > this.now()) return t.accessToken;
    return (await this.renew(false)).accessToken;
  }

  /**
   * Called after a 401 with the token that was refused. Refreshes once; if `afterRefresh` is true the refresh
   * was already tried, so one full login follows. Returns the new token.
   */
  async recover(refused: string, afterRefresh: boolean): Promise<string> {
    if (this.creds.accessToken) {
      throw new IracingAuthError(TOKEN_ENDPOINT, 'IRACING_ACCESS_TOKEN was refused (expired or revoked)');
    }
    if (this.tokens && this.tokens.accessToken !== refused) return this.tokens.accessToken;
    if (afterRefresh && this.tokens) this.tokens.refreshToken = undefined;
    return (await this.renew(true)).accessToken;
  }

  private renew(force: boolean): Promise<TokenSet> {
    if (!this.inflight) {
      this.inflight = this.obtain(force).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async obtain(force: boolean): Promise<TokenSet> {
    const t = this.tokens;
    if (!force && t && t.accessExpiresAt - EARLY_REFRESH_MS > this.now()) return t;
    if (t?.refreshToken && (t.refreshExpiresAt ?? Infinity) > this.now()) {
      const refresh = t.refreshToken;
      t.refreshToken = undefined; // single use, whatever the outcome
      try {
        return (this.tokens = await this.tokenRequest({
          grant_type: 'refresh_token',
          refresh_token: refresh,
        }));
      } catch (err) {
        if (!(err instanceof IracingAuthError)) throw err;
      }
    }
    return (this.tokens = await this.login());
  }

  private async login(): Promise<TokenSet> {
    const { clientId, clientSecret, username, password } = this.creds;
    if (!clientId || !clientSecret || !username || !password) {
      throw new IracingAuthError(
        TOKEN_ENDPOINT,
        'no credentials: set IRACING_CLIENT_ID, IRACING_CLIENT_SECRET, IRACING_USERNAME and IRACING_PASSWORD, ' +
          'or IRACING_ACCESS_TOKEN',
      );
    }
    const hourAgo = this.now() - 3_600_000;
    while (this.loginTimes.length && this.loginTimes[0] < hourAgo) this.loginTimes.shift();
    if (this.loginTimes.length >= this.loginsPerHour) {
      throw new IracingAuthError(
        TOKEN_ENDPOINT,
        `login budget spent (${this.loginsPerHour} full logins in the last hour); not trying again to protect the account`,
      );
    }
    this.loginTimes.push(this.now());
    return this.tokenRequest({
      grant_type: 'password_limited',
      client_id: clientId,
      client_secret: maskSecret(clientSecret, clientId),
      username,
      password: maskSecret(password, username),
      scope: 'iracing.auth',
    });
  }

  private async tokenRequest(form: Record<string, string>): Promise<TokenSet> {
    const body = new URLSearchParams(form);
    if (form.grant_type === 'refresh_token' && this.creds.clientId) {
      body.set('client_id', this.creds.clientId);
      if (this.creds.clientSecret)
        body.set('client_secret', maskSecret(this.creds.clientSecret, this.creds.clientId));
    }
    let res: Response;
    try {
      res = await fetch(`${this.creds.oauthUrl.replace(/\/$/, '')}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new IracingUnavailableError(
        TOKEN_ENDPOINT,
        (err as Error).name === 'TimeoutError' ? 'timeout' : 'network error',
      );
    }
    const text = await res.text();
    if (res.status >= 500) throw new IracingUnavailableError(TOKEN_ENDPOINT, `HTTP ${res.status}`);
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* reported below */
    }
    if (!res.ok || typeof json.access_token !== 'string') {
      const reason = typeof json.error === 'string' ? json.error : `HTTP ${res.status}`;
      throw new IracingAuthError(TOKEN_ENDPOINT, `${form.grant_type} grant refused (${reason})`);
    }
    const now = this.now();
    const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 600;
    const refreshIn =
      typeof json.refresh_token_expires_in === 'number' ? json.refresh_token_expires_in : undefined;
    return {
      accessToken: json.access_token,
      accessExpiresAt: now + expiresIn * 1000,
      refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : undefined,
      refreshExpiresAt: refreshIn !== undefined ? now + refreshIn * 1000 : undefined,
    };
  }
}
