// Faults end to end (docs/architecture.md §4.6–§4.8): a full sync of everything from a clean replica, then the same
// syncs from a replica that injects every kind of fault under a tight shared rate-limit budget, run by three worker
// processes (`node dist/src/main.js`, ROLE=worker) of which the one running a seasons sync is killed with SIGKILL.
// The two databases must be equal table by table (counts and order-free checksums), every run must end SUCCEEDED or
// PARTIAL with its errors, and the replica must never have refused a request for an overspent budget.
// The kill and the maintenance window happen at defined iRacing requests (the replica holds the request the
// worker is killed at), so the scenario does the same on a busy machine as on an idle one (bench/chaos.ts).
// `npm run bench:chaos` runs the same scenario at synthetic scale 1 and prints the figures.
import { runChaos } from '../../bench/chaos.js';
import type { ChaosReport } from '../../bench/chaos.js';
import { ADMIN_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env.js';

describe('a full sync under faults and a killed worker (end to end)', () => {
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos({
      scale: 0.05,
      faultRate: 0.03,
      rateLimit: { limit: 10, windowMs: 1000 },
      adminUrl: ADMIN_DATABASE_URL,
      redisUrl: TEST_REDIS_URL,
      timeoutMs: 200_000,
    });
  }, 400_000);

  it('ends with the same database as a clean run, table by table', () => {
    expect(report.differences).toEqual([]);
    const filled = report.clean.tables.filter((t) => t.rows > 0).map((t) => t.table);
    // Everything a full sync writes is compared, not an empty database with another.
    expect(filled).toEqual(
      expect.arrayContaining([
        'sim_car',
        'car_class',
        'sim_layout',
        'series',
        'season',
        'race_week',
        'car_restriction',
        'event',
        'event_class',
        'event_instance',
        'weather_forecast',
        'event_result',
        'participant_result',
        'lap',
        'sim_profile',
        'sim_profile_car_ownership',
        'sim_profile_track_ownership',
      ]),
    );
    expect(report.faulty.tables.map((t) => [t.table, t.rows])).toEqual(
      report.clean.tables.map((t) => [t.table, t.rows]),
    );
  });

  it('served every kind of fault, within a budget the workers shared without a single overspend', () => {
    const served = report.faulty.replica.faultsByKind;
    expect(Object.keys(served).sort()).toEqual([
      'expired-link',
      'html',
      'maintenance',
      'malformed-json',
      'rate-limit',
      'slow',
      'status',
      'truncated-chunk',
    ]);
    for (const kind of Object.keys(served)) expect(served[kind]).toBeGreaterThan(0);
    expect(report.faulty.replica.overBudget).toBe(0);
    // The budget was tight enough that the workers waited for it.
    expect(report.faulty.runs.reduce((ms, r) => ms + r.rateLimitWaitMs, 0)).toBeGreaterThan(0);
  });

  it('kills the worker running a seasons sync midway, and another worker finishes that run', () => {
    const killed = report.faulty.killed;
    expect(killed).toBeDefined();
    expect(killed!.kind).toBe('SEASONS');
    expect(killed!.request).toMatch(/^series\/season_schedule\?season_id=\d+$/);
    // Killed with some of its seasons committed and some not.
    expect(killed!.done).toBeGreaterThan(0);
    expect(killed!.done).toBeLessThan(killed!.total);
    const run = report.faulty.runs.find((r) => r.id === killed!.runId);
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.errors.map((e) => e.unit)).toContain('worker');
    expect(report.faulty.workerLog).toMatch(/another worker took it over/);
  });

  it('ends every run SUCCEEDED, or PARTIAL or FAILED with its errors, and none left active', () => {
    for (const run of report.faulty.runs) {
      expect(['SUCCEEDED', 'PARTIAL', 'FAILED']).toContain(run.status);
      if (run.status !== 'SUCCEEDED') expect(run.errors.length).toBeGreaterThan(0);
    }
    // The same syncs ran in both phases (the faulty one may add the repeats of what ended PARTIAL).
    const kinds = (runs: { kind: string }[]) => [...new Set(runs.map((r) => r.kind))].sort();
    expect(kinds(report.faulty.runs)).toEqual(kinds(report.clean.runs));
    // The maintenance window (the first two series/seasons requests) delayed the seasons sync rather than failing
    // it: SUCCEEDED, not PARTIAL, with its delays recorded.
    expect(report.faulty.maintenance.served).toBe(2);
    const delayed = report.faulty.runs.find((r) => r.id === report.faulty.maintenance.runId);
    expect(delayed?.kind).toBe('SEASONS');
    expect(delayed?.status).toBe('SUCCEEDED');
    expect(delayed?.errors.filter((e) => e.unit === 'maintenance').length).toBeGreaterThan(0);
    expect(report.faulty.repeated.map((r) => r.id)).not.toContain(delayed?.id);
  });
});
