// The HTTP plumbing of IracingClient: one GET with retries on outages (backoff with full jitter), a slot of the
// shared rate-limit budget for each authenticated request, the bearer token refreshed (then a login) on 401, a
// wait for the window's reset on 429, and bodies read as JSON with errors named by endpoint. It knows nothing of
// endpoints, links or chunks.
import { Logger } from '@nestjs/common';
import type { MetricsService } from '../core/metrics/metrics.service.js';
import type { IracingAuth } from './iracing-auth.js';
import {
  IracingAuthError,
  IracingHttpError,
  IracingMaintenanceError,
  IracingPayloadError,
  IracingUnavailableError,
} from './iracing.errors.js';
import type { RateLimiter, RateLimitObservation } from './rate-limiter.js';
import { currentStats } from './request-stats.js';

export type Params = Record<string, string | number | boolean | undefined>;

export interface HttpSettings {
  /** Attempts for outages (5xx, timeouts, resets, HTML pages), the first included. */
  maxAttempts: number;
  /** First backoff delay; doubles each attempt, with full jitter. */
  retryBaseMs: number;
  timeoutMs: number;
  /** Delay asked of the job queue when iRacing is in maintenance. */
  maintenanceDelayMs: number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The wait before attempt `attempt` (from 2): full jitter over a base that doubles each attempt. */
export function backoffMs(retryBaseMs: number, attempt: number): number {
  return Math.random() * retryBaseMs * 2 ** (attempt - 2);
}

type Slot = Awaited<ReturnType<RateLimiter['acquire']>>;

export class IracingHttp {
  // Logged under the client's name: these lines are the client's, as callers know it.
  private readonly log = new Logger('IracingClient');

  constructor(
    private readonly settings: HttpSettings,
    private readonly auth: IracingAuth,
    private readonly limiter: RateLimiter,
    private readonly metrics?: MetricsService,
  ) {}

  /** A `/data` call with the bearer token: 401 → refresh, then one login; 429 → wait for the reset. */
  async authorizedGet(
    endpoint: string,
    url: string,
    params: Params,
  ): Promise<{ json: unknown; text: string }> {
    let token = await this.auth.accessToken();
    let recoveries = 0;
    let rateLimited = 0;
    for (;;) {
      const res = await this.send(endpoint, url, { authorization: `Bearer ${token}` }, true);
      if (res.status === 401) {
        await res.body?.cancel();
        if (recoveries >= 2) throw new IracingAuthError(endpoint, 'token refused after refresh and login');
        token = await this.auth.recover(token, recoveries === 1);
        recoveries++;
        continue;
      }
      if (res.status === 429) {
        await res.body?.cancel();
        if (++rateLimited > 5) throw new IracingUnavailableError(endpoint, 'rate limited repeatedly');
        await this.limiter.rateLimited(observe(res)?.resetAt);
        continue;
      }
      return this.readJsonText(endpoint, res, params);
    }
  }

  /**
   * A `/data` call as a linked member, with their own access token: outside the system account's token and
   * budget. `budget`: the member's own rate-limit budget (iRacing counts each token's requests apart), whose 429
   * waits for its reset like the system account's; without one, a 429 is an outage. Their refused token is theirs
   * to refresh (an auth error here).
   */
  async memberGet(
    endpoint: string,
    url: string,
    params: Params,
    accessToken: string,
    budget?: RateLimiter,
  ): Promise<{ json: unknown; text: string }> {
    let rateLimited = 0;
    for (;;) {
      const res = await this.send(endpoint, url, { authorization: `Bearer ${accessToken}` }, budget ?? false);
      if (res.status === 401) {
        await res.body?.cancel();
        throw new IracingAuthError(endpoint, "the member's access token was refused");
      }
      if (res.status === 429) {
        await res.body?.cancel();
        if (!budget || ++rateLimited > 5)
          throw new IracingUnavailableError(endpoint, "rate limited on the member's account");
        await budget.rateLimited(observe(res)?.resetAt);
        continue;
      }
      return this.readJsonText(endpoint, res, params);
    }
  }

