// Concurrency end to end (docs/architecture.md §4.3, §4.8), on one database and one Redis shared by two application
// instances (as two replicas of the api, each with the scheduler): the same sync triggered at once from GraphQL,
// both instances and the command line's path runs once with one Bull job; a cron tick on both replicas runs once;
// different syncs touching the same rows at once all succeed and leave what a sequential sync leaves (a refreshed
// re-run finds nothing to change); and a run whose Bull job was lost is enqueued again by the reaper instead of
// blocking its key.
import { getQueueToken } from '@nestjs/bull';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bull';
import { createApp } from '../../src/bootstrap.js';
import { tableChecksums } from '../../bench/table-checksums.js';
import { loadConfig } from '../../src/core/config/app-config.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { SyncCronService } from '../../src/scheduler/sync-cron.service.js';
import { SyncKind, SyncTrigger } from '../../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../../src/scheduler/sync-run.service.js';
import { SYNC_QUEUE } from '../../src/scheduler/sync.queue.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

const NOW = new Date('2026-11-19T15:00:00Z');

describe('concurrency (end to end)', () => {
  let h: Harness;
  let second: INestApplication;
  let queue: Queue;

  const countRuns = async (kind: string) =>
    (
      (await h.db.query(`SELECT count(*)::int AS n FROM sync_run WHERE kind = $1`, [kind])) as { n: number }[]
    )[0].n;
  const jobsOf = async (runIds: number[]) => {
    const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    return jobs.filter((j) => runIds.includes((j.data as { runId: number }).runId));
  };

  /** Waits until no run is active and no job is queued: follow-ups (forecasts after seasons) included. */
  const settle = async () => {
    for (let i = 0; i < 1200; i++) {
      const [{ n }] = (await h.db.query(
        `SELECT count(*)::int AS n FROM sync_run WHERE status IN ('QUEUED', 'RUNNING')`,
      )) as { n: number }[];
      const jobs = await queue.getJobCounts();
      if (n === 0 && jobs.active + jobs.waiting + jobs.delayed === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('syncs still active after 120 s');
  };

  beforeAll(async () => {
    h = await startHarness(
      { dataset: syntheticDataset({ seed: 5, scale: 0.05, now: NOW }), now: () => NOW },
      { WORKER_CONCURRENCY: '4' },
    );
    // A second replica of the api on the same database and queue, with no worker of its own.
    const { http } = await createApp(loadConfig({ ...h.settings, ROLE: 'api', MIGRATIONS_RUN: 'false' }), [
      'error',
    ]);
    second = http!;
    await second.init();
    queue = h.app.get<Queue>(getQueueToken(SYNC_QUEUE));
    // The catalog first, so the syncs below race on seasons, weeks, events and sessions, not on cars.
    const catalog = await h.data<{ syncCatalog: SyncRunView }>(
      `mutation { syncCatalog { id } }`,
      {},
      ADMIN_KEY,
    );
    expect((await h.waitForRun(catalog.syncCatalog.id)).status).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    await second?.close();
    await h?.close();
  });

  it('runs a sync triggered at once from GraphQL, both replicas and the command line once, with one job', async () => {
    const mutation = `mutation { syncSeasons(input: { limit: 3 }) { ${SYNC_RUN_FIELDS} } }`;
    const gql = () => h.data<{ syncSeasons: SyncRunView }>(mutation, {}, ADMIN_KEY);
    const cli = (app: INestApplication) =>
      app.get(SyncRunService).enqueue(SyncKind.SEASONS, { limit: 3 }, SyncTrigger.CLI);
    const [a, b, c, d, e] = await Promise.all([gql(), gql(), cli(h.app), cli(second), cli(h.app)]);
    const ids = new Set([a.syncSeasons.id, b.syncSeasons.id, c.id, d.id, e.id]);
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await countRuns('SEASONS')).toBe(1);
    expect(await jobsOf([id])).toHaveLength(1);
    expect((await h.waitForRun(id)).status).toBe('SUCCEEDED');
    // Once it has finished, a new trigger is a new run.
    const again = await cli(second);
    expect(again.id).not.toBe(id);
    expect((await h.waitForRun(again.id)).status).toBe('SUCCEEDED');
  });

  it('enqueues a cron tick once, however many scheduler replicas tick it at the same moment', async () => {
    const before = await countRuns('RACE_GUIDE');
    const crons = [h.app.get(SyncCronService), second.get(SyncCronService)];
    const schedule = crons[0].schedules().find((s) => s.name === 'race-guide')!;
    const at = new Date('2026-11-19T15:15:00.250Z');
    const runs = await Promise.all(
      [...crons, ...crons].map((c, i) => c.tick(schedule, new Date(at.getTime() + i))),
    );
    expect(new Set(runs.map((r) => r.id)).size).toBe(1);
    expect(await countRuns('RACE_GUIDE')).toBe(before + 1);
    expect(await jobsOf([runs[0].id])).toHaveLength(1);
    expect((await h.waitForRun(runs[0].id)).status).toBe('SUCCEEDED');
    // The next tick is a run of its own.
    const next = await crons[1].tick(schedule, new Date(at.getTime() + 15 * 60_000));
    expect(next.id).not.toBe(runs[0].id);
    await h.waitForRun(next.id);
  });

  it('lets different syncs write the same rows at once and ends where a sequential sync ends', async () => {
    const [{ seriesId }] = (await h.db.query(
      `SELECT series_id AS "seriesId" FROM season WHERE active ORDER BY season_id LIMIT 1`,
    )) as { seriesId: number }[];
    const enqueue = (kind: SyncKind, params: Record<string, unknown>, app: INestApplication = h.app) =>
      app.get(SyncRunService).enqueue(kind, params, SyncTrigger.GRAPHQL);
    // All current seasons, one series of them again, the past seasons of the same, the race guide (which writes
    // the same sessions' ids and entry counts) and the forecasts of the same weeks, all at once.
    const started = await Promise.all([
      enqueue(SyncKind.SEASONS, { refresh: true }),
      enqueue(SyncKind.SEASONS, { seriesIds: [seriesId], refresh: true }, second),
      enqueue(SyncKind.RACE_GUIDE, { refresh: true, from: NOW.toISOString() }),
      enqueue(SyncKind.FORECASTS, { force: true }, second),
    ]);
    expect(new Set(started.map((r) => r.id)).size).toBe(4);
    const ended = await Promise.all(started.map((r) => h.waitForRun(r.id, 120_000)));
    for (const r of ended) expect([r.kind, r.status, r.errors]).toEqual([r.kind, 'SUCCEEDED', []]);
    await settle();
    const after = await tableChecksums(h.config.databaseUrl, [h.replica.url]);

    // The same syncs one after another, refreshed, find nothing to change.
    for (const [kind, params] of [
      [SyncKind.SEASONS, { refresh: true }],
      [SyncKind.RACE_GUIDE, { refresh: true, from: NOW.toISOString() }],
      [SyncKind.FORECASTS, { force: true }],
    ] as const) {
      const run = await h.waitForRun((await enqueue(kind, params)).id, 120_000);
      expect(run.status).toBe('SUCCEEDED');
      // (A forced forecast refresh counts each week it fetched again as updated: that is not a row changed.)
      const changed = run.countsByEntity
        .filter((c) => c.entity !== 'race_week_forecast')
        .filter((c) => c.created + c.updated + c.deleted > 0);
      expect([kind, changed]).toEqual([kind, []]);
      expect(run.countsByEntity.some((c) => c.unchanged > 0)).toBe(true);
      await settle();
    }
    expect(await tableChecksums(h.config.databaseUrl, [h.replica.url])).toEqual(after);
    const rows = Object.fromEntries(after.map((t) => [t.table, t.rows]));
    expect(rows.event_instance).toBeGreaterThan(1000);
    expect(rows.weather_forecast).toBeGreaterThan(1000);
  });

  it('enqueues again a run whose job was lost, so nothing is lost, and leaves live runs alone', async () => {
    const runs = h.app.get(SyncRunService);
    await queue.pause(true); // this instance's worker takes nothing while the runs are set up
    try {
      const lost = await runs.enqueue(SyncKind.OWNED_CONTENT, {}, SyncTrigger.GRAPHQL);
      const waiting = await runs.enqueue(SyncKind.CATALOG, { dryRun: true }, SyncTrigger.GRAPHQL);
      await (await queue.getJob(lost.jobId!))!.remove();
      // The reaper adds the lost job again under the same id; the run stays QUEUED.
      expect(await runs.reapOrphans(0)).toEqual({ requeued: [lost.id], closed: [] });
      expect(await queue.getJob(lost.jobId!)).not.toBeNull();
      expect((await runs.get(lost.id)).status).toBe('QUEUED');
      expect((await runs.get(waiting.id)).status).toBe('QUEUED');
      // A second reaper (another replica) finds nothing more to do.
      expect(await second.get(SyncRunService).reapOrphans(0)).toEqual({ requeued: [], closed: [] });
      // Lost again: a repeated trigger joins the run and adds its job again too.
      await (await queue.getJob(lost.jobId!))!.remove();
      expect((await runs.enqueue(SyncKind.OWNED_CONTENT, {}, SyncTrigger.GRAPHQL)).id).toBe(lost.id);
      expect(await queue.getJob(lost.jobId!)).not.toBeNull();
      await queue.resume(true);
      expect((await h.waitForRun(lost.id)).status).toBe('SUCCEEDED');
      expect((await h.waitForRun(waiting.id)).status).toBe('SUCCEEDED');
    } finally {
      await queue.resume(true);
    }
  });
  it('queues a follow-up to follow a duplicate that is already running, since that one may have read too early', async () => {
    const runs = h.app.get(SyncRunService);
    await queue.pause(true); // this instance's worker takes nothing while the runs are set up
    try {
      const running = await runs.enqueue(SyncKind.FORECASTS, {}, SyncTrigger.GRAPHQL);
      // As if a worker had started it before the seasons sync asking for its follow-up wrote its weeks.
      await h.db.query(`UPDATE sync_run SET status = 'RUNNING', started_at = now() WHERE id = $1`, [
        running.id,
      ]);
      const follow = await runs.enqueue(SyncKind.FORECASTS, {}, SyncTrigger.SYNC, { afterRunning: true });
      expect(follow.id).not.toBe(running.id);
      expect(follow.status).toBe('QUEUED');
      // Other follow-ups while it runs share that one; a plain trigger joins the running run, as before.
      const again = await second
        .get(SyncRunService)
        .enqueue(SyncKind.FORECASTS, {}, SyncTrigger.SYNC, { afterRunning: true });
      expect(again.id).toBe(follow.id);
      expect((await runs.enqueue(SyncKind.FORECASTS, {}, SyncTrigger.GRAPHQL)).id).toBe(running.id);
      // A queued duplicate has read nothing yet: a follow-up joins it.
      await h.db.query(`UPDATE sync_run SET status = 'FAILED', finished_at = now() WHERE id = $1`, [
        running.id,
      ]);
      await (await queue.getJob(running.jobId!))?.remove();
      expect((await runs.enqueue(SyncKind.FORECASTS, {}, SyncTrigger.SYNC, { afterRunning: true })).id).toBe(
        follow.id,
      );
      await queue.resume(true);
      expect((await h.waitForRun(follow.id, 120_000)).status).toBe('SUCCEEDED');
    } finally {
      await queue.resume(true);
    }
  });
});
