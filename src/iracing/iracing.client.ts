// IracingClient: the only gateway to the iRacing Data API (docs/architecture.md §2.2). It authenticates (shared
// token, single-use refresh under a lock), spends one rate-limit budget shared by every process, follows `{link}` /
// `{data_url}` indirections (asking again when a link expired), fetches chunked payloads with bounded
// concurrency, retries outages with backoff and jitter, caches answers in Redis, and checks each payload's shape
// before an importer sees it. Workers use it; the API role never does. The endpoints and the cache are here; the
// HTTP plumbing (retries, rate limit, token) is in iracing-http.ts, links and chunks in linked-data.ts.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../core/config/app-config.js';
import { MetricsService } from '../core/metrics/metrics.service.js';
import { REDIS } from '../core/redis/redis.provider.js';
import { DecodeError } from './decode.js';
import type { Check } from './decode.js';
import { IracingAuth } from './iracing-auth.js';
import { IracingHttp } from './iracing-http.js';
import type { Params } from './iracing-http.js';
import * as P from './iracing.payloads.js';
import * as S from './stats.payloads.js';
import { isObject, LinkedDataFetcher } from './linked-data.js';
import { LocalRateLimiter, RedisRateLimiter } from './rate-limiter.js';
import { currentStats } from './request-stats.js';
import { ResponseCache } from './response-cache.js';
import { MemoryTokenStore, RedisTokenStore } from './token-store.js';

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

/** Injection token of explicit options; none is provided in the application, which reads AppConfig. */
const IRACING_CLIENT_OPTIONS = Symbol('IRACING_CLIENT_OPTIONS');

export interface CallOptions {
  /** Bypass the cache (the fresh answer replaces the cached one). */
  refresh?: boolean;
}

/** A chunked answer: the header fields, and every chunk's rows concatenated in order. */
export interface ChunkedResult<T> {
  header: Record<string, unknown>;
  rows: T[];
}

/** The client's options from the settings (defaults where there is no config). */
export function clientOptionsFrom(config: AppConfig | undefined): IracingClientOptions {
  return {
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
}

@Injectable()
export class IracingClient {
  private readonly http: IracingHttp;
  private readonly links: LinkedDataFetcher;
  private readonly cache: ResponseCache;

  constructor(
    @Optional() config?: AppConfig,
    @Optional() @Inject(IRACING_CLIENT_OPTIONS) options?: IracingClientOptions,
    @Optional() @Inject(REDIS) redis?: Redis,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    const o = options ?? clientOptionsFrom(config);
    const maxAttempts = o.maxAttempts ?? 4;
    const retryBaseMs = o.retryBaseMs ?? 1000;
    const prefix = o.redisPrefix ?? 'simlane';
    const auth = new IracingAuth(
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
    const limiter = redis
      ? new RedisRateLimiter(redis, prefix, { margin: o.rateLimitMargin })
      : new LocalRateLimiter();
    const settings = {
      maxAttempts,
      retryBaseMs,
      timeoutMs: o.timeoutMs ?? 30_000,
      maintenanceDelayMs: o.maintenanceDelayMs ?? 5 * 60_000,
    };
    this.http = new IracingHttp(settings, auth, limiter, metrics);
    this.links = new LinkedDataFetcher(this.http, {
      apiUrl: o.apiUrl.replace(/\/$/, ''),
      maxAttempts,
      retryBaseMs,
      chunkConcurrency: o.chunkConcurrency ?? 4,
    });
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

  // --- Stats -------------------------------------------------------------------------------------------------

  /**
   * A season's driver standings in one car class, every division (or one: iRacing's 0-based division), every
   * chunk concatenated in rank order.
   */
  getSeasonDriverStandings(
    q: { seasonId: number; carClassId: number; division?: number; raceWeekNum?: number },
    options?: CallOptions,
  ): Promise<ChunkedResult<S.IracingStandingRow>> {
    const params = {
      season_id: q.seasonId,
      car_class_id: q.carClassId,
      division: q.division,
      race_week_num: q.raceWeekNum,
    };
    return this.chunked('stats/season_driver_standings', params, S.standingsRowsPayload, options);
  }

  /** Every member's best laps with a car at a track (all time, or one season's quarter), chunks concatenated. */
  getWorldRecords(
    q: { carId: number; trackId: number; seasonYear?: number; seasonQuarter?: number },
    options?: CallOptions,
  ): Promise<ChunkedResult<S.IracingWorldRecordRow>> {
    const params = {
      car_id: q.carId,
      track_id: q.trackId,
      season_year: q.seasonYear,
      season_quarter: q.seasonQuarter,
    };
    return this.chunked('stats/world_records', params, S.worldRecordRowsPayload, options);
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
    const res = await this.http.send(endpoint, weatherUrl, {}, false);
    return P.checkPart(endpoint, '', await this.http.readJson(endpoint, res, {}), P.forecastPayload);
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
        return P.checkPart(endpoint, '', cached, check);
      }
    }
    const { payload, text } = await this.links.fetchData(endpoint, params);
    const value = P.checkPart(endpoint, '', payload, check);
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
        if (!isObject(v)) throw new DecodeError(p || '(root)', 'a chunked payload', v);
        // `chunk_info: null`: nothing to list (no standings yet, no lap set).
        if (v.rows === undefined && v.chunk_info === null) return { header: v, rows: [] };
        if (!Array.isArray(v.rows)) throw new DecodeError(p || '(root)', 'a chunked payload', v);
        const { rows, ...header } = v;
        return { header, rows: checkRows(rows, 'rows') };
      },
      options,
    );
    return value;
  }
}
