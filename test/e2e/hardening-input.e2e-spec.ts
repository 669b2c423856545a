// Hostile input reaching the API (end to end, real PostgreSQL and Redis): NUL characters in strings, dates out of
// range, impossible or zone-less, bare numbers for a DateTime, and cross-site requests to Bull Board with cached
// credentials. Each is refused with a clear error naming the argument (never a 5xx), and nothing changes.
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { recordedDataset } from '../../offline/datasets.js';
import type { Request } from 'express';
import { crossSiteProblem } from '../../src/scheduler/queue-board.js';
import { SYNC_QUEUE } from '../../src/scheduler/sync.queue.js';
import { ADMIN_KEY, startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { SAMPLES_DIR } from '../support/test-env.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('hardening: hostile input (end to end)', () => {
  let h: Harness;
  let queue: Queue;

  const ask = async (query: string, variables: Raw = {}, key: string | null = null) => {
    const req = request(h.app.getHttpServer()).post('/graphql').set('content-type', 'application/json');
    if (key !== null) req.set('authorization', `Bearer ${key}`);
    const res = await req.send({ query, variables });
    return { status: res.status, body: res.body as Raw };
  };
  /** One BAD_USER_INPUT error whose message matches, and no 5xx. */
  const refused = async (answer: Promise<{ status: number; body: Raw }>, message: RegExp) => {
    const a = await answer;
    expect(a.status).toBeLessThan(500);
    const errors = a.body.errors ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors[0].message).toMatch(message);
    return errors[0].message as string;
  };
  const syncRunCount = async () =>
    Number(((await h.db.query('SELECT count(*)::int AS n FROM sync_run')) as Raw[])[0].n);

  beforeAll(async () => {
    h = await startHarness({ dataset: recordedDataset(SAMPLES_DIR) });
    queue = h.app.get<Queue>(getQueueToken(SYNC_QUEUE));
    const { syncCatalog } = await h.data<Raw>(`mutation { syncCatalog { id } }`, {}, ADMIN_KEY);
    expect((await h.waitForRun(syncCatalog.id as number)).status).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('NUL characters', () => {
    it('refuses a NUL in a search string, as a variable and as a literal, naming the argument', async () => {
      const cars = `query($s: String) { cars(filter: { search: $s }) { totalCount } }`;
      await refused(ask(cars, { s: 'gt3\u0000' }), /^filter\.search must not contain NUL characters/);
      await refused(
        ask(`{ seriesList(filter: { search: "a\\u0000b" }) { totalCount } }`),
        /^filter\.search must not contain NUL characters/,
      );
      await refused(
        ask(`query($a: String) { cars(after: $a) { totalCount } }`, { a: '\u0000' }),
        /^after must not contain NUL characters/,
      );
      // The same search without the NUL is answered.
      const ok = await ask(cars, { s: 'gt3' });
      expect(ok.body.errors).toBeUndefined();
      expect(typeof ok.body.data?.cars.totalCount).toBe('number');
    });

    it('refuses a NUL in every string filter, and in HTTP query parameters, creating nothing', async () => {
      const before = await syncRunCount();
      for (const [list, type] of [
        ['cars', 'CarFilter'],
        ['carClasses', 'CarClassFilter'],
        ['tracks', 'TrackFilter'],
        ['seriesList', 'SeriesFilter'],
      ]) {
        await refused(
          ask(`query($f: ${type}) { ${list}(filter: $f) { totalCount } }`, { f: { search: '\u0000' } }),
          /^filter\.search must not contain NUL characters \(\\u0000\)/,
        );
      }
      const ics = await request(h.app.getHttpServer()).get('/calendar.ics?seriesIds=1%00');
      expect(ics.status).toBe(400);
      expect(ics.text).toMatch(/NUL/);
      expect(await syncRunCount()).toBe(before);
    });
  });

  describe('the DateTime scalar', () => {
    const sessions = `query($f: DateTime) { sessions(filter: { from: $f }) { totalCount } }`;

    it('refuses dates PostgreSQL cannot store, or outside the years 0000-9999', async () => {
      for (const bad of [
        '-271821-04-20',
        '-271821-04-20T00:00:00Z',
        '+200000-01-01T00:00:00Z',
        '10000-01-01T00:00:00Z',
      ])
        await refused(
          ask(sessions, { f: bad }),
          /^filter\.from must be an ISO-8601 date-time with a zone.*year/,
        );
      await refused(
        ask(`{ raceWeeks(filter: { to: "-271821-04-20" }) { totalCount } }`),
        /^filter\.to must be an ISO-8601 date-time/,
      );
    });

    it('refuses impossible calendar dates instead of rolling them over', async () => {
      await refused(ask(sessions, { f: '2026-02-30T00:00:00Z' }), /filter\.from.*2026-02 has no day 30/);
      await refused(ask(sessions, { f: '2027-02-29T12:00:00Z' }), /2027-02 has no day 29/);
      await refused(
        ask(`{ results(filter: { from: "2026-04-31T00:00:00Z" }) { totalCount } }`),
        /^filter\.from .*2026-04 has no day 31/,
      );
      // A real leap day is a date.
      const leap = await ask(sessions, { f: '2028-02-29T00:00:00Z' });
      expect(leap.body.errors).toBeUndefined();
    });

    it('refuses zone-less times and bare numbers', async () => {
      await refused(ask(sessions, { f: '2026-05-01T18:00:00' }), /filter\.from.*the zone is missing/);
      await refused(ask(sessions, { f: '2026-05-01' }), /filter\.from.*the zone is missing/);
      await refused(ask(sessions, { f: 1777658400000 }), /filter\.from.*a string is expected/);
      await refused(
        ask(`{ sessions(filter: { to: 1777658400000 }) { totalCount } }`),
        /^filter\.to .*a string is expected/,
      );
    });

    it('reads an offset as the same instant as UTC, and answers at UTC', async () => {
      const count = async (from: string, to: string) => {
        const a = await ask(
          `query($f: DateTime, $t: DateTime) { sessions(filter: { from: $f, to: $t }) { totalCount } }`,
          {
            f: from,
            t: to,
          },
        );
        expect(a.body.errors).toBeUndefined();
        return a.body.data?.sessions.totalCount as number;
      };
      expect(await count('2026-05-01T20:00:00+02:00', '2026-05-02T08:00:00+08:00')).toBe(
        await count('2026-05-01T18:00:00Z', '2026-05-02T00:00:00.000Z'),
      );
      // `from` after `to` once read in UTC: the offsets are applied, not ignored.
      await refused(
        ask(
          `{ sessions(filter: { from: "2026-05-01T18:00:00-01:00", to: "2026-05-01T18:30:00Z" }) { totalCount } }`,
        ),
        /"from" \(2026-05-01T19:00:00\.000Z\) must be before "to" \(2026-05-01T18:30:00\.000Z\)/,
      );
      const run = await ask(`{ syncRuns(first: 1) { edges { node { createdAt } } } }`);
      expect(run.body.data?.syncRuns.edges[0].node.createdAt).toMatch(
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
      );
    });
  });

  describe('Bull Board and cross-site requests', () => {
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`;
    const board = () => request(h.app.getHttpServer());

    it('refuses a state-changing request from another site even with the cached Basic credentials', async () => {
      const cases: [string, Record<string, string>][] = [
        ['a foreign Origin', { origin: 'https://evil.example' }],
        ['Origin: null', { origin: 'null' }],
        ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
        [
          'a foreign Origin on the Host header of another port',
          { origin: 'http://board.test:8080', host: 'board.test' },
        ],
      ];
      for (const [what, headers] of cases) {
        for (const [method, path] of [
          ['put', '/admin/queues/api/queues/pause'],
          ['post', `/admin/queues/api/queues/${SYNC_QUEUE}/add`],
          ['put', `/admin/queues/api/queues/${SYNC_QUEUE}/clean/waiting`],
        ] as const) {
          const req = board()[method](path).set('authorization', basic);
          for (const [k, v] of Object.entries(headers)) void req.set(k, v);
          const res = await req.send({ name: 'x', data: {} });
          if (res.status !== 403) throw new Error(`${method} ${path} with ${what}: ${res.status}`);
          expect(res.headers['content-type']).toMatch(/json/);
          expect((res.body as { error: string }).error).toMatch(/refused/);
        }
      }
      expect(await queue.isPaused()).toBe(false);
    });

    it('lets same-origin state changes and cross-site reads through to the key check', async () => {
      // Same origin (the Host the request was sent to): the key decides.
      await board()
        .put(`/admin/queues/api/queues/${SYNC_QUEUE}/pause`)
        .set('host', 'board.test')
        .set('origin', 'http://board.test')
        .expect(401);
      await board()
        .put(`/admin/queues/api/queues/${SYNC_QUEUE}/pause`)
        .set('host', 'board.test')
        .set('origin', 'http://board.test')
        .set('sec-fetch-site', 'same-origin')
        .set('authorization', basic)
        .expect(200);
      expect(await queue.isPaused()).toBe(true);
      // Without Origin nor Sec-Fetch-Site (curl, scripts): the key decides.
      await board()
        .put(`/admin/queues/api/queues/${SYNC_QUEUE}/resume`)
        .set('authorization', `Bearer ${ADMIN_KEY}`)
        .expect(200);
      expect(await queue.isPaused()).toBe(false);
      // Reads are not state changes: a cross-site GET still needs the key, and passes with it.
      await board().get('/admin/queues/api/queues').set('sec-fetch-site', 'cross-site').expect(401);
      await board()
        .get('/admin/queues/api/queues')
        .set('sec-fetch-site', 'cross-site')
        .set('origin', 'https://evil.example')
        .set('authorization', basic)
        .expect(200);
    });

    it('takes the origins of CORS_ORIGINS as its own', () => {
      const req = (method: string, headers: Record<string, string>) =>
        ({ method, headers }) as unknown as Request;
      const allowed = ['https://app.simlane.example'];
      const from = (origin: string) => req('POST', { origin, host: 'api.simlane.example' });
      expect(crossSiteProblem(from('https://app.simlane.example'), allowed)).toBeUndefined();
      expect(crossSiteProblem(from('https://APP.simlane.example/'), allowed)).toBeUndefined();
      expect(crossSiteProblem(from('https://api.simlane.example'), allowed)).toBeUndefined();
      expect(crossSiteProblem(from('https://evil.example'), allowed)).toMatch(/another origin/);
      expect(crossSiteProblem(req('DELETE', { 'sec-fetch-site': 'cross-site' }), allowed)).toMatch(
        /Cross-site/,
      );
      expect(crossSiteProblem(req('HEAD', { origin: 'https://evil.example' }), allowed)).toBeUndefined();
    });
  });
});
