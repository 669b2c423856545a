// GET /calendar.ics end to end on the synthetic world: syncSeasons → database → the iCalendar feed, parsed with
// a real iCalendar parser (ical.js). Its events are exactly the `sessions` query's for the same filters (ids,
// start times), `limit` and the series, car and ownership filters are honoured, and bad input answers a JSON
// error naming the parameter.
import ICAL from 'ical.js';
import request from 'supertest';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { ADMIN_KEY, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { Harness, SyncRunView } from '../support/harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NOW = new Date();
const WORLD = { seed: 4, scale: 0.1, now: NOW };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface IcsEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  location: string | null;
  description: string | null;
  categories: string[];
}

interface Session {
  id: number;
  startTime: string;
}

const SESSIONS = `query($f: SessionFilter, $after: String) { sessions(filter: $f, first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id startTime } } } }`;

/** Parses an iCalendar text with ical.js; throws when it is not one. */
function parseIcs(text: string): { calendar: ICAL.Component; events: IcsEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      start: e.startDate.toJSDate(),
      end: e.endDate.toJSDate(),
      summary: e.summary,
      location: e.location ?? null,
      description: e.description ?? null,
      categories: v.getAllProperties('categories').flatMap((p) => p.getValues().map(String)),
    };
  });
  return { calendar, events };
}

