// The offline replica's OAuth server, as iRacing documents it (docs/architecture.md §5.1; DESIGN "Auth" and
// "Racers' own accounts"): `POST /oauth2/token` with the `password_limited` grant for the system account, the
// `authorization_code` grant (RFC 6749 §4.1, PKCE S256 only, RFC 7636) for members signed in at
// `GET /oauth2/authorize`, and `refresh_token` for both. Every token is bound to whom it was issued for: the system
// account (no cust_id) or a member, whose `/data` "me" calls then describe that member. It decides answers only;
// replica.ts serves them, with its faults and holds.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { maskSecret } from '../src/core/security/secret-mask.js';
import type { DatasetContext } from './datasets.js';
import { escapeHtml } from './replica-http.js';
import type { MemberRef, ReplicaMembers } from './replica-members.js';

export interface ReplicaCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

export const DEFAULT_TEST_CREDENTIALS: ReplicaCredentials = {
  clientId: 'simlane-offline',
  clientSecret: 'offline-client-secret',
  username: 'offline.racer@example.com',
  password: 'offline-password',
};

/** The redirect URIs the replica's client has registered when `redirectUris` is not given. */
export const DEFAULT_REDIRECT_URIS: readonly string[] = [
  'http://localhost:5173/auth/iracing/callback',
  'http://127.0.0.1:5173/auth/iracing/callback',
];

/** The IRACING_* settings that point the application at a replica at `url` with the default credentials. */
export function replicaSettings(url: string) {
  return {
    IRACING_API_URL: url,
    IRACING_OAUTH_URL: url,
    IRACING_CLIENT_ID: DEFAULT_TEST_CREDENTIALS.clientId,
    IRACING_CLIENT_SECRET: DEFAULT_TEST_CREDENTIALS.clientSecret,
    IRACING_USERNAME: DEFAULT_TEST_CREDENTIALS.username,
    IRACING_PASSWORD: DEFAULT_TEST_CREDENTIALS.password,
  };
}

/**
 * When REPLICA_TOKEN_LOG names a file, every token and authorization code a replica issues, and every PKCE
 * `code_verifier` its token endpoint receives, is appended to it (one a line), so that a test run can check
 * afterwards that none of them reached a log line (test/support/global-teardown.ts).
 */
export function recordIssuedTokens(...tokens: string[]): void {
  const file = process.env.REPLICA_TOKEN_LOG;
  if (file) appendFileSync(file, tokens.map((t) => `${t}\n`).join(''));
}

export interface OAuthOptions {
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** How long an authorization code may be redeemed (RFC 6749 §4.1.2: short); 60 s when absent. */
  authorizationCodeTtlSeconds?: number;
  /**
   * The account `password_limited` accepts, and the client (id and secret) of every grant; any well-formed
   * request is accepted when absent.
   */
  credentials?: ReplicaCredentials;
  /** The client's registered redirect URIs, matched exactly; DEFAULT_REDIRECT_URIS when absent. */
  redirectUris?: readonly string[];
  /** Access tokens accepted without a login (as IRACING_ACCESS_TOKEN from a user's own OAuth flow). */
  staticTokens?: string[];
}

export interface OAuthStats {
  /** Token requests by `grant_type`. */
  tokenRequests: Record<string, number>;
  authorizeRequests: number;
  codesIssued: number;
  /** OAuth error answers of both endpoints, by error code (`invalid_grant`, `invalid_request`, …). */
  oauthErrors: Record<string, number>;
  /** Tokens revoked because their authorization code was presented again (RFC 6749 §4.1.2), or by a test. */
  tokensRevoked: number;
}

/** Whom a token was issued for. */
export interface TokenGrant {
  expiresAt: number;
  /** The member (authorization code flow); absent for the system account and static tokens. */
  custId?: number;
  clientId?: string;
  /** The authorization code the token descends from, refreshes included: all are revoked if it is reused. */
  code?: string;
  scope: string;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  custId: number;
  scope: string;
  expiresAt: number;
  used: boolean;
}

/** An answer for replica.ts to send: a redirect, an HTML page or JSON. */
export interface OAuthAnswer {
  status: number;
  location?: string;
  html?: string;
  json?: unknown;
  headers?: Record<string, string>;
}

