// How a sync run survives iRacing's failures, through real Bull retries: an outage that outlasts the client's
// own retries is retried by the queue (and ends FAILED after the last attempt), an outage that passes ends
// SUCCEEDED, and maintenance delays the job without using up an attempt.
import { recordedDataset } from '../../offline/datasets.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';
import { SAMPLES_DIR } from '../support/test-env.js';

const SYNC = `mutation($input: SyncCatalogInput) { syncCatalog(input: $input) { ${SYNC_RUN_FIELDS} } }`;

interface RunDetail extends SyncRunView {
  errors: { unit: string; message: string; endpoint: string | null; attempt: number | null }[];
}

describe('sync failures and retries (end to end)', () => {
  let h: Harness;

  const start = async (input: Record<string, unknown> = { refresh: true }) =>
    (await h.data<{ syncCatalog: SyncRunView }>(SYNC, { input }, ADMIN_KEY)).syncCatalog.id;
  const detail = async (id: number) =>
    (
      await h.data<{ syncRun: RunDetail & { attempts: number } }>(
        `query($id: Int!) { syncRun(id: $id) { ${SYNC_RUN_FIELDS} attempts errors { unit message endpoint attempt } } }`,
        { id },
      )
    ).syncRun;

  beforeAll(async () => {
    h = await startHarness(
      { dataset: recordedDataset(SAMPLES_DIR) },
      { SYNC_BACKOFF_MS: '200', IRACING_MAINTENANCE_DELAY_MS: '300', IRACING_MAX_ATTEMPTS: '2' },
    );
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => h.replica.clearFaults());

  it('retries a lasting outage as whole job attempts, then fails with every attempt recorded', async () => {
    h.replica.addFault({ endpoint: 'car/get', kind: 'status', status: 500 });
    const id = await start();
    const run = await h.waitForRun(id);
    expect(run.status).toBe('FAILED');
    const d = await detail(id);
    expect(d.attempts).toBe(3);
    expect(d.errors.map((e) => e.attempt)).toEqual([1, 2, 3]);
    for (const e of d.errors) {
      expect(e.endpoint).toBe('car/get');
      expect(e.message).toMatch(/unavailable: HTTP 500 \(after 2 attempts\)/);
    }
    expect(h.replica.stats.dataRequests['car/get']).toBeGreaterThanOrEqual(6);
    const cars = await h.db.query('SELECT count(*)::int AS n FROM sim_car');
    expect(cars[0].n).toBe(0);
  });

  it('succeeds on a later attempt once the outage passes', async () => {
    h.replica.addFault({ endpoint: 'track/get', kind: 'html', times: 2 });
    const id = await start();
    const run = await h.waitForRun(id);
    expect(run.status).toBe('SUCCEEDED');
    const d = await detail(id);
    expect(d.attempts).toBe(2);
    expect(d.errors).toHaveLength(1);
    expect(d.errors[0]).toMatchObject({ attempt: 1, endpoint: 'track/get' });
    expect(d.errors[0].message).toMatch(/HTTP 504 \(an HTML error page\) \(after 2 attempts\)/);
    expect(d.counts.failed).toBe(0);
  });

  it('delays the job during maintenance without using up an attempt', async () => {
    h.replica.addFault({ endpoint: 'carclass/get', kind: 'maintenance', times: 1 });
    const id = await start();
    const run = await h.waitForRun(id);
    expect(run.status).toBe('SUCCEEDED');
    const d = await detail(id);
    expect(d.attempts).toBe(1);
    expect(d.errors).toHaveLength(1);
    expect(d.errors[0]).toMatchObject({ unit: 'maintenance', endpoint: 'carclass/get' });
    expect(d.errors[0].message).toMatch(/maintenance/);
  });
});
