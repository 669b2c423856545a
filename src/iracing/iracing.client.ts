// IracingClient: the only gateway to the iRacing Data API (DESIGN §5). It authenticates (shared token,
// single-use refresh under a lock), spends one rate-limit budget shared by every process, follows `{link}` /
// `{data_url}` indirections (asking again when a link expired), fetches chunked payloads with bounded
// concurrency, retries outages with backoff and jitter, caches answers in Redis, and checks each payload's shape
// before an importer sees it. Workers use it; the API role never does.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { forEachLimit } from '../core/concurrency.js';
import { AppConfig } from '../core/config/app-config.js';
import { MetricsService } from '../core/metrics/metrics.service.js';
import { REDIS } from '../core/redis/redis.provider.js';
import { DecodeError } from './decode.js';
import type { Check } from './decode.js';
import { IracingAuth } from './iracing-auth.js';
import {
  IracingAuthError,
  IracingHttpError,
  IracingMaintenanceError,
  IracingPayloadError,
  IracingUnavailableError,
} from './iracing.errors.js';
import * as P from './iracing.payloads.js';
import { LocalRateLimiter, RedisRateLimiter } from './rate-limiter.js';
import type { RateLimiter, RateLimitObservation } from './rate-limiter.js';
import { currentStats } from './request-stats.js';
import { ResponseCache } from './response-cache.js';
import { MemoryTokenStore, RedisTokenStore } from './token-store.js';

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
  /** Prefix of the shared keys in Redis (token, rate limit, cache). */
  redisPrefix?: string;
  /** Full logins allowed per hour. */
  loginsPerHour?: number;
  /** Requests kept in reserve per rate-limit window for requests in flight. */
  rateLimitMargin?: number;
  /** Chunk files fetched at once. */
  chunkConcurrency?: number;
}

export const IRACING_CLIENT_OPTIONS = Symbol('IRACING_CLIENT_OPTIONS');

export interface CallOptions {
  /** Bypass the cache (the fresh answer replaces the cached one). */
  refresh?: boolean;
}

/** A chunked answer: the header fields, and every chunk's rows concatenated in order. */
export interface ChunkedResult<T> {
  header: Record<string, unknown>;
  rows: T[];
}

type Resolved = Required<
  Pick<
    IracingClientOptions,
    'apiUrl' | 'maxAttempts' | 'retryBaseMs' | 'timeoutMs' | 'maintenanceDelayMs' | 'chunkConcurrency'
  >
>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Link answers that mean the presigned link expired or was refused: ask the endpoint again. */
const EXPIRED_LINK = new Set([400, 401, 403, 404, 410]);

@Injectable()
export class IracingClient {
  private readonly log = new Logger(IracingClient.name);
  private readonly opts: Resolved;
  private readonly auth: IracingAuth;
  private readonly limiter: RateLimiter;
  private readonly cache: ResponseCache;

