// The offline replica of the iRacing Data API: an HTTP server that answers like iRacing
// (docs/architecture.md §2.7, §5) for tests, benchmarks, the demo and front-end work. It serves the OAuth token
// endpoint, `/data/...` answering `{link, expires}` with presigned-style links that expire, rate-limit headers from
// a configurable budget, and faults injected per endpoint. What it serves comes from a ReplicaDataset (recorded
// files or synthetic).
//
// Faults that must happen at a defined point of a sync, whatever the speed of the machine, are tied to request
// counts rather than to time:
// - `addFault({ ..., after: N, times: M })` serves the fault from the (N+1)th request to its endpoint (`*`: any
//   `/data` endpoint) for M requests, or until the function `addFault` returns is called (no `times`); e.g. a
//   maintenance window from the 1st `series/seasons` request for 2 requests.
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
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maskSecret } from '../src/core/security/secret-mask.js';
import { ChunkedPayload } from './datasets.js';
import type { DatasetContext, ReplicaDataset } from './datasets.js';
import { Rng } from './synthetic/random.js';

export type FaultKind =
  | 'status' // answer `status` (default 500) with a JSON error body
  | 'html' // 504 CloudFront-style HTML page
  | 'maintenance' // 503 {"error":"Site Maintenance"}
  | 'rate-limit' // 429
  | 'unauthorized' // 401, as if the token had been revoked
  | 'malformed-json' // 200 with a truncated JSON body at the link
  | 'slow' // answer after `delayMs` (longer than the client's timeout: a timeout)
  | 'expired-link' // hand out a link that has already expired
  | 'truncated-chunk' // the first chunk file of a chunked answer is cut short (the next fetch of it is whole)
  | 'none'; // answers normally: a step of a scripted sequence (e.g. status, none, maintenance)

export interface Fault {
  /** Endpoint such as `car/get`, or `*` for every `/data` endpoint. */
  endpoint: string;
  kind: FaultKind;
  status?: number;
  delayMs?: number;
  /** How many requests it hits before it is spent; unlimited when absent. */
  times?: number;
  /** Probability per request (0..1), for faults spread at a rate; 1 when absent. */
  rate?: number;
  /**
   * Requests to the endpoint it lets through before it applies (counted from `addFault` among the requests past
   * the budget and token checks, whatever other fault they met): `after: 4, times: 2` hits the 5th and 6th.
   */
  after?: number;
}

/** What waits once a hold is reached: its request only, every later one to its endpoint too, or every later one. */
export type HoldScope = 'request' | 'endpoint' | 'all';

export interface HoldOptions {
  /** `endpoint` when absent. */
  scope?: HoldScope;
  /** Only requests with these query parameters count towards n (e.g. `{ season_id: '4242' }`). */
  params?: Record<string, string>;
}

/** A hold reached (see `OfflineReplica.holdAt`). */
export interface Held {
  /** The endpoint the hold counted (`*`: any) and the count it waited for. */
  endpoint: string;
  n: number;
  /** The request that reached it: its endpoint and query. */
  request: { endpoint: string; params: Record<string, string> };
  /** Base URL the request came to: the replica's own or one of its `alias()` URLs. */
  url: string;
  /** Requests held so far, the first included. */
  readonly count: number;
  /** Answers every held request (or drops it when its client has gone) and stops holding. Idempotent. */
  release(): void;
}

interface HoldState {
  endpoint: string;
  n: number;
  scope: HoldScope;
  params: [string, string][];
  seen: number;
  /** Set once reached: the promise the held requests wait on. */
  gate?: Promise<void>;
  open?: () => void;
  count: number;
  resolve: (held: Held) => void;
}

export interface ReplicaCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

export interface ReplicaOptions {
  dataset: ReplicaDataset;
  host?: string;
  port?: number;
  /** Requests allowed per window on `/data` (link fetches do not count); null for no limit. */
  rateLimit?: { limit: number; windowMs: number } | null;
  linkTtlMs?: number;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** The account the token endpoint accepts; any well-formed request is accepted when absent. */
  credentials?: ReplicaCredentials;
  /** Access tokens accepted without a login (as IRACING_ACCESS_TOKEN from a user's own OAuth flow). */
  staticTokens?: string[];
  /** Seed of the faults drawn by rate, so a run with faults repeats exactly. */
  seed?: number;
  /** Delay before each file (`/files/…`) is answered, as S3 takes its time. */
  fileLatencyMs?: number;
  /** The dataset's clock (which sessions have finished, the race guide's default `from`); the wall clock if absent. */
  now?: () => Date;
}

