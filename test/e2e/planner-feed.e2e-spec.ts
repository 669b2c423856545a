// A racer's personal calendar feed end to end (docs/architecture.md §6.9, §6.6–§6.7): a member links their account,
// plans two sessions and a week, sets their zone and reminder, and creates a feed; GET /calendar/<token>.ics is read
// with a real iCalendar parser (ical.js): the planned sessions with a 15-minute reminder, the week as an all-day
// event, UIDs the same from one read to the next (a start that leaves the schedule stays, cancelled). The feed
// token opens the feed and nothing else (`me` is null with it), a viewer token opens no feed, a revoked feed
// answers 404, and the request log shows the path as /calendar/[redacted].ics. Every token is registered with the
// end-of-run log scan, which then proves none reached a log line.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import request from 'supertest';
import { syntheticMembers } from '../../offline/replica.js';
import type { MemberRef } from '../../offline/replica.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { ADMIN_KEY, registerLogSecret, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { GqlResult, Harness, SyncRunView } from '../support/harness.js';
import { until } from '../support/sync-runs-support.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = new Date();
const WORLD = { seed: 37, scale: 0.05, now: NOW };
const REDIRECT = 'http://127.0.0.1:5173/auth/iracing/callback';
const KEY = randomBytes(32).toString('base64');
registerLogSecret('TOKEN_ENCRYPTION_KEY (planner feed e2e)', KEY);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NO_FEED = { error: 'no such calendar feed' };

const SESSIONS = `query($f: SessionFilter) { sessions(filter: $f, first: 100) { edges { node {
  id startTime endTime sessionMinutes
  raceWeek { id raceWeekNum startTime endTime carIds carClasses { cars { id } }
    series { name } layout { trackName configName } } } } } }`;
const CREATE = `mutation { createCalendarFeed { url token } }`;

interface IcsEvent {
  uid: string;
  allDay: boolean;
  start: string;
  end: string;
  summary: string;
  location: string | null;
  description: string | null;
  status: string | null;
  trigger: string | null;
}

function parseIcs(text: string): { calendar: ICAL.Component; events: IcsEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    const alarm = v.getFirstSubcomponent('valarm');
    return {
      uid: e.uid,
      allDay: e.startDate.isDate,
      start: e.startDate.isDate ? e.startDate.toString() : e.startDate.toJSDate().toISOString(),
      end: e.endDate.isDate ? e.endDate.toString() : e.endDate.toJSDate().toISOString(),
      summary: e.summary,
      location: e.location ?? null,
      description: e.description ?? null,
      status: (v.getFirstPropertyValue('status') as string | null) ?? null,
      trigger: alarm ? String(alarm.getFirstPropertyValue('trigger')) : null,
    };
  });
  return { calendar, events };
}

/** A session's end as the feed writes it: its own, else start plus length, else an hour. */
const endOf = (s: Raw) =>
  s.endTime
    ? new Date(s.endTime).toISOString()
    : new Date(
        new Date(s.startTime).getTime() + (s.sessionMinutes ? s.sessionMinutes * 60_000 : HOUR),
      ).toISOString();
const titleOf = (w: Raw) =>
  `${w.series.name} — ${[w.layout.trackName, w.layout.configName].filter(Boolean).join(' ')}`;
/** A car the week allows: its own list for rotating-car series, else a car of its classes. */
const carOf = (w: Raw): number => (w.carIds.length ? w.carIds[0] : w.carClasses[0].cars[0].id);
const utcDate = (iso: string) => iso.slice(0, 10);

