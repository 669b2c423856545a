// Holds the iRacing access token: OAuth2 `password_limited` login with masked secrets, refresh with the
// single-use refresh token before the access token ends, or a fixed IRACING_ACCESS_TOKEN. Renewals are
// single-flight in this process and, through the TokenStore's lock, across processes: one renews, the others
// wait for the token it stores. Full logins come from a small hourly budget and are never looped.
// Tokens and secrets never appear in an error message or a log line.
import { IracingAuthError, IracingUnavailableError } from './iracing.errors.js';
import { maskSecret } from '../core/security/secret-mask.js';
import { clientFields, postTokenForm, TOKEN_ENDPOINT } from './oauth-token.js';
import { MemoryTokenStore } from './token-store.js';
import type { TokenSet, TokenStore } from './token-store.js';

export interface IracingCredentials {
  oauthUrl: string;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  accessToken?: string;
}

/** Refresh this long before the access token expires. */
const EARLY_REFRESH_MS = 60_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class IracingAuth {
  private inflight?: Promise<TokenSet>;

  constructor(
    private readonly creds: IracingCredentials,
    private readonly store: TokenStore = new MemoryTokenStore(),
    /** Full logins allowed per hour: a locked account costs far more than a failed sync. */
    private readonly loginsPerHour = 3,
    /** How long to wait for another process's renewal. */
    private readonly waitMs = 30_000,
  ) {}

  get configured(): boolean {
    const c = this.creds;
    return Boolean(c.accessToken || (c.clientId && c.clientSecret && c.username && c.password));
  }

  /** A valid access token, logging in or refreshing when needed. */
  async accessToken(): Promise<string> {
    if (this.creds.accessToken) return this.creds.accessToken;
    const t = await this.store.get();
    if (t && fresh(t)) return t.accessToken;
    return (await this.renew(t?.accessToken, false)).accessToken;
  }

  /**
   * After a 401 with the token that was refused: refresh once; when `afterRefresh` (the refreshed token was
   * refused too), one full login. Returns the new token.
   */
  async recover(refused: string, afterRefresh: boolean): Promise<string> {
    if (this.creds.accessToken) {
      throw new IracingAuthError(TOKEN_ENDPOINT, 'IRACING_ACCESS_TOKEN was refused (expired or revoked)');
    }
    return (await this.renew(refused, afterRefresh)).accessToken;
  }

  private renew(refused: string | undefined, login: boolean): Promise<TokenSet> {
    if (!this.inflight) {
      this.inflight = this.renewShared(refused, login).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  /** Renews under the shared lock, or waits for the process that holds it to store a new token. */
  private async renewShared(refused: string | undefined, login: boolean): Promise<TokenSet> {
    const usable = (t: TokenSet | undefined): t is TokenSet => !!t && fresh(t) && t.accessToken !== refused;
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const r = await this.store.tryLocked(async () => {
        const current = await this.store.get();
        if (usable(current)) return current;
        return this.obtain(current, login);
      });
      if (r.ran) return r.value;
      const current = await this.store.get();
      if (usable(current)) return current;
      if (Date.now() > deadline) {
        throw new IracingAuthError(
          TOKEN_ENDPOINT,
          'timed out waiting for another process to renew the token',
        );
      }
      await sleep(50);
    }
  }

  private async obtain(current: TokenSet | undefined, forceLogin: boolean): Promise<TokenSet> {
    if (!forceLogin && current?.refreshToken && (current.refreshExpiresAt ?? Infinity) > Date.now()) {
      const refresh = current.refreshToken;
      await this.store.set({ ...current, refreshToken: undefined }); // single use, whatever the outcome
      try {
        const next = await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refresh });
        await this.store.set(next);
        return next;
      } catch (err) {
        if (!(err instanceof IracingAuthError)) throw err;
      }
    }
    const next = await this.login();
    await this.store.set(next);
    return next;
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
    if (!(await this.store.takeLogin(this.loginsPerHour))) {
      throw new IracingAuthError(
        TOKEN_ENDPOINT,
        `login budget spent (${this.loginsPerHour} full logins in the last hour); not trying again to protect the account`,
      );
    }
    return this.tokenRequest({
      grant_type: 'password_limited',
      ...clientFields(clientId, clientSecret),
      username,
      password: maskSecret(password, username),
      scope: 'iracing.auth',
    });
  }

  private async tokenRequest(form: Record<string, string>): Promise<TokenSet> {
    const { clientId, clientSecret } = this.creds;
    const fields =
      form.grant_type === 'refresh_token' && clientId
        ? { ...form, client_id: clientId, ...(clientSecret ? clientFields(clientId, clientSecret) : {}) }
        : form;
    const { status, ok, json } = await postTokenForm(this.creds.oauthUrl, fields, 30_000);
    if (status >= 500) throw new IracingUnavailableError(TOKEN_ENDPOINT, `HTTP ${status}`);
    if (!ok || typeof json.access_token !== 'string') {
      const reason = typeof json.error === 'string' ? json.error : `HTTP ${status}`;
      throw new IracingAuthError(TOKEN_ENDPOINT, `${form.grant_type} grant refused (${reason})`);
    }
    const now = Date.now();
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

function fresh(t: TokenSet): boolean {
  return t.accessExpiresAt - EARLY_REFRESH_MS > Date.now();
}
