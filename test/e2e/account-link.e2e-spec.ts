// A racer links their own iRacing account through GraphQL (DESIGN "Racers' own accounts"; docs/architecture.md
// §5.1, §6.6–§6.7): startIracingLink → iRacing's sign-in (the replica's /oauth2/authorize, a synthetic member
// named by login_hint) → completeIracingLink with the code and state of the redirect → a viewer token that `me`
// and unlinkIracingAccount accept. States and codes are single-use, the PKCE verifier is checked, the refresh token
// is stored only sealed, and the development callback page completes a link too. Every viewer token and code is
// registered with the end-of-run log scan (and the replica records every PKCE verifier it receives), which then
// proves none reached a log line. A link whose refresh token has lapsed reads NEEDS_RELINK.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { accessTokenKey, LINK_STARTS_PER_MINUTE, linkStateKey } from '../../src/accounts/link.service.js';
import { MemberAccess, RelinkNeededError } from '../../src/accounts/member-access.service.js';
import { MemberAccountImporter } from '../../src/accounts/member-account.importer.js';
import { TokenVault } from '../../src/accounts/token-vault.service.js';
import { REDIS } from '../../src/core/redis/redis.provider.js';
import { syntheticMembers } from '../../offline/replica.js';
import type { MemberRef } from '../../offline/replica.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { readSecrets } from '../support/global-teardown.js';
import { ADMIN_KEY, registerLogSecret, startHarness } from '../support/harness.js';
import type { GqlResult, Harness } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = new Date();
const WORLD = { seed: 23, scale: 0.05, now: NOW };
const REDIRECT = 'http://127.0.0.1:5173/auth/iracing/callback';
const UNLISTED = 'http://127.0.0.1:5173/somewhere-else';
const KEY = randomBytes(32).toString('base64');
registerLogSecret('TOKEN_ENCRYPTION_KEY (account link e2e)', KEY);

const START = `mutation($r: String!) { startIracingLink(redirectUri: $r) { authorizeUrl state } }`;
const COMPLETE = `mutation($s: String!, $c: String!) {
  completeIracingLink(state: $s, code: $c) { custId viewerToken member { custId displayName } } }`;
const ME = `{ me { custId iracingLink { status linkedAt lastSyncAt refreshExpiresAt } member { displayName } } }`;
const UNLINK = `mutation { unlinkIracingAccount { custId linkDeleted accessTokenDeleted viewerTokensRevoked
  ownedCarsDeleted ownedTracksDeleted unknownPackagesDeleted } }`;

interface Linked {
  custId: number;
  viewerToken: string;
  code: string;
  state: string;
}

