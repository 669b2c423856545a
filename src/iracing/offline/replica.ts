// The offline replica of the iRacing Data API: an HTTP server that answers like iRacing (DESIGN §5) for tests,
// benchmarks, the demo and front-end work. It serves the OAuth token endpoint, `/data/...` answering
// `{link, expires}` with presigned-style links that expire, rate-limit headers from a configurable budget,
// and faults injected per endpoint. What it serves comes from a ReplicaDataset (recorded files or synthetic).
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maskSecret } from '../oauth-mask.js';
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

export class OfflineReplica {
  private server?: Server;
  private baseUrl = '';
  private faults: Fault[] = [];
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
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.json(res, 500, { error: 'Replica error', message: String(err) });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://${addr.address}:${addr.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  addFault(fault: Fault): void {
    this.faults.push({ ...fault });
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

  private takeFault(endpoint: string): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        (f.endpoint === endpoint || f.endpoint === '*') && (f.rate === undefined || this.rng.next() < f.rate),
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
