// The offline replica of the iRacing Data API: an HTTP server that answers like iRacing
// (docs/architecture.md §2.7, §5) for tests, benchmarks, the demo and front-end work. It serves the OAuth endpoints
// (oauth-server.ts: `password_limited` for the system account, the authorization code flow with PKCE for the
// members of `options.members`), `/data/...` answering `{link, expires}` with presigned-style links that expire,
// rate-limit headers from a configurable budget (one per member, one for the system account), and faults injected
// per endpoint. What it serves comes from a ReplicaDataset (recorded files or synthetic). A token issued to a member makes the "me" endpoints
// (`member/info`, `stats/member_*` without a cust_id, …) describe that member.
//
// Faults that must happen at a defined point of a sync, whatever the speed of the machine, are tied to request
// counts rather than to time:
// - `addFault({ ..., after: N, times: M })` serves the fault from the (N+1)th request to its endpoint (`*`: any
//   `/data` endpoint) for M requests, or until the function `addFault` returns is called (no `times`); e.g. a
//   maintenance window from the 1st `series/seasons` request for 2 requests. `oauth2/token` and `oauth2/authorize`
//   take faults and holds too (named exactly: `*` covers `/data` only), and `override('oauth2/token', fn)`
//   rewrites the successful token answers.
// - `holdAt(endpoint, n, { params, scope })` resolves, with a `Held`, when the nth request to `endpoint` (with
//   those query parameters, if given; counted from the call, past the budget and token checks) arrives, and
//   leaves it unanswered — with every later request to the same endpoint by default (`scope: 'endpoint'`;
//   `'request'`: that one only; `'all'`: every `/data` request) — until `held.release()`. Released requests are
//   answered as usual (faults included); those whose client has gone are dropped. Meanwhile the client that sent
//   it is stuck at a known point of its work: a test can kill it there, e.g. while it waits for the schedule of
//   its 3rd past season. `cancelHolds()` drops the holds not reached yet.
// - `alias()` opens another port onto the same replica (same data, tokens, budget, faults and holds): with one
//   URL per client process, `held.url` names the client whose request is held.
// A replica runs in the process that constructs it: these are plain method calls, no control channel.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChunkedPayload } from './datasets.js';
import type { DatasetContext, ReplicaDataset } from './datasets.js';
import { OAuthServer } from './oauth-server.js';
import type { OAuthAnswer, OAuthOptions, OAuthStats } from './oauth-server.js';
import { FaultPlan, serveFault } from './replica-faults.js';
import type { Fault, FaultKind, FaultStats, Held, HoldOptions, LinkFault } from './replica-faults.js';
import { readBody, sendJson, sendText } from './replica-http.js';
import { LinkStore, RateBudget, S3_EXPIRED, S3_NO_SUCH_KEY } from './replica-links.js';
import type { BudgetStats } from './replica-links.js';
import { datasetAccount, ME_ENDPOINTS } from './replica-members.js';
import type { ReplicaMembers } from './replica-members.js';
import { Rng } from './synthetic/random.js';

export {
  DEFAULT_REDIRECT_URIS,
  DEFAULT_TEST_CREDENTIALS,
  replicaSettings,
  type ReplicaCredentials,
} from './oauth-server.js';
export type { Fault, FaultKind, Held, HoldOptions, HoldScope } from './replica-faults.js';
export { syntheticMembers, type MemberRef, type ReplicaMembers } from './replica-members.js';

export interface ReplicaOptions extends OAuthOptions {
  dataset: ReplicaDataset;
  host?: string;
  port?: number;
  /** Requests allowed per window on `/data` (link fetches do not count); null for no limit. */
  rateLimit?: { limit: number; windowMs: number } | null;
  linkTtlMs?: number;
  /**
   * The members `GET /oauth2/authorize` signs in (e.g. `syntheticMembers(options)` with the synthetic dataset's
   * options); only the account of the dataset's `member/info` when absent.
   */
  members?: ReplicaMembers;
  /** Seed of the faults drawn by rate, so a run with faults repeats exactly. */
  seed?: number;
  /** Delay before each file (`/files/…`) is answered, as S3 takes its time. */
  fileLatencyMs?: number;
  /** The dataset's clock (which sessions have finished, the race guide's default `from`); the wall clock if absent. */
  now?: () => Date;
}