describe('account linking (end to end)', () => {
  let h: Harness;
  let redis: Redis;
  let members: MemberRef[];
  /** Every token the replica's token endpoint answered, as the application received them. */
  const issued: { access: string; refresh: string }[] = [];

  beforeAll(async () => {
    const replicaMembers = syntheticMembers(WORLD);
    h = await startHarness(
      {
        dataset: syntheticDataset(WORLD),
        members: replicaMembers,
        redirectUris: [REDIRECT],
        now: () => NOW,
      },
      { IRACING_REDIRECT_URIS: REDIRECT, TOKEN_ENCRYPTION_KEY: `k1:${KEY}`, ROLE: 'api' },
    );
    redis = h.app.get<Redis>(REDIS);
    members = replicaMembers.sample(6, { baseUrl: h.replica.url, now: NOW });
    expect(new Set(members.map((m) => m.custId)).size).toBe(6);
    h.replica.override('oauth2/token', (json) => {
      const j = json as Raw;
      issued.push({ access: j.access_token, refresh: j.refresh_token });
      return json;
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const prefix = () => h.config.env.QUEUE_PREFIX;
  const count = async (table: string) =>
    Number(((await h.db.query(`SELECT count(*)::int AS n FROM ${table}`)) as Raw[])[0].n);
  const stored = async () => ({ links: await count('iracing_link'), viewers: await count('viewer_token') });

  async function start(redirectUri = REDIRECT): Promise<{ authorizeUrl: string; state: string }> {
    return (await h.data<Raw>(START, { r: redirectUri })).startIracingLink;
  }

  /** The racer signs in at iRacing's page: the code and state of its redirect to the redirect URI. */
  async function signIn(authorizeUrl: string, member: MemberRef): Promise<{ code: string; state: string }> {
    const url = new URL(authorizeUrl);
    expect(url.origin).toBe(h.replica.url);
    url.searchParams.set('login_hint', String(member.custId));
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    const code = back.searchParams.get('code') ?? '';
    registerLogSecret(`authorization code of ${member.custId}`, code);
    return { code, state: back.searchParams.get('state') ?? '' };
  }

  async function complete(state: string, code: string): Promise<GqlResult<Raw>> {
    const r = await h.gql<Raw>(COMPLETE, { s: state, c: code });
    const token = r.data?.completeIracingLink?.viewerToken as string | undefined;
    if (token) registerLogSecret('a viewer token', token);
    return r;
  }

  async function link(member: MemberRef): Promise<Linked> {
    const started = await start();
    const back = await signIn(started.authorizeUrl, member);
    expect(back.state).toBe(started.state);
    const r = await complete(back.state, back.code);
    if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
    const { custId, viewerToken } = r.data!.completeIracingLink;
    return { custId, viewerToken, ...back };
  }

  const me = async (token: string | null) => (await h.data<Raw>(ME, {}, token)).me;
  const errorOf = (r: GqlResult) => ({
    code: r.errors?.[0]?.extensions?.code,
    message: r.errors?.[0]?.message,
  });

  let a: Linked;
  let b: Linked;

  it('links two members, each with their own cust_id and viewer token', async () => {
    const url = new URL((await start()).authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: h.config.env.IRACING_CLIENT_ID,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: 'iracing.auth',
    });
    a = await link(members[0]);
    b = await link(members[1]);
    expect(a.custId).toBe(members[0].custId);
    expect(b.custId).toBe(members[1].custId);
    for (const t of [a.viewerToken, b.viewerToken]) expect(t).toMatch(/^slv_[A-Za-z0-9_-]{43}$/);
    expect(a.viewerToken).not.toBe(b.viewerToken);
    expect(await stored()).toEqual({ links: 2, viewers: 2 });
  });

  it('answers `me` for each viewer token with its own link, and null without one', async () => {
    for (const x of [a, b]) {
      const mine = await me(x.viewerToken);
      expect(mine).toEqual({
        custId: x.custId,
        iracingLink: {
          status: 'ACTIVE',
          linkedAt: expect.any(String),
          lastSyncAt: null,
          refreshExpiresAt: expect.any(String),
        },
        // Written at the link from what the racer's member/info said.
        member: { displayName: members.find((m) => m.custId === x.custId)!.displayName },
      });
      expect(new Date(mine.iracingLink.refreshExpiresAt).getTime()).toBeGreaterThan(Date.now());
    }
    expect(await me(null)).toBeNull();
    expect(await me(ADMIN_KEY)).toBeNull();
    expect(await me(`slv_${randomBytes(32).toString('base64url')}`)).toBeNull();
  });

  it('stores the refresh token only sealed, and the access token only sealed in Redis', async () => {
    expect(issued.length).toBeGreaterThanOrEqual(2);
    const rows = (await h.db.query(`SELECT to_jsonb(l)::text AS row, key_id FROM iracing_link l`)) as Raw[];
    expect(rows).toHaveLength(2);
    const text = rows.map((r) => r.row as string).join('\n');
    for (const { access, refresh } of issued)
      for (const secret of [access, refresh])
        for (const form of forms(secret)) expect(text).not.toContain(form);
    expect(rows.every((r) => r.key_id === 'k1')).toBe(true);
    const kept = await redis.get(accessTokenKey(prefix(), a.custId));
    expect(kept).toEqual(expect.any(String));
    expect(JSON.parse(kept!)).toEqual({
      keyId: 'k1',
      ciphertext: expect.any(String),
      expiresAt: expect.any(Number),
    });
    for (const { access } of issued) expect(kept).not.toContain(access);
    expect(await redis.pttl(accessTokenKey(prefix(), a.custId))).toBeGreaterThan(0);
  });

  it('refuses a replayed or unknown state, storing nothing', async () => {
    const before = await stored();
    for (const state of [a.state, randomBytes(32).toString('base64url'), 'short', '']) {
      const r = await complete(state, a.code);
      expect(errorOf(r)).toEqual({
        code: 'BAD_USER_INPUT',
        message: expect.stringMatching(/unknown or expired state/),
      });
      expect(JSON.stringify(r)).not.toContain(a.code);
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses a code whose PKCE verifier does not match, storing nothing', async () => {
    const before = await stored();
    const started = await start();
    const back = await signIn(started.authorizeUrl, members[2]);
    const key = linkStateKey(prefix(), back.state);
    const pending = JSON.parse((await redis.get(key))!) as Raw;
    expect(pending).toEqual({
      verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      redirectUri: REDIRECT,
    });
    await redis.set(
      key,
      JSON.stringify({ ...pending, verifier: randomBytes(32).toString('base64url') }),
      'KEEPTTL',
    );
    const r = await complete(back.state, back.code);
    expect(errorOf(r)).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/invalid_grant/) });
    expect(JSON.stringify(r)).not.toContain(back.code);
    expect(await stored()).toEqual(before);
    expect(await redis.exists(key)).toBe(0); // the state was spent
    expect(await redis.exists(accessTokenKey(prefix(), members[2].custId))).toBe(0);
  });

  it('refuses a redirect URI that IRACING_REDIRECT_URIS does not list', async () => {
    for (const uri of [UNLISTED, `${REDIRECT}/`, `${REDIRECT}?x=1`, REDIRECT.toUpperCase()]) {
      const r = await h.gql<Raw>(START, { r: uri });
      expect(errorOf(r)).toEqual({
        code: 'BAD_USER_INPUT',
        message: expect.stringMatching(/IRACING_REDIRECT_URIS/),
      });
    }
  });

  it('refuses a code used twice', async () => {
    const before = await stored();
    const again = await start();
    const r = await complete(again.state, a.code);
    expect(errorOf(r)).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/invalid_grant/) });
    expect(await stored()).toEqual(before);
  });

  it('shows the stored profile of the racer who links', async () => {
    const m = members[3];
    await h.db.query(`INSERT INTO sim_profile (cust_id, display_name) VALUES ($1, $2)`, [
      m.custId,
      m.displayName,
    ]);
    const started = await start();
    const back = await signIn(started.authorizeUrl, m);
    const r = await complete(back.state, back.code);
    expect(r.errors).toBeUndefined();
    expect(r.data!.completeIracingLink.member).toEqual({ custId: m.custId, displayName: m.displayName });
    expect((await me(r.data!.completeIracingLink.viewerToken)).member).toEqual({
      displayName: m.displayName,
    });
  });

  it('completes a link through the callback page, which is never cached', async () => {
    const server = h.app.getHttpServer();
    const started = await start();
    const back = await signIn(started.authorizeUrl, members[4]);
    const res = await request(server).get('/auth/iracing/callback').query(back);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    const token = /<code id="viewer-token">([^<]+)<\/code>/.exec(res.text)?.[1] ?? '';
    registerLogSecret('a viewer token (callback page)', token);
    expect(token).toMatch(/^slv_/);
    expect(res.text).toContain(`<code id="cust-id">${members[4].custId}</code>`);
    expect((await me(token)).custId).toBe(members[4].custId);

    const replay = await request(server).get('/auth/iracing/callback').query(back);
    expect(replay.status).toBe(400);
    expect(replay.headers['cache-control']).toBe('no-store');
    expect(replay.text).toMatch(/unknown or expired state/);
    expect(replay.text).not.toContain('viewer-token');
    const refused = await request(server)
      .get('/auth/iracing/callback')
      .query({ error: 'access_denied', state: (await start()).state });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('<code id="error">access_denied</code>');
    const hostile = await request(server)
      .get('/auth/iracing/callback')
      .query({ error: '<script>x</script>' });
    expect(hostile.text).not.toContain('<script>');
  });

  it('unlinks: the link, the access token and the viewer tokens go; others stay', async () => {
    const owned = async (table: string) =>
      Number(
        (
          (await h.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE cust_id = $1`, [
            a.custId,
          ])) as Raw[]
        )[0].n,
      );
    const tables = [
      'sim_profile_car_ownership',
      'sim_profile_track_ownership',
      'sim_profile_unknown_package',
    ] as const;
    const before = await Promise.all(tables.map(owned));
    expect(before[0] + before[1] + before[2]).toBeGreaterThan(0);
    const r = await h.data<Raw>(UNLINK, {}, a.viewerToken);
    expect(r.unlinkIracingAccount).toEqual({
      custId: a.custId,
      linkDeleted: true,
      accessTokenDeleted: true,
      viewerTokensRevoked: 1,
      ownedCarsDeleted: before[0],
      ownedTracksDeleted: before[1],
      unknownPackagesDeleted: before[2],
    });
    expect(await Promise.all(tables.map(owned))).toEqual([0, 0, 0]);
    expect(await h.db.query(`SELECT 1 FROM iracing_link WHERE cust_id = $1`, [a.custId])).toHaveLength(0);
    expect(await redis.exists(accessTokenKey(prefix(), a.custId))).toBe(0);
    expect(await me(a.viewerToken)).toBeNull();
    for (const key of [a.viewerToken, null, ADMIN_KEY, 'slv_nope']) {
      const again = await h.gql<Raw>(UNLINK, {}, key);
      expect(errorOf(again).code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(again)).not.toContain(a.viewerToken);
    }
    expect((await me(b.viewerToken)).iracingLink.status).toBe('ACTIVE');
  });

  it('refreshes the token of a member once when two callers need it at once, storing the new refresh token', async () => {
    const c = await link(members[5]);
    const access = h.app.get(MemberAccess);
    const before = (await h.db.query('SELECT version, refresh_token FROM iracing_link WHERE cust_id = $1', [
      c.custId,
    ])) as Raw[];
    await redis.del(accessTokenKey(prefix(), c.custId));
    const refreshes = h.replica.stats.tokenRequests.refresh_token ?? 0;
    const [one, two] = await Promise.all([access.accessToken(c.custId), access.accessToken(c.custId)]);
    for (const t of [one, two]) registerLogSecret('a refreshed access token', t);
    expect(one).toBe(two);
    expect(h.replica.stats.tokenRequests.refresh_token ?? 0).toBe(refreshes + 1);
    const after = (await h.db.query('SELECT version, refresh_token FROM iracing_link WHERE cust_id = $1', [
      c.custId,
    ])) as Raw[];
    expect(after[0].version).toBe(before[0].version + 1);
    expect(after[0].refresh_token).not.toBe(before[0].refresh_token);
    const latest = issued[issued.length - 1];
    expect(latest.access).toBe(one);
    expect(JSON.stringify(after)).not.toContain(latest.refresh);
    // Kept: the next caller gets it without asking iRacing.
    expect(await access.accessToken(c.custId)).toBe(one);
    expect(h.replica.stats.tokenRequests.refresh_token ?? 0).toBe(refreshes + 1);
  });

  it('marks the link NEEDS_RELINK when iRacing refuses the refresh token', async () => {
    const d = await link(members[3]);
    const access = h.app.get(MemberAccess);
    await redis.del(accessTokenKey(prefix(), d.custId));
    h.replica.expireRefreshTokens(d.custId);
    await expect(access.accessToken(d.custId)).rejects.toBeInstanceOf(RelinkNeededError);
    expect((await me(d.viewerToken)).iracingLink.status).toBe('NEEDS_RELINK');
    const row = (await h.db.query('SELECT refresh_token FROM iracing_link WHERE cust_id = $1', [
      d.custId,
    ])) as Raw[];
    expect(row[0].refresh_token).toBeNull();
  });

  it('reports a link whose refresh token has lapsed as NEEDS_RELINK, and neither queues nor refreshes it', async () => {
    const vault = h.app.get(TokenVault);
    expect((await me(b.viewerToken)).iracingLink.status).toBe('ACTIVE');
    expect(await vault.activeLinks()).toContain(b.custId);
    await h.db.query(
      `UPDATE iracing_link SET refresh_expires_at = now() - interval '1 minute' WHERE cust_id = $1`,
      [b.custId],
    );
    expect((await me(b.viewerToken)).iracingLink.status).toBe('NEEDS_RELINK');
    // The daily pass of linked members (LINKED_MEMBERS) queues activeLinks(): not this one.
    expect(await vault.activeLinks()).not.toContain(b.custId);
    // A sync of the racer asked for anyway ends NEEDS_RELINK without a refresh request reaching iRacing.
    await redis.del(accessTokenKey(prefix(), b.custId));
    const refreshes = h.replica.stats.tokenRequests.refresh_token ?? 0;
    await expect(h.app.get(MemberAccess).accessToken(b.custId)).rejects.toBeInstanceOf(RelinkNeededError);
    const report = await h.app.get(MemberAccountImporter).sync(b.custId);
    expect(report.failures).toEqual([
      expect.objectContaining({
        unit: `member ${b.custId}`,
        message: expect.stringMatching(/must link their iRacing account again \(NEEDS_RELINK\)/),
      }),
    ]);
    expect(h.replica.stats.tokenRequests.refresh_token ?? 0).toBe(refreshes);
  });

  it('has the replica record every PKCE verifier it receives, so that the log scan of the run looks for it', async () => {
    const recorded = () =>
      readSecrets(process.env.LOG_CAPTURE_DIR!)
        .filter((s) => s.label === 'replica token')
        .map((s) => s.value);
    const started = await start();
    const back = await signIn(started.authorizeUrl, members[2]);
    const { verifier } = JSON.parse((await redis.get(linkStateKey(prefix(), back.state)))!) as Raw;
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(recorded().includes(verifier as string)).toBe(false);
    const r = await complete(back.state, back.code);
    expect(r.errors).toBeUndefined();
    // Not by toContain(verifier): a failure would print it.
    expect(recorded().includes(verifier as string)).toBe(true);
  });
});

describe('starting links from one address', () => {
  it('refuses more than LINK_STARTS_PER_MINUTE a minute, naming the limit', async () => {
    const h = await startHarness(
      { dataset: syntheticDataset(WORLD), members: syntheticMembers(WORLD), redirectUris: [REDIRECT] },
      { IRACING_REDIRECT_URIS: REDIRECT, TOKEN_ENCRYPTION_KEY: `k1:${KEY}`, ROLE: 'api' },
    );
    try {
      let refused: GqlResult<Raw> | undefined;
      // A minute may turn once during the loop: twice the limit and one more always meets a refusal.
      for (let i = 0; i <= 2 * LINK_STARTS_PER_MINUTE && !refused; i++) {
        const r = await h.gql<Raw>(START, { r: REDIRECT });
        if (r.errors) refused = r;
      }
      expect(refused?.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/too many links started from this address \(at most 30 a minute\)/),
        extensions: { code: 'BAD_USER_INPUT' },
      });
    } finally {
      await h.close();
    }
  });
});

/** The forms a leaked token could take in a row: as is, base64, hex. */
function forms(token: string): string[] {
  const bytes = Buffer.from(token, 'utf8');
  return [token, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}
