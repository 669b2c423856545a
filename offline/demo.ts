// `npm run demo`: the whole backend on one machine with nothing to configure. An embedded PostgreSQL (kept in
// .data/), Redis (a redis-server started when none answers), the offline replica serving the synthetic iRacing
// world, a full sync of everything through the queues with progress shown, two racers linking their own (synthetic)
// iRacing accounts through the API, then the server with Apollo Sandbox and example queries. A second start reuses
// the data and the racers' viewer tokens (`npm run demo -- --fresh` syncs again). No token is ever printed.
import 'reflect-metadata';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { ViewerTokens } from '../src/accounts/viewer-tokens.service.js';
import { createApp } from '../src/bootstrap.js';
import { ConfigError, loadConfig } from '../src/core/config/app-config.js';
import type { AppConfig } from '../src/core/config/app-config.js';
import { localCallbackUrl, startLocalDefaults } from './local-defaults.js';
import type { LocalServices } from './local-defaults.js';
import type { MemberRef } from './replica.js';
import { SyncKind, SyncStatus, SyncTrigger } from '../src/scheduler/sync-run.entity.js';
import type { SyncRun } from '../src/scheduler/sync-run.entity.js';
import { SyncRunService } from '../src/scheduler/sync-run.service.js';
import { SyncDispatcher } from '../src/scheduler/sync-dispatcher.js';

export interface DemoOptions {
  /** Sync again even when the database already holds data. */
  fresh?: boolean;
  /** Settings on top of the environment (the tests point it at their own database). */
  env?: Record<string, string | undefined>;
  /** Where progress and the welcome text go. */
  print?: (line: string) => void;
}

export interface Demo {
  url: string;
  config: AppConfig;
  http: NestExpressApplication;
  synced: boolean;
  /** The racers whose own accounts the demo linked (none when linking is off); their tokens: `viewerTokensFile`. */
  racers: MemberRef[];
  /** DATA_DIR/viewer-tokens: a line per racer, `<custId> <displayName> <viewer token>`. */
  viewerTokensFile?: string;
  close(): Promise<void>;
}

/** The syncs of a full demo, in order; each one's follow-ups (forecasts, subsessions) are waited for too. */
const PLAN: { kind: SyncKind; label: string; params?: Record<string, unknown> }[] = [
  { kind: SyncKind.CATALOG, label: 'catalog (cars, classes, tracks)' },
  { kind: SyncKind.SEASONS, label: 'series, seasons, race weeks, sessions' },
  { kind: SyncKind.RACE_GUIDE, label: 'race guide' },
  { kind: SyncKind.OWNED_CONTENT, label: "the account's owned cars and tracks" },
  { kind: SyncKind.RESULTS, label: 'results of the last hour' },
];

const EXAMPLES = `Example queries (paste into the Sandbox):

  { seasons(filter: { active: true }, first: 5) { edges { node { name series { name }
      raceWeeks { weekNumber startTime layout { trackName configName }
        forecastSummary { minAirTempC maxAirTempC rainPossible }
        carRestrictions { car { name } powerAdjustPct weightPenaltyKg } } } } } }

  { sessions(filter: { rainPossible: false }, first: 10) { totalCount edges { node { startTime entryCount
      raceWeek { series { name } layout { trackName } } } } } }

  { results(first: 5) { edges { node { id startTime strengthOfField series { name }
      sessions { name results { finishPosition member { displayName } car { name } bestLapTime } } } } } }

  { schedules { name cron nextRunAt lastRun { status finishedAt } } }`;

/** How many racers the demo links. */
const DEMO_RACERS = 2;
/**
 * What a linked racer can ask about themselves (schema.gql `type Viewer`), a query a line: who they are with their
 * licences and owned content, then a look back (their iRating chart in one category, their career totals). The
 * first is also the curl example's. test/e2e/demo.e2e-spec.ts runs every printed query with each racer's token.
 */
const RACER_EXAMPLES: readonly string[] = [
  '{ me { custId member { displayName } licenses { category licenseLevel safetyRating iRating } ' +
    'ownedCars { name } ownedTracks { name } } }',
  '{ me { custId ratingHistory(category: SPORTS_CAR, kind: IRATING) { day value } ' +
    'careerStats { category starts wins } } }',
];
const START_LINK = `mutation($r: String!) { startIracingLink(redirectUri: $r) { authorizeUrl state } }`;
const COMPLETE_LINK = `mutation($s: String!, $c: String!) {
  completeIracingLink(state: $s, code: $c) { custId member { displayName } firstSync { id status } viewerToken } }`;

