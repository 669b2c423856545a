// Linked members' own syncs, end to end (docs/architecture.md §4.15, §5.1, §6.6): an api in this process and two
// worker processes (`node dist/src/main.js`, ROLE=worker), each talking to the replica through its own URL so a
// held request names the worker that sent it. Two synthetic members link their accounts; their first syncs run on
// the member queue with their own tokens and budgets; `me` shows each their own content, licences and form; owned
// content is private to its member and admins; member syncs never hold up the sync queue; two workers that need
// one member's token at once cause exactly one refresh; a worker killed while its refresh is in flight loses no
// link; the daily pass over linked members keeps links alive; a refused refresh token leaves NEEDS_RELINK.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Redis } from 'ioredis';
import { accessTokenKey, refreshAnswerKey } from '../../src/accounts/link.service.js';
import { REDIS } from '../../src/core/redis/redis.provider.js';
import { MEMBER_SYNC_QUEUE, SYNC_QUEUE } from '../../src/scheduler/sync.queue.js';
import { SyncTrigger } from '../../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../../src/scheduler/sync-run.service.js';
import { replicaSettings, syntheticMembers } from '../../offline/replica.js';
import type { MemberRef } from '../../offline/replica.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { ADMIN_KEY, registerLogSecret, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { GqlResult, Harness } from '../support/harness.js';
import { until } from '../support/sync-runs-support.js';
import { withDeadline } from '../support/ws-client.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = new Date();
const WORLD = { seed: 31, scale: 0.05, now: NOW };
const REDIRECT = 'http://127.0.0.1:5173/auth/iracing/callback';
const KEY = randomBytes(32).toString('base64');
registerLogSecret('TOKEN_ENCRYPTION_KEY (member accounts e2e)', KEY);
const DAY = 86_400_000;

const ME = `{ me { custId iracingLink { status lastSyncAt refreshExpiresAt }
  member { displayName summary { recentStarts } }
  licenses { category iRating licenseLevel safetyRating }
  ownedCars { id } ownedTracks { id } } }`;

interface Worker {
  child: ChildProcess;
  url: string;
  log: string;
}

