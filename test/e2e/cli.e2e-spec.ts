// `npm run sync` end to end, in process: it queues through the same SyncRun and Bull queue as the mutations, waits
// with a progress bar (running a worker itself when none listens), prints the counts, and its exit code says how
// the run ended.
import { parseSyncArgs, runSyncCli, UsageError } from '../../src/cli/sync.js';
import { recordedDataset } from '../../offline/datasets.js';
import { SyncKind } from '../../src/scheduler/sync-run.entity.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { SAMPLES_DIR } from '../support/test-env.js';

describe('npm run sync', () => {
  let h: Harness;
  const saved = { ...process.env };
  let printed: string[] = [];
  const log = console.log;
  const error = console.error;

  beforeAll(async () => {
    // An api instance only: no worker listens, so the command line runs one while it waits.
    h = await startHarness({ dataset: recordedDataset(SAMPLES_DIR) }, { ROLE: 'api', SYNC_BACKOFF_MS: '10' });
    for (const [k, v] of Object.entries(h.settings)) if (v !== undefined) process.env[k] = v;
    process.env.IRACING_MAX_ATTEMPTS = '1';
  });
  afterAll(async () => {
    process.env = saved;
    await h?.close();
  });
  beforeEach(() => {
    printed = [];
    console.log = (...a: unknown[]) => void printed.push(a.join(' '));
    console.error = (...a: unknown[]) => void printed.push(a.join(' '));
  });
  afterEach(() => {
    console.log = log;
    console.error = error;
    h.replica.clearFaults();
  });

  it('parses every kind and names what is wrong', () => {
    expect(
      parseSyncArgs(['seasons', '--include-past', '--series-ids', '3,1,3', '--limit', '5', '--wait']),
    ).toEqual({
      kind: SyncKind.SEASONS,
      params: { includePast: true, seriesIds: [1, 3], limit: 5 },
      wait: true,
    });
    expect(parseSyncArgs(['subsession', '--subsession-id', '82263872', '--laps']).params).toEqual({
      subsessionIds: [82263872],
      includeLaps: true,
    });
    expect(parseSyncArgs(['results', '--season-id', '5910', '--race-week-num', '1']).params).toEqual({
      seasonId: 5910,
      raceWeekNum: 1,
    });
    expect(parseSyncArgs(['owned-content']).kind).toBe(SyncKind.OWNED_CONTENT);
    expect(() => parseSyncArgs(['bogus'])).toThrow(/unknown kind "bogus"/);
    expect(() => parseSyncArgs(['seasons', '--season-year', '2026'])).toThrow(/go together/);
    expect(() => parseSyncArgs(['member'])).toThrow(UsageError);
    expect(() => parseSyncArgs(['forecasts', '--season-ids', '1,x'])).toThrow(/--season-ids/);
    expect(() => parseSyncArgs(['catalog', '--nope'])).toThrow();
  });

  it('waits for a run, shows its progress and counts, and exits 0 when it succeeded', async () => {
    expect(await runSyncCli(['catalog', '--wait'])).toBe(0);
    const out = printed.join('\n');
    expect(out).toMatch(/sync run \d+ \(CATALOG\) QUEUED/);
    expect(out).toMatch(/no worker is listening/);
    expect(out).toMatch(/\[#{30}\] SUCCEEDED/);
    expect(out).toMatch(/sim_car +\{"failed":0,"created":181/);
  });

  it('exits non-zero when the run fails, printing its error, and 64 on bad usage', async () => {
    h.replica.addFault({ endpoint: 'car/get', kind: 'status', status: 404 });
    expect(await runSyncCli(['catalog', '--refresh', '--wait'])).toBe(1);
    expect(printed.join('\n')).toMatch(/error catalog \[car\/get\]: .*404/);
    printed = [];
    expect(await runSyncCli(['bogus'])).toBe(64);
    expect(printed.join('\n')).toMatch(/usage: npm run sync/);
  });

  it('only queues without --wait', async () => {
    expect(await runSyncCli(['race-guide'])).toBe(0);
    const [run] = (await h.db.query(`SELECT status, trigger FROM sync_run WHERE kind = 'RACE_GUIDE'`)) as {
      status: string;
      trigger: string;
    }[];
    expect(run).toEqual({ status: 'QUEUED', trigger: 'CLI' });
  });
});