interface StoredRacer extends MemberRef {
  token: string;
}

function bar(run: SyncRun, label: string): string {
  const p = run.progress;
  const width = 24;
  const ended = run.status === SyncStatus.SUCCEEDED || run.status === SyncStatus.PARTIAL;
  const filled = p && p.total > 0 ? Math.round((p.done / p.total) * width) : ended ? width : 0;
  const detail = p ? ` ${p.done}/${p.total}` : '';
  return `  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${run.status.padEnd(9)} ${label}${detail}`;
}

async function waitFor(
  runs: SyncRunService,
  id: number,
  label: string,
  print: (l: string) => void,
): Promise<SyncRun> {
  let last = '';
  for (;;) {
    const run = await runs.get(id);
    const line = bar(run, label);
    if (line !== last && (run.progress || !['QUEUED', 'RUNNING'].includes(run.status))) print(line);
    last = line;
    if (!['QUEUED', 'RUNNING'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * The runs a finished run queued (trigger SYNC, after it), once `expected` (the kind of its follow-up) is among
 * them or a minute has passed.
 */
async function followUpsOf(
  db: DataSource,
  runId: number,
  expected: string | undefined,
): Promise<{ id: number; kind: SyncKind }[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = (await db.query(
      `SELECT id, kind FROM sync_run WHERE trigger = 'SYNC' AND id > $1 ORDER BY id`,
      [runId],
    )) as { id: number; kind: SyncKind }[];
    if (!expected || rows.some((r) => r.kind === expected) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A GraphQL request to the demo's own server, as a web app sends it; GraphQL errors throw (their messages). */
async function graphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  bearer?: string,
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T | null; errors?: { message: string }[] };
  if (body.errors?.length || !body.data)
    throw new Error(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`);
  return body.data;
}

/** The racers of DATA_DIR/viewer-tokens (`<custId> <displayName> <token>` a line; a name may hold spaces). */
function readViewerTokens(file: string): StoredRacer[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 3 && /^\d+$/.test(parts[0]))
    .map((parts) => ({
      custId: Number(parts[0]),
      displayName: parts.slice(1, -1).join(' '),
      token: parts[parts.length - 1],
    }));
}

/** A free port for PORT=0: the callback URL the replica has registered must name the port the demo listens on. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

interface LinkContext {
  url: string;
  port: number;
  config: AppConfig;
  http: NestExpressApplication;
  replica?: LocalServices['replica'];
  print: (line: string) => void;
}

/**
 * Racers' own accounts (docs/architecture.md §6.6): DEMO_RACERS synthetic members (not the system account) sign in
 * at the offline replica and are linked through this server's GraphQL and HTTP, as a web app would do it, and each
 * first sync is waited for. Their viewer tokens are written to DATA_DIR/viewer-tokens (0600) and nowhere else. A
 * later start keeps a stored token that still resolves, yet signs its racer in again: the replica is new at each
 * start and knows nothing of the refresh token the last one issued, so the link would fail at its next sync.
 */
async function linkRacers(ctx: LinkContext): Promise<{ racers: MemberRef[]; file: string } | undefined> {
  const { config, replica, print } = ctx;
  if (!config.accountLinkingEnabled) {
    print(
      "Racers' own iRacing accounts: linking is off (IRACING_REDIRECT_URIS empty or unset): none is linked.",
    );
    return undefined;
  }
  if (!replica) {
    print(
      "Racers' own iRacing accounts: the demo links racers at the offline replica only (see startIracingLink).",
    );
    return undefined;
  }
  const file = resolve(config.env.DATA_DIR, 'viewer-tokens');
  const stored = readViewerTokens(file);
  const world = { baseUrl: replica.url, now: new Date() };
  const known = stored.filter((r) => replica.members.find(String(r.custId), world));
  const picks: MemberRef[] =
    known.length === DEMO_RACERS && new Set(known.map((r) => r.custId)).size === DEMO_RACERS
      ? known.map(({ custId, displayName }) => ({ custId, displayName }))
      : replica.members.sample(DEMO_RACERS + 1, world).slice(1); // the first is the system account's
  const own = localCallbackUrl(ctx.port);
  const redirectUri = config.iracingRedirectUris.includes(own) ? own : config.iracingRedirectUris[0];

  print("\nLinking racers' own iRacing accounts (sign-in at the offline replica, then completeIracingLink):");
  const linked: StoredRacer[] = [];
  try {
    for (const pick of picks) linked.push(await linkRacer(ctx, pick, stored, redirectUri));
  } finally {
    // Whoever was linked keeps their token, even when a later racer's link failed.
    if (linked.length) writeViewerTokens(file, linked);
  }
  const reused = linked.filter((r) => stored.some((s) => s.token === r.token)).length;
  if (reused) print(`  (${reused} viewer token(s) kept from the last start)`);
  return { racers: linked.map(({ custId, displayName }) => ({ custId, displayName })), file };
}

/** One racer signs in at the replica and is linked; their first sync is waited for. */
async function linkRacer(
  ctx: LinkContext,
  pick: MemberRef,
  stored: StoredRacer[],
  redirectUri: string,
): Promise<StoredRacer> {
  const { url, http, print } = ctx;
  const kept = stored.find((r) => r.custId === pick.custId)?.token;
  const keep =
    kept !== undefined &&
    (await graphql<{ me: { custId: number } | null }>(url, '{ me { custId } }', {}, kept).then(
      (d) => d.me?.custId === pick.custId,
      () => false,
    ));
  const started = (
    await graphql<{ startIracingLink: { authorizeUrl: string; state: string } }>(url, START_LINK, {
      r: redirectUri,
    })
  ).startIracingLink;
  // The racer's browser at iRacing's sign-in; the replica signs in the member its login_hint names.
  const authorize = new URL(started.authorizeUrl);
  authorize.searchParams.set('login_hint', String(pick.custId));
  const res = await fetch(authorize, { redirect: 'manual' });
  await res.arrayBuffer();
  const back = new URL(res.headers.get('location') ?? '', redirectUri);
  const refused = back.searchParams.get('error');
  if (res.status !== 302 || refused)
    throw new Error(`the sign-in of cust_id ${pick.custId} answered ${res.status} ${refused ?? ''}`.trim());
  if (back.searchParams.get('state') !== started.state)
    throw new Error(`the sign-in of cust_id ${pick.custId} came back with another state`);
  const done = (
    await graphql<{
      completeIracingLink: {
        custId: number;
        member: { displayName: string } | null;
        firstSync: { id: number; status: string } | null;
        viewerToken: string;
      };
    }>(url, COMPLETE_LINK, { s: started.state, c: back.searchParams.get('code') ?? '' })
  ).completeIracingLink;
  const displayName = (done.member?.displayName ?? pick.displayName).replace(/\s+/g, ' ');
  // The racer already holds a token that works: the one just issued is not needed.
  if (keep) await http.get(ViewerTokens).revoke(done.viewerToken);
  const racer = { custId: done.custId, displayName, token: keep ? kept : done.viewerToken };
  const label = `${displayName} (cust_id ${done.custId}): their own account`;
  if (!done.firstSync) print(`  ${label}: the first sync could not be queued`);
  else {
    const run = await waitFor(http.get(SyncRunService), done.firstSync.id, label, print);
    for (const e of run.errors.slice(0, 3)) print(`      ${e.unit}: ${e.message}`);
  }
  return racer;
}

/** DATA_DIR/viewer-tokens, mode 0600 (like the admin key): a line per racer, `<custId> <displayName> <token>`. */
function writeViewerTokens(file: string, racers: StoredRacer[]): void {
  if (existsSync(file)) chmodSync(file, 0o600);
  writeFileSync(file, racers.map((r) => `${r.custId} ${r.displayName} ${r.token}\n`).join(''), {
    mode: 0o600,
  });
}

/**
 * How to ask as each linked racer; names the token file, never a token. Each curl example picks its racer's line
 * of that file by cust_id.
 */
function racerExamples(url: string, racers: MemberRef[], file: string): string {
  const names = racers.map((r) => `${r.displayName} (cust_id ${r.custId})`).join(' and ');
  const body = JSON.stringify({ query: RACER_EXAMPLES[0] });
  const path = shellWord(file);
  const curls = racers.map(
    (r) => `As ${r.displayName} (cust_id ${r.custId}):

  TOKEN=$(awk '$1 == ${r.custId} { print $NF }' ${path})
  curl -s ${url}/graphql -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\
    -d '${body}'`,
  );
  return `Racers' own iRacing accounts: ${names} linked theirs. Their viewer tokens are in ${file}
(a line each: cust_id, name, token). Ask as either of them, in the Sandbox with the header
Authorization: Bearer <viewer token from that file>:

${RACER_EXAMPLES.map((q) => `  ${q}`).join('\n\n')}

${curls.join('\n\n')}`;
}

/** `word` as one word of a POSIX shell command line: as it is when that is safe, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Starts the demo; resolves once the data is synced and the server is listening. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const print = options.print ?? ((l: string) => console.log(l));
  const source = {
    // Demo defaults: the offline replica, results of the last hour only, every role in this process.
    RESULTS_LOOKBACK_HOURS: '1',
    ...process.env,
    ...options.env,
    ROLE: 'all',
  };
  const config = loadConfig(source);
  const locals: LocalServices[] = [];
  let app: INestApplicationContext | undefined;
  try {
    if (config.env.PORT === 0) config.env.PORT = await freePort();
    const local = await startLocalDefaults(config, source);
    locals.push(local);
    const started = await createApp(config, ['error', 'warn']);
    app = started.app;
    const http = started.http as NestExpressApplication;
    await http.listen(config.env.PORT, '0.0.0.0');
    const address = http.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.env.PORT;
    const url = `http://localhost:${port}`;

    const db = http.get(DataSource);
    const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM season')) as { n: number }[];
    const synced = options.fresh || n === 0;
    const runs = http.get(SyncRunService);
    const dispatcher = http.get(SyncDispatcher);
    if (!synced) {
      print(`The database already holds ${n} seasons: reusing them (npm run demo -- --fresh syncs again).`);
    } else {
      print('Syncing everything from the offline replica of iRacing, through the queues:');
      for (const step of PLAN) {
        const queued = await runs.enqueue(step.kind, step.params ?? {}, SyncTrigger.CLI);
        const run = await waitFor(runs, queued.id, step.label, print);
        for (const e of run.errors.slice(0, 3)) print(`      ${e.unit}: ${e.message}`);
        // Follow-ups: the forecasts after the seasons (queued once the run has finished, so waited for), the
        // subsessions the results search found (queued while it ran).
        const next =
          run.status === SyncStatus.FAILED ? null : dispatcher.followUp(step.kind, step.params ?? {});
        const followUps = await followUpsOf(db, run.id, next?.kind);
        for (const f of followUps) {
          const label =
            f.kind === SyncKind.FORECASTS ? 'weather forecasts' : 'subsessions found by the search';
          await waitFor(runs, f.id, label, print);
        }
      }
    }
    const linking = await linkRacers({ url, port, config, http, replica: local.replica, print }).catch(
      (err: unknown) => {
        print(`Linking the demo racers failed: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      },
    );
    const [counts] = (await db.query(`SELECT (SELECT count(*) FROM season)::int AS seasons,
        (SELECT count(*) FROM race_week)::int AS weeks, (SELECT count(*) FROM event_instance)::int AS sessions,
        (SELECT count(*) FROM weather_forecast)::int AS forecast_hours,
        (SELECT count(*) FROM event_result)::int AS subsessions`)) as Record<string, number>[];
    print(
      `\nReady: ${counts.seasons} seasons, ${counts.weeks} race weeks, ${counts.sessions} sessions, ` +
        `${counts.forecast_hours} forecast hours, ${counts.subsessions} subsessions.`,
    );
    print(`GraphQL and Apollo Sandbox: ${url}/graphql    health: ${url}/health    metrics: ${url}/metrics`);
    print(`Race calendar: ${url}/calendar.ics    queues (admin key): ${url}/admin/queues`);
    print(
      `The admin key for mutations is in ${config.env.DATA_DIR}/admin-key (Authorization: Bearer <key>).\n`,
    );
    print(EXAMPLES);
    if (linking) print(`\n${racerExamples(url, linking.racers, linking.file)}`);
    const running = app;
    return {
      url,
      config,
      http,
      synced,
      racers: linking?.racers ?? [],
      viewerTokensFile: linking?.file,
      async close() {
        await running.close();
        for (const l of locals.reverse()) await l.stop();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    for (const l of locals.reverse()) await l.stop().catch(() => undefined);
    throw err;
  }
}

export async function demoMain(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { fresh: { type: 'boolean', default: false } } });
  let demo: Demo;
  try {
    demo = await startDemo({ fresh: values.fresh });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(err instanceof ConfigError ? 2 : 1);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: stopping the demo`);
      void demo.close().then(() => process.exit(0));
    });
  }
}
