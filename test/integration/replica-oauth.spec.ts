// The offline replica's authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636; docs/architecture.md §5.1):
// members of the synthetic world sign in at /oauth2/authorize, their codes are redeemed at /oauth2/token, and the
// tokens stay bound to them through refreshes, so that "me" endpoints describe the member the token belongs to.
import { createHash, randomBytes } from 'node:crypto';
import { maskSecret } from '../../src/core/security/secret-mask.js';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica, syntheticMembers } from '../../offline/replica.js';
import type { MemberRef } from '../../offline/replica.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';

const NOW = new Date('2026-11-19T15:00:00Z');
const WORLD = { seed: 7, scale: 0.2, now: NOW };
const C = DEFAULT_TEST_CREDENTIALS;
const REDIRECT = 'http://127.0.0.1:5173/auth/iracing/callback';
const REDIRECT_WITH_QUERY = 'https://app.example/cb?tenant=a%20b';
const SECRET = maskSecret(C.clientSecret, C.clientId);

type Json = Record<string, unknown>;
type Packages = { package_id: number; content_ids: number[] }[];

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function startReplica(extra: Partial<ConstructorParameters<typeof OfflineReplica>[0]> = {}): OfflineReplica {
  return new OfflineReplica({
    dataset: syntheticDataset(WORLD),
    members: syntheticMembers(WORLD),
    credentials: C,
    redirectUris: [REDIRECT, REDIRECT_WITH_QUERY],
    rateLimit: null,
    now: () => NOW,
    ...extra,
  });
}

/** GET /oauth2/authorize with the usual parameters, `overrides` replacing them (null: left out). */
async function authorize(
  replica: OfflineReplica,
  overrides: Record<string, string | null>,
): Promise<Response> {
  const params: Record<string, string | null> = {
    client_id: C.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    state: 'st-1',
    scope: 'iracing.auth',
    ...overrides,
  };
  const url = new URL('/oauth2/authorize', replica.url);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return fetch(url, { redirect: 'manual' });
}

function location(res: Response): URL {
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

/** Signs a member in and returns the code of the redirect, with the verifier that redeems it. */
async function signIn(
  replica: OfflineReplica,
  loginHint: string,
  overrides: Record<string, string | null> = {},
): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const res = await authorize(replica, { login_hint: loginHint, code_challenge: challenge, ...overrides });
  const code = location(res).searchParams.get('code');
  expect(code).toEqual(expect.any(String));
  return { code: code!, verifier };
}

