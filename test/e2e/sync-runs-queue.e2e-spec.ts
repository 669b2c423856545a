// A run is never stuck nor reopened (end to end, real PostgreSQL, Redis and Bull): with Redis unreachable or
// hanging (through a TCP proxy the test cuts), a trigger answers SERVICE_UNAVAILABLE at once and its recorded
// run is enqueued by the reaper once Redis is back; a QUEUED run whose job never reached Redis is enqueued too;
// the reaper leaves a live run alone even when Redis lost its job; and a run closed under its worker stays closed.
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Redis } from 'ioredis';
import { REDIS } from '../../src/core/redis/redis.provider.js';
import { SyncKind } from '../../src/scheduler/sync-run.entity.js';
import { dedupeKey, SyncRunService } from '../../src/scheduler/sync-run.service.js';
import { SYNC_QUEUE } from '../../src/scheduler/sync.queue.js';
import { SyncWorker } from '../../src/scheduler/sync.worker.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { NOW, until, world } from '../support/sync-runs-support.js';

/** A TCP proxy to Redis that the test can cut (connections refused), hang (bytes dropped) and restore. */
class RedisProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private mode: 'up' | 'hang' = 'up';
  port = 0;

  async start(): Promise<string> {
    await this.listen();
    return `redis://127.0.0.1:${this.port}`;
  }

  private listen(): Promise<void> {
    const target = new URL(TEST_REDIS_URL);
    const server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      const upstream = connect(Number(target.port || 6379), target.hostname);
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      // While hanging, what either side sends is dropped: the connection looks alive and never answers.
      client.on('data', (d) => this.mode === 'up' && upstream.write(d));
      upstream.on('data', (d) => this.mode === 'up' && client.write(d));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** Refuses connections and drops the open ones. */
  async cut(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Keeps connections open but answers nothing. */
  hang(): void {
    this.mode = 'hang';
  }

  /** Back to normal: the connections that hung are dropped (their clients reconnect). */
  async restore(): Promise<void> {
    if (this.mode === 'hang') for (const sock of this.sockets) sock.destroy();
    this.mode = 'up';
    if (!this.server) await this.listen();
  }

  async stop(): Promise<void> {
    this.mode = 'up';
    await this.cut();
  }
}

type Run = SyncRunView & { errors: { unit: string; message: string }[] };

describe('sync runs: never stuck, never reopened (end to end)', () => {
  const proxy = new RedisProxy();
  let h: Harness;
  let queue: Queue;
  let runs: SyncRunService;

  const view = async (id: number) =>
    (await h.data<{ syncRun: Run }>(`query($id: Int!) { syncRun(id: $id) { ${SYNC_RUN_FIELDS} } }`, { id }))
      .syncRun;
  const row = async (id: number) =>
    (
      (await h.db.query(
        `SELECT status, job_id AS "jobId", heartbeat_at AS "heartbeatAt", finished_at AS "finishedAt",
                counts, started_at AS "startedAt"
         FROM sync_run WHERE id = $1`,
        [id],
      )) as {
        status: string;
        jobId: string | null;
        heartbeatAt: Date | null;
        finishedAt: Date | null;
        counts: Record<string, number>;
        startedAt: Date | null;
      }[]
    )[0];
  const connected = (ok: boolean) => () =>
    (queue.client.status === 'ready') === ok && (h.app.get<Redis>(REDIS).status === 'ready') === ok;
  /** Removes a job from Redis altogether, as a flushed or restored Redis loses it. */
  const loseJob = async (jobId: string) => {
    const redis = h.app.get<Redis>(REDIS);
    const prefix = `${h.config.env.QUEUE_PREFIX}:${SYNC_QUEUE}`;
    await redis.del(`${prefix}:${jobId}`, `${prefix}:${jobId}:lock`, `${prefix}:${jobId}:logs`);
    for (const list of ['wait', 'active', 'paused']) await redis.lrem(`${prefix}:${list}`, 0, jobId);
    for (const set of ['delayed', 'completed', 'failed', 'priority'])
      await redis.zrem(`${prefix}:${set}`, jobId);
    expect(await queue.getJob(jobId)).toBeNull();
  };
  const syncCatalog = () =>
    h.gql<{ syncCatalog: { id: number } }>(
      `mutation { syncCatalog(input: { refresh: true }) { id } }`,
      {},
      ADMIN_KEY,
    );

  beforeAll(async () => {
    const redisUrl = await proxy.start();
    h = await startHarness(
      { dataset: world(), now: () => NOW },
      {
        REDIS_URL: redisUrl,
        SYNC_ENQUEUE_TIMEOUT_MS: '500',
        SYNC_STALE_RUN_MS: '3000',
        SYNC_JOB_LOCK_MS: '2000',
        WORKER_CONCURRENCY: '3',
      },
    );
    queue = h.app.get<Queue>(getQueueToken(SYNC_QUEUE));
    runs = h.app.get(SyncRunService);
    await until('the queue connected', connected(true));
  });
  afterAll(async () => {
    await proxy.restore().catch(() => undefined);
    await h?.close();
    await proxy.stop();
  });
  afterEach(() => h.replica.clearFaults());

  it('answers SERVICE_UNAVAILABLE at once while Redis is unreachable, and the reaper enqueues the run once it is back', async () => {
    await proxy.cut();
    await until('the queue to notice Redis is gone', connected(false));
    const t0 = Date.now();
    const answer = await syncCatalog();
    const took = Date.now() - t0;
    expect(answer.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(answer.errors?.[0]?.message).toMatch(/job queue is unavailable/);
    expect(took).toBeLessThan(2000);
    const runId = (answer.errors?.[0]?.extensions as { runId?: number }).runId!;
    // Recorded, with the job id it will have, waiting for Redis.
    expect(await row(runId)).toMatchObject({
      status: 'QUEUED',
      jobId: expect.stringMatching(/^run-\d+-[0-9a-f]+$/),
    });
    // A repeated trigger joins it (same answer, no second run).
    const again = await syncCatalog();
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', runId });

    await proxy.restore();
    await until('the queue to reconnect', connected(true), 60_000);
    // Once the run is older than SYNC_STALE_RUN_MS, the reaper (every replica's scheduler) adds its job.
    await until(
      'the reaper to enqueue the run',
      async () => (await runs.reapOrphans()).requeued.includes(runId),
      30_000,
      200,
    );
    expect((await h.waitForRun(runId)).status).toBe('SUCCEEDED');
  });

  it('answers SERVICE_UNAVAILABLE within SYNC_ENQUEUE_TIMEOUT_MS while Redis hangs, and the run is not lost', async () => {
    proxy.hang();
    const t0 = Date.now();
    const answer = await syncCatalog();
    const took = Date.now() - t0;
    expect(answer.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(2500);
    const runId = (answer.errors?.[0]?.extensions as { runId?: number }).runId!;
    expect((await row(runId)).status).toBe('QUEUED');

    await proxy.restore();
    await until('the queue to reconnect', connected(true), 60_000);
    // The add that hung may have been sent again on reconnection; otherwise the reaper adds it.
    const jobId = (await row(runId)).jobId!;
    await until(
      'the job to be in the queue',
      async () => (await queue.getJob(jobId)) !== null || (await runs.reapOrphans()).requeued.includes(runId),
      30_000,
      200,
    );
    expect((await h.waitForRun(runId)).status).toBe('SUCCEEDED');
  });

  it('enqueues a QUEUED run whose job never reached Redis (with or without a job id), instead of keeping it for ever', async () => {
    const insert = async (params: Record<string, unknown>, jobId: string | null) =>
      (
        (await h.db.query(
          `INSERT INTO sync_run (kind, params, trigger, status, dedupe_key, job_id, created_at)
           VALUES ('CATALOG', $1, 'GRAPHQL', 'QUEUED', $2, $3, now() - interval '1 hour') RETURNING id`,
          [JSON.stringify(params), dedupeKey(SyncKind.CATALOG, params), jobId],
        )) as { id: number }[]
      )[0].id;
    // An api that died between recording the run and adding its job; a run recorded before job ids were.
    const withId = await insert({ dryRun: true }, 'run-0-deadbeef');
    const withoutId = await insert({ dryRun: true, refresh: true }, null);
    const reaped = await runs.reapOrphans();
    expect(reaped).toEqual({ requeued: [withId, withoutId], closed: [] });
    expect((await row(withoutId)).jobId).toMatch(/^run-\d+-[0-9a-f]+$/);
    expect((await h.waitForRun(withId)).status).toBe('SUCCEEDED');
    expect((await h.waitForRun(withoutId)).status).toBe('SUCCEEDED');
  });

  it('leaves a live run alone when Redis lost its job (its heartbeat is fresh), and closes a dead one', async () => {
    const slow = h.replica.stats.faultsByKind.slow ?? 0;
    h.replica.addFault({ endpoint: 'car/get', kind: 'slow', delayMs: 8000, times: 1 });
    const started = await syncCatalog();
    const runId = started.data!.syncCatalog.id;
    await until('the worker to hold the slow request', () => h.replica.stats.faultsByKind.slow > slow);
    const { jobId } = await row(runId);
    await loseJob(jobId!);
    // Running for longer than SYNC_STALE_RUN_MS (3 s) without progress: only its heartbeat says it lives.
    await until(
      'the run to be older than SYNC_STALE_RUN_MS',
      async () => (await row(runId)).startedAt!.getTime() < Date.now() - 3500,
      15_000,
      200,
    );
    expect(await runs.reapOrphans()).toEqual({ requeued: [], closed: [] });
    const live = await row(runId);
    expect(live.status).toBe('RUNNING');
    expect(live.heartbeatAt!.getTime()).toBeGreaterThan(Date.now() - 3000);
    expect((await h.waitForRun(runId)).status).toBe('SUCCEEDED');

    // A RUNNING run whose worker stopped beating and whose job is gone is closed.
    const dead = (
      (await h.db.query(
        `INSERT INTO sync_run (kind, params, trigger, status, dedupe_key, job_id, runner, heartbeat_at, started_at)
         VALUES ('OWNED_CONTENT', '{}', 'GRAPHQL', 'RUNNING', $1, 'run-0-0badc0de', 'gone', now() - interval '1 minute',
                 now() - interval '2 minutes') RETURNING id`,
        [dedupeKey(SyncKind.OWNED_CONTENT, {})],
      )) as { id: number }[]
    )[0].id;
    expect(await runs.reapOrphans()).toEqual({ requeued: [], closed: [dead] });
    const closed = await view(dead);
    expect(closed.status).toBe('FAILED');
    expect(closed.errors.at(-1)?.message).toMatch(
      /no longer in the queue and its worker stopped; trigger the sync again/,
    );
  });

  it('never reopens a run closed under its worker: the worker stops and the run stays FAILED', async () => {
    const slow = h.replica.stats.faultsByKind.slow ?? 0;
    h.replica.addFault({ endpoint: 'car/get', kind: 'slow', delayMs: 4000, times: 1 });
    const first = (await syncCatalog()).data!.syncCatalog.id;
    await until('the worker to hold the slow request', () => h.replica.stats.faultsByKind.slow > slow);
    // Closed while its worker still runs it (as a reaper blind to heartbeats did: Redis had lost its job).
    await loseJob((await row(first)).jobId!);
    await until('the reaper to close it', async () => (await runs.reapOrphans(0)).closed.includes(first));
    const closed = await row(first);
    expect(closed.status).toBe('FAILED');
    // Triggered again: a new run, which succeeds while the first worker finishes its import.
    const second = (await syncCatalog()).data!.syncCatalog.id;
    expect(second).not.toBe(first);
    expect((await h.waitForRun(second)).status).toBe('SUCCEEDED');
    const worker = h.app.get(SyncWorker);
    await until('the first worker to stop', () => worker.running === 0, 30_000);
    expect(await row(first)).toEqual(closed);
    expect((await view(first)).status).toBe('FAILED');
  });
});