export interface ReplicaStats extends OAuthStats, FaultStats, BudgetStats {
  dataRequests: Record<string, number>;
  linkRequests: number;
  fileRequests: number;
  /** The most file requests being answered at once. */
  maxFilesInFlight: number;
  /** 429s answered because the budget was spent (not injected faults): a client that paces itself sees none. */
  overBudget: number;
}

type Override = (payload: unknown, params: URLSearchParams) => unknown;

export class OfflineReplica {
  private server?: Server;
  private baseUrl = '';
  /** Base URL of every port this replica listens on (its own and its aliases), by port. */
  private readonly servers = new Map<number, { server: Server; url: string }>();
  private readonly plan: FaultPlan;
  private readonly overrides = new Map<string, Override>();
  private readonly links: LinkStore;
  private readonly oauth: OAuthServer;
  private readonly members: ReplicaMembers;
  /** The system account's budget (and unauthenticated requests'). */
  private readonly budget: RateBudget;
  /** Each linked member's own budget: iRacing counts each member's requests apart. */
  private readonly memberBudgets = new Map<number, RateBudget>();
  private filesInFlight = 0;
  stats: ReplicaStats = ReplicaReset();

  constructor(private readonly options: ReplicaOptions) {
    this.plan = new FaultPlan(new Rng(options.seed ?? 1));
    this.links = new LinkStore(options.linkTtlMs ?? 10 * 60_000);
    this.budget = new RateBudget(options.rateLimit ?? null);
    this.members = options.members ?? datasetAccount(options.dataset);
    this.oauth = new OAuthServer(options, this.members, () => this.stats);
  }

  /** Queues faults for one endpoint, taken in order, one request each: a scripted sequence. */
  addSequence(endpoint: string, kinds: FaultKind[]): void {
    for (const kind of kinds) this.addFault({ endpoint, kind, times: 1 });
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('the offline replica is not started');
    return this.baseUrl;
  }

  async start(): Promise<string> {
    const { server, url } = await this.listen(this.options.port ?? 0);
    this.server = server;
    this.baseUrl = url;
    return this.baseUrl;
  }

  /**
   * Opens another port onto this replica (same data, tokens, budget, faults and holds) and returns its base URL.
   * Giving each client its own URL tells them apart: `Held.url` is the URL the held request came to. Links and
   * files stay on the replica's own URL. Closed by `stop()`.
   */
  async alias(): Promise<string> {
    if (!this.server) throw new Error('the offline replica is not started');
    return (await this.listen(0)).url;
  }