describe('calendar.ics (end to end, synthetic world)', () => {
  let h: Harness;
  // A second instance of the same world: what the replica serves, read without going through it.
  const expected = syntheticDataset(WORLD);
  const served = (endpoint: string) =>
    expected.resolve(endpoint, new URLSearchParams(), { baseUrl: h.replica.url, now: NOW }) as Raw;

  const run = async (mutation: string, variables: Raw = {}): Promise<SyncRunView> => {
    const data = await h.data<Record<string, SyncRunView>>(mutation, variables, ADMIN_KEY);
    return h.waitForRun(Object.values(data)[0].id);
  };
  const ics = (query: Record<string, string | number> = {}, key?: string) => {
    const req = request(h.app.getHttpServer())
      .get('/calendar.ics')
      .query(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])));
    return key ? req.set('authorization', `Bearer ${key}`) : req;
  };
  /** Every session of the `sessions` query for a filter, page after page. */
  const sessions = async (f: Raw): Promise<{ totalCount: number; list: Session[] }> => {
    const list: Session[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (let page = 0; page < 100; page++) {
      const q: Raw = await h.data<Raw>(SESSIONS, { f, after }, ADMIN_KEY);
      totalCount = q.sessions.totalCount as number;
      list.push(...(q.sessions.edges as Raw[]).map((e) => e.node as Session));
      if (!q.sessions.pageInfo.hasNextPage) break;
      after = q.sessions.pageInfo.endCursor as string;
    }
    return { totalCount, list };
  };
  /** The events of a calendar must be exactly these sessions, in order, with their start times. */
  const expectSameSessions = (events: IcsEvent[], list: Session[]) => {
    expect(events.map((e) => e.uid)).toEqual(list.map((s) => `session-${s.id}@simlane`));
    expect(events.map((e) => e.start.toISOString())).toEqual(
      list.map((s) => new Date(s.startTime).toISOString()),
    );
  };

  // A window of the future with some dozens of sessions, below the default limit of 500: six hours from the next
  // whole hour, or from a later day when few series race then (most seasons have 12 weeks of a quarter's 13).
  let from: Date;
  let to: Date;
  let window: { from: string; to: string };
  const chooseWindow = async () => {
    const base = Math.ceil((NOW.getTime() + HOUR) / HOUR) * HOUR;
    for (let day = 0; day < 28; day++) {
      const f = {
        from: new Date(base + day * DAY).toISOString(),
        to: new Date(base + day * DAY + 6 * HOUR).toISOString(),
      };
      const q = await h.data<Raw>(
        `query($f: SessionFilter) { sessions(filter: $f, first: 1) { totalCount } }`,
        { f },
      );
      if (q.sessions.totalCount >= 20 && q.sessions.totalCount < 450) {
        [from, to, window] = [new Date(f.from), new Date(f.to), f];
        return;
      }
    }
    throw new Error('no window of the next four weeks has between 20 and 450 sessions');
  };

  beforeAll(async () => {
    h = await startHarness({ dataset: syntheticDataset(WORLD), now: () => NOW });
    const r = await run(`mutation { syncSeasons { ${SYNC_RUN_FIELDS} } }`);
    expect(r.errors).toEqual([]);
    expect(r.status).toBe('SUCCEEDED');
    await chooseWindow();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves a valid calendar whose events are the sessions of the same filters', async () => {
    const res = await ics(window).expect(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('inline; filename="simlane.ics"');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const text = res.text;
    // CRLF only, and no physical line over 75 octets.
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);

    const { calendar, events } = parseIcs(text);
    expect(calendar.name).toBe('vcalendar');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('prodid')).toMatch(/Simlane/);
    expect(calendar.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBeTruthy();

    const { totalCount, list } = await sessions(window);
    expect(totalCount).toBeGreaterThan(10);
    expect(totalCount).toBeLessThan(500);
    expect(res.headers['x-total-count']).toBe(String(totalCount));
    expect(events).toHaveLength(totalCount);
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
    expectSameSessions(events, list);

    for (const e of events) {
      expect(e.end.getTime()).toBeGreaterThan(e.start.getTime());
      expect(e.summary).toMatch(/ — /);
      expect(e.location).toBeTruthy();
      expect(e.summary).toContain(e.location);
      expect(e.description).toMatch(/^Season: .+\nWeek \d+\n/);
      expect(e.categories.length).toBe(1);
      const stamp = e.start.getTime();
      expect(stamp).toBeGreaterThanOrEqual(from.getTime());
      expect(stamp).toBeLessThan(to.getTime());
    }
  });

  it('defaults to the coming week, and stops at the limit', async () => {
    const before = Date.now();
    const res = await ics({ limit: 2000 }).expect(200);
    const after = Date.now();
    const { events } = parseIcs(res.text);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.start.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(e.start.getTime()).toBeLessThan(after + 7 * DAY);
    }
    const total = Number(res.headers['x-total-count']);
    expect(events).toHaveLength(Math.min(total, 2000));

    const { list } = await sessions(window);
    const limited = await ics({ ...window, limit: 7 }).expect(200);
    const first7 = parseIcs(limited.text).events;
    expect(first7).toHaveLength(7);
    expectSameSessions(first7, list.slice(0, 7));
    expect(limited.headers['x-total-count']).toBe(String(list.length));
    // More than one page of the service (100 rows), cut in the middle of a page.
    const wide = { from: from.toISOString(), to: new Date(from.getTime() + 7 * DAY).toISOString() };
    const { totalCount: wideTotal, list: wideList } = await sessions(wide);
    expect(wideTotal).toBeGreaterThan(150);
    const cut = parseIcs((await ics({ ...wide, limit: 150 }).expect(200)).text).events;
    expectSameSessions(cut, wideList.slice(0, 150));
  });

  it('filters by series (and by car and track ids), as the sessions query does', async () => {
    const all = parseIcs((await ics(window).expect(200)).text).events;
    const { seriesList } = await h.data<Raw>(`{ seriesList(first: 100) { edges { node { id name } } } }`);
    const names = new Map<number, string>(
      (seriesList.edges as Raw[]).map((e) => [e.node.id as number, e.node.name as string]),
    );
    // A series with sessions in the window.
    const seriesId = [...names.keys()].find((id) =>
      all.some((e) => e.summary.startsWith(`${names.get(id)} — `)),
    );
    expect(seriesId).toBeDefined();
    const name = names.get(seriesId!)!;

    const res = await ics({ ...window, seriesIds: String(seriesId) }).expect(200);
    const { events } = parseIcs(res.text);
    const { totalCount, list } = await sessions({ ...window, seriesIds: [seriesId] });
    expect(totalCount).toBeGreaterThan(0);
    expect(totalCount).toBeLessThan(all.length);
    expect(events).toHaveLength(totalCount);
    expectSameSessions(events, list);
    for (const e of events) expect(e.summary.startsWith(`${name} — `)).toBe(true);

    // Two series, and a car filter: the same ids as the query.
    const other = [...names.keys()].find(
      (id) => id !== seriesId && all.some((e) => e.summary.startsWith(`${names.get(id)} — `)),
    )!;
    const two = parseIcs(
      (await ics({ ...window, seriesIds: `${seriesId},${other}` }).expect(200)).text,
    ).events;
    expectSameSessions(two, (await sessions({ ...window, seriesIds: [seriesId, other] })).list);

    const { raceWeeks } = await h.data<Raw>(
      `query($f: RaceWeekFilter) { raceWeeks(filter: $f, first: 1) { edges { node { trackId carClassIds } } } }`,
      { f: { ...window, seriesIds: [seriesId] } },
    );
    const week = (raceWeeks.edges as Raw[])[0].node;
    for (const [param, key, value] of [
      ['trackIds', 'trackIds', week.trackId as number],
      ['carClassIds', 'carClassIds', (week.carClassIds as number[])[0]],
    ] as const) {
      const got = parseIcs((await ics({ ...window, [param]: value }).expect(200)).text).events;
      const want = await sessions({ ...window, [key]: [value] });
      expect(want.totalCount).toBeGreaterThan(0);
      expectSameSessions(got, want.list);
    }
  });

  it('keeps the sessions a stored member can race (ownedByCustId), and 404s an unknown member', async () => {
    const custId = served('member/info').cust_id as number;
    expect(typeof custId).toBe('number');
    // What a member owns is private: without their viewer token or an admin key, a 403 naming the rule.
    const anonymous = await ics({ ...window, ownedByCustId: custId }).expect(403);
    expect(anonymous.body.error).toMatch(/ownedByCustId.*visible only to that member.*admins/);
    // Not stored yet: a 404 with a JSON error.
    const missing = await ics({ ...window, ownedByCustId: custId }, ADMIN_KEY).expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
    expect(missing.body.error).toMatch(/ownedByCustId.*not found/);

    const r = await run(`mutation { syncOwnedContent { ${SYNC_RUN_FIELDS} } }`);
    expect(['SUCCEEDED', 'PARTIAL']).toContain(r.status);

    const res = await ics({ ...window, ownedByCustId: custId }, ADMIN_KEY).expect(200);
    expect(res.headers['cache-control']).toMatch(/^private/);
    const { events } = parseIcs(res.text);
    const { totalCount, list } = await sessions({ ...window, ownedByCustId: custId });
    expect(totalCount).toBeGreaterThan(0);
    expect(events).toHaveLength(totalCount);
    expectSameSessions(events, list);

    const unknown = await ics({ ...window, ownedByCustId: 999_999_999 }, ADMIN_KEY).expect(404);
    expect(unknown.body).toEqual({ error: expect.stringMatching(/"ownedByCustId": member 999999999/) });
  });

  it('answers 400 with a JSON error naming the bad parameter', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ carIds: 'abc' }, 'carIds'],
      [{ seriesIds: '1,,2' }, 'seriesIds'],
      [{ trackIds: '-3' }, 'trackIds'],
      [{ carClassIds: '1.5' }, 'carClassIds'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-13-01T00:00:00Z' }, 'to'],
      [{ from: window.to, to: window.from }, 'from'],
      [{ from: window.from, to: new Date(from.getTime() + 32 * DAY).toISOString() }, '31 days'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '2001' }, 'limit'],
      [{ limit: 'many' }, 'limit'],
      [{ ownedByCustId: 'me' }, 'ownedByCustId'],
      [{ seriesId: '1' }, 'seriesId'],
    ];
    for (const [query, named] of cases) {
      const res = await ics(query);
      expect([JSON.stringify(query), res.status]).toEqual([JSON.stringify(query), 400]);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(res.body.error).toContain(named);
    }
  });
});
