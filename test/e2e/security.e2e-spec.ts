// Security (docs/architecture.md §6.4, §6.6–§6.8): every mutation and Bull Board refuse a request without the admin
// key or with a wrong one; production serves neither introspection nor the Apollo Sandbox, and its errors carry no
// stack traces; secrets never reach a GraphQL answer nor a log line. The log capture of the whole run
// (test/support/global-setup.ts) is checked here while it is written: the lines that pass through the redaction
// paths are there, redacted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  isLeafType,
} from 'graphql';
import type { GraphQLArgument, GraphQLField, GraphQLInputType, IntrospectionQuery } from 'graphql';
import request from 'supertest';
import { sha256Hex } from '../../src/core/auth/admin.guard.js';
import { createPino, PinoLogger } from '../../src/core/logging/logging.js';
import { maskSecret } from '../../src/core/security/secret-mask.js';
import { DEFAULT_TEST_CREDENTIALS } from '../../offline/replica.js';
import { syntheticDataset } from '../../offline/synthetic-dataset.js';
import { SYNC_QUEUE } from '../../src/scheduler/sync.queue.js';
import { ADMIN_KEY, registerLogSecret, startHarness, SYNC_RUN_FIELDS } from '../support/harness.js';
import type { GqlResult, Harness, SyncRunView } from '../support/harness.js';
import { readSecrets, scanLogs } from '../support/global-teardown.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = new Date();
const WORLD = { seed: 17, scale: 0.05, now: NOW };
const rand = () => Math.random().toString(36).slice(2, 10);

// Wrong keys are secrets too (a mistyped real key): the end-of-run scan looks for them.
const WRONG_KEY = `wrong-admin-key-${rand()}`;
registerLogSecret('a wrong admin key', WRONG_KEY);

/** Authorization headers that must not pass, by what they try. */
const REFUSED_AUTH: [string, string | null][] = [
  ['no Authorization header', null],
  ['a wrong bearer key', `Bearer ${WRONG_KEY}`],
  ['an empty bearer', 'Bearer '],
  ['the bare scheme', 'Bearer'],
  ['the key without a scheme', ADMIN_KEY],
  [
    'the key as HTTP Basic (only Bull Board takes it)',
    `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`,
  ],
  ['the key SHA-256 hash (what ADMIN_API_KEYS holds) as the key', `Bearer ${sha256Hex(ADMIN_KEY)}`],
  ['the key with a character more', `Bearer ${ADMIN_KEY}x`],
  ['the key with a character less', `Bearer ${ADMIN_KEY.slice(0, -1)}`],
  ['the key and a second word', `Bearer ${ADMIN_KEY} ${ADMIN_KEY}`],
];

/**
 * Mutations not behind the admin key, left out of the admin-key checks below (each is checked on its own):
 * - `anonymous`: a racer links their iRacing account before they hold any token; iRacing's sign-in (code, state,
 *   PKCE) is the proof. They queue no sync run.
 * - `viewer`: a racer acts on their own link with their viewer token; an admin key is not one.
 */
const NOT_ADMIN_MUTATIONS = {
  anonymous: ['startIracingLink', 'completeIracingLink'],
  viewer: [
    'unlinkIracingAccount',
    'revokeViewerToken',
    'syncMyAccount',
    'setFavourite',
    'planSession',
    'planWeek',
    'unplanSession',
    'unplanWeek',
    'setMySettings',
    'createCalendarFeed',
    'revokeCalendarFeeds',
  ],
};
/**
 * Admin mutations that queue no run here: with linking off and no linked member, each refuses for a reason it
 * names (not the key).
 */
const ADMIN_WITHOUT_RUN: Record<string, { code: string; message: RegExp }> = {
  rotateTokenKeys: { code: 'FORBIDDEN', message: /TOKEN_ENCRYPTION_KEY/ },
  syncMember: { code: 'BAD_USER_INPUT', message: /has not linked their iRacing account/ },
  // Open to a linked racer too (look-back.e2e-spec.ts); with nothing synced, the car it names is not stored.
  syncWorldRecords: { code: 'BAD_USER_INPUT', message: /car 1 is not stored/ },
};

