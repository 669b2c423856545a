// Workers that lose their database or stop (end to end, real PostgreSQL, Redis and Bull): units that fail
// because PostgreSQL went away (its backends terminated, connections refused) are run again once it is back and
// the run SUCCEEDS; a worker's SIGTERM waits for its jobs no longer than SHUTDOWN_GRACE_MS, and the worker that
// takes the job over ends the run with the counts of both.
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import pg from 'pg';
import { createApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/core/config/app-config.js';
import { SyncKind, SyncTrigger } from '../../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../../src/scheduler/sync-run.service.js';
import { SYNC_QUEUE } from '../../src/scheduler/sync.queue.js';
import { SyncWorker } from '../../src/scheduler/sync.worker.js';
import { startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { ADMIN_DATABASE_URL } from '../support/test-env.js';
import {
  count,
  importTemplate,
  NOW,
  serveSynthetic,
  templateRace,
  until,
  world,
} from '../support/sync-runs-support.js';

type Run = SyncRunView & { attempts: number; errors: { unit: string; message: string }[] };

const OUTAGE = 920_000_000;
const TAKEOVER = 930_000_000;

describe('sync runs: workers that lose PostgreSQL or stop (end to end)', () => {
  let h: Harness;
  let admin: pg.Client;
  const template = templateRace();
  const database = process.env.TEST_DATABASE_NAME as string;

  const view = async (id: number) =>
    (
      await h.data<{ syncRun: Run }>(
        `query($id: Int!) { syncRun(id: $id) { ${SYNC_RUN_FIELDS} attempts } }`,
        {
          id,
        },
      )
    ).syncRun;
  const entity = (run: SyncRunView, name: string) => run.countsByEntity.find((c) => c.entity === name);
  const enqueueSubsessions = async (from: number, n: number) =>
    (
      await h.app
        .get(SyncRunService)
        .enqueue(
          SyncKind.SUBSESSIONS,
          { subsessionIds: Array.from({ length: n }, (_, i) => from + i) },
          SyncTrigger.CLI,
        )
    ).id;
  const allowConnections = (allow: boolean) =>
    admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS ${allow}`);

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    h = await startHarness(
      { dataset: world(), now: () => NOW },
      { SYNC_JOB_LOCK_MS: '2000', SYNC_BACKOFF_MS: '200', SHUTDOWN_GRACE_MS: '1000' },
    );
    await importTemplate(h, template);
    serveSynthetic(h, template, (id) => id >= OUTAGE);
  }, 300_000);
  afterAll(async () => {
    await allowConnections(true).catch(() => undefined);
    await admin?.end();
    await h?.close();
  });
  afterEach(() => h.replica.clearFaults());

  it('runs again the units that failed while PostgreSQL was down, once it is back, and the run SUCCEEDS', async () => {
    const runs = h.app.get(SyncRunService);
    // Observes when the worker starts waiting for the database (and lets it wait as it would).
    let waits = 0;
    const wait = runs.waitForDatabase.bind(runs);
    runs.waitForDatabase = (...args) => {
      waits++;
      return wait(...args);
    };
    // Each results/get answer takes a second: the outage starts while the worker waits for the first ones.
    const slow = h.replica.stats.faultsByKind.slow ?? 0;
    h.replica.addFault({ endpoint: 'results/get', kind: 'slow', delayMs: 1000 });
    const id = await enqueueSubsessions(OUTAGE, 15);
    try {
      await until(
        'the worker to ask for its first subsessions',
        () => h.replica.stats.faultsByKind.slow > slow,
      );
      // PostgreSQL goes away: every backend of the database terminated, new connections refused.
      await allowConnections(false);
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [database],
      );
      await until('the worker to wait for PostgreSQL after its units failed', () => waits > 0, 60_000);
      h.replica.clearFaults();
    } finally {
      await allowConnections(true);
      runs.waitForDatabase = wait;
    }
    await h.waitForRun(id, 120_000);
    const run = await view(id);
    expect(run.errors).toEqual([]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts).toBe(1);
    expect(run.counts.failed).toBe(0);
    expect(entity(run, 'event_result')).toMatchObject({ created: 15, unchanged: 0 });
    expect(
      await count(h, 'SELECT count(*) AS n FROM event_result WHERE subsession_id BETWEEN $1 AND $2', [
        OUTAGE,
        OUTAGE + 14,
      ]),
    ).toBe(15);
  });

  it('drains on SIGTERM within SHUTDOWN_GRACE_MS, and the worker taking the job over counts what the first one wrote', async () => {
    const queue = h.app.get<Queue>(getQueueToken(SYNC_QUEUE));
    // Only the two worker processes below take jobs.
    await queue.pause(true);
    const workerSettings = { ...h.settings, ROLE: 'worker', MIGRATIONS_RUN: 'false' };
    const start = async () => (await createApp(loadConfig(workerSettings), ['error'])).app;
    let first: INestApplicationContext | undefined;
    let second: INestApplicationContext | undefined;
    try {
      first = await start();
      // 20 subsessions answer at once, then each answer takes 8 s: the first worker has written 20 and waits for
      // the 21st when it is told to stop.
      const slow = h.replica.stats.faultsByKind.slow ?? 0;
      h.replica.addFault({ endpoint: 'results/get', kind: 'none', times: 20 });
      h.replica.addFault({ endpoint: 'results/get', kind: 'slow', delayMs: 8000 });
      const id = await enqueueSubsessions(TAKEOVER, 30);
      await until(
        'the first worker to wait for a slow answer',
        () => h.replica.stats.faultsByKind.slow > slow,
        60_000,
      );
      await until('the first worker to write the 20 subsessions answered', async () => {
        const n = await count(
          h,
          'SELECT count(*) AS n FROM event_result WHERE subsession_id BETWEEN $1 AND $2',
          [TAKEOVER, TAKEOVER + 29],
        );
        return n === 20;
      });
      const firstWorker = first.get(SyncWorker);
      expect(firstWorker.running).toBe(1);

      // SIGTERM: the app closes after the grace (1 s), not after the 8 s its job still needs.
      const t0 = Date.now();
      await first.close();
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(5000);
      const left = (
        (await h.db.query(`SELECT status, attempt_counts AS counts FROM sync_run WHERE id = $1`, [id])) as {
          status: string;
          counts: Record<string, Record<string, { created: number }>>;
        }[]
      )[0];
      expect(left.status).toBe('RUNNING');
      // What it wrote is on the run.
      expect(Object.values(left.counts).map((c) => c.event_result?.created)).toEqual([20]);

      // Another worker takes the job over once its lock expires, and finishes it.
      h.replica.clearFaults();
      second = await start();
      await h.waitForRun(id, 60_000);
      const run = await view(id);
      expect(run.status).toBe('SUCCEEDED');
      expect(run.errors.map((e) => e.unit)).toEqual(['worker']);
      expect(run.errors[0].message).toMatch(/another worker took it over/);
      // 20 units written by the first worker, 10 by the second: the run counts 30 created, none unchanged.
      expect(entity(run, 'event_result')).toMatchObject({ created: 30, unchanged: 0 });
      expect(run.counts.failed).toBe(0);
      expect(
        await count(h, 'SELECT count(*) AS n FROM event_result WHERE subsession_id BETWEEN $1 AND $2', [
          TAKEOVER,
          TAKEOVER + 29,
        ]),
      ).toBe(30);
      // The first worker's lanes end when their answers come, without writing anything.
      await until('the first worker to let go of its job', () => firstWorker.running === 0, 30_000);
      expect((await view(id)).status).toBe('SUCCEEDED');
    } finally {
      await first?.close().catch(() => undefined);
      await second?.close();
      await queue.resume(true);
    }
  });
});