  private async listen(port: number): Promise<{ server: Server; url: string }> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: 'Replica error', message: String(err) });
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address() as AddressInfo;
    const entry = { server, url: `http://${addr.address}:${addr.port}` };
    this.servers.set(addr.port, entry);
    return entry;
  }

  async stop(): Promise<void> {
    this.server = undefined;
    // Held requests are let go (their sockets are closed below): nothing waits on a stopped replica.
    this.plan.openAll();
    const all = [...this.servers.values()].map((e) => e.server);
    this.servers.clear();
    await Promise.all(
      all.map((s) => {
        s.closeAllConnections();
        return new Promise<void>((resolve) => s.close(() => resolve()));
      }),
    );
  }

  /**
   * Resolves when the nth request to `endpoint` (`*`: any `/data` endpoint; with `options.params`, only those
   * with these query parameters) arrives, counted from this call among the requests that pass the budget and
   * token checks; that request, and the later ones of `options.scope` (default: every later request to the same
   * endpoint, whatever its parameters), wait unanswered until `held.release()`. The held requests then go on as
   * usual (faults included), or are dropped when their client has gone.
   */
  holdAt(endpoint: string, n: number, options: HoldOptions = {}): Promise<Held> {
    return this.plan.holdAt(endpoint, n, options);
  }

  /** Drops the holds not reached yet (their promises never resolve); reached ones stay until released. */
  cancelHolds(): void {
    this.plan.cancelHolds();
  }

  /** Adds a fault; the function returned removes it (a window held open until then, for a fault without `times`). */
  addFault(fault: Fault): () => void {
    return this.plan.add(fault);
  }

  clearFaults(): void {
    this.plan.clear();
  }

  /** Rewrites what an endpoint serves (for example to change one value between two syncs). */
  override(endpoint: string, fn: Override): void {
    this.overrides.set(endpoint, fn);
  }

  clearOverrides(): void {
    this.overrides.clear();
  }

  resetStats(): void {
    this.stats = ReplicaReset();
  }

  /** Revokes every access token, as iRacing does when they expire: the next data call gets a 401. */
  expireAccessTokens(): void {
    this.oauth.expireAccessTokens();
  }

  /** Makes the refresh tokens (of one member, with `custId`) lapse: their next use is `invalid_grant`. */
  expireRefreshTokens(custId?: number): void {
    this.oauth.expireRefreshTokens(custId);
  }

  /** Revokes a member's access and refresh tokens (the member withdrew the app's access); returns how many. */
  revokeMemberTokens(custId: number): number {
    return this.oauth.revokeMember(custId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://replica');
    if (req.method === 'POST' && url.pathname === '/oauth2/token') return this.token(req, res);
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') return this.authorize(req, res, url);
    if (req.method === 'GET' && url.pathname.startsWith('/data/')) return this.data(req, res, url);
    if (req.method === 'GET' && url.pathname.startsWith('/s3/')) return this.link(res, url);
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) return this.file(res, url);
    if (req.method === 'GET' && url.pathname === '/health') return sendJson(res, 200, { ok: true });
    sendJson(res, 404, { error: 'Not Found' });
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const grant = form.get('grant_type') ?? '';
    this.stats.tokenRequests[grant] = (this.stats.tokenRequests[grant] ?? 0) + 1;
    const fault = await this.faultFor('oauth2/token', form, req, res);
    if (fault === 'answered') return;
    if (fault === 'malformed') return sendText(res, 200, 'application/json', '{"access_token":"');
    const answer = this.oauth.token(form);
    const override = this.overrides.get('oauth2/token');
    if (override && answer.status === 200) answer.json = override(structuredClone(answer.json), form);
    this.send(res, answer);
  }

  private async authorize(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if ((await this.faultFor('oauth2/authorize', url.searchParams, req, res)) === 'answered') return;
    const wantsJson = /application\/json/i.test(req.headers.accept ?? '');
    this.send(res, this.oauth.authorize(url.searchParams, this.context(), wantsJson));
  }

  /**
   * Holds and faults of an endpoint; `headers` (the rate-limit headers) only for a `/data` endpoint, which `*`
   * covers. 'answered' when a fault answered, or the client went away while held.
   */
  private async faultFor(
    endpoint: string,
    params: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
    headers?: Record<string, string>,
  ): Promise<'answered' | LinkFault | undefined> {
    const data = headers !== undefined;
    if (this.plan.holding) {
      await this.plan.pass(
        endpoint,
        params,
        req,
        data,
        (port) => this.servers.get(port)?.url ?? this.baseUrl,
      );
      if (res.destroyed || !res.socket || res.socket.destroyed) return 'answered';
    }
    const fault = this.plan.take(endpoint, data);
    return fault ? serveFault(res, fault, headers ?? {}, this.stats) : undefined;
  }

  /** The budget a request spends: its member's own (a token of the authorization code flow), else the system's. */
  private budgetOf(custId: number | undefined): RateBudget {
    if (custId === undefined) return this.budget;
    let budget = this.memberBudgets.get(custId);
    if (!budget) this.memberBudgets.set(custId, (budget = new RateBudget(this.options.rateLimit ?? null)));
    return budget;
  }

  private send(res: ServerResponse, answer: OAuthAnswer): void {
    const headers = answer.headers ?? {};
    if (answer.location) {
      res.writeHead(answer.status, { ...headers, location: answer.location, 'content-length': 0 });
      res.end();
    } else if (answer.html !== undefined) {
      sendText(res, answer.status, 'text/html; charset=utf-8', answer.html, headers);
    } else sendJson(res, answer.status, answer.json, headers);
  }

  private async data(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const endpoint = url.pathname.slice('/data/'.length).replace(/\/$/, '');
    this.stats.dataRequests[endpoint] = (this.stats.dataRequests[endpoint] ?? 0) + 1;
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const grant = this.oauth.grantOf(token);
    const budget = this.budgetOf(grant?.custId);
    const headers = budget.headers(this.stats);
    if (headers === null) {
      this.stats.rateLimited++;
      this.stats.overBudget++;
      return sendJson(res, 429, { error: 'Rate limit exceeded' }, budget.headers(this.stats, true) ?? {});
    }
    if (!grant) return sendJson(res, 401, { error: 'Unauthorized' }, headers);

    const linkFault = await this.faultFor(endpoint, url.searchParams, req, res, headers);
    if (linkFault === 'answered') return;

    // A member's token: "me" is that member (docs/architecture.md §5.1), whatever the dataset's own account is.
    const me = grant.custId;
    const params = new URLSearchParams(url.searchParams);
    if (me !== undefined && ME_ENDPOINTS.has(endpoint) && !params.get('cust_id'))
      params.set('cust_id', String(me));
    let payload =
      me !== undefined && endpoint === 'member/info'
        ? this.members.info(me, this.context())
        : this.options.dataset.resolve(endpoint, params, this.context());
    // An override sees the dataset's answer (undefined when it has none) and may supply one.
    const override = this.overrides.get(endpoint);
    if (override)
      payload = override(
        payload instanceof ChunkedPayload || payload === undefined ? payload : structuredClone(payload),
        params,
      );
    if (payload === undefined) return sendJson(res, 404, { error: 'Not Found' }, headers);

    if (payload instanceof ChunkedPayload) {
      const chunkInfo = this.links.storeChunks(payload, this.url, linkFault === 'truncated-chunk');
      const direct = payload.options.direct;
      if (direct) {
        const echo = direct.params ?? Object.fromEntries(url.searchParams);
        return sendJson(
          res,
          200,
          { type: direct.type, data: { success: true, chunk_info: chunkInfo, params: echo } },
          headers,
        );
      }
      const typed = payload.options.typed;
      payload = typed
        ? { type: typed, data: { ...payload.header, chunk_info: chunkInfo } }
        : { ...payload.header, chunk_info: chunkInfo };
    }
    if (endpoint.startsWith('constants/')) return sendJson(res, 200, payload, headers);
    const link = this.links.store(
      this.url,
      JSON.stringify(payload),
      linkFault === 'expired' ? -1000 : undefined,
      linkFault === 'malformed' ? 1 : 0,
    );
    sendJson(res, 200, link, headers);
  }

  private context(): DatasetContext {
    return { baseUrl: this.url, now: this.options.now?.() ?? new Date() };
  }

  private link(res: ServerResponse, url: URL): void {
    this.stats.linkRequests++;
    const body = this.links.take(url.pathname.slice('/s3/'.length));
    if (body === undefined) return sendText(res, 403, 'application/xml', S3_EXPIRED);
    sendText(res, 200, 'application/json', body);
  }

  /** Files served without auth (forecast files behind `weather_url`), after `fileLatencyMs` like S3. */
  private async file(res: ServerResponse, url: URL): Promise<void> {
    const path = decodeURIComponent(url.pathname.slice('/files/'.length));
    const body = this.options.dataset.file?.(path, this.context());
    if (body === undefined) return sendText(res, 404, 'application/xml', S3_NO_SUCH_KEY);
    this.stats.fileRequests++;
    this.filesInFlight++;
    this.stats.maxFilesInFlight = Math.max(this.stats.maxFilesInFlight, this.filesInFlight);
    try {
      if (this.options.fileLatencyMs) await new Promise((r) => setTimeout(r, this.options.fileLatencyMs));
      sendJson(res, 200, body);
    } finally {
      this.filesInFlight--;
    }
  }
}

function ReplicaReset(): ReplicaStats {
  return {
    dataRequests: {},
    linkRequests: 0,
    fileRequests: 0,
    maxFilesInFlight: 0,
    tokenRequests: {},
    authorizeRequests: 0,
    codesIssued: 0,
    oauthErrors: {},
    tokensRevoked: 0,
    rateLimited: 0,
    overBudget: 0,
    faultsServed: 0,
    faultsByKind: {},
  };
}
