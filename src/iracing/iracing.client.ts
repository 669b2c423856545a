// IracingClient: the only gateway to the iRacing Data API (DESIGN §5). It authenticates, respects the
// rate-limit headers, follows `{link}` / `{data_url}` indirections, retries outages with backoff and
// jitter, and checks each payload's shape before an importer sees it. Workers use it; the API role never does.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import { DecodeError } from './decode.js';
import type { Check } from './decode.js';
import { IracingAuth } from './iracing-auth.js';
import {
  IracingAuthError,
  IracingError,
  IracingHttpError,
  IracingMaintenanceError,
  IracingPayloadError,
  IracingUnavailableError,
} from './iracing.errors.js';
import { carClassPayload, carPayload, trackPayload } from './iracing.payloads.js';
import type { IracingCar, IracingCarClass, IracingTrack } from './iracing.payloads.js';
import { currentStats } from './request-stats.js';

export type Params = Record<string, string | number | boolean | undefined>;

export interface IracingClientOptions {
  apiUrl: string;
  oauthUrl: string;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  accessToken?: string;
  /** Attempts for outages (5xx, timeouts, resets, HTML pages), the first included. */
  maxAttempts?: number;
  /** First backoff delay; doubles each attempt, with full jitter. */
  retryBaseMs?: number;
  timeoutMs?: number;
  /** Delay asked of the job queue when iRacing is in maintenance. */
  maintenanceDelayMs?: number;
}

export const IRACING_CLIENT_OPTIONS = Symbol('IRACING_CLIENT_OPTIONS');

export interface CallOptions {
  /** Bypass cached answers (the cache arrives with the shared-budget client). */
  refresh?: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

@Injectable()
export class IracingClient {
  private readonly log = new Logger(IracingClient.name);
  private readonly opts: Required<
    Omit<IracingClientOptions, 'clientId' | 'clientSecret' | 'username' | 'password' | 'accessToken'>
  >;
  private readonly auth: IracingAuth;
  /** Rate-limit state from the last response headers. */
  private limit = { remaining: Infinity, resetAt: 0 };

  constructor(
    @Optional() config?: AppConfig,
    @Optional() @Inject(IRACING_CLIENT_OPTIONS) options?: IracingClientOptions,
  ) {
    const o: IracingClientOptions = options ?? {
      apiUrl: config?.env.IRACING_API_URL ?? 'https://members-ng.iracing.com',
      oauthUrl: config?.env.IRACING_OAUTH_URL ?? 'https://oauth.iracing.com',
      clientId: config?.env.IRACING_CLIENT_ID,
      clientSecret: config?.env.IRACING_CLIENT_SECRET,
      username: config?.env.IRACING_USERNAME,
      password: config?.env.IRACING_PASSWORD,
      accessToken: config?.env.IRACING_ACCESS_TOKEN,
      maxAttempts: config?.env.IRACING_MAX_ATTEMPTS,
      retryBaseMs: config?.env.IRACING_RETRY_BASE_MS,
      maintenanceDelayMs: config?.env.IRACING_MAINTENANCE_DELAY_MS,
    };
    this.opts = {
      apiUrl: o.apiUrl.replace(/\/$/, ''),
      oauthUrl: o.oauthUrl.replace(/\/$/, ''),
      maxAttempts: o.maxAttempts ?? 4,
      retryBaseMs: o.retryBaseMs ?? 1000,
      timeoutMs: o.timeoutMs ?? 30_000,
      maintenanceDelayMs: o.maintenanceDelayMs ?? 5 * 60_000,
    };
    this.auth = new IracingAuth({
      oauthUrl: this.opts.oauthUrl,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      username: o.username,
      password: o.password,
      accessToken: o.accessToken,
    });
  }

  getCars(options?: CallOptions): Promise<IracingCar[]> {
    return this.data('car/get', {}, carPayload, options);
  }

  getCarClasses(options?: CallOptions): Promise<IracingCarClass[]> {
    return this.data('carclass/get', {}, carClassPayload, options);
  }

  getTracks(options?: CallOptions): Promise<IracingTrack[]> {
    return this.data('track/get', {}, trackPayload, options);
  }