describe('linked members: their own syncs, tokens and privacy (end to end, two worker processes)', () => {
  let h: Harness;
  let redis: Redis;
  let pool: MemberRef[];
  const workers: Worker[] = [];
  const workerEnv: Record<string, string> = {};
  const replicaMembers = syntheticMembers(WORLD);
  const viewer = new Map<number, string>();

  beforeAll(async () => {
    h = await startHarness(
      {
        dataset: syntheticDataset(WORLD),
        members: replicaMembers,
        redirectUris: [REDIRECT],
        now: () => NOW,
        // One window for the whole file: what each budget counted is exact.
        rateLimit: { limit: 500, windowMs: 30 * 60_000 },
      },
      {
        ROLE: 'api',
        IRACING_REDIRECT_URIS: REDIRECT,
        TOKEN_ENCRYPTION_KEY: `k1:${KEY}`,
        // A token request gives up after 3 s, so a refresh lock left by a killed worker lapses after 8 s.
        IRACING_TIMEOUT_MS: '3000',
        SYNC_JOB_LOCK_MS: '4000',
        SYNC_BACKOFF_MS: '500',
      },
    );
    redis = h.app.get<Redis>(REDIS);
    pool = replicaMembers.sample(5, { baseUrl: h.replica.url, now: NOW });
    h.replica.override('oauth2/token', (json) => {
      const j = json as Raw;
      registerLogSecret('an access token (member accounts e2e)', j.access_token);
      registerLogSecret('a refresh token (member accounts e2e)', j.refresh_token);
      return json;
    });
    for (const [k, v] of Object.entries({ ...process.env, ...h.settings }))
      if (v !== undefined) workerEnv[k] = v;
    for (let i = 0; i < 2; i++) await spawnWorker();
    // Ready once both processes are workers of both queues (a condition that then holds).
    for (const name of [SYNC_QUEUE, MEMBER_SYNC_QUEUE]) {
      const queue = h.app.get<Queue>(getQueueToken(name));
      await until(
        `two workers on the ${name} queue`,
        async () => (await queue.getWorkers()).length >= 2,
        60_000,
        100,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${workers.map((w) => w.log).join('\n')}`);
      });
    }
    const catalog = await h.data<Raw>(`mutation { syncCatalog { id } }`, {}, ADMIN_KEY);
    expect((await h.waitForRun(catalog.syncCatalog.id, 120_000)).status).toBe('SUCCEEDED');
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) {
      if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
      const exited = new Promise((r) => w.child.once('exit', r));
      w.child.kill('SIGTERM');
      await withDeadline(exited, 15_000, 'a worker stopping').catch(() => w.child.kill('SIGKILL'));
    }
    await h?.close();
  });

  /** A worker process of both queues, on a replica address of its own (so a held request names its worker). */
  async function spawnWorker(): Promise<Worker> {
    const url = await h.replica.alias();
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        ...workerEnv,
        ...replicaSettings(url),
        ROLE: 'worker',
        MIGRATIONS_RUN: 'false',
        WORKER_CONCURRENCY: '1',
        MEMBER_SYNC_CONCURRENCY: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const w: Worker = { child, url, log: '' };
    child.stdout?.on('data', (d: Buffer) => (w.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (w.log += d.toString()));
    workers.push(w);
    return w;
  }

  const prefix = () => h.config.env.QUEUE_PREFIX;
  const run = (id: number, timeoutMs = 60_000) => h.waitForRun(id, timeoutMs);
  const me = async (custId: number) => (await h.data<Raw>(ME, {}, viewer.get(custId)!)).me;
  const linkRow = async (custId: number) =>
    (
      (await h.db.query(
        'SELECT status, version, refresh_expires_at, last_sync_at FROM iracing_link WHERE cust_id = $1',
        [custId],
      )) as Raw[]
    )[0];
  const codes = (r: GqlResult) => (r.errors ?? []).map((e) => e.extensions?.code);
  /** The codes of a refused query of private fields: FORBIDDEN, once or once per field (non-null siblings). */
  const forbidden = (r: GqlResult) => [...new Set(codes(r))];

  /** What the replica's member/info says a member owns, as car ids and track package ids of the catalog. */
  async function expected(custId: number): Promise<{ cars: number[]; tracks: number[]; info: Raw }> {
    const info = replicaMembers.info(custId, { baseUrl: h.replica.url, now: NOW }) as Raw;
    const carPackages = (info.car_packages as Raw[]).map((p) => p.package_id as number);
    const trackPackages = (info.track_packages as Raw[]).map((p) => p.package_id as number);
    const cars = (
      (await h.db.query('SELECT car_id FROM sim_car WHERE package_id = ANY($1::int[]) ORDER BY car_id', [
        carPackages,
      ])) as Raw[]
    ).map((r) => r.car_id as number);
    const tracks = (
      (await h.db.query(
        'SELECT DISTINCT package_id FROM sim_track WHERE package_id = ANY($1::int[]) ORDER BY package_id',
        [trackPackages],
      )) as Raw[]
    ).map((r) => r.package_id as number);
    return { cars, tracks, info };
  }

  async function link(member: MemberRef): Promise<Raw> {
    const start = await h.data<Raw>(
      `mutation($r: String!) { startIracingLink(redirectUri: $r) { authorizeUrl state } }`,
      { r: REDIRECT },
    );
    const url = new URL(start.startIracingLink.authorizeUrl);
    url.searchParams.set('login_hint', String(member.custId));
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    const code = back.searchParams.get('code') ?? '';
    registerLogSecret('an authorization code (member accounts e2e)', code);
    const done = await h.data<Raw>(
      `mutation($s: String!, $c: String!) { completeIracingLink(state: $s, code: $c) {
        custId viewerToken member { custId ownedCars { id } } firstSync { id kind } } }`,
      { s: back.searchParams.get('state'), c: code },
    );
    const result = done.completeIracingLink;
    registerLogSecret('a viewer token (member accounts e2e)', result.viewerToken);
    viewer.set(result.custId, result.viewerToken);
    return result;
  }

  const sorted = (list: Raw[], key = 'id') => list.map((x) => x[key] as number).sort((x, y) => x - y);

  it('links two members; each first sync brings their own content, licences and form, on their own budget', async () => {
    const systemBudget = await redis.hget(`${prefix()}:iracing:ratelimit`, 'count');
    const [a, b] = [await link(pool[1]), await link(pool[2])];
    expect([a.custId, b.custId]).toEqual([pool[1].custId, pool[2].custId]);
    for (const done of [a, b]) {
      const want = await expected(done.custId);
      // Written at the link from member/info: the answer already shows the racer's cars.
      expect(sorted(done.member.ownedCars)).toEqual(want.cars);
      expect(done.firstSync.kind).toBe('MEMBER_ACCOUNT');
      const first = await run(done.firstSync.id);
      expect(first.errors).toEqual([]);
      expect(first.status).toBe('SUCCEEDED');
      const mine = await me(done.custId);
      expect(mine.custId).toBe(done.custId);
      expect(sorted(mine.ownedCars)).toEqual(want.cars);
      expect(sorted(mine.ownedTracks)).toEqual(want.tracks);
      expect(want.cars.length + want.tracks.length).toBeGreaterThan(0);
      const licences = Object.values(want.info.licenses as Raw);
      expect(mine.licenses.map((l: Raw) => [l.category, l.iRating]).sort()).toEqual(
        licences.map((l) => [l.category, l.irating]).sort(),
      );
      expect(mine.member.summary).toEqual({ recentStarts: expect.any(Number) });
      expect(mine.iracingLink.status).toBe('ACTIVE');
      expect(mine.iracingLink.lastSyncAt).toEqual(expect.any(String));
      // The member's requests counted on their own budget, mirrored from iRacing's headers for their token.
      const budget = await redis.hgetall(`${prefix()}:member:${done.custId}:iracing:ratelimit`);
      expect(Number(budget.limit)).toBe(500);
      expect(Number(budget.count)).toBeGreaterThanOrEqual(3);
    }
    // Two racers, two different sets of content; the system account's budget spent nothing on them.
    expect(sorted((await me(a.custId)).ownedCars)).not.toEqual(sorted((await me(b.custId)).ownedCars));
    expect(await redis.hget(`${prefix()}:iracing:ratelimit`, 'count')).toBe(systemBudget);
  });

  it("keeps a member's owned content to that member and admins; public data stays public", async () => {
    const [a, b] = [pool[1].custId, pool[2].custId];
    const owned = `query($id: Int!) { member(custId: $id) { ownedCars { id } ownedTracks { id } } }`;
    const asA = await h.gql<Raw>(owned, { id: b }, viewer.get(a));
    expect(forbidden(asA)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(asA.errors)).toMatch(/visible only to that member/);
    expect(forbidden(await h.gql<Raw>(owned, { id: b }))).toEqual(['FORBIDDEN']);
    const asB = await h.data<Raw>(owned, { id: b }, viewer.get(b));
    expect(sorted(asB.member.ownedCars)).toEqual((await expected(b)).cars);
    const asAdmin = await h.data<Raw>(owned, { id: b }, ADMIN_KEY);
    expect(asAdmin.member).toEqual(asB.member);

    const publicFields = `query($id: Int!) { member(custId: $id) { displayName licenses { category iRating } } }`;
    const seen = await h.data<Raw>(publicFields, { id: b }, viewer.get(a));
    expect(seen.member.displayName).toBe(pool[2].displayName);
    expect(seen.member.licenses.length).toBeGreaterThan(0);

    const raceable = `query($id: Int!) { sessions(filter: { ownedByCustId: $id }, first: 1) { totalCount } }`;
    expect(codes(await h.gql<Raw>(raceable, { id: b }, viewer.get(a)))).toEqual(['FORBIDDEN']);
    expect((await h.data<Raw>(raceable, { id: b }, viewer.get(b))).sessions.totalCount).toEqual(
      expect.any(Number),
    );
  });

  it('syncs the viewer (syncMyAccount) and, for admins, any linked member (syncMember) on the member queue', async () => {
    const [a, b] = [pool[1].custId, pool[2].custId];
    const memberQueue = h.app.get<Queue>(getQueueToken(MEMBER_SYNC_QUEUE));
    const completed = (await memberQueue.getJobCounts()).completed;
    const mine = await h.data<Raw>(`mutation { syncMyAccount { ${SYNC_RUN_FIELDS} } }`, {}, viewer.get(a));
    expect(mine.syncMyAccount.kind).toBe('MEMBER_ACCOUNT');
    expect((await run(mine.syncMyAccount.id)).status).toBe('SUCCEEDED');
    const theirs = await h.data<Raw>(
      `mutation($id: Int!) { syncMember(custId: $id) { id kind } }`,
      { id: b },
      ADMIN_KEY,
    );
    expect((await run(theirs.syncMember.id)).status).toBe('SUCCEEDED');
    expect((await memberQueue.getJobCounts()).completed).toBe(completed + 2);

    const unlinked = await h.gql<Raw>(
      `mutation($id: Int!) { syncMember(custId: $id) { id } }`,
      { id: pool[4].custId },
      ADMIN_KEY,
    );
    expect(codes(unlinked)).toEqual(['BAD_USER_INPUT']);
    expect(unlinked.errors?.[0].message).toMatch(/has not linked their iRacing account/);
    expect(codes(await h.gql(`mutation { syncMyAccount { id } }`))).toEqual(['UNAUTHENTICATED']);
    expect(
      codes(await h.gql(`mutation($id: Int!) { syncMember(custId: $id) { id } }`, { id: b }, viewer.get(a))),
    ).toEqual(['UNAUTHENTICATED']);
  });

  it('runs the sync queue while member syncs are held: a wave of links never delays the scheduled syncs', async () => {
    // Every member/info waits: both workers' member slots are taken by member syncs that cannot finish.
    const held = h.replica.holdAt('member/info', 1, { scope: 'endpoint' });
    const runs = h.app.get(SyncRunService);
    const waves = await runs.queueEach(
      'MEMBER_ACCOUNT',
      'custId',
      [pool[1].custId, pool[2].custId],
      SyncTrigger.CLI,
    );
    const first = await withDeadline(held, 30_000, 'a member sync asking for member/info');
    try {
      await until('both member syncs holding a worker', () => first.count >= 2, 30_000);
      const catalog = await h.data<Raw>(
        `mutation { syncCatalog(input: { refresh: true }) { id } }`,
        {},
        ADMIN_KEY,
      );
      const done = await run(catalog.syncCatalog.id);
      expect(done.status).toBe('SUCCEEDED');
      for (const w of waves)
        expect(
          (await h.data<Raw>(`query($id: Int!) { syncRun(id: $id) { status } }`, { id: w.runId })).syncRun
            .status,
        ).toBe('RUNNING');
    } finally {
      first.release();
    }
    for (const w of waves) expect((await run(w.runId)).status).toBe('SUCCEEDED');
  });

  it("refreshes a member's token once when workers in two processes need it at once", async () => {
    const a = pool[1].custId;
    const before = await linkRow(a);
    await redis.del(accessTokenKey(prefix(), a));
    const refreshes = h.replica.stats.tokenRequests.refresh_token ?? 0;
    const held = h.replica.holdAt('oauth2/token', 1, { params: { grant_type: 'refresh_token' } });
    const runs = h.app.get(SyncRunService);
    // Two runs of the same member (a dry run and a real one: two dedupe keys), one per worker process.
    const [one, two] = await Promise.all([
      runs.enqueue('MEMBER_ACCOUNT', { custId: a }, SyncTrigger.CLI),
      runs.enqueue('MEMBER_ACCOUNT', { custId: a, dryRun: true }, SyncTrigger.CLI),
    ]);
    const refresh = await withDeadline(held, 30_000, 'the refresh reaching iRacing');
    try {
      // Each worker runs one member sync at a time: both RUNNING means both processes want the token now.
      await until(
        'both runs RUNNING while the refresh is held',
        async () => {
          const rows = (await h.db.query(`SELECT status FROM sync_run WHERE id = ANY($1::int[])`, [
            [one.id, two.id],
          ])) as Raw[];
          return rows.every((r) => r.status === 'RUNNING');
        },
        30_000,
      );
      expect(await redis.exists(`${prefix()}:accounts:refresh-lock:${a}`)).toBe(1);
    } finally {
      refresh.release();
    }
    for (const r of [one, two]) expect((await run(r.id)).status).toBe('SUCCEEDED');
    expect(h.replica.stats.tokenRequests.refresh_token).toBe(refreshes + 1);
    const after = await linkRow(a);
    expect(after.version).toBe(before.version + 1);
    expect(after.status).toBe('ACTIVE');
  });

  it('keeps links alive: the daily pass syncs every active link and renews a refresh token that lapses soon', async () => {
    const [a, b] = [pool[1].custId, pool[2].custId];
    // As if A's link were six days old: its refresh token lapses tomorrow.
    await h.db.query(
      `UPDATE iracing_link SET refresh_expires_at = now() + interval '1 day' WHERE cust_id = $1`,
      [a],
    );
    const beforeA = await linkRow(a);
    const beforeB = await linkRow(b);
    const { schedules } = await h.data<Raw>(`{ schedules { name cron } }`, {}, ADMIN_KEY);
    expect(schedules).toContainEqual({ name: 'linked-members', cron: '30 4 * * *' });
    const pass = await h.app.get(SyncRunService).enqueue('LINKED_MEMBERS', {}, SyncTrigger.CLI);
    expect((await run(pass.id)).status).toBe('SUCCEEDED');
    const queued = (await h.db.query(`SELECT queued_runs FROM sync_run WHERE id = $1`, [pass.id])) as Raw[];
    const memberRuns = (queued[0].queued_runs as Raw[]).map((q) => q.runId as number);
    expect(memberRuns).toHaveLength(2);
    for (const id of memberRuns) expect((await run(id)).status).toBe('SUCCEEDED');
    const afterA = await linkRow(a);
    expect(afterA.version).toBe(beforeA.version + 1);
    expect(new Date(afterA.refresh_expires_at).getTime()).toBeGreaterThan(Date.now() + 6 * DAY);
    const afterB = await linkRow(b);
    expect(afterB.version).toBe(beforeB.version); // far from lapsing: not refreshed
    for (const [row, before] of [
      [afterA, beforeA],
      [afterB, beforeB],
    ])
      expect(new Date(row.last_sync_at).getTime()).toBeGreaterThan(new Date(before.last_sync_at).getTime());
  });

  it('fails a member sync without retrying when iRacing refuses the refresh token, and says to link again', async () => {
    const linked = await link(pool[3]);
    const c = linked.custId as number;
    expect((await run(linked.firstSync.id)).status).toBe('SUCCEEDED');
    await redis.del(accessTokenKey(prefix(), c));
    h.replica.expireRefreshTokens(c);
    const r = await h.data<Raw>(
      `mutation($id: Int!) { syncMember(custId: $id) { id } }`,
      { id: c },
      ADMIN_KEY,
    );
    const done = await run(r.syncMember.id);
    expect(done.status).toBe('FAILED');
    expect(done.errors).toEqual([
      {
        unit: `member ${c}`,
        message: expect.stringMatching(/link their iRacing account again/),
        endpoint: null,
      },
    ]);
    const attempts = (await h.db.query(`SELECT attempts FROM sync_run WHERE id = $1`, [done.id])) as Raw[];
    expect(attempts[0].attempts).toBe(1);
    expect((await me(c)).iracingLink.status).toBe('NEEDS_RELINK');
  });

  it('loses no link when the worker refreshing it is killed before the answer reaches it', async () => {
    const b = pool[2].custId;
    const before = await linkRow(b);
    await redis.del(accessTokenKey(prefix(), b));
    const held = h.replica.holdAt('oauth2/token', 1, { params: { grant_type: 'refresh_token' } });
    const queued = await h.app.get(SyncRunService).enqueue('MEMBER_ACCOUNT', { custId: b }, SyncTrigger.CLI);
    const refresh = await withDeadline(held, 30_000, 'the refresh reaching iRacing');
    const worker = workers.find((w) => w.url === refresh.url);
    try {
      expect(worker).toBeDefined();
      const exited = new Promise((r) => worker!.child.once('exit', r));
      worker!.child.kill('SIGKILL');
      await withDeadline(exited, 10_000, 'the killed worker exiting');
      // The replica must see the connection gone before the hold opens, or it would answer the refresh (and spend
      // the stored token) to nobody.
      await withDeadline(
        refresh.clientGone,
        10_000,
        "the replica seeing the killed worker's connection close",
      );
    } finally {
      refresh.release(); // its client is gone: the replica drops the request unanswered
    }
    // The other worker takes the run over once its job lock lapses, waits out the dead worker's refresh lock,
    // and refreshes with the stored refresh token, which nothing spent.
    const done = await run(queued.id, 90_000);
    // A takeover is noted on the run (unit "worker"); nothing else may have failed.
    expect({ status: done.status, errors: done.errors.filter((e) => e.unit !== 'worker') }).toEqual({
      status: 'SUCCEEDED',
      errors: [],
    });
    const after = await linkRow(b);
    expect(after.status).toBe('ACTIVE');
    expect(after.version).toBe(before.version + 1);
    expect((await me(b)).iracingLink.status).toBe('ACTIVE');
  }, 120_000);

  it('loses no link when the worker refreshing it is killed after iRacing answered, before the new token is stored', async () => {
    // The worker killed by the test before: a new one, so that one is left to take over after this kill.
    await spawnWorker();
    const queue = h.app.get<Queue>(getQueueToken(MEMBER_SYNC_QUEUE));
    const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    await until(
      'two live workers on the member queue',
      async () => (await queue.getWorkers()).length >= 2,
      60_000,
      100,
    );
    const a = pool[1].custId;
    const before = await linkRow(a);
    await redis.del(accessTokenKey(prefix(), a));
    const refreshes = h.replica.stats.tokenRequests.refresh_token ?? 0;
    const held = h.replica.holdAt('oauth2/token', 1, { params: { grant_type: 'refresh_token' } });
    const queued = await h.app.get(SyncRunService).enqueue('MEMBER_ACCOUNT', { custId: a }, SyncTrigger.CLI);
    const refresh = await withDeadline(held, 30_000, 'the refresh reaching iRacing');
    const worker = alive.find((w) => w.url === refresh.url);
    expect(worker).toBeDefined();
    // The link's row is locked, so the worker's store waits once iRacing has answered: it is killed there.
    const blocker = h.db.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    try {
      await blocker.query('SELECT 1 FROM iracing_link WHERE cust_id = $1 FOR UPDATE', [a]);
      refresh.release();
      // The store waiting on the row: the answer was kept before it, in Redis.
      const storing = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND wait_event_type = 'Lock' AND query ILIKE '%UPDATE%iracing_link%'`;
      await until(
        'the store waiting on the locked link',
        async () => ((await h.db.query(storing)) as unknown[]).length === 1,
        30_000,
        50,
      );
      expect(await redis.exists(refreshAnswerKey(prefix(), a))).toBe(1);
      const exited = new Promise((r) => worker!.child.once('exit', r));
      worker!.child.kill('SIGKILL');
      await withDeadline(exited, 10_000, 'the killed worker exiting');
      // PostgreSQL would finish a dead client's statement once the lock is free: its session ends with the worker.
      await h.db.query(`SELECT pg_terminate_backend(pid) FROM (${storing}) s`);
    } finally {
      await blocker.rollbackTransaction();
      await blocker.release();
    }
    // iRacing spent the stored token and answered a new one the link never stored.
    expect(h.replica.stats.tokenRequests.refresh_token).toBe(refreshes + 1);
    expect((await linkRow(a)).version).toBe(before.version);
    // The other worker takes the run over, finds the answer kept and stores it: no second refresh, no relink.
    const done = await run(queued.id, 90_000);
    expect({ status: done.status, errors: done.errors.filter((e) => e.unit !== 'worker') }).toEqual({
      status: 'SUCCEEDED',
      errors: [],
    });
    expect(h.replica.stats.tokenRequests.refresh_token).toBe(refreshes + 1);
    const after = await linkRow(a);
    expect(after.status).toBe('ACTIVE');
    expect(after.version).toBe(before.version + 1);
    expect(await redis.exists(refreshAnswerKey(prefix(), a))).toBe(0);
    // The token it stored is the live one: the next refresh is accepted.
    await redis.del(accessTokenKey(prefix(), a));
    await h.db.query(
      `UPDATE iracing_link SET refresh_expires_at = now() + interval '1 day' WHERE cust_id = $1`,
      [a],
    );
    const next = await h.data<Raw>(`mutation { syncMyAccount { id } }`, {}, viewer.get(a)!);
    expect((await run(next.syncMyAccount.id as number, 60_000)).status).toBe('SUCCEEDED');
    expect(h.replica.stats.tokenRequests.refresh_token).toBe(refreshes + 2);
    expect((await me(a)).iracingLink.status).toBe('ACTIVE');
  }, 180_000);

  it('revokes the viewer token a request carries, and only that one: the link stays', async () => {
    const b = pool[2].custId;
    const token = viewer.get(b)!;
    const r = await h.data<Raw>(`mutation { revokeViewerToken }`, {}, token);
    expect(r.revokeViewerToken).toBe(true);
    expect((await h.data<Raw>(ME, {}, token)).me).toBeNull();
    const again = await h.gql<Raw>(`mutation { revokeViewerToken }`, {}, token);
    expect(again.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await linkRow(b)).status).toBe('ACTIVE');
    // Another racer's token is untouched.
    expect((await me(pool[1].custId)).custId).toBe(pool[1].custId);
  });
});