export interface ReplicaStats {
  dataRequests: Record<string, number>;
  linkRequests: number;
  fileRequests: number;
  /** The most file requests being answered at once. */
  maxFilesInFlight: number;
  tokenRequests: Record<string, number>;
  rateLimited: number;
  /** 429s answered because the budget was spent (not injected faults): a client that paces itself sees none. */
  overBudget: number;
  faultsServed: number;
  /** Faults served, by kind. */
  faultsByKind: Record<string, number>;
  /** When the first rate-limit window opened and the last request inside the limit arrived (epoch ms). */
  firstWindowAt?: number;
  lastDataAt?: number;
}

interface StoredLink {
  body: string;
  expiresAt: number;
  /** Serve half the body this many more times. */
  truncate: number;
}

type Override = (payload: unknown, params: URLSearchParams) => unknown;

export const DEFAULT_TEST_CREDENTIALS: ReplicaCredentials = {
  clientId: 'simlane-offline',
  clientSecret: 'offline-client-secret',
  username: 'offline.racer@example.com',
  password: 'offline-password',
};

/** The IRACING_* settings that point the application at a replica at `url` with the default credentials. */
export function replicaSettings(url: string) {
  return {
    IRACING_API_URL: url,
    IRACING_OAUTH_URL: url,
    IRACING_CLIENT_ID: DEFAULT_TEST_CREDENTIALS.clientId,
    IRACING_CLIENT_SECRET: DEFAULT_TEST_CREDENTIALS.clientSecret,
    IRACING_USERNAME: DEFAULT_TEST_CREDENTIALS.username,
    IRACING_PASSWORD: DEFAULT_TEST_CREDENTIALS.password,
  };
}

/**
 * When REPLICA_TOKEN_LOG names a file, every token a replica issues is appended to it (one a line), so that a
 * test run can check afterwards that none of them reached a log line (test/support/global-teardown.ts).
 */
function recordIssuedTokens(...tokens: string[]): void {
  const file = process.env.REPLICA_TOKEN_LOG;
  if (file) appendFileSync(file, tokens.map((t) => `${t}\n`).join(''));
}

/** A fault as stored: `seen` counts the requests it has let through (`after`). */
type ActiveFault = Fault & { seen: number };

export class OfflineReplica {
  private server?: Server;
  private baseUrl = '';
  /** Base URL of every port this replica listens on (its own and its aliases), by port. */
  private readonly servers = new Map<number, { server: Server; url: string }>();
  private faults: ActiveFault[] = [];
  private holds: HoldState[] = [];
  private readonly overrides = new Map<string, Override>();
  private readonly links = new Map<string, StoredLink>();
  private readonly accessTokens = new Map<string, number>();
  private readonly refreshTokens = new Map<string, number>();
  private window = { start: 0, count: 0 };
  private filesInFlight = 0;
  stats: ReplicaStats = ReplicaReset();

  private readonly rng: Rng;