  /** Fetches `/data/<endpoint>`, follows its indirection and checks the payload. */
  async data<T>(endpoint: string, params: Params, check: Check<T>, _options?: CallOptions): Promise<T> {
    const payload = await this.fetchData(endpoint, params);
    try {
      return check(payload, '');
    } catch (err) {
      if (err instanceof DecodeError)
        throw new IracingPayloadError(endpoint, err.path || '(root)', err.message);
      throw err;
    }
  }

  private async fetchData(endpoint: string, params: Params): Promise<unknown> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params).sort(([a], [b]) => a.localeCompare(b))) {
      if (v !== undefined) query.set(k, String(v));
    }
    const url = `${this.opts.apiUrl}/data/${endpoint}${query.size ? `?${query}` : ''}`;
    const first = await this.authorizedGet(endpoint, url, params);
    if (first && typeof first === 'object' && !Array.isArray(first)) {
      const o = first as Record<string, unknown>;
      if (typeof o.link === 'string') return this.plainGet(endpoint, o.link);
      if (typeof o.data_url === 'string') return this.plainGet(endpoint, o.data_url);
    }
    return first;
  }

  /** A `/data` call with the bearer token: 401 → refresh, then one login; 429 → wait for the reset. */
  private async authorizedGet(endpoint: string, url: string, params: Params): Promise<unknown> {
    let token = await this.auth.accessToken();
    let recoveries = 0;
    let rateLimited = 0;
    for (;;) {
      await this.waitForBudget();
      const res = await this.send(endpoint, url, { authorization: `Bearer ${token}` });
      this.readRateLimit(res);
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
        this.limit.remaining = 0;
        continue;
      }
      return this.readJson(endpoint, res, params);
    }
  }

  /** A presigned link (S3): no auth header, does not count against the rate limit. */
  private async plainGet(endpoint: string, url: string): Promise<unknown> {
    const res = await this.send(endpoint, url, {});
    return this.readJson(endpoint, res, {});
  }

  /** One HTTP GET with retries on outages; answers with any non-5xx response. */
  private async send(endpoint: string, url: string, headers: Record<string, string>): Promise<Response> {
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      if (attempt > 1) await sleep(Math.random() * this.opts.retryBaseMs * 2 ** (attempt - 2));
      const stats = currentStats();
      if (stats && headers.authorization) stats.apiCalls++;
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { accept: 'application/json', ...headers },
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
      } catch (err) {
        lastProblem = (err as Error).name === 'TimeoutError' ? 'timeout' : 'connection failed';
        continue;
      }
      if (res.status === 503) {
        const text = await res.text();
        if (/maintenance/i.test(text))
          throw new IracingMaintenanceError(endpoint, this.opts.maintenanceDelayMs);
        lastProblem = 'HTTP 503';
        continue;
      }
      if (res.status >= 500) {
        await res.body?.cancel();
        const html = /text\/html/i.test(res.headers.get('content-type') ?? '');
        lastProblem = `HTTP ${res.status}${html ? ' (an HTML error page)' : ''}`;
        continue;
      }
      return res;
    }
    this.log.warn(`iRacing ${endpoint} failed ${this.opts.maxAttempts} times: ${lastProblem}`);
    throw new IracingUnavailableError(endpoint, `${lastProblem} (after ${this.opts.maxAttempts} attempts)`);
  }

  private async readJson(endpoint: string, res: Response, params: Params): Promise<unknown> {
    const text = await res.text();
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
      return JSON.parse(text) as unknown;
    } catch {
      throw new IracingPayloadError(endpoint, '(root)', `invalid JSON (${text.length} bytes)`);
    }
  }

  private readRateLimit(res: Response): void {
    const remaining = Number(res.headers.get('x-ratelimit-remaining'));
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    if (res.headers.has('x-ratelimit-remaining') && Number.isFinite(remaining))
      this.limit.remaining = remaining;
    if (res.headers.has('x-ratelimit-reset') && Number.isFinite(reset)) this.limit.resetAt = reset * 1000;
  }

  private async waitForBudget(): Promise<void> {
    if (this.limit.remaining > 0) return;
    const wait = Math.max(0, this.limit.resetAt - Date.now()) + 50;
    const stats = currentStats();
    if (stats) stats.rateLimitWaitMs += wait;
    this.log.log(`rate limit reached; waiting ${wait} ms for the reset`);
    await sleep(Math.min(wait, 120_000));
    this.limit.remaining = Infinity;
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof IracingError ? err.retryable : true;
}