  /**
   * One HTTP GET with retries on outages; answers with any non-5xx response. `limited` requests (the
   * authenticated `/data` calls) each take a slot of a rate-limit budget, retries included: the system
   * account's shared one (`true`), or the one given (a linked member's).
   */
  async send(
    endpoint: string,
    url: string,
    headers: Record<string, string>,
    limited: boolean | RateLimiter,
  ): Promise<Response> {
    const { maxAttempts } = this.settings;
    const budget = limited === true ? this.limiter : limited || undefined;
    let lastProblem = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(backoffMs(this.settings.retryBaseMs, attempt));
      const admission = budget ? (await this.takeSlot(budget)).admission : undefined;
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { accept: 'application/json', ...headers },
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
      } catch (err) {
        await admission?.done();
        this.metrics?.iracingRequests.inc({ endpoint, status: '0' });
        lastProblem =
          (err as Error).name === 'TimeoutError'
            ? `timeout after ${this.settings.timeoutMs} ms`
            : 'connection failed';
        continue;
      }
      const seen = observe(res);
      await admission?.done(seen);
      this.metrics?.iracingRequests.inc({ endpoint, status: String(res.status) });
      if (limited === true && seen) this.metrics?.rateLimitRemaining.set(seen.remaining);
      const outage = await this.outage(endpoint, res);
      if (outage === undefined) return res;
      lastProblem = outage;
    }
    this.log.warn(`iRacing ${endpoint} failed ${maxAttempts} times: ${lastProblem}`);
    throw new IracingUnavailableError(endpoint, `${lastProblem} (after ${maxAttempts} attempts)`);
  }

  /** Waits for a slot of `budget`, counting the wait and the call. */
  private async takeSlot(budget: RateLimiter): Promise<Slot> {
    const slot = await budget.acquire();
    const stats = currentStats();
    if (stats) {
      stats.rateLimitWaitMs += slot.waitedMs;
      stats.apiCalls++;
    }
    if (slot.waitedMs > 0) this.metrics?.rateLimitWait.inc(slot.waitedMs / 1000);
    return slot;
  }

  /** Why a response is an outage worth another attempt (a 5xx), or undefined; 503 maintenance throws. */
  private async outage(endpoint: string, res: Response): Promise<string | undefined> {
    if (res.status === 503) {
      const text = await res.text();
      if (/maintenance/i.test(text))
        throw new IracingMaintenanceError(endpoint, this.settings.maintenanceDelayMs);
      return 'HTTP 503';
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      const html = /text\/html/i.test(res.headers.get('content-type') ?? '');
      return `HTTP ${res.status}${html ? ' (an HTML error page)' : ''}`;
    }
    return undefined;
  }

  async readJson(endpoint: string, res: Response, params: Params): Promise<unknown> {
    return (await this.readJsonText(endpoint, res, params)).json;
  }

  async readJsonText(
    endpoint: string,
    res: Response,
    params: Params,
  ): Promise<{ json: unknown; text: string }> {
    const text = await bodyText(res);
    if (!res.ok) {
      let detail = `HTTP ${res.status}`;
      try {
        const j = JSON.parse(text) as Record<string, unknown>;
        if (typeof j.error === 'string') detail = j.error;
        if (typeof j.message === 'string') detail += `: ${j.message}`;
      } catch {
        /* not JSON */
      }
      throw new IracingHttpError(endpoint, res.status, detail, params);
    }
    if (/^\s*</.test(text)) throw new IracingUnavailableError(endpoint, 'an HTML page instead of JSON');
    try {
      return { json: JSON.parse(text) as unknown, text };
    } catch {
      throw new IracingPayloadError(endpoint, '(root)', `invalid JSON (${text.length} bytes)`);
    }
  }
}

/**
 * The body as text, decoded chunk by chunk: unlike `res.text()`, the received bytes are never all held at once
 * next to their concatenated copy (tens of MB for the largest answers), only the string being built.
 */
async function bodyText(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

function observe(res: Response): RateLimitObservation | undefined {
  const limit = Number(res.headers.get('x-ratelimit-limit'));
  const remaining = Number(res.headers.get('x-ratelimit-remaining'));
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  if (!res.headers.has('x-ratelimit-remaining') || !Number.isFinite(remaining) || !Number.isFinite(reset))
    return undefined;
  return {
    limit: Number.isFinite(limit) && limit > 0 ? limit : remaining + 1,
    remaining,
    resetAt: reset * 1000,
  };
}