const SCOPE = 'iracing.auth';
/** Sign-in choices offered by the form of `GET /oauth2/authorize` without a login_hint. */
const CHOICES = 6;
/** RFC 7636 §4.1 (verifier) and §4.2 (an S256 challenge: 32 bytes in base64url). */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export class OAuthServer {
  private readonly accessTokens = new Map<string, TokenGrant>();
  private readonly refreshTokens = new Map<string, TokenGrant>();
  private readonly codes = new Map<string, CodeGrant>();

  constructor(
    private readonly options: OAuthOptions,
    private readonly members: ReplicaMembers,
    private readonly stats: () => OAuthStats,
  ) {
    for (const t of options.staticTokens ?? [])
      this.accessTokens.set(t, { expiresAt: Number.MAX_SAFE_INTEGER, scope: SCOPE });
    if (options.staticTokens?.length) recordIssuedTokens(...options.staticTokens);
  }

  /** The grant of a live access token, or undefined (unknown, expired or revoked). */
  grantOf(accessToken: string | undefined): TokenGrant | undefined {
    const grant = accessToken ? this.accessTokens.get(accessToken) : undefined;
    return grant && grant.expiresAt >= Date.now() ? grant : undefined;
  }

  expireAccessTokens(): void {
    const keep = new Set(this.options.staticTokens ?? []);
    for (const t of this.accessTokens.keys()) if (!keep.has(t)) this.accessTokens.delete(t);
  }

  /** Makes refresh tokens lapse (a member's only, with `custId`): the next refresh is `invalid_grant`. */
  expireRefreshTokens(custId?: number): void {
    for (const g of this.refreshTokens.values())
      if (custId === undefined || g.custId === custId) g.expiresAt = Date.now() - 1;
  }

  /** Revokes every access and refresh token issued for a member, as when the member withdraws the app's access. */
  revokeMember(custId: number): number {
    return this.revokeWhere((g) => g.custId === custId);
  }

  /** `GET /oauth2/authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3). */
  authorize(q: URLSearchParams, ctx: DatasetContext, wantsJson: boolean): OAuthAnswer {
    this.stats().authorizeRequests++;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    // RFC 6749 §4.1.2.1: an unknown client or a redirect URI not registered is told to the user, never redirected to.
    if (q.getAll('client_id').length > 1 || !this.knownClient(clientId))
      return this.errorPage('invalid_client', 'unknown client_id', wantsJson);
    if (q.getAll('redirect_uri').length !== 1 || !this.redirectUris().includes(redirectUri))
      return this.errorPage('invalid_request', 'redirect_uri is missing or not registered', wantsJson);
    const state = q.get('state') ?? undefined;
    const fail = (error: string, description: string): OAuthAnswer => {
      this.countError(error);
      return redirect(redirectUri, { error, error_description: description, state });
    };
    for (const key of [
      'response_type',
      'scope',
      'state',
      'code_challenge',
      'code_challenge_method',
      'login_hint',
    ])
      if (q.getAll(key).length > 1) return fail('invalid_request', `${key} is repeated`);
    const responseType = q.get('response_type');
    if (!responseType) return fail('invalid_request', 'response_type is missing');
    if (responseType !== 'code')
      return fail('unsupported_response_type', 'only response_type=code is supported');
    const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
    if (!scopes.includes(SCOPE) || scopes.some((s) => s !== SCOPE))
      return fail('invalid_scope', `scope must be ${SCOPE}`);
    const challenge = q.get('code_challenge') ?? '';
    if (!challenge) return fail('invalid_request', 'code_challenge is required (PKCE)');
    // RFC 7636 §4.3: an absent method means plain, which iRacing refuses like any method but S256.
    if (q.get('code_challenge_method') !== 'S256')
      return fail('invalid_request', 'code_challenge_method must be S256');
    if (!S256_CHALLENGE.test(challenge)) return fail('invalid_request', 'code_challenge is malformed');
    if (q.get('deny')) return fail('access_denied', 'the member refused');
    const hint = q.get('login_hint')?.trim();
    if (!hint) return this.signInPage(q, ctx);
    const member = this.members.find(hint, ctx);
    if (!member) return fail('access_denied', 'no member matches login_hint');

    const code = randomBytes(32).toString('base64url');
    const ttl = this.options.authorizationCodeTtlSeconds ?? 60;
    this.codes.set(code, {
      clientId,
      redirectUri,
      challenge,
      custId: member.custId,
      scope: SCOPE,
      expiresAt: Date.now() + ttl * 1000,
      used: false,
    });
    this.pruneCodes();
    this.stats().codesIssued++;
    recordIssuedTokens(code);
    return redirect(redirectUri, { code, state });
  }

  /** `POST /oauth2/token`; `grant_type` already counted by the replica. */
  token(form: URLSearchParams): OAuthAnswer {
    const grant = form.get('grant_type') ?? '';
    const creds = this.options.credentials;
    if (grant === 'password_limited') {
      const ok = creds
        ? form.get('client_id') === creds.clientId &&
          form.get('client_secret') === maskSecret(creds.clientSecret, creds.clientId) &&
          form.get('username')?.trim().toLowerCase() === creds.username.trim().toLowerCase() &&
          form.get('password') === maskSecret(creds.password, creds.username) &&
          form.get('scope') === SCOPE
        : ['client_id', 'client_secret', 'username', 'password'].every((k) => form.get(k));
      if (!ok) return this.error(401, 'invalid_grant', 'bad credentials');
      return this.issue({ scope: SCOPE });
    }
    if (grant === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      const found = this.refreshTokens.get(rt);
      // A member's token is the client's: it must authenticate as the client it was issued to (RFC 6749 §6).
      if (found?.custId !== undefined && !(this.clientOk(form) && form.get('client_id') === found.clientId))
        return this.error(401, 'invalid_client', 'client authentication failed');
      this.refreshTokens.delete(rt); // single use
      if (!found || found.expiresAt < Date.now())
        return this.error(401, 'invalid_grant', 'refresh token invalid');
      return this.issue({
        custId: found.custId,
        clientId: found.clientId,
        code: found.code,
        scope: found.scope,
      });
    }
    if (grant === 'authorization_code') return this.redeem(form);
    return this.error(400, 'unsupported_grant_type', `grant_type ${grant || '(none)'} is not supported`);
  }

  /** The authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6). */
  private redeem(form: URLSearchParams): OAuthAnswer {
    const verifier = form.get('code_verifier') ?? '';
    // A verifier redeems its code: as secret as the code, so the log scan looks for it too, whatever the answer.
    // Only one of RFC 7636's form (43 to 128 characters) is recorded: a short test value would match ordinary
    // words of a log line.
    if (VERIFIER.test(verifier)) recordIssuedTokens(verifier);
    if (!this.clientOk(form)) return this.error(401, 'invalid_client', 'client authentication failed');
    const codeValue = form.get('code') ?? '';
    const redirectUri = form.get('redirect_uri');
    if (!codeValue) return this.error(400, 'invalid_request', 'code is missing');
    if (!verifier) return this.error(400, 'invalid_request', 'code_verifier is missing');
    if (redirectUri === null) return this.error(400, 'invalid_request', 'redirect_uri is missing');
    const code = this.codes.get(codeValue);
    if (!code || code.clientId !== form.get('client_id'))
      return this.error(400, 'invalid_grant', 'authorization code invalid');
    if (code.used) {
      // RFC 6749 §4.1.2: a code presented twice is refused, and the tokens issued from it are revoked.
      this.revokeWhere((g) => g.code === codeValue);
      return this.error(400, 'invalid_grant', 'authorization code already used');
    }
    // Any redemption spends the code, so that a wrong verifier cannot be retried against it.
    code.used = true;
    if (code.expiresAt < Date.now()) return this.error(400, 'invalid_grant', 'authorization code expired');
    if (redirectUri !== code.redirectUri)
      return this.error(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
    const hashed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
    if (!VERIFIER.test(verifier) || hashed !== code.challenge)
      return this.error(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    return this.issue({ custId: code.custId, clientId: code.clientId, code: codeValue, scope: code.scope });
  }

  private issue(grant: Omit<TokenGrant, 'expiresAt'>): OAuthAnswer {
    const accessTtl = this.options.accessTokenTtlSeconds ?? 600;
    const refreshTtl = this.options.refreshTokenTtlSeconds ?? 7 * 24 * 3600;
    const access = randomBytes(24).toString('base64url');
    const refresh = randomBytes(24).toString('base64url');
    this.accessTokens.set(access, { ...grant, expiresAt: Date.now() + accessTtl * 1000 });
    this.refreshTokens.set(refresh, { ...grant, expiresAt: Date.now() + refreshTtl * 1000 });
    recordIssuedTokens(access, refresh);
    return {
      status: 200,
      headers: NO_STORE,
      json: {
        access_token: access,
        token_type: 'Bearer',
        expires_in: accessTtl,
        refresh_token: refresh,
        refresh_token_expires_in: refreshTtl,
        scope: grant.scope,
      },
    };
  }

  private revokeWhere(match: (g: TokenGrant) => boolean): number {
    let n = 0;
    for (const store of [this.accessTokens, this.refreshTokens])
      for (const [t, g] of store)
        if (match(g)) {
          store.delete(t);
          n++;
        }
    this.stats().tokensRevoked += n;
    return n;
  }

  private redirectUris(): readonly string[] {
    return this.options.redirectUris ?? DEFAULT_REDIRECT_URIS;
  }

  private knownClient(clientId: string): boolean {
    const creds = this.options.credentials;
    return creds ? clientId === creds.clientId : clientId !== '';
  }

  /** The client's id and masked secret, as `password_limited` sends them (docs/architecture.md §5.1). */
  private clientOk(form: URLSearchParams): boolean {
    const id = form.get('client_id') ?? '';
    const secret = form.get('client_secret') ?? '';
    const creds = this.options.credentials;
    return creds
      ? id === creds.clientId && secret === maskSecret(creds.clientSecret, creds.clientId)
      : id !== '' && secret !== '';
  }

  private error(status: number, error: string, description: string): OAuthAnswer {
    this.countError(error);
    return { status, headers: NO_STORE, json: { error, error_description: description } };
  }

  private countError(error: string): void {
    const errors = this.stats().oauthErrors;
    errors[error] = (errors[error] ?? 0) + 1;
  }

  private errorPage(error: string, description: string, wantsJson: boolean): OAuthAnswer {
    this.countError(error);
    if (wantsJson) return { status: 400, json: { error, error_description: description } };
    return {
      status: 400,
      html: page(
        'Sign-in error',
        `<p><code id="error">${escapeHtml(error)}</code>: <span id="error_description">${escapeHtml(description)}</span></p>`,
      ),
    };
  }

  /** The sign-in page: a few members, each a button that repeats the request with its login_hint. */
  private signInPage(q: URLSearchParams, ctx: DatasetContext): OAuthAnswer {
    const hidden = [...q.entries()]
      .filter(([k]) => k !== 'login_hint' && k !== 'deny')
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    const choice = (m: MemberRef) =>
      `<li><button type="submit" name="login_hint" value="${m.custId}">${escapeHtml(m.displayName)} (${m.custId})</button></li>`;
    const body =
      `<form method="get" action="/oauth2/authorize">${hidden}` +
      `<ul>${this.members.sample(CHOICES, ctx).map(choice).join('')}</ul>` +
      `<button type="submit" name="deny" value="1">Deny</button></form>`;
    return { status: 200, html: page('Sign in to iRacing (offline replica)', body) };
  }

  private pruneCodes(): void {
    if (this.codes.size < 1000) return;
    const old = Date.now() - 3_600_000;
    for (const [c, g] of this.codes) if (g.expiresAt < old) this.codes.delete(c);
  }
}

/** `redirectUri` with these parameters added to its query (RFC 6749 §4.1.2: its own query is kept). */
function redirect(redirectUri: string, params: Record<string, string | undefined>): OAuthAnswer {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  const sep = redirectUri.includes('?') ? '&' : '?';
  return { status: 302, location: `${redirectUri}${sep}${query.toString()}`, headers: NO_STORE };
}

function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}
