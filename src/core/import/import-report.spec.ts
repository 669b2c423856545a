// Unit tests of the import report: how a nested report is merged (units, failures, warnings, queued runs), and
// how a failed unit is recorded from the one import-failure model (ImportError, other errors). The iRacing
// client's errors are ImportErrors: `http404` stands for one here (core imports no iracing code); the
// integration tests run the real ones.
import { ImportError, isRetryable } from './import-error.js';
import { ImportReport } from './import-report.js';

/** What the iRacing client throws for a 404 (IracingHttpError). */
const http404 = (endpoint: string, params: Record<string, unknown>) =>
  new ImportError(`iRacing ${endpoint} answered HTTP 404: Not Found`, {
    endpoint,
    params,
    status: 404,
    retryable: false,
  });

function nested(): ImportReport {
  const r = new ImportReport();
  r.add('sim_car', { created: 2, unchanged: 1 });
  r.add('car_class', { deleted: 1 });
  r.fail('catalog', http404('car/get', { include: 1 }));
  r.warn('owned content', 'car package 7 unknown', 'member/info');
  r.queued.push({ kind: 'SUBSESSIONS', runId: 9, items: 3 });
  r.unitsSucceeded = 1;
  return r;
}

describe('ImportReport.merge', () => {
  it('adds everything of a report of the same run: counts, failures, warnings, queued runs and units', () => {
    const into = new ImportReport();
    into.add('sim_car', { updated: 1 });
    into.unitsSucceeded = 2;
    into.merge(nested());
    expect(into.byEntity.sim_car).toEqual({ created: 2, updated: 1, unchanged: 1, deleted: 0 });
    expect(into.byEntity.car_class).toEqual({ created: 0, updated: 0, unchanged: 0, deleted: 1 });
    expect(into.failures.map((f) => f.unit)).toEqual(['catalog']);
    expect(into.warnings.map((w) => w.unit)).toEqual(['owned content']);
    expect(into.queued).toEqual([{ kind: 'SUBSESSIONS', runId: 9, items: 3 }]);
    expect(into.unitsSucceeded).toBe(3);
    expect(into.totals()).toEqual({ created: 2, updated: 1, unchanged: 1, deleted: 1, failed: 1 });
  });

  it("does not count a dependency's units as units of this run, but keeps its failures", () => {
    const into = new ImportReport();
    into.merge(nested(), { units: false });
    expect(into.unitsSucceeded).toBe(0);
    expect(into.failures).toHaveLength(1);
    expect(into.byEntity.sim_car.created).toBe(2);
  });

  it("tells a dependency's failures as warnings, or leaves them to the caller's own failure", () => {
    const warned = new ImportReport();
    warned.merge(nested(), { units: false, failures: 'warn' });
    expect(warned.failures).toEqual([]);
    expect(warned.warnings).toEqual([
      { unit: 'owned content', message: 'car package 7 unknown', endpoint: 'member/info' },
      {
        unit: 'catalog',
        message: 'iRacing car/get answered HTTP 404: Not Found',
        endpoint: 'car/get',
      },
    ]);
    const omitted = new ImportReport();
    omitted.merge(nested(), { units: false, failures: 'omit' });
    expect(omitted.failures).toEqual([]);
    expect(omitted.warnings).toHaveLength(1);
    expect(omitted.queued).toHaveLength(1);
    expect(omitted.totals().created).toBe(2);
  });
});

describe('ImportReport.fail and the import-failure model', () => {
  it('records an error with its endpoint, parameters and status, not retryable', () => {
    const r = new ImportReport();
    r.fail('season 7', http404('series/season_schedule', { season_id: 7 }));
    expect(r.failures).toEqual([
      {
        unit: 'season 7',
        message: 'iRacing series/season_schedule answered HTTP 404: Not Found',
        endpoint: 'series/season_schedule',
        params: { season_id: 7 },
        status: 404,
        retryable: false,
      },
    ]);
  });

  it("keeps a dependency's failure as the cause of a unit's own error", () => {
    const dependency = new ImportReport();
    dependency.fail('season 7', http404('series/season_schedule', { season_id: 7 }));
    const err = ImportError.causedBy('subsession 1: season 7 week 3 is not known', dependency.failures[0]);
    const r = new ImportReport();
    r.fail('subsession 1', err);
    expect(r.failures[0]).toMatchObject({
      endpoint: 'series/season_schedule',
      params: { season_id: 7 },
      status: 404,
      retryable: false,
    });
    // Without a cause, a unit that lacks what it needs is bad data.
    expect(ImportError.causedBy('no week', undefined).retryable).toBe(false);
  });

  it('throws a run-scoped error on (iRacing maintenance, a run taken over) instead of failing the unit', () => {
    const r = new ImportReport();
    const stopped = new ImportError('the run was taken over', { scope: 'run' });
    expect(() => r.fail('catalog', stopped)).toThrow(stopped);
    expect(r.failures).toEqual([]);
  });

  it('says what may be retried: outages and unexpected errors, not bad data nor non-errors', () => {
    expect(isRetryable(http404('car/get', {}))).toBe(false);
    expect(isRetryable(ImportError.badData('car/get', 'no cars'))).toBe(false);
    expect(isRetryable(new ImportError('later', { retryable: true }))).toBe(true);
    expect(isRetryable(new Error('a bug'))).toBe(true);
    expect(isRetryable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isRetryable({ message: 'bad data' })).toBe(false);
    expect(isRetryable('oops')).toBe(false);
  });

  it('turns any error into an ImportError, keeping what an import error says', () => {
    const http = http404('results/get', { subsession_id: 5 });
    expect(ImportError.from(http)).toBe(http);
    expect(ImportError.from(http, { endpoint: 'other' })).toMatchObject({
      endpoint: 'results/get',
      status: 404,
    });
    const mapped = ImportError.from(new Error('row 3 has no cust_id'), {
      endpoint: 'results/get',
      params: { subsession_id: 5 },
      retryable: false,
    });
    expect(mapped).toMatchObject({
      message: 'row 3 has no cust_id',
      endpoint: 'results/get',
      params: { subsession_id: 5 },
      retryable: false,
      scope: 'unit',
    });
    expect(mapped.cause).toBeInstanceOf(Error);
    const maintenance = new ImportError('iRacing is in maintenance', { scope: 'run', retryable: true });
    expect(ImportError.from(maintenance, { retryable: false }).scope).toBe('run');
  });
});