describe('planner calendar feed (end to end)', () => {
  let h: Harness;
  let member: MemberRef;
  let viewerToken: string;

  const feedGet = (path: string) => request(h.app.getHttpServer()).get(path);
  const run = async (mutation: string): Promise<SyncRunView> => {
    const data = await h.data<Record<string, SyncRunView>>(mutation, {}, ADMIN_KEY);
    return h.waitForRun(Object.values(data)[0].id, 180_000);
  };
  const viewer = <T = Raw>(query: string, variables: Raw = {}) => h.data<T>(query, variables, viewerToken);
  const carName = async (carId: number) =>
    ((await h.db.query('SELECT name FROM sim_car WHERE car_id = $1', [carId])) as Raw[])[0].name as string;
  const codes = (r: GqlResult) => (r.errors ?? []).map((e) => e.extensions?.code);

  async function link(m: MemberRef): Promise<Raw> {
    const start = await h.data<Raw>(
      `mutation($r: String!) { startIracingLink(redirectUri: $r) { authorizeUrl state } }`,
      { r: REDIRECT },
    );
    const url = new URL(start.startIracingLink.authorizeUrl);
    url.searchParams.set('login_hint', String(m.custId));
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    const code = back.searchParams.get('code') ?? '';
    registerLogSecret('an authorization code (planner feed e2e)', code);
    const done = await h.data<Raw>(
      `mutation($s: String!, $c: String!) { completeIracingLink(state: $s, code: $c) {
        custId viewerToken firstSync { id } } }`,
      { s: back.searchParams.get('state'), c: code },
    );
    registerLogSecret('a viewer token (planner feed e2e)', done.completeIracingLink.viewerToken);
    return done.completeIracingLink;
  }

  async function createFeed(): Promise<{ url: string; token: string }> {
    const feed = (await viewer(CREATE)).createCalendarFeed as { url: string; token: string };
    registerLogSecret('a calendar feed token (planner feed e2e)', feed.token);
    return feed;
  }

  beforeAll(async () => {
    const members = syntheticMembers(WORLD);
    h = await startHarness(
      { dataset: syntheticDataset(WORLD), members, redirectUris: [REDIRECT], now: () => NOW },
      { IRACING_REDIRECT_URIS: REDIRECT, TOKEN_ENCRYPTION_KEY: `k1:${KEY}`, ROLE: 'all' },
    );
    h.replica.override('oauth2/token', (json) => {
      const j = json as Raw;
      registerLogSecret('an access token (planner feed e2e)', j.access_token);
      registerLogSecret('a refresh token (planner feed e2e)', j.refresh_token);
      return json;
    });
    expect((await run(`mutation { syncCatalog { ${SYNC_RUN_FIELDS} } }`)).status).toBe('SUCCEEDED');
    expect((await run(`mutation { syncSeasons { ${SYNC_RUN_FIELDS} } }`)).status).toBe('SUCCEEDED');
    [member] = members.sample(1, { baseUrl: h.replica.url, now: NOW });
    const linked = await link(member);
    viewerToken = linked.viewerToken;
    expect(linked.custId).toBe(member.custId);
    // The first sync runs in this process (ROLE all): let it finish before the app closes.
    expect((await h.waitForRun(linked.firstSync.id, 120_000)).status).toBe('SUCCEEDED');
  }, 300_000);

  afterAll(async () => {
    await h?.close();
  });

  /** Two sessions of different weeks starting between 2 hours and 3 days from now, and a third week. */
  async function choosePlan(): Promise<{ sessions: Raw[]; week: Raw }> {
    const f = {
      from: new Date(NOW.getTime() + 2 * HOUR).toISOString(),
      to: new Date(NOW.getTime() + 3 * DAY),
    };
    const nodes = ((await h.data<Raw>(SESSIONS, { f })).sessions.edges as Raw[])
      .map((e) => e.node as Raw)
      .filter((s) => s.raceWeek?.series && s.raceWeek.layout);
    const byWeek = new Map<number, Raw>();
    for (const s of nodes) if (!byWeek.has(s.raceWeek.id)) byWeek.set(s.raceWeek.id, s);
    const firsts = [...byWeek.values()];
    expect(firsts.length).toBeGreaterThanOrEqual(3);
    return { sessions: firsts.slice(0, 2), week: firsts[2].raceWeek };
  }

  let plan: { sessions: Raw[]; week: Raw };
  let ids: { sessions: number[]; week: number };
  let feed: { url: string; token: string };
  let firstRead: IcsEvent[];

  it('serves the plan as a feed: timed sessions with a 15-minute reminder, the planned week all day', async () => {
    plan = await choosePlan();
    const sessionIds: number[] = [];
    for (const [i, s] of plan.sessions.entries()) {
      const carId = i === 0 ? carOf(s.raceWeek) : null;
      const r = await viewer(`mutation($s: Int!, $c: Int) { planSession(sessionId: $s, carId: $c) }`, {
        s: s.id,
        c: carId,
      });
      sessionIds.push(r.planSession as number);
    }
    const weekCar = carOf(plan.week);
    const w = await viewer(`mutation($w: Int!, $c: Int!) { planWeek(raceWeekId: $w, carId: $c) }`, {
      w: plan.week.id,
      c: weekCar,
    });
    ids = { sessions: sessionIds, week: w.planWeek as number };
    const settings = await viewer(
      `mutation { setMySettings(input: {timeZone: "Europe/Berlin", reminderMinutes: 15}) {
        timeZone reminderMinutes feedFavourites } }`,
    );
    expect(settings.setMySettings).toEqual({
      timeZone: 'Europe/Berlin',
      reminderMinutes: 15,
      feedFavourites: false,
    });

    feed = await createFeed();
    expect(feed.token).toMatch(/^slf_[A-Za-z0-9_-]{43}$/);
    expect(feed.url).toBe(`/calendar/${feed.token}.ics`);

    const res = await feedGet(feed.url).expect(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['cache-control']).toBe('private, max-age=300');
    const { calendar, events } = parseIcs(res.text);
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/Berlin');
    expect(res.text).toContain('\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n');

    const expected: IcsEvent[] = plan.sessions.map((s, i) => ({
      uid: `plan-${sessionIds[i]}@simlane`,
      allDay: false,
      start: new Date(s.startTime).toISOString(),
      end: endOf(s),
      summary: titleOf(s.raceWeek),
      location: [s.raceWeek.layout.trackName, s.raceWeek.layout.configName].filter(Boolean).join(' '),
      description: null,
      status: 'CONFIRMED',
      trigger: '-PT15M',
    }));
    expected.push({
      uid: `plan-week-${ids.week}@simlane`,
      allDay: true,
      start: utcDate(plan.week.startTime),
      end: utcDate(new Date(Math.ceil(new Date(plan.week.endTime).getTime() / DAY) * DAY).toISOString()),
      summary: titleOf(plan.week),
      location: [plan.week.layout.trackName, plan.week.layout.configName].filter(Boolean).join(' '),
      description: null,
      status: 'CONFIRMED',
      trigger: null,
    } as IcsEvent);
    const sortedEvents = [...events].sort((a, b) => a.uid.localeCompare(b.uid));
    const sortedExpected = [...expected].sort((a, b) => a.uid.localeCompare(b.uid));
    expect(sortedEvents).toEqual(sortedExpected.map((e) => ({ ...e, description: expect.any(String) })));
    const byUid = new Map(events.map((e) => [e.uid, e]));
    expect(byUid.get(`plan-${sessionIds[0]}@simlane`)!.description).toContain(
      `Car: ${await carName(carOf(plan.sessions[0].raceWeek))}`,
    );
    expect(byUid.get(`plan-${sessionIds[1]}@simlane`)!.description).not.toContain('Car:');
    expect(byUid.get(`plan-week-${ids.week}@simlane`)!.description).toContain(
      `Car: ${await carName(weekCar)}`,
    );
    firstRead = events;
  });

  it('answers the same events and UIDs on the next read; a start that left the schedule stays, cancelled', async () => {
    const again = parseIcs((await feedGet(feed.url).expect(200)).text).events;
    expect(again).toEqual(firstRead);

    // A sync drops the second planned start: the same UID comes back as CANCELLED, without a reminder.
    const gone = plan.sessions[1];
    await h.db.query('DELETE FROM event_instance WHERE id = $1', [gone.id]);
    const after = parseIcs((await feedGet(feed.url).expect(200)).text).events;
    expect(after.map((e) => e.uid).sort()).toEqual(firstRead.map((e) => e.uid).sort());
    const cancelled = after.find((e) => e.uid === `plan-${ids.sessions[1]}@simlane`)!;
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      trigger: null,
      start: new Date(gone.startTime).toISOString(),
    });
    expect(cancelled.description).toContain('no longer on the schedule');
    expect(after.find((e) => e.uid === `plan-${ids.sessions[0]}@simlane`)).toEqual(
      firstRead.find((e) => e.uid === `plan-${ids.sessions[0]}@simlane`),
    );
  });

  it('lists the weeks of a favourite series the racer can race when feedFavourites is on, each once', async () => {
    const window = {
      from: new Date(NOW.getTime() - DAY).toISOString(),
      to: new Date(NOW.getTime() + 120 * DAY).toISOString(),
    };
    const weeksOf = async (filter: Raw) =>
      (
        (
          await viewer(
            `query($f: PlannerWeekFilter) { me { raceWeeks(filter: $f, first: 100) {
              edges { node { raceable raceWeek { id seriesId } } } } } }`,
            { f: { ...window, ...filter } },
          )
        ).me.raceWeeks.edges as Raw[]
      ).map((e) => e.node.raceWeek as Raw);
    const raceable = await weeksOf({});
    expect(raceable.length).toBeGreaterThan(0);
    // The series of the planned week when the racer can race it (that week is then listed once, as planned).
    const seriesId = (raceable.find((w) => w.id === plan.week.id) ?? raceable[0]).seriesId as number;
    await viewer(`mutation($id: Int!) { setFavourite(kind: SERIES, id: $id) { series { id } } }`, {
      id: seriesId,
    });
    const before = parseIcs((await feedGet(feed.url).expect(200)).text).events;
    expect(before.filter((e) => e.uid.startsWith('fav-week-'))).toEqual([]);

    await viewer(`mutation { setMySettings(input: {feedFavourites: true}) { feedFavourites } }`);
    const favourite = (await weeksOf({ favouritesOnly: true, seriesIds: [seriesId] })).map(
      (w) => w.id as number,
    );
    expect(favourite.length).toBeGreaterThan(0);
    const events = parseIcs((await feedGet(feed.url).expect(200)).text).events;
    const favUids = events.filter((e) => e.uid.startsWith('fav-week-')).map((e) => e.uid);
    expect(favUids.sort()).toEqual(
      favourite
        .filter((id) => id !== plan.week.id)
        .map((id) => `fav-week-${id}@simlane`)
        .sort(),
    );
    for (const e of events.filter((x) => x.uid.startsWith('fav-week-')))
      expect(e).toMatchObject({ allDay: true, trigger: null, status: 'CONFIRMED' });
    // The planned sessions and week are still there, unchanged.
    expect(events.filter((e) => e.uid.startsWith('plan-')).map((e) => e.uid)).toEqual(
      before.filter((e) => e.uid.startsWith('plan-')).map((e) => e.uid),
    );
    await viewer(`mutation { setMySettings(input: {feedFavourites: false}) { feedFavourites } }`);
  });

  it('keeps only the digest of the feed token, and notes its use', async () => {
    const rows = (await h.db.query(
      'SELECT token_hash, cust_id, last_used_at, revoked_at FROM planner_feed_token',
    )) as Raw[];
    expect(rows).toEqual([
      {
        token_hash: createHash('sha256').update(feed.token).digest('hex'),
        cust_id: member.custId,
        last_used_at: expect.any(Date),
        revoked_at: null,
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain(feed.token);
  });

  it('opens the feed and nothing else: the feed token reads no `me`, a viewer token opens no feed', async () => {
    expect((await h.data<Raw>(`{ me { custId } }`, {}, feed.token)).me).toBeNull();
    expect((await h.data<Raw>(`{ me { custId } }`, {}, viewerToken)).me).toEqual({ custId: member.custId });
    expect(codes(await h.gql(CREATE, {}, feed.token))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.gql(`mutation { revokeCalendarFeeds }`, {}, feed.token))).toEqual([
      'UNAUTHENTICATED',
    ]);

    const unknown = `slf_${randomBytes(32).toString('base64url')}`;
    for (const path of [
      `/calendar/${viewerToken}.ics`,
      `/calendar/${viewerToken.replace(/^slv_/, 'slf_')}.ics`,
      `/calendar/${unknown}.ics`,
      `/calendar/${feed.token}`,
      `/calendar/${feed.token}.ics.ics`,
      '/calendar/nothing.ics',
    ]) {
      const res = await feedGet(path).expect(404);
      expect(res.body).toEqual(NO_FEED);
    }
  });

  it('revokes every feed of the viewer: each answers 404 as an unknown one does', async () => {
    const second = await createFeed();
    await feedGet(second.url).expect(200);
    expect((await viewer(`mutation { revokeCalendarFeeds }`)).revokeCalendarFeeds).toBe(2);
    for (const f of [feed, second]) expect((await feedGet(f.url).expect(404)).body).toEqual(NO_FEED);
    expect((await viewer(`mutation { revokeCalendarFeeds }`)).revokeCalendarFeeds).toBe(0);
    // A new feed works again, with a new token.
    const third = await createFeed();
    expect(third.token).not.toBe(feed.token);
    await feedGet(third.url).expect(200);
  });

  it('logs the feed path redacted, never the token', async () => {
    const file = process.env.LOG_FILE;
    if (!file) return; // the run has no log capture (the scan at the end is then off too)
    const read = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    await until(
      'a request log line of the feed',
      async () => read().includes('/calendar/[redacted].ics'),
      10_000,
      50,
    );
    const log = read();
    expect(log).not.toContain(feed.token);
    expect(log).not.toContain(viewerToken);
  });
});