/** A value a GraphQL input type accepts: required fields only, the first enum value, 1 for numbers. */
function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields()))
      if (isNonNullType(f.type) && f.defaultValue === undefined) out[f.name] = sampleValue(f.type);
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'String':
      case 'ID':
        return '1';
      default:
        return NOW.toISOString(); // the date-time scalars
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

interface MutationCall {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

/** One call per field of the Mutation type, with its required arguments, as the running schema lists them. */
function mutationCalls(introspection: IntrospectionQuery): MutationCall[] {
  const schema = buildClientSchema(introspection);
  const fields = Object.values(schema.getMutationType()?.getFields() ?? {}) as GraphQLField<
    unknown,
    unknown
  >[];
  return fields.map((field) => {
    const required = field.args.filter(
      (a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined,
    );
    const decl = required.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
    const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
    const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
    const variables = Object.fromEntries(required.map((a) => [a.name, sampleValue(a.type)]));
    return {
      name: field.name,
      query: `mutation${decl ? `(${decl})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`,
      variables,
    };
  });
}

async function post(
  h: Harness,
  body: unknown,
  authorization: string | null,
  headers: Record<string, string> = {},
) {
  const req = request(h.app.getHttpServer()).post('/graphql').set('content-type', 'application/json');
  if (authorization !== null) req.set('authorization', authorization);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req.send(body as object);
}

/** The lines of the run's application log file (JSON), parsed. */
function appLogLines(): Raw[] {
  const file = process.env.LOG_FILE;
  if (!file) throw new Error('LOG_FILE is not set: the global setup did not start the log capture');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Raw);
}

async function waitForLog(match: (line: Raw) => boolean, what: string): Promise<Raw[]> {
  for (let i = 0; i < 50; i++) {
    const found = appLogLines().filter(match);
    if (found.length) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no log line for ${what} in ${process.env.LOG_FILE}`);
}

/** Every captured line of the run so far (the application's log file and each process's stdout and stderr). */
function capturedText(): string {
  const dir = join(process.env.LOG_CAPTURE_DIR ?? '', 'logs');
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe('security (end to end)', () => {
  describe('the admin key', () => {
    let h: Harness;
    let all: MutationCall[];
    let calls: MutationCall[];
    let queue: Queue;

    beforeAll(async () => {
      // api only: a queued job stays queued, so the job counts below only move when a mutation gets through.
      h = await startHarness({ dataset: syntheticDataset(WORLD), now: () => NOW }, { ROLE: 'api' });
      queue = h.app.get<Queue>(getQueueToken(SYNC_QUEUE));
      const r = await h.gql<IntrospectionQuery>(getIntrospectionQuery());
      expect(r.errors).toBeUndefined();
      all = mutationCalls(r.data!);
      calls = all.filter((c) => !NOT_ADMIN_MUTATIONS.anonymous.includes(c.name));
    });
    afterAll(async () => {
      await h?.close();
    });

    const syncRuns = async () =>
      Number(((await h.db.query('SELECT count(*)::int AS n FROM sync_run')) as Raw[])[0].n);
    const jobs = async () =>
      Object.values(await queue.getJobCounts()).reduce((a: number, b) => a + Number(b ?? 0), 0);

    it('finds every mutation in the running schema', () => {
      // These at least (the names outside tools rely on); whatever else the schema gains is covered by the tests
      // below as well.
      expect(calls.map((c) => c.name)).toEqual(
        expect.arrayContaining([
          'syncCatalog',
          'syncSeasons',
          'syncRaceGuide',
          'refreshForecasts',
          'syncSubsession',
          'syncMemberRecentRaces',
          'syncOwnedContent',
        ]),
      );
    });

    it('refuses every mutation without the key or with a wrong or malformed one, and queues nothing', async () => {
      const runsBefore = await syncRuns();
      const jobsBefore = await jobs();
      const refused: string[] = [];
      for (const call of calls) {
        for (const [what, authorization] of REFUSED_AUTH) {
          const res = await post(h, { query: call.query, variables: call.variables }, authorization);
          const body = res.body as GqlResult;
          const codes = (body.errors ?? []).map((e) => e.extensions?.code);
          if (body.data?.[call.name] || codes.length !== 1 || codes[0] !== 'UNAUTHENTICATED')
            throw new Error(`${call.name} with ${what}: ${JSON.stringify(body)}`);
          // The refusal names no key: neither the one sent nor one accepted.
          expect(JSON.stringify(body)).not.toContain(ADMIN_KEY.slice(0, 12));
          expect(JSON.stringify(body)).not.toContain(WRONG_KEY);
          refused.push(`${call.name}/${what}`);
        }
        expect(await syncRuns()).toBe(runsBefore);
        expect(await jobs()).toBe(jobsBefore);
      }
      expect(refused).toHaveLength(calls.length * REFUSED_AUTH.length);
    });

    it('lists the mutations open without the admin key explicitly, and they queue no sync run', async () => {
      const open = [...NOT_ADMIN_MUTATIONS.anonymous, ...NOT_ADMIN_MUTATIONS.viewer];
      expect(all.map((c) => c.name)).toEqual(expect.arrayContaining(open));
      const runsBefore = await syncRuns();
      const jobsBefore = await jobs();
      for (const call of all.filter((c) => NOT_ADMIN_MUTATIONS.anonymous.includes(c.name))) {
        for (const [what, authorization] of [...REFUSED_AUTH, ['the admin key', `Bearer ${ADMIN_KEY}`]]) {
          const res = await post(h, { query: call.query, variables: call.variables }, authorization);
          const body = res.body as GqlResult;
          // This harness has no IRACING_REDIRECT_URIS: linking is off, whoever asks.
          if (body.data?.[call.name] || body.errors?.[0]?.extensions?.code !== 'FORBIDDEN')
            throw new Error(`${call.name} with ${what}: ${JSON.stringify(body)}`);
          expect(body.errors?.[0]?.message).toMatch(/IRACING_REDIRECT_URIS/);
        }
      }
      expect(await syncRuns()).toBe(runsBefore);
      expect(await jobs()).toBe(jobsBefore);
    });

    it('refuses a mutation sent as GET or as a form post even with the key (no CSRF path around the guard)', async () => {
      const runsBefore = await syncRuns();
      const server = h.app.getHttpServer();
      const query = 'mutation { syncCatalog { id } }';
      const get = await request(server)
        .get('/graphql')
        .query({ query })
        .set('authorization', `Bearer ${ADMIN_KEY}`)
        .set('apollo-require-preflight', 'true');
      expect(get.status).toBeGreaterThanOrEqual(400);
      const form = await request(server)
        .post('/graphql')
        .set('authorization', `Bearer ${ADMIN_KEY}`)
        .set('content-type', 'text/plain')
        .send(JSON.stringify({ query }));
      expect(form.status).toBeGreaterThanOrEqual(400);
      expect(await syncRuns()).toBe(runsBefore);
    });

    it('runs every mutation with the right key (so the refusals above were the key, not the arguments)', async () => {
      const runsBefore = await syncRuns();
      const jobsBefore = await jobs();
      const adminCalls = calls.filter(
        (c) => !NOT_ADMIN_MUTATIONS.viewer.includes(c.name) && !ADMIN_WITHOUT_RUN[c.name],
      );
      for (const call of adminCalls) {
        const r = await h.gql(call.query, call.variables, ADMIN_KEY);
        if (r.errors?.length || !r.data?.[call.name]) throw new Error(`${call.name}: ${JSON.stringify(r)}`);
      }
      for (const call of calls.filter((c) => ADMIN_WITHOUT_RUN[c.name])) {
        const r = await h.gql(call.query, call.variables, ADMIN_KEY);
        expect({ name: call.name, code: r.errors?.[0]?.extensions?.code }).toEqual({
          name: call.name,
          code: ADMIN_WITHOUT_RUN[call.name].code,
        });
        expect(r.errors?.[0]?.message).toMatch(ADMIN_WITHOUT_RUN[call.name].message);
      }
      expect(await syncRuns()).toBe(runsBefore + adminCalls.length);
      expect(await jobs()).toBeGreaterThan(jobsBefore);
      // A lower-case scheme and extra spaces are still the right key (RFC 9110: the scheme is case-insensitive).
      const lower = await post(
        h,
        { query: 'mutation { syncRaceGuide(input: { dryRun: true }) { id } }' },
        `bearer   ${ADMIN_KEY} `,
      );
      expect((lower.body as GqlResult).errors).toBeUndefined();
    });

    const BOARD_PATHS: [string, string][] = [
      ['GET', '/admin/queues'],
      ['GET', '/admin/queues/'],
      ['GET', `/admin/queues/queue/${SYNC_QUEUE}`],
      ['GET', '/admin/queues/api/queues'],
      ['GET', '/admin/queues/api/redis/stats'],
      ['GET', `/admin/queues/api/queues/${SYNC_QUEUE}/1`],
      ['GET', '/admin/queues/static/images/logo.svg'],
      ['GET', '/admin/queues/static/favicon-32x32.png'],
      ['GET', '/Admin/Queues/api/queues'],
      ['PUT', '/admin/queues/api/queues/pause'],
      ['POST', `/admin/queues/api/queues/${SYNC_QUEUE}/add`],
      ['PUT', `/admin/queues/api/queues/${SYNC_QUEUE}/clean/waiting`],
    ];

    it('keeps Bull Board and its api and static paths behind the key', async () => {
      const server = h.app.getHttpServer();
      const jobsBefore = await jobs();
      const send = (method: string, path: string) => {
        const r = request(server);
        const req = method === 'GET' ? r.get(path) : method === 'PUT' ? r.put(path) : r.post(path);
        if (method === 'POST') void req.send({ name: 'x', data: {} });
        return req;
      };
      for (const [method, path] of BOARD_PATHS) {
        for (const [what, authorization] of REFUSED_AUTH) {
          if (what.startsWith('the key as HTTP Basic')) continue; // Bull Board takes Basic: a browser logs in so
          const req = send(method, path);
          if (authorization !== null) void req.set('authorization', authorization);
          const res = await req;
          if (res.status !== 401) throw new Error(`${method} ${path} with ${what}: ${res.status}`);
          expect(res.text).not.toContain(WRONG_KEY);
        }
        // Basic with a wrong password, or with the key as the user name, is refused too.
        for (const [user, pass] of [
          ['admin', WRONG_KEY],
          [ADMIN_KEY, ''],
          [ADMIN_KEY, 'x'],
        ]) {
          const res = await send(method, path).auth(user, pass);
          if (res.status !== 401)
            throw new Error(
              `${method} ${path} with Basic ${user === ADMIN_KEY ? 'key as user' : 'wrong'}: ${res.status}`,
            );
        }
      }
      expect(await jobs()).toBe(jobsBefore);
      expect(await queue.isPaused()).toBe(false);
      for (const path of [
        '/admin/queues',
        '/admin/queues/api/queues',
        '/admin/queues/static/images/logo.svg',
      ]) {
        await request(server).get(path).set('authorization', `Bearer ${ADMIN_KEY}`).expect(200);
        await request(server).get(path).auth('admin', ADMIN_KEY).expect(200);
      }
    });
  });

  describe('production', () => {
    let prod: Harness;
    let sandboxed: Harness;
    const server = (h: Harness) => h.app.getHttpServer();

    beforeAll(async () => {
      // Express reads NODE_ENV from the process when the app is created (its error pages), as in a real deployment.
      const saved = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        prod = await startHarness(
          { dataset: syntheticDataset(WORLD), now: () => NOW },
          { ROLE: 'api', NODE_ENV: 'production', GRAPHQL_SANDBOX: '' },
        );
        sandboxed = await startHarness(
          { dataset: syntheticDataset(WORLD), now: () => NOW },
          { ROLE: 'api', NODE_ENV: 'production', GRAPHQL_SANDBOX: 'true' },
        );
      } finally {
        process.env.NODE_ENV = saved;
      }
    });
    afterAll(async () => {
      await prod?.close();
      await sandboxed?.close();
    });

    it('starts with the production settings (no sandbox unless GRAPHQL_SANDBOX says so)', () => {
      expect(prod.config.production).toBe(true);
      expect(prod.config.sandbox).toBe(false);
      expect(sandboxed.config.production).toBe(true);
      expect(sandboxed.config.sandbox).toBe(true);
    });

    it('refuses introspection: __schema and __type', async () => {
      for (const query of [
        getIntrospectionQuery(),
        '{ __schema { types { name } } }',
        '{ __type(name: "Query") { fields { name } } }',
        '{ cars(first: 1) { totalCount } t: __type(name: "Mutation") { name } }',
      ]) {
        const r = await prod.gql(query);
        expect(r.data).toBeUndefined();
        expect(r.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(r.errors?.[0].message).toMatch(/introspection/i);
      }
      // __typename is not introspection: ordinary queries still work.
      expect((await prod.data<Raw>('{ __typename cars(first: 1) { totalCount } }')).__typename).toBe('Query');
      // GRAPHQL_SANDBOX=true turns it back on in production (README: configuration).
      const open = await sandboxed.gql<Raw>('{ __type(name: "Mutation") { name } }');
      expect(open.data?.__type?.name).toBe('Mutation');
    });

    it('does not serve the Apollo Sandbox or a landing page', async () => {
      const page = await request(server(prod)).get('/graphql').set('accept', 'text/html');
      expect(page.headers['content-type'] ?? '').not.toMatch(/text\/html/);
      expect(page.text).not.toMatch(
        /<html|<!doctype|embeddable-sandbox|EmbeddedSandbox|apollo-server-landing-page/i,
      );
      // The same request where the sandbox is on does get it: the check above can tell.
      const sandbox = await request(server(sandboxed)).get('/graphql').set('accept', 'text/html');
      expect(sandbox.headers['content-type']).toMatch(/text\/html/);
      expect(sandbox.text).toMatch(/sandbox/i);
    });

    it('answers errors without stack traces or internals', async () => {
      const srv = server(prod);
      const answers: string[] = [];
      for (const query of [
        '{ cars( }', // syntax
        '{ nothingHere }', // validation
        '{ car(id: 987654) { id } }', // not found
        '{ car(id: "abc") { id } }', // wrong type
      ]) {
        answers.push(JSON.stringify(await prod.gql(query)));
      }
      answers.push(
        JSON.stringify(await prod.gql('mutation { syncSubsession(subsessionId: -4) { id } }', {}, ADMIN_KEY)),
      );
      // Bodies that never reach GraphQL: malformed JSON, and a body above the parser's limit.
      const bad = await request(srv)
        .post('/graphql')
        .set('content-type', 'application/json')
        .send('{"query": ');
      expect(bad.status).toBe(400);
      answers.push(bad.text);
      const big = await request(srv)
        .post('/graphql')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ query: `{ cars { totalCount } } #${'x'.repeat(2_000_000)}` }));
      expect(big.status).toBeGreaterThanOrEqual(400);
      answers.push(big.text);
      for (const a of answers) {
        expect(a).not.toMatch(/stacktrace|\bat [\w.<>]+ \(|node_modules|\/src\/|\.ts:\d+|\.js:\d+/);
      }
    });

    it('refuses mutations without the key in production too', async () => {
      const r = await prod.gql('mutation { syncCatalog { id } }');
      expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('secrets', () => {
    let w: Harness;
    let bad: Harness;
    const WRONG_PASSWORD = `wrong-password-${rand()}`;
    registerLogSecret('a wrong IRACING_PASSWORD', WRONG_PASSWORD, DEFAULT_TEST_CREDENTIALS.username);

    beforeAll(async () => {
      w = await startHarness(
        { dataset: syntheticDataset(WORLD), now: () => NOW },
        { SYNC_BACKOFF_MS: '10', IRACING_MAX_ATTEMPTS: '1' },
      );
      bad = await startHarness(
        { dataset: syntheticDataset(WORLD), now: () => NOW },
        { SYNC_BACKOFF_MS: '10', IRACING_MAX_ATTEMPTS: '1', IRACING_PASSWORD: WRONG_PASSWORD },
      );
    });
    afterAll(async () => {
      await w?.close();
      await bad?.close();
    });

    const C = DEFAULT_TEST_CREDENTIALS;
    const credentialForms = () => [
      C.clientSecret,
      C.password,
      WRONG_PASSWORD,
      maskSecret(C.clientSecret, C.clientId),
      maskSecret(C.password, C.username),
      maskSecret(WRONG_PASSWORD, C.username),
      ADMIN_KEY,
      sha256Hex(ADMIN_KEY),
    ];
    const issuedTokens = () =>
      readSecrets(process.env.LOG_CAPTURE_DIR!)
        .filter((s) => s.label === 'replica token')
        .map((s) => s.value);
    const runAnswer = async (h: Harness, id: number) =>
      JSON.stringify(
        await h.gql(
          `query($id: Int!) { syncRun(id: $id) { ${SYNC_RUN_FIELDS} params startedAt finishedAt } }`,
          { id },
        ),
      );

    it('a sync refused by iRacing for bad credentials says so, without the password or the secret', async () => {
      const { syncCatalog } = await bad.data<{ syncCatalog: SyncRunView }>(
        'mutation { syncCatalog { id } }',
        {},
        ADMIN_KEY,
      );
      const run = await bad.waitForRun(syncCatalog.id);
      expect(run.status).toBe('FAILED');
      expect(run.errors.map((e) => e.message).join(' ')).toMatch(/password_limited|refused|credentials/i);
      const answer = await runAnswer(bad, run.id);
      for (const s of credentialForms()) expect(answer).not.toContain(s);
      expect(bad.replica.stats.tokenRequests.password_limited).toBeGreaterThanOrEqual(1);
    });

    it('a sync whose token iRacing keeps refusing (401) fails without a token in its answer or its log lines', async () => {
      w.replica.addFault({ endpoint: '*', kind: 'unauthorized' });
      // refresh: past the response cache, so every data request meets the refusal whatever earlier tests cached.
      const { syncCatalog } = await w.data<{ syncCatalog: SyncRunView }>(
        'mutation { syncCatalog(input: { refresh: true }) { id } }',
        {},
        ADMIN_KEY,
      );
      const run = await w.waitForRun(syncCatalog.id);
      w.replica.clearFaults();
      expect(run.status).toBe('FAILED');
      expect(run.errors.map((e) => e.message).join(' ')).toMatch(/token refused/);
      const tokens = issuedTokens();
      expect(tokens.length).toBeGreaterThanOrEqual(4); // the login, then a refresh and a login after the 401s
      const answer = await runAnswer(w, run.id);
      for (const s of [...tokens, ...credentialForms()]) expect(answer).not.toContain(s);
      // The worker's lines about this run are in the file (from debug up), and no token is anywhere in the capture.
      await waitForLog(
        (l) =>
          typeof l.msg === 'string' && l.msg.startsWith(`sync run ${run.id} (CATALOG) attempt 1 started`),
        `the start of run ${run.id}`,
      );
      const captured = capturedText();
      for (const t of tokens) expect(captured).not.toContain(t);
    });

    it('logs requests with the Authorization header and secret query parameters redacted', async () => {
      const planted = `planted-url-token-${rand()}`;
      registerLogSecret('a token in a query string', planted);
      const id1 = `sec-auth-${rand()}`;
      await post(w, { query: 'mutation { syncCatalog { id } }' }, `Bearer ${WRONG_KEY}`, {
        'x-request-id': id1,
      });
      const id2 = `sec-url-${rand()}`;
      await request(w.app.getHttpServer())
        .get(`/graphql?query=%7B__typename%7D&token=${planted}&key=${planted}&password=${planted}`)
        .set('apollo-require-preflight', 'true')
        .set('x-request-id', id2);
      const [authLine] = await waitForLog((l) => l.req?.id === id1, 'the request with a wrong key');
      expect(authLine.req.method).toBe('POST');
      expect(JSON.stringify(authLine)).not.toContain(WRONG_KEY);
      const [urlLine] = await waitForLog((l) => l.req?.id === id2, 'the request with ?token=');
      expect(urlLine.req.url).toContain('token=[redacted]');
      expect(urlLine.req.url).toContain('password=[redacted]');
      expect(JSON.stringify(urlLine)).not.toContain(planted);
    });

    it('redacts secret fields and scrubs the known credentials from messages, in the file as on stdout', async () => {
      const marker = `sec-log-${rand()}`;
      // The application's logger as the harness builds it (createPino: stdout from warn, the run's file from debug).
      const target = new PinoLogger(createPino(w.config));
      target.warn(
        {
          marker,
          password: C.password,
          client_secret: C.clientSecret,
          nested: { access_token: 'x'.repeat(20), refresh_token: WRONG_KEY },
        },
        'Security',
      );
      target.error(
        `${marker} login failed for secret ${C.clientSecret} / ${maskSecret(C.password, C.username)}`,
        'Security',
      );
      const lines = await waitForLog((l) => JSON.stringify(l).includes(marker), 'the planted lines');
      expect(lines).toHaveLength(2);
      const text = JSON.stringify(lines);
      expect(text).toContain('[redacted]');
      for (const s of credentialForms()) expect(text).not.toContain(s);
      expect(text).not.toContain(WRONG_KEY);
    });
  });

  describe('the log capture', () => {
    it('captures the output of child processes, and a config error there hides the secret value', () => {
      const planted = `planted-admin-key-${rand()}`;
      registerLogSecret('an invalid ADMIN_API_KEYS value', planted);
      const marker = `sec-child-${rand()}`;
      const child = spawnSync('node', ['dist/src/main.js'], {
        env: {
          ...process.env,
          ADMIN_API_KEYS: planted,
          PORT: marker,
          DATABASE_URL: process.env.DATABASE_URL,
        },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(child.status).toBe(2);
      expect(child.stderr).toContain(marker);
      expect(child.stderr).toMatch(/ADMIN_API_KEYS: .*\(got \(hidden\)\)/);
      const captured = capturedText();
      expect(captured).toMatch(/ADMIN_API_KEYS: .*\(got \(hidden\)\)/);
      expect(captured).toContain(marker);
      expect(captured).not.toContain(planted);
    });

    it('registers the run credentials and the tokens the replicas issued for the final scan', () => {
      const secrets = readSecrets(process.env.LOG_CAPTURE_DIR!);
      const values = secrets.map((s) => s.value);
      const C = DEFAULT_TEST_CREDENTIALS;
      expect(values).toEqual(
        expect.arrayContaining([
          C.clientSecret,
          C.password,
          maskSecret(C.clientSecret, C.clientId),
          maskSecret(C.password, C.username),
          ADMIN_KEY,
          sha256Hex(ADMIN_KEY),
          WRONG_KEY,
        ]),
      );
      expect(secrets.filter((s) => s.label === 'replica token').length).toBeGreaterThan(0);
      // And nothing of it is in the capture so far (the teardown checks again at the very end of the run).
      const report = scanLogs(join(process.env.LOG_CAPTURE_DIR!, 'logs'), secrets);
      expect(report.findings).toEqual([]);
      expect(report.lines).toBeGreaterThan(0);
    });

    it('the scan finds a planted secret in any of its forms, and names the file, line and kind, not the value', () => {
      const dir = mkdtempSync(join(tmpdir(), 'simlane-scan-test-'));
      try {
        const secret = 'p@ss"word/+=';
        writeFileSync(
          join(dir, 'a.log'),
          `clean line\n{"msg":"login ${JSON.stringify(secret).slice(1, -1)}"}\n`,
        );
        writeFileSync(
          join(dir, 'b.log'),
          `GET /x?p=${encodeURIComponent(secret)}\nplain ${secret} here\nclean\n`,
        );
        writeFileSync(join(dir, 'c.log'), 'nothing to see\n');
        const report = scanLogs(dir, [
          { label: 'planted', value: secret },
          { label: 'absent', value: 'never-written-anywhere' },
        ]);
        expect(report.lines).toBe(6);
        expect(report.files).toBe(3);
        expect(report.findings).toEqual(['a.log:2: planted', 'b.log:1: planted', 'b.log:2: planted']);
        expect(report.summary).toBe(
          'log scan: 6 lines, 3 files, 0 processes, 2 secrets checked, 3 secrets found',
        );
        expect(report.findings.join('\n')).not.toContain(secret);
        expect(scanLogs(dir, [{ label: 'absent', value: 'never-written-anywhere' }]).findings).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