async function tokenRequest(replica: OfflineReplica, form: Record<string, string>): Promise<[number, Json]> {
  const res = await fetch(`${replica.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return [res.status, (await res.json()) as Json];
}

function redeem(
  replica: OfflineReplica,
  code: string,
  verifier: string,
  redirectUri = REDIRECT,
): Promise<[number, Json]> {
  return tokenRequest(replica, {
    grant_type: 'authorization_code',
    client_id: C.clientId,
    client_secret: SECRET,
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
}

function refresh(replica: OfflineReplica, refreshToken: string): Promise<[number, Json]> {
  return tokenRequest(replica, {
    grant_type: 'refresh_token',
    client_id: C.clientId,
    client_secret: SECRET,
    refresh_token: refreshToken,
  });
}

/** A `/data` call with the token, following the link; [status, payload]. */
async function data(
  replica: OfflineReplica,
  token: string,
  endpoint: string,
  params: Record<string, string> = {},
): Promise<[number, Json]> {
  const url = new URL(`/data/${endpoint}`, replica.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) return [res.status, {}];
  const { link } = (await res.json()) as { link: string };
  return [200, (await (await fetch(link)).json()) as Json];
}

const ids = (packages: unknown): number[] => (packages as Packages).map((p) => p.package_id);

describe('offline replica: authorization code flow with PKCE', () => {
  const replica = startReplica();
  let a: MemberRef;
  let b: MemberRef;
  let account: number;

  beforeAll(async () => {
    await replica.start();
    const choices = syntheticMembers(WORLD).sample(6, { baseUrl: replica.url, now: NOW });
    [, a, b] = choices;
    account = choices[0].custId;
  });
  afterAll(() => replica.stop());
  beforeEach(() => replica.resetStats());

  it('signs two members in; each token answers "me" for its own member, with their own content and licences', async () => {
    const infos: Json[] = [];
    for (const member of [a, b]) {
      const { code, verifier } = await signIn(replica, String(member.custId));
      const [status, tokens] = await redeem(replica, code, verifier);
      expect(status).toBe(200);
      expect(tokens).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 600,
        refresh_token: expect.any(String),
        refresh_token_expires_in: 7 * 24 * 3600,
        scope: 'iracing.auth',
      });
      const [infoStatus, info] = await data(replica, tokens.access_token as string, 'member/info');
      expect(infoStatus).toBe(200);
      expect(info.cust_id).toBe(member.custId);
      expect(info.display_name).toBe(member.displayName);
      const [, summary] = await data(replica, tokens.access_token as string, 'stats/member_summary');
      expect(summary.cust_id).toBe(member.custId);
      // An explicit cust_id still names another member.
      const [, other] = await data(replica, tokens.access_token as string, 'stats/member_summary', {
        cust_id: String(account),
      });
      expect(other.cust_id).toBe(account);
      infos.push(info);
    }
    expect(ids(infos[0].car_packages)).not.toEqual(ids(infos[1].car_packages));
    expect(ids(infos[0].track_packages)).not.toEqual(ids(infos[1].track_packages));
    expect(infos[0].licenses).not.toEqual(infos[1].licenses);
    // Owned packages come from the catalog.
    const login = await tokenRequest(replica, {
      grant_type: 'password_limited',
      client_id: C.clientId,
      client_secret: SECRET,
      username: C.username,
      password: maskSecret(C.password, C.username),
      scope: 'iracing.auth',
    });
    const [, cars] = await data(replica, login[1].access_token as string, 'car/get');
    const carPackages = new Set((cars as unknown as Json[]).map((c) => c.package_id));
    for (const info of infos) for (const id of ids(info.car_packages)) expect(carPackages.has(id)).toBe(true);
    expect(replica.stats.tokenRequests).toEqual({ authorization_code: 2, password_limited: 1 });
    expect(replica.stats.codesIssued).toBe(2);
    expect(replica.stats.authorizeRequests).toBe(2);
  });

  it('keeps the system account (password_limited) as it was: "me" is the dataset account', async () => {
    const [status, tokens] = await tokenRequest(replica, {
      grant_type: 'password_limited',
      client_id: C.clientId,
      client_secret: SECRET,
      username: C.username,
      password: maskSecret(C.password, C.username),
      scope: 'iracing.auth',
    });
    expect(status).toBe(200);
    const [, info] = await data(replica, tokens.access_token as string, 'member/info');
    expect(info.cust_id).toBe(account);
    const [refreshed, next] = await refresh(replica, tokens.refresh_token as string);
    expect(refreshed).toBe(200);
    const [, again] = await data(replica, next.access_token as string, 'member/info');
    expect(again.cust_id).toBe(account);
    // The account signed in through the code flow sees the same member/info as the system account.
    const { code, verifier } = await signIn(replica, String(account));
    const [, own] = await redeem(replica, code, verifier);
    const [, ownInfo] = await data(replica, own.access_token as string, 'member/info');
    expect(ownInfo).toEqual(info);
  });

  it('finds a member by display name, and offers a sign-in form without login_hint', async () => {
    const byName = await signIn(replica, b.displayName.toUpperCase());
    const [, tokens] = await redeem(replica, byName.code, byName.verifier);
    const [, info] = await data(replica, tokens.access_token as string, 'member/info');
    expect(info.display_name).toBe(b.displayName);

    const { verifier, challenge } = pkce();
    const form = await authorize(replica, { code_challenge: challenge, state: 'form-state' });
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toMatch(/text\/html/);
    const html = await form.text();
    const hints = [...html.matchAll(/name="login_hint" value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(hints.length).toBeGreaterThanOrEqual(3);
    expect(hints).toContain(a.custId);
    // Submitting the form: the same query with the chosen login_hint.
    const submit = new URL('/oauth2/authorize', replica.url);
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      submit.searchParams.set(m[1], m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"'));
    submit.searchParams.set('login_hint', String(a.custId));
    const approved = location(await fetch(submit, { redirect: 'manual' }));
    expect(approved.searchParams.get('state')).toBe('form-state');
    const [status, submitted] = await redeem(replica, approved.searchParams.get('code')!, verifier);
    expect(status).toBe(200);
    const [, submittedInfo] = await data(replica, submitted.access_token as string, 'member/info');
    expect(submittedInfo.cust_id).toBe(a.custId);
  });

  it('echoes state exactly and keeps the redirect URI’s own query', async () => {
    const state = 'a b&c=d/é+%25?#x';
    const plain = location(await authorize(replica, { login_hint: String(a.custId), state }));
    expect(`${plain.origin}${plain.pathname}`).toBe(REDIRECT);
    expect(plain.searchParams.get('state')).toBe(state);
    expect(plain.searchParams.get('code')).toEqual(expect.any(String));

    const { verifier, challenge } = pkce();
    const withQuery = location(
      await authorize(replica, {
        login_hint: String(a.custId),
        redirect_uri: REDIRECT_WITH_QUERY,
        code_challenge: challenge,
        state,
      }),
    );
    expect(withQuery.searchParams.get('tenant')).toBe('a b');
    expect(withQuery.searchParams.get('state')).toBe(state);
    const [status] = await redeem(
      replica,
      withQuery.searchParams.get('code')!,
      verifier,
      REDIRECT_WITH_QUERY,
    );
    expect(status).toBe(200);
  });

  it('refuses an unknown client or an unregistered redirect_uri with a 400 page, never redirecting', async () => {
    for (const overrides of [
      { redirect_uri: 'http://127.0.0.1:5173/auth/iracing/callback/' },
      { redirect_uri: 'https://evil.example/cb' },
      { redirect_uri: null },
      { client_id: 'someone-else' },
      { client_id: null },
    ] as Record<string, string | null>[]) {
      const res = await authorize(replica, { login_hint: String(a.custId), ...overrides });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toMatch(/invalid_(request|client)/);
    }
    const json = await fetch(
      `${replica.url}/oauth2/authorize?client_id=${C.clientId}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb`,
      { redirect: 'manual', headers: { accept: 'application/json' } },
    );
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('redirects the other errors with error and state (RFC 6749 §4.1.2.1); plain PKCE is refused', async () => {
    const cases: [Record<string, string | null>, string][] = [
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: null }, 'invalid_request'],
      [{ code_challenge: null }, 'invalid_request'],
      [{ code_challenge: 'too-short' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_type: null }, 'invalid_request'],
      [{ scope: 'iracing.admin' }, 'invalid_scope'],
      [{ scope: null }, 'invalid_scope'],
      [{ login_hint: '999' }, 'access_denied'],
      [{ deny: '1' }, 'access_denied'],
    ];
    for (const [overrides, error] of cases) {
      const to = location(
        await authorize(replica, { login_hint: String(a.custId), state: 'keep me', ...overrides }),
      );
      expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
      expect([overrides, to.searchParams.get('error')]).toEqual([overrides, error]);
      expect(to.searchParams.get('state')).toBe('keep me');
      expect(to.searchParams.get('code')).toBeNull();
    }
    expect(replica.stats.codesIssued).toBe(0);
    expect(replica.stats.oauthErrors).toEqual({
      invalid_request: 5,
      unsupported_response_type: 1,
      invalid_scope: 2,
      access_denied: 2,
    });
  });

  it('refuses a wrong code_verifier, a different redirect_uri and a wrong client secret', async () => {
    const first = await signIn(replica, String(a.custId));
    const [status, body] = await redeem(replica, first.code, pkce().verifier);
    expect([status, body.error]).toEqual([400, 'invalid_grant']);
    // The code was spent by that attempt.
    expect((await redeem(replica, first.code, first.verifier))[1].error).toBe('invalid_grant');

    const second = await signIn(replica, String(a.custId));
    const [mismatch, mismatchBody] = await redeem(
      replica,
      second.code,
      second.verifier,
      `${REDIRECT}?extra=1`,
    );
    expect([mismatch, mismatchBody.error]).toEqual([400, 'invalid_grant']);

    const third = await signIn(replica, String(a.custId));
    const [badClient, badClientBody] = await tokenRequest(replica, {
      grant_type: 'authorization_code',
      client_id: C.clientId,
      client_secret: C.clientSecret, // unmasked
      code: third.code,
      redirect_uri: REDIRECT,
      code_verifier: third.verifier,
    });
    expect([badClient, badClientBody.error]).toEqual([401, 'invalid_client']);
    // A refused client does not spend the code.
    expect((await redeem(replica, third.code, third.verifier))[0]).toBe(200);
  });

  it('refuses a reused code and revokes the tokens issued from it, refreshed ones included', async () => {
    const { code, verifier } = await signIn(replica, String(b.custId));
    const [, tokens] = await redeem(replica, code, verifier);
    const [, refreshed] = await refresh(replica, tokens.refresh_token as string);
    expect((await data(replica, refreshed.access_token as string, 'member/info'))[0]).toBe(200);
    // Another member's tokens are not touched.
    const other = await signIn(replica, String(a.custId));
    const [, otherTokens] = await redeem(replica, other.code, other.verifier);

    const [status, body] = await redeem(replica, code, verifier);
    expect([status, body.error]).toEqual([400, 'invalid_grant']);
    expect(replica.stats.tokensRevoked).toBe(3);
    expect((await data(replica, refreshed.access_token as string, 'member/info'))[0]).toBe(401);
    expect((await refresh(replica, refreshed.refresh_token as string))[1].error).toBe('invalid_grant');
    expect((await data(replica, otherTokens.access_token as string, 'member/info'))[0]).toBe(200);
  });

  it('keeps the member through refreshes; a refresh token works once', async () => {
    const { code, verifier } = await signIn(replica, String(b.custId));
    const [, tokens] = await redeem(replica, code, verifier);
    const [status, next] = await refresh(replica, tokens.refresh_token as string);
    expect(status).toBe(200);
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    const [, info] = await data(replica, next.access_token as string, 'member/info');
    expect(info.cust_id).toBe(b.custId);
    const [again, againBody] = await refresh(replica, tokens.refresh_token as string);
    expect([again, againBody.error]).toEqual([401, 'invalid_grant']);
    // A member's refresh token is the client's: another client cannot use it, and does not spend it.
    const [stolen, stolenBody] = await tokenRequest(replica, {
      grant_type: 'refresh_token',
      client_id: 'someone-else',
      client_secret: 'x',
      refresh_token: next.refresh_token as string,
    });
    expect([stolen, stolenBody.error]).toEqual([401, 'invalid_client']);
    expect((await refresh(replica, next.refresh_token as string))[0]).toBe(200);
    expect(replica.stats.tokenRequests.refresh_token).toBe(4);
  });

  it('lets tests expire or revoke a member’s tokens', async () => {
    const signedA = await signIn(replica, String(a.custId));
    const [, ta] = await redeem(replica, signedA.code, signedA.verifier);
    const signedB = await signIn(replica, String(b.custId));
    const [, tb] = await redeem(replica, signedB.code, signedB.verifier);
    replica.expireRefreshTokens(a.custId);
    expect((await refresh(replica, ta.refresh_token as string))[1].error).toBe('invalid_grant');
    expect(replica.revokeMemberTokens(b.custId)).toBeGreaterThanOrEqual(2);
    expect((await data(replica, tb.access_token as string, 'member/info'))[0]).toBe(401);
    expect((await refresh(replica, tb.refresh_token as string))[1].error).toBe('invalid_grant');
  });

  it('applies faults, holds and overrides to oauth2/token; `*` faults leave it alone', async () => {
    replica.addFault({ endpoint: '*', kind: 'status', status: 500 });
    replica.addFault({ endpoint: 'oauth2/token', kind: 'maintenance', times: 1 });
    const first = await signIn(replica, String(a.custId));
    const [down] = await redeem(replica, first.code, first.verifier);
    expect(down).toBe(503);
    replica.clearFaults();

    const held = replica.holdAt('oauth2/token', 1, { params: { grant_type: 'authorization_code' } });
    const second = await signIn(replica, String(a.custId));
    const pending = redeem(replica, second.code, second.verifier);
    const h = await held;
    expect(h.request.endpoint).toBe('oauth2/token');
    h.release();
    expect((await pending)[0]).toBe(200);

    replica.override('oauth2/token', (body) => ({ ...(body as Json), expires_in: 5 }));
    const third = await signIn(replica, String(a.custId));
    const [, short] = await redeem(replica, third.code, third.verifier);
    expect(short.expires_in).toBe(5);
    replica.clearOverrides();
    expect(replica.stats.faultsByKind).toEqual({ maintenance: 1 });
  });
});

describe('offline replica: lapsed codes and refresh tokens', () => {
  const replica = startReplica({ authorizationCodeTtlSeconds: 1, refreshTokenTtlSeconds: 1 });
  beforeAll(() => replica.start());
  afterAll(() => replica.stop());

  it('refuses an expired code and an expired refresh token with invalid_grant', async () => {
    const members = syntheticMembers(WORLD).sample(3, { baseUrl: replica.url, now: NOW });
    const late = await signIn(replica, String(members[1].custId));
    const { code, verifier } = await signIn(replica, String(members[1].custId));
    const [, tokens] = await redeem(replica, code, verifier);
    expect(tokens.refresh_token_expires_in).toBe(1);
    await new Promise((r) => setTimeout(r, 1200));
    const [codeStatus, codeBody] = await redeem(replica, late.code, late.verifier);
    expect([codeStatus, codeBody.error]).toEqual([400, 'invalid_grant']);
    const [status, body] = await refresh(replica, tokens.refresh_token as string);
    expect([status, body.error]).toEqual([401, 'invalid_grant']);
  });
});
