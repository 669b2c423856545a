// Operating the backend: /metrics moves when a sync runs, Bull Board sits behind the admin key, the schedules are
// listed with their next tick and last run, and `syncRunUpdated` delivers a run's progress to a subscriber of the
// api (this process) while a worker in another OS process (`node dist/src/main.js`, ROLE=worker) runs it: they share
// only PostgreSQL and Redis.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import request from 'supertest';
import WebSocket from 'ws';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { SyncCronService } from '../../src/scheduler/sync-cron.service.js';
import { SYNC_QUEUE } from '../../src/scheduler/sync.queue.js';
import { SyncEvents } from '../../src/scheduler/sync-events.js';
import { until } from '../support/ws-client.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = new Date();

/** The value of one sample in the Prometheus text format (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[3] ?? '').split(',');
    if (want.every((w) => have.includes(w))) return Number(m[4]);
  }
  return 0;
}

describe('operations (end to end)', () => {
  let h: Harness;
  let worker: ChildProcess | undefined;
  let workerLog = '';

  beforeAll(async () => {
    // The api instance (this process) runs no worker: a worker process started from the build does the work.
    h = await startHarness(
      { dataset: syntheticDataset({ seed: 9, scale: 0.1, now: NOW }), now: () => NOW },
      { ROLE: 'api' },
    );
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...h.settings })) if (v !== undefined) env[k] = v;
    worker = spawn('node', ['dist/src/main.js'], {
      env: { ...env, ROLE: 'worker', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (d: Buffer) => (workerLog += d.toString()));
    worker.stderr?.on('data', (d: Buffer) => (workerLog += d.toString()));
    // Ready once Bull lists it as a worker of the queue.
    const queue = h.app.get<Queue>(getQueueToken(SYNC_QUEUE));
    for (let i = 0; i < 150 && (await queue.getWorkers()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    if ((await queue.getWorkers()).length === 0)
      throw new Error(`the worker process did not start:\n${workerLog}`);
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker?.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await h?.close();
  });

  const metrics = async () => (await request(h.app.getHttpServer()).get('/metrics').expect(200)).text;

  it('serves Prometheus metrics that move when a sync runs', async () => {
    const before = await metrics();
    expect(before).toMatch(/^# TYPE simlane_sync_runs gauge$/m);
    expect(sample(before, 'simlane_sync_runs', { kind: 'CATALOG', status: 'SUCCEEDED' })).toBe(0);
    const r = await h.data<{ syncCatalog: SyncRunView }>(
      `mutation { syncCatalog { ${SYNC_RUN_FIELDS} } }`,
      {},
      ADMIN_KEY,
    );
    expect((await h.waitForRun(r.syncCatalog.id)).status).toBe('SUCCEEDED');
    const after = await metrics();
    expect(sample(after, 'simlane_sync_runs', { kind: 'CATALOG', status: 'SUCCEEDED' })).toBe(1);
    expect(sample(after, 'simlane_sync_rows_written', { kind: 'CATALOG', op: 'created' })).toBeGreaterThan(
      100,
    );
    expect(
      sample(after, 'simlane_sync_run_duration_seconds_count', { kind: 'CATALOG', status: 'SUCCEEDED' }),
    ).toBe(1);
    expect(sample(after, 'simlane_queue_jobs', { state: 'completed' })).toBeGreaterThanOrEqual(1);
    // iRacing traffic is counted by the process that makes it: the worker process, not this api.
    expect(sample(after, 'simlane_iracing_requests_total', { endpoint: 'car/get', status: '200' })).toBe(0);
  });

  it('keeps Bull Board behind the admin key', async () => {
    const server = h.app.getHttpServer();
    const none = await request(server).get('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="SimLane admin"/);
    expect((await request(server).get('/admin/queues').set('authorization', 'Bearer wrong')).status).toBe(
      401,
    );
    const wrongBasic = await request(server).get('/admin/queues').auth('admin', 'wrong');
    expect(wrongBasic.status).toBe(401);
    expect(JSON.stringify(wrongBasic.body)).not.toContain('wrong');
    const bearer = await request(server).get('/admin/queues').set('authorization', `Bearer ${ADMIN_KEY}`);
    expect(bearer.status).toBe(200);
    expect(bearer.text).toMatch(/<html/i);
    const basic = await request(server).get('/admin/queues/api/queues').auth('admin', ADMIN_KEY);
    expect(basic.status).toBe(200);
    expect(JSON.stringify(basic.body)).toContain('sync');
  });

  it('lists every schedule with its next tick and last run', async () => {
    const cron = h.app.get(SyncCronService);
    const seasons = cron.schedules().find((s) => s.name === 'race-guide');
    if (!seasons) throw new Error('no race-guide schedule');
    const tick = await cron.tick(seasons, new Date(NOW.getTime() - 60_000));
    const q = await h.data<{ schedules: Raw[] }>(
      `{ schedules { name cron kind enabled nextRunAt lastRun { id trigger } } }`,
    );
    const byName = Object.fromEntries(q.schedules.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        'catalog',
        'forecasts',
        'linked-members',
        'participation',
        'past-seasons',
        'race-guide',
        'results',
        'seasons',
        'standings',
      ].sort(),
    );
    // Weekly, after iRacing's weeks turn over (Tuesday 00:00 UTC).
    expect(byName.participation).toMatchObject({ cron: '30 1 * * 2', kind: 'PARTICIPATION' });
    expect(new Date(byName.participation.nextRunAt).getUTCDay()).toBe(2);
    expect(byName.standings).toMatchObject({ cron: '0 3 * * 2', kind: 'STANDINGS' });
    expect(byName.seasons).toMatchObject({ cron: '0 6 * * 2,3,5', kind: 'SEASONS', enabled: false });
    expect(byName.catalog.cron).toBe('0 5 * * *');
    for (const s of q.schedules) expect(new Date(s.nextRunAt).getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(new Date(byName.seasons.nextRunAt).getUTCHours()).toBe(6);
    expect([2, 3, 5]).toContain(new Date(byName.seasons.nextRunAt).getUTCDay());
    expect(byName['race-guide'].lastRun).toEqual({ id: tick.id, trigger: 'CRON' });
    await h.waitForRun(tick.id);
  });

  it('delivers a run’s progress across processes through the syncRunUpdated subscription', async () => {
    const server = h.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      lazy: false,
      connectionParams: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const seen: Raw[] = [];
    let unsubscribe = () => {};
    const finished = new Promise<void>((resolve, reject) => {
      unsubscribe = client.subscribe<Raw>(
        { query: `subscription { syncRunUpdated { id kind status progress { done total percent } } }` },
        {
          next: (msg) => {
            const run = msg.data?.syncRunUpdated as Raw | undefined;
            if (!run || run.kind !== 'SEASONS') return;
            seen.push(run);
            if (!['QUEUED', 'RUNNING'].includes(run.status)) resolve();
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    // The subscription is registered in this api process and it listens on the Redis channel.
    const events = h.app.get(SyncEvents);
    await until(() => events.subscriberCount > 0, 10_000, 'the subscription is registered');
    await events.listening();
    const r = await h.data<{ syncSeasons: SyncRunView }>(`mutation { syncSeasons { id } }`, {}, ADMIN_KEY);
    await Promise.race([
      finished,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no final update')), 60_000)),
    ]);
    unsubscribe();
    await client.dispose();
    // Each update carries the run as it is when delivered: RUNNING with progress, then SUCCEEDED.
    const mine = seen.filter((s) => s.id === r.syncSeasons.id);
    expect(mine.length).toBeGreaterThan(2);
    expect(mine.some((s) => s.status === 'RUNNING')).toBe(true);
    const progress = mine.filter((s) => s.progress).map((s) => s.progress);
    expect(progress.length).toBeGreaterThan(0);
    const last = progress[progress.length - 1];
    expect(last.done).toBe(last.total);
    expect(last.percent).toBe(100);
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
    expect(mine[mine.length - 1].status).toBe('SUCCEEDED');
  });
});