  constructor(
    @Optional() config?: AppConfig,
    @Optional() @Inject(IRACING_CLIENT_OPTIONS) options?: IracingClientOptions,
    @Optional() @Inject(REDIS) redis?: Redis,
    @Optional() private readonly metrics?: MetricsService,
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
      timeoutMs: config?.env.IRACING_TIMEOUT_MS,
      maintenanceDelayMs: config?.env.IRACING_MAINTENANCE_DELAY_MS,
      redisPrefix: config?.env.QUEUE_PREFIX,
      loginsPerHour: config?.env.IRACING_LOGINS_PER_HOUR,
    };
    this.opts = {
      apiUrl: o.apiUrl.replace(/\/$/, ''),
      maxAttempts: o.maxAttempts ?? 4,
      retryBaseMs: o.retryBaseMs ?? 1000,
      timeoutMs: o.timeoutMs ?? 30_000,
      maintenanceDelayMs: o.maintenanceDelayMs ?? 5 * 60_000,
      chunkConcurrency: o.chunkConcurrency ?? 4,
    };
    const prefix = o.redisPrefix ?? 'simlane';
    this.auth = new IracingAuth(
      {
        oauthUrl: o.oauthUrl,
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        username: o.username,
        password: o.password,
        accessToken: o.accessToken,
      },
      redis ? new RedisTokenStore(redis, prefix) : new MemoryTokenStore(),
      o.loginsPerHour ?? 3,
    );
    this.limiter = redis
      ? new RedisRateLimiter(redis, prefix, { margin: o.rateLimitMargin })
      : new LocalRateLimiter();
    this.cache = new ResponseCache(redis, prefix);
  }

  // --- Catalog ---------------------------------------------------------------------------------------------

  getCars(options?: CallOptions): Promise<P.IracingCar[]> {
    return this.data('car/get', {}, P.carPayload, options);
  }

  getCarClasses(options?: CallOptions): Promise<P.IracingCarClass[]> {
    return this.data('carclass/get', {}, P.carClassPayload, options);
  }

  getTracks(options?: CallOptions): Promise<P.IracingTrack[]> {
    return this.data('track/get', {}, P.trackPayload, options);
  }

  // --- Series, seasons, race guide -------------------------------------------------------------------------

  getSeries(options?: CallOptions) {
    return this.data('series/get', {}, P.seriesPayload, options);
  }

  /** Current and future seasons with their schedules (or one quarter's, with year and quarter). */
  getSeasons(
    q: { seasonYear?: number; seasonQuarter?: number; includeSeries?: boolean } = {},
    options?: CallOptions,
  ) {
    const params = {
      include_series: q.includeSeries ?? true,
      season_year: q.seasonYear,
      season_quarter: q.seasonQuarter,
    };
    return this.data('series/seasons', params, P.seasonsPayload, options);
  }

  getSeasonList(q: { seasonYear: number; seasonQuarter: number }, options?: CallOptions) {
    const params = { season_year: q.seasonYear, season_quarter: q.seasonQuarter, include_series: true };
    return this.data('series/season_list', params, P.seasonListPayload, options);
  }

  getSeasonSchedule(seasonId: number, options?: CallOptions) {
    return this.data('series/season_schedule', { season_id: seasonId }, P.seasonSchedulePayload, options);
  }

  getPastSeasons(seriesId: number, options?: CallOptions) {
    return this.data('series/past_seasons', { series_id: seriesId }, P.pastSeasonsPayload, options);
  }

  getRaceGuide(q: { from?: Date; includeEndAfterFrom?: boolean } = {}, options?: CallOptions) {
    const params = { from: q.from?.toISOString(), include_end_after_from: q.includeEndAfterFrom };
    return this.data('season/race_guide', params, P.raceGuidePayload, options);
  }

  getSeasonsByQuarter(q: { seasonYear: number; seasonQuarter: number }, options?: CallOptions) {
    const params = { season_year: q.seasonYear, season_quarter: q.seasonQuarter };
    return this.data('season/list', params, P.seasonListByQuarterPayload, options);
  }

  // --- Results -----------------------------------------------------------------------------------------------

  getResult(subsessionId: number, options?: CallOptions) {
    const params = { subsession_id: subsessionId, include_licenses: true };
    return this.data('results/get', params, P.resultPayload, options);
  }

  /**
   * Laps of one simsession (of one driver, or of one team: every lap its drivers drove), every chunk
   * concatenated in order; a header without `chunk_info` (no lap driven) gives no rows. `teamId` may be given
   * as `results/get` names the team (negative, as the laps' `group_id`): iRacing's lap data takes the team's own
   * id, positive (a team's answer is filed under `…/t<team id>/` with `group_id` = -team id).
   */
  getLapData(
    q: { subsessionId: number; simsessionNumber: number; custId?: number; teamId?: number },
    options?: CallOptions,
  ): Promise<ChunkedResult<P.IracingLapRow>> {
    const params = {
      subsession_id: q.subsessionId,
      simsession_number: q.simsessionNumber,
      cust_id: q.custId,
      team_id: q.teamId === undefined ? undefined : Math.abs(q.teamId),
    };
    return this.data('results/lap_data', params, P.lapDataPayload, options);
  }

  getSeasonResults(q: { seasonId: number; eventType?: number; raceWeekNum?: number }, options?: CallOptions) {
    const params = { season_id: q.seasonId, event_type: q.eventType, race_week_num: q.raceWeekNum };
    return this.data('results/season_results', params, P.seasonResultsPayload, options);
  }

  /** Official results by finish time (or start time), every chunk concatenated. */
  searchSeriesResults(
    q: {
      seasonYear?: number;
      seasonQuarter?: number;
      seriesId?: number;
      raceWeekNum?: number;
      startRangeBegin?: Date;
      startRangeEnd?: Date;
      finishRangeBegin?: Date;
      finishRangeEnd?: Date;
      officialOnly?: boolean;
      eventTypes?: number[];
    },
    options?: CallOptions,
  ) {
    const params = {
      season_year: q.seasonYear,
      season_quarter: q.seasonQuarter,
      series_id: q.seriesId,
      race_week_num: q.raceWeekNum,
      start_range_begin: q.startRangeBegin?.toISOString(),
      start_range_end: q.startRangeEnd?.toISOString(),
      finish_range_begin: q.finishRangeBegin?.toISOString(),
      finish_range_end: q.finishRangeEnd?.toISOString(),
      official_only: q.officialOnly,
      event_types: q.eventTypes?.join(','),
    };
    return this.chunked('results/search_series', params, P.searchSeriesRowsPayload, options);
  }

  // --- Members, constants, weather -------------------------------------------------------------------------

  /** The account the syncs run as, with the car and track packages it owns. */
  getMemberInfo(options?: CallOptions) {
    return this.data('member/info', {}, P.memberInfoPayload, options);
  }

  getMembers(custIds: number[], options?: CallOptions) {
    return this.data('member/get', { cust_ids: custIds.join(',') }, P.membersPayload, options);
  }

  getMemberSummary(custId: number, options?: CallOptions) {
    return this.data('stats/member_summary', { cust_id: custId }, P.memberSummaryPayload, options);
  }

  getMemberRecentRaces(custId: number, options?: CallOptions) {
    return this.data('stats/member_recent_races', { cust_id: custId }, P.recentRacesPayload, options);
  }

  getEventTypes(options?: CallOptions) {
    return this.data('constants/event_types', {}, P.eventTypesPayload, options);
  }

  /**
   * A race week's forecast file (a presigned `weather_url`: no auth, no rate limit, never cached because the
   * link itself expires). An expired link raises IracingHttpError (status 403/404): renew it from the schedule.
   */
  async getForecast(weatherUrl: string): Promise<P.IracingForecastRow[]> {
    const endpoint = 'weather_url';
    const res = await this.send(endpoint, weatherUrl, {}, false);
    return this.checked(endpoint, await this.readJson(endpoint, res, {}), P.forecastPayload);
  }

  // --- Generic calls -----------------------------------------------------------------------------------------

  /** `/data/<endpoint>`: cached unless `refresh`, indirections followed, payload checked. */
  async data<T>(endpoint: string, params: Params, check: Check<T>, options: CallOptions = {}): Promise<T> {
    if (!options.refresh) {
      const cached = await this.cache.get(endpoint, params);
      if (cached !== undefined) {
        const stats = currentStats();
        if (stats) stats.cacheHits++;
        this.metrics?.cacheHits.inc({ endpoint });
        return this.checked(endpoint, cached, check);
      }
    }
    const { payload, text } = await this.fetchData(endpoint, params);
    const value = this.checked(endpoint, payload, check);
    // The JSON as received is cached when it is the payload itself: a large answer (series/seasons is tens of
    // MB at scale) is not serialised a second time.
    await this.cache.set(endpoint, params, payload, text);
    return value;
  }

  /** A chunked endpoint: the header and the concatenated rows, rows checked with `checkRows`. */
  async chunked<T>(
    endpoint: string,
    params: Params,
    checkRows: Check<T[]>,
    options: CallOptions = {},
  ): Promise<ChunkedResult<T>> {
    const value = await this.data(
      endpoint,
      params,
      (v, p) => {
        if (!isObject(v) || !Array.isArray(v.rows))
          throw new DecodeError(p || '(root)', 'a chunked payload', v);
        const { rows, ...header } = v;
        return { header, rows: checkRows(rows, 'rows') };
      },
      options,
    );
    return value;
  }

  private checked<T>(endpoint: string, payload: unknown, check: Check<T>): T {
    try {
      return check(payload, '');
    } catch (err) {
      if (err instanceof DecodeError)
        throw new IracingPayloadError(endpoint, err.path || '(root)', err.message);
      throw err;
    }
  }

  /** The payload, and its JSON text as received when nothing was joined into it (no chunks). */
  private async fetchData(endpoint: string, params: Params): Promise<{ payload: unknown; text?: string }> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params).sort(([a], [b]) => a.localeCompare(b))) {
      if (v !== undefined) query.set(k, String(v));
    }
    const url = `${this.opts.apiUrl}/data/${endpoint}${query.size ? `?${query}` : ''}`;
    for (let linkTry = 1; ; linkTry++) {
      const answer = await this.authorizedGet(endpoint, url, params);
      const first = answer.json;
      const link = isObject(first) ? (first.link ?? first.data_url) : undefined;
      let body = first;
      let text: string | undefined = answer.text;
      if (typeof link === 'string') {
        const res = await this.send(endpoint, link, {}, false);
        if (EXPIRED_LINK.has(res.status) && linkTry < 3) {
          await res.body?.cancel();
          this.log.warn(
            `iRacing ${endpoint}: the data link was refused (HTTP ${res.status}); asking for a new one`,
          );
          continue;
        }
        try {
          ({ json: body, text } = await this.readJsonText(endpoint, res, params));
        } catch (err) {
          // A linked file cut short in transfer is asked for again; one that stays unreadable is a payload error.
          if (!(err instanceof IracingPayloadError) || linkTry >= this.opts.maxAttempts) throw err;
          this.log.warn(`iRacing ${endpoint}: the linked file was unreadable at ${err.path}; asking again`);
          continue;
        }
      }
      const payload = await this.joinChunks(endpoint, body);
      return { payload, text: payload === body ? text : undefined };
    }
  }

  /** Replaces `chunk_info` (top level, or under `data` for direct answers) by the concatenated `rows`. */
  private async joinChunks(endpoint: string, body: unknown): Promise<unknown> {
    if (!isObject(body)) return body;
    const holder = isObject(body.data) && isObject(body.data.chunk_info) ? body.data : body;
    const info = holder.chunk_info;
    if (!isObject(info)) return body;
    const base = typeof info.base_download_url === 'string' ? info.base_download_url : '';
    const files = Array.isArray(info.chunk_file_names) ? info.chunk_file_names.map(String) : [];
    const parts: unknown[][] = new Array<unknown[]>(files.length);
    await forEachLimit(files, this.opts.chunkConcurrency, async (file, i) => {
      parts[i] = await this.fetchChunk(endpoint, base + file, i);
    });
    const rows = parts.flat();
    const { chunk_info: _ignored, ...rest } = holder;
    return { ...rest, chunk_count: files.length, rows };
  }

  private async fetchChunk(endpoint: string, url: string, index: number): Promise<unknown[]> {
    let problem = '';
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      if (attempt > 1) await sleep(Math.random() * this.opts.retryBaseMs * 2 ** (attempt - 2));
      const res = await this.send(endpoint, url, {}, false);
      const text = await res.text();
      if (!res.ok) {
        problem = `HTTP ${res.status}`;
        continue;
      }
      try {
        const rows = JSON.parse(text) as unknown;
        if (Array.isArray(rows)) return rows;
        problem = 'not a list of rows';
      } catch {
        problem = `invalid JSON (${text.length} bytes, truncated?)`;
      }
    }
    throw new IracingPayloadError(
      endpoint,
      `chunk ${index}`,
      `${problem} after ${this.opts.maxAttempts} attempts`,
    );
  }

  /** A `/data` call with the bearer token: 401 → refresh, then one login; 429 → wait for the reset. */
  private async authorizedGet(
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
   * One HTTP GET with retries on outages; answers with any non-5xx response. `limited` requests (the
   * authenticated `/data` calls) each take a slot of the shared rate-limit budget, retries included.
   */
  private async send(
    endpoint: string,
    url: string,
    headers: Record<string, string>,
    limited: boolean,
  ): Promise<Response> {
    let lastProblem = '';
    const stats = currentStats();
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      if (attempt > 1) await sleep(Math.random() * this.opts.retryBaseMs * 2 ** (attempt - 2));
      let admission: Awaited<ReturnType<RateLimiter['acquire']>>['admission'] | undefined;
      if (limited) {
        const slot = await this.limiter.acquire();
        admission = slot.admission;
        if (stats) {
          stats.rateLimitWaitMs += slot.waitedMs;
          stats.apiCalls++;
        }
        if (slot.waitedMs > 0) this.metrics?.rateLimitWait.inc(slot.waitedMs / 1000);
      }
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { accept: 'application/json', ...headers },
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
      } catch (err) {
        await admission?.done();
        this.metrics?.iracingRequests.inc({ endpoint, status: '0' });
        lastProblem =
          (err as Error).name === 'TimeoutError'
            ? `timeout after ${this.opts.timeoutMs} ms`
            : 'connection failed';
        continue;
      }
      const seen = observe(res);
      await admission?.done(seen);
      this.metrics?.iracingRequests.inc({ endpoint, status: String(res.status) });
      if (limited && seen) this.metrics?.rateLimitRemaining.set(seen.remaining);
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
    return (await this.readJsonText(endpoint, res, params)).json;
  }

  private async readJsonText(
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