  constructor(private readonly options: ReplicaOptions) {
    this.rng = new Rng(options.seed ?? 1);
    for (const t of options.staticTokens ?? []) this.accessTokens.set(t, Number.MAX_SAFE_INTEGER);
    if (options.staticTokens?.length) recordIssuedTokens(...options.staticTokens);
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
        if (!res.headersSent) this.json(res, 500, { error: 'Replica error', message: String(err) });
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
    for (const h of this.holds) h.open?.();
    this.holds = [];
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
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`holdAt: n must be a whole number >= 1, got ${n}`);
    return new Promise<Held>((resolve) => {
      this.holds.push({
        endpoint,
        n,
        scope: options.scope ?? 'endpoint',
        params: Object.entries(options.params ?? {}),
        seen: 0,
        count: 0,
        resolve,
      });
    });
  }

  /** Drops the holds not reached yet (their promises never resolve); reached ones stay until released. */
  cancelHolds(): void {
    this.holds = this.holds.filter((h) => h.gate !== undefined);
  }

  /** Adds a fault; the function returned removes it (a window held open until then, for a fault without `times`). */
  addFault(fault: Fault): () => void {
    const stored: ActiveFault = { ...fault, seen: 0 };
    this.faults.push(stored);
    return () => {
      this.faults = this.faults.filter((f) => f !== stored);
    };
  }

  clearFaults(): void {
    this.faults = [];
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
    const keep = new Set(this.options.staticTokens ?? []);
    for (const t of this.accessTokens.keys()) if (!keep.has(t)) this.accessTokens.delete(t);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://replica');
    if (req.method === 'POST' && url.pathname === '/oauth2/token') return this.token(req, res);
    if (req.method === 'GET' && url.pathname.startsWith('/data/')) return this.data(req, res, url);
    if (req.method === 'GET' && url.pathname.startsWith('/s3/')) return this.link(res, url);
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) return this.file(res, url);
    if (req.method === 'GET' && url.pathname === '/health') return this.json(res, 200, { ok: true });
    this.json(res, 404, { error: 'Not Found' });
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const grant = form.get('grant_type') ?? '';
    this.stats.tokenRequests[grant] = (this.stats.tokenRequests[grant] ?? 0) + 1;
    const creds = this.options.credentials;
    if (grant === 'password_limited') {
      const ok = creds
        ? form.get('client_id') === creds.clientId &&
          form.get('client_secret') === maskSecret(creds.clientSecret, creds.clientId) &&
          form.get('username')?.trim().toLowerCase() === creds.username.trim().toLowerCase() &&
          form.get('password') === maskSecret(creds.password, creds.username) &&
          form.get('scope') === 'iracing.auth'
        : ['client_id', 'client_secret', 'username', 'password'].every((k) => form.get(k));
      if (!ok) return this.json(res, 401, { error: 'invalid_grant', error_description: 'bad credentials' });
      return this.issueTokens(res);
    }
    if (grant === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      const exp = this.refreshTokens.get(rt);
      this.refreshTokens.delete(rt); // single use
      if (!exp || exp < Date.now()) {
        return this.json(res, 401, { error: 'invalid_grant', error_description: 'refresh token invalid' });
      }
      return this.issueTokens(res);
    }
    this.json(res, 400, { error: 'unsupported_grant_type' });
  }

  private issueTokens(res: ServerResponse): void {
    const accessTtl = this.options.accessTokenTtlSeconds ?? 600;
    const refreshTtl = this.options.refreshTokenTtlSeconds ?? 7 * 24 * 3600;
    const access = randomBytes(24).toString('base64url');
    const refresh = randomBytes(24).toString('base64url');
    this.accessTokens.set(access, Date.now() + accessTtl * 1000);
    this.refreshTokens.set(refresh, Date.now() + refreshTtl * 1000);
    recordIssuedTokens(access, refresh);
    this.json(res, 200, {
      access_token: access,
      token_type: 'Bearer',
      expires_in: accessTtl,
      refresh_token: refresh,
      refresh_token_expires_in: refreshTtl,
      scope: 'iracing.auth',
    });
  }

  private async data(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const endpoint = url.pathname.slice('/data/'.length).replace(/\/$/, '');
    this.stats.dataRequests[endpoint] = (this.stats.dataRequests[endpoint] ?? 0) + 1;
    const headers = this.rateLimitHeaders();
    if (headers === null) {
      this.stats.rateLimited++;
      this.stats.overBudget++;
      return this.json(res, 429, { error: 'Rate limit exceeded' }, this.rateLimitHeaders(true) ?? {});
    }
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const exp = token ? this.accessTokens.get(token) : undefined;
    if (!exp || exp < Date.now()) return this.json(res, 401, { error: 'Unauthorized' }, headers);

    if (this.holds.length) {
      await this.passHolds(endpoint, url.searchParams, req);
      if (res.destroyed || !res.socket || res.socket.destroyed) return; // its client has gone
    }
    const fault = this.takeFault(endpoint);
    let linkFault: 'malformed' | 'expired' | 'truncated-chunk' | undefined;
    if (fault) {
      this.stats.faultsServed++;
      this.stats.faultsByKind[fault.kind] = (this.stats.faultsByKind[fault.kind] ?? 0) + 1;
      switch (fault.kind) {
        case 'status':
          return this.json(res, fault.status ?? 500, { error: 'Internal Server Error' }, headers);
        case 'maintenance':
          return this.json(
            res,
            503,
            { error: 'Site Maintenance', note: 'iRacing is down for maintenance' },
            headers,
          );
        case 'rate-limit':
          this.stats.rateLimited++;
          return this.json(res, 429, { error: 'Rate limit exceeded' }, headers);
        case 'unauthorized':
          return this.json(res, 401, { error: 'Unauthorized' }, headers);
        case 'html':
          res.writeHead(fault.status ?? 504, { 'content-type': 'text/html', ...headers });
          res.end(
            '<!DOCTYPE HTML><HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD></HTML>',
          );
          return;
        case 'slow':
          await new Promise((r) => setTimeout(r, fault.delayMs ?? 5000));
          if (res.destroyed) return;
          break;
        case 'malformed-json':
          linkFault = 'malformed';
          break;
        case 'expired-link':
          linkFault = 'expired';
          break;
        case 'truncated-chunk':
          linkFault = 'truncated-chunk';
          break;
        case 'none':
          break;
      }
    }

    let payload = this.options.dataset.resolve(endpoint, url.searchParams, this.context());
    // An override sees the dataset's answer (undefined when it has none) and may supply one.
    const override = this.overrides.get(endpoint);
    if (override)
      payload = override(
        payload instanceof ChunkedPayload || payload === undefined ? payload : structuredClone(payload),
        url.searchParams,
      );
    if (payload === undefined) return this.json(res, 404, { error: 'Not Found' }, headers);

    if (payload instanceof ChunkedPayload) {
      const chunkInfo = this.storeChunks(payload, linkFault === 'truncated-chunk');
      const direct = payload.options.direct;
      if (direct) {
        const params = direct.params ?? Object.fromEntries(url.searchParams);
        return this.json(
          res,
          200,
          { type: direct.type, data: { success: true, chunk_info: chunkInfo, params } },
          headers,
        );
      }
      payload = { ...payload.header, chunk_info: chunkInfo };
    }
    if (endpoint.startsWith('constants/')) return this.json(res, 200, payload, headers);
    const link = this.storeLink(
      JSON.stringify(payload),
      linkFault === 'expired' ? -1000 : undefined,
      linkFault === 'malformed' ? 1 : 0,
    );
    this.json(res, 200, link, headers);
  }

  private context(): DatasetContext {
    return { baseUrl: this.url, now: this.options.now?.() ?? new Date() };
  }

  /** Stores a body behind a presigned-style link; returns iRacing's `{link, expires}`. */
  private storeLink(body: string, ttlOverrideMs?: number, truncate = 0): { link: string; expires: string } {
    const ttl = this.options.linkTtlMs ?? 10 * 60_000;
    const expiresAt = Date.now() + (ttlOverrideMs ?? ttl);
    const id = randomBytes(12).toString('hex');
    this.links.set(id, { body, expiresAt, truncate });
    this.pruneLinks();
    return {
      link: `${this.url}/s3/${id}?X-Amz-Expires=${Math.round(ttl / 1000)}`,
      expires: new Date(expiresAt).toISOString(),
    };
  }

  /** Splits rows into chunk files under one base URL; returns iRacing's `chunk_info`. */
  private storeChunks(p: ChunkedPayload, truncateFirst: boolean): Record<string, unknown> {
    const size = p.options.rowsPerChunk ?? 500;
    const base = randomBytes(12).toString('hex');
    const names: string[] = [];
    for (let i = 0, n = 0; i < p.rows.length; i += size, n++) {
      const name = `${randomBytes(16).toString('hex')}.json`;
      const body = JSON.stringify(p.rows.slice(i, i + size));
      const expiresAt = Date.now() + (this.options.linkTtlMs ?? 10 * 60_000);
      this.links.set(`${base}/${name}`, { body, expiresAt, truncate: truncateFirst && n === 0 ? 1 : 0 });
      names.push(name);
    }
    this.pruneLinks();
    return {
      chunk_size: size,
      num_chunks: names.length,
      rows: p.rows.length,
      base_download_url: `${this.url}/s3/${base}/`,
      chunk_file_names: names,
    };
  }

  private link(res: ServerResponse, url: URL): void {
    this.stats.linkRequests++;
    const id = url.pathname.slice('/s3/'.length);
    const stored = this.links.get(id);
    if (!stored || stored.expiresAt < Date.now()) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
      );
      return;
    }
    let body = stored.body;
    if (stored.truncate > 0) {
      stored.truncate--;
      body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** Files served without auth (forecast files behind `weather_url`), after `fileLatencyMs` like S3. */
  private async file(res: ServerResponse, url: URL): Promise<void> {
    const path = decodeURIComponent(url.pathname.slice('/files/'.length));
    const body = this.options.dataset.file?.(path, this.context());
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    this.stats.fileRequests++;
    this.filesInFlight++;
    this.stats.maxFilesInFlight = Math.max(this.stats.maxFilesInFlight, this.filesInFlight);
    try {
      if (this.options.fileLatencyMs) await new Promise((r) => setTimeout(r, this.options.fileLatencyMs));
      this.json(res, 200, body);
    } finally {
      this.filesInFlight--;
    }
  }

  /** Rate-limit headers for this request, or null when the budget is spent (429). */
  private rateLimitHeaders(peek = false): Record<string, string> | null {
    const rl = this.options.rateLimit;
    if (!rl) return {};
    const now = Date.now();
    // A window opens with the first request after the last one closed, on a whole second, so that its reset
    // (sent in whole epoch seconds, like iRacing's) is exact.
    if (now - this.window.start >= rl.windowMs)
      this.window = { start: Math.floor(now / 1000) * 1000, count: 0 };
    const reset = Math.ceil((this.window.start + rl.windowMs) / 1000);
    const over = this.window.count >= rl.limit;
    if (!peek && !over) this.window.count++;
    if (!peek && !over) {
      this.stats.firstWindowAt ??= this.window.start;
      this.stats.lastDataAt = now;
    }
    const headers = {
      'x-ratelimit-limit': String(rl.limit),
      'x-ratelimit-remaining': String(Math.max(0, rl.limit - this.window.count)),
      'x-ratelimit-reset': String(reset),
    };
    return over && !peek ? null : headers;
  }

  /** Counts this request for every hold, and waits while a hold reached holds it. */
  private async passHolds(endpoint: string, params: URLSearchParams, req: IncomingMessage): Promise<void> {
    for (const h of [...this.holds]) {
      const sameEndpoint = h.endpoint === '*' || h.endpoint === endpoint;
      if (h.gate) {
        if (h.scope === 'all' || (h.scope === 'endpoint' && sameEndpoint)) {
          h.count++;
          await h.gate;
        }
        continue;
      }
      if (!sameEndpoint || h.params.some(([k, v]) => params.get(k) !== v) || ++h.seen < h.n) continue;
      h.gate = new Promise<void>((open) => (h.open = open));
      h.count = 1;
      const port = req.socket.localPort ?? 0;
      const release = () => {
        this.holds = this.holds.filter((x) => x !== h);
        h.open!();
      };
      h.resolve({
        endpoint: h.endpoint,
        n: h.n,
        request: { endpoint, params: Object.fromEntries(params) },
        url: this.servers.get(port)?.url ?? this.baseUrl,
        get count() {
          return h.count;
        },
        release,
      });
      await h.gate;
    }
  }

  private takeFault(endpoint: string): Fault | undefined {
    // A fault with `after` counts every request to its endpoint, whether or not another fault is served to it.
    const ready = new Set<ActiveFault>();
    for (const f of this.faults) {
      if (f.endpoint !== endpoint && f.endpoint !== '*') continue;
      if (f.seen >= (f.after ?? 0)) ready.add(f);
      else f.seen++;
    }
    const i = this.faults.findIndex(
      (f) => ready.has(f) && (f.rate === undefined || this.rng.next() < f.rate),
    );
    if (i < 0) return undefined;
    const f = this.faults[i];
    if (f.times !== undefined && --f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private pruneLinks(): void {
    if (this.links.size < 1000) return;
    const now = Date.now();
    for (const [id, l] of this.links) if (l.expiresAt < now - 60_000) this.links.delete(id);
  }

  private json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }
}

function ReplicaReset(): ReplicaStats {
  return {
    dataRequests: {},
    linkRequests: 0,
    fileRequests: 0,
    maxFilesInFlight: 0,
    tokenRequests: {},
    rateLimited: 0,
    overBudget: 0,
    faultsServed: 0,
    faultsByKind: {},
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}
