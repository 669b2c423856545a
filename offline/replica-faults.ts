// The offline replica's faults and holds (replica.ts describes how tests use them): which request meets which
// fault, which requests wait at a hold, and how a fault is answered. Endpoints are `/data` endpoints such as
// `car/get`, or the OAuth endpoints `oauth2/token` and `oauth2/authorize`; the wildcard `*` stands for every
// `/data` endpoint only, so that faults and holds meant for data calls never catch a login.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, sendText } from './replica-http.js';
import type { Rng } from './synthetic/random.js';

export type FaultKind =
  | 'status' // answer `status` (default 500) with a JSON error body
  | 'html' // 504 CloudFront-style HTML page
  | 'maintenance' // 503 {"error":"Site Maintenance"}
  | 'rate-limit' // 429
  | 'unauthorized' // 401, as if the token had been revoked
  | 'malformed-json' // 200 with a truncated JSON body at the link (on `oauth2/token`: the answer itself)
  | 'slow' // answer after `delayMs` (longer than the client's timeout: a timeout)
  | 'expired-link' // hand out a link that has already expired
  | 'truncated-chunk' // the first chunk file of a chunked answer is cut short (the next fetch of it is whole)
  | 'none'; // answers normally: a step of a scripted sequence (e.g. status, none, maintenance)

export interface Fault {
  /** Endpoint such as `car/get` or `oauth2/token`, or `*` for every `/data` endpoint. */
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
  /** Only requests with these query (or, for `oauth2/token`, form) parameters count towards n. */
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
  /**
   * Resolves once the client of the request that reached the hold has gone (its connection closed): a test that
   * kills that client waits for this before releasing, so the replica drops the request rather than answering it.
   */
  clientGone: Promise<void>;
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

/** A fault as stored: `seen` counts the requests it has let through (`after`). */
type ActiveFault = Fault & { seen: number };

/** What a fault leaves for the link a `/data` answer hands out. */
export type LinkFault = 'malformed' | 'expired' | 'truncated-chunk';

export interface FaultStats {
  /** 429s answered, injected or for a spent budget. */
  rateLimited: number;
  faultsServed: number;
  /** Faults served, by kind. */
  faultsByKind: Record<string, number>;
}

export class FaultPlan {
  private faults: ActiveFault[] = [];
  private holds: HoldState[] = [];

  constructor(private readonly rng: Rng) {}

  get holding(): boolean {
    return this.holds.length > 0;
  }

  add(fault: Fault): () => void {
    const stored: ActiveFault = { ...fault, seen: 0 };
    this.faults.push(stored);
    return () => {
      this.faults = this.faults.filter((f) => f !== stored);
    };
  }

  clear(): void {
    this.faults = [];
  }

  holdAt(endpoint: string, n: number, options: HoldOptions): Promise<Held> {
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

  cancelHolds(): void {
    this.holds = this.holds.filter((h) => h.gate !== undefined);
  }

  /** Lets every held request go (the replica is stopping). */
  openAll(): void {
    for (const h of this.holds) h.open?.();
    this.holds = [];
  }

  /**
   * Counts this request for every hold, and waits while a hold reached holds it. `data`: a `/data` request, which
   * `*` holds and `all` scopes cover. `urlOf` names the base URL of the port the request came to.
   */
  async pass(
    endpoint: string,
    params: URLSearchParams,
    req: IncomingMessage,
    data: boolean,
    urlOf: (port: number) => string,
  ): Promise<void> {
    for (const h of [...this.holds]) {
      const sameEndpoint = h.endpoint === endpoint || (data && h.endpoint === '*');
      if (h.gate) {
        if ((h.scope === 'all' && (data || sameEndpoint)) || (h.scope === 'endpoint' && sameEndpoint)) {
          h.count++;
          await h.gate;
        }
        continue;
      }
      if (!sameEndpoint || h.params.some(([k, v]) => params.get(k) !== v) || ++h.seen < h.n) continue;
      h.gate = new Promise<void>((open) => (h.open = open));
      h.count = 1;
      const release = () => {
        this.holds = this.holds.filter((x) => x !== h);
        h.open!();
      };
      h.resolve({
        endpoint: h.endpoint,
        n: h.n,
        request: { endpoint, params: Object.fromEntries(params) },
        url: urlOf(req.socket.localPort ?? 0),
        get count() {
          return h.count;
        },
        clientGone: new Promise<void>((gone) => {
          if (req.socket.destroyed) gone();
          else req.socket.once('close', () => gone());
        }),
        release,
      });
      await h.gate;
    }
  }

  /** The fault this request meets, if any; `data` as for `pass`. */
  take(endpoint: string, data: boolean): Fault | undefined {
    // A fault with `after` counts every request to its endpoint, whether or not another fault is served to it.
    const ready = new Set<ActiveFault>();
    for (const f of this.faults) {
      if (f.endpoint !== endpoint && !(data && f.endpoint === '*')) continue;
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
}

/**
 * Serves a fault: 'answered' when the fault was the whole answer (or its client went away while it was slow), a
 * link fault for the answer to carry, or undefined to answer normally.
 */
export async function serveFault(
  res: ServerResponse,
  fault: Fault,
  headers: Record<string, string>,
  stats: FaultStats,
): Promise<'answered' | LinkFault | undefined> {
  stats.faultsServed++;
  stats.faultsByKind[fault.kind] = (stats.faultsByKind[fault.kind] ?? 0) + 1;
  switch (fault.kind) {
    case 'status':
      sendJson(res, fault.status ?? 500, { error: 'Internal Server Error' }, headers);
      return 'answered';
    case 'maintenance':
      sendJson(res, 503, { error: 'Site Maintenance', note: 'iRacing is down for maintenance' }, headers);
      return 'answered';
    case 'rate-limit':
      stats.rateLimited++;
      sendJson(res, 429, { error: 'Rate limit exceeded' }, headers);
      return 'answered';
    case 'unauthorized':
      sendJson(res, 401, { error: 'Unauthorized' }, headers);
      return 'answered';
    case 'html':
      sendText(
        res,
        fault.status ?? 504,
        'text/html',
        '<!DOCTYPE HTML><HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD></HTML>',
        headers,
      );
      return 'answered';
    case 'slow':
      await new Promise((r) => setTimeout(r, fault.delayMs ?? 5000));
      return res.destroyed ? 'answered' : undefined;
    case 'malformed-json':
      return 'malformed';
    case 'expired-link':
      return 'expired';
    case 'truncated-chunk':
      return 'truncated-chunk';
    case 'none':
      return undefined;
  }
}
