// The pure parts of keeping sync runs whole: fixed-size dedupe keys, which errors mean a lost connection, how
// the counts of several passes of a run add up, and a bounded wait.
import { combinePasses, ImportReport, isConnectionError } from '../core/import/import-report.js';
import { dedupeKey, stableJson } from './sync-run.service.js';
import { chunks, withTimeout } from './sync.queue.js';

describe('sync run keys and accounting', () => {
  it('keys a run by a fixed-size hash of its canonical parameters, whatever their size', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => 1_000_000 + i);
    const key = dedupeKey('SUBSESSIONS', { subsessionIds: ids });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(stableJson({ subsessionIds: ids }).length).toBeGreaterThan(2704);
    // Equal parameters in another order or with undefined values give the same key; others do not.
    expect(dedupeKey('CATALOG', { refresh: true, dryRun: undefined })).toBe(
      dedupeKey('CATALOG', { refresh: true }),
    );
    expect(dedupeKey('SEASONS', { a: 1, b: 2 })).toBe(dedupeKey('SEASONS', { b: 2, a: 1 }));
    expect(dedupeKey('SEASONS', {})).not.toBe(dedupeKey('CATALOG', {}));
  });

  it('splits id lists into slices of at most 500', () => {
    const ids = Array.from({ length: 1234 }, (_, i) => i);
    expect(chunks(ids).map((c) => c.length)).toEqual([500, 500, 234]);
    expect(chunks(ids).flat()).toEqual(ids);
    expect(chunks([])).toEqual([]);
  });

  it('tells a lost PostgreSQL or Redis connection from other failures', () => {
    const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      pg('57P01', 'terminating connection due to administrator command'),
      pg('57P03', 'the database system is starting up'),
      pg('08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection is closed.'),
      pg('55000', 'database "x" is not currently accepting connections'),
      { message: 'query failed', driverError: pg('ECONNRESET', 'read ECONNRESET') },
    ])
      expect([err, isConnectionError(err)]).toEqual([err, true]);
    for (const err of [
      pg('23505', 'duplicate key value violates unique constraint'),
      pg('55000', 'object not in prerequisite state'),
      new Error('a malformed payload'),
      // iRacing unreachable is the iRacing client's and the job attempts' business.
      Object.assign(new Error('iRacing car/get is unavailable: connect ECONNREFUSED'), {
        endpoint: 'car/get',
        code: 'ECONNREFUSED',
      }),
      null,
      'ECONNREFUSED',
    ])
      expect([err, isConnectionError(err)]).toEqual([err, false]);
  });

  it('records a unit failed on a lost connection as retryable, flagged as such', () => {
    const report = new ImportReport();
    report.fail('subsession 1', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    report.fail('subsession 2', { message: 'bad data', retryable: false });
    expect(report.failures).toEqual([
      { unit: 'subsession 1', message: 'connect ECONNREFUSED', retryable: true, connection: true },
      { unit: 'subsession 2', message: 'bad data', retryable: false, endpoint: undefined },
    ]);
  });

  it('adds up the rows written by every pass, and counts unchanged only what no pass wrote', () => {
    const c = (created: number, updated: number, unchanged: number, deleted = 0) => ({
      created,
      updated,
      unchanged,
      deleted,
    });
    // A worker killed after writing 20 subsessions (2 updated, 1 found unchanged), then the one that took over:
    // it finds those 23 unchanged and writes the 7 others.
    const killed = { event_result: c(20, 2, 1), lap: c(100, 0, 0, 3) };
    const last = { event_result: c(7, 0, 23), sim_profile: c(0, 0, 5) };
    expect(combinePasses([killed], last)).toEqual({
      event_result: c(27, 2, 1),
      lap: c(100, 0, 0, 3),
      sim_profile: c(0, 0, 5),
    });
    expect(combinePasses([], last)).toEqual(last);
  });

  it('bounds a wait and leaves quick work alone', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'adding the job')).rejects.toThrow(
      'adding the job took longer than 20 ms',
    );
    await expect(withTimeout(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
  });
});
