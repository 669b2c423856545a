// The settings schema: every environment variable the application reads, with its type, bounds and default
// (listed in README.md, Configuration). Validated once at start (docs/architecture.md §1.3) by loadConfig
// (app-config.ts); a variable marked @Secret() is never echoed.
import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import {
  IsCron,
  IsHttpUrl,
  IsRedirectUriList,
  Secret,
  toBool,
  toInt,
  trimmed,
} from './setting-decorators.js';
import { ApiEnvironment } from './api-environment.js';

/** `cli` only queues (npm run sync): no HTTP, no worker, no cron. */
const ROLES = ['api', 'worker', 'all', 'cli'] as const;
export type Role = (typeof ROLES)[number];

export class EnvironmentVariables extends ApiEnvironment {
  @IsOptional()
  @Transform(trimmed)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(trimmed)
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// URL' })
  REDIS_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @Transform(trimmed)
  @IsIn(ROLES as unknown as string[], { message: `must be one of ${ROLES.join(', ')}` })
  ROLE: Role = 'all';

  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  SCHEDULER_ENABLED = true;

  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  MIGRATIONS_RUN = true;

  @Transform(trimmed)
  @IsHttpUrl()
  IRACING_API_URL = 'https://members-ng.iracing.com';

  @Transform(trimmed)
  @IsHttpUrl()
  IRACING_OAUTH_URL = 'https://oauth.iracing.com';

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  IRACING_CLIENT_ID?: string;

  @Secret()
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  IRACING_CLIENT_SECRET?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  IRACING_USERNAME?: string;

  @Secret()
  @IsOptional()
  @IsString()
  IRACING_PASSWORD?: string;

  @Secret()
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  IRACING_ACCESS_TOKEN?: string;

  /** Comma-separated SHA-256 hex digests of the admin API keys. */
  @Secret()
  @IsOptional()
  @Transform(trimmed)
  @Matches(/^[0-9a-f]{64}(\s*,\s*[0-9a-f]{64})*$/i, {
    message:
      'must be a comma-separated list of SHA-256 hex digests (64 hex characters each) of the admin keys',
  })
  ADMIN_API_KEYS?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  GRAPHQL_SANDBOX?: boolean;

  /**
   * The OAuth callback URLs a racer's iRacing login (authorization code + PKCE) may return to, comma-separated
   * absolute http(s) URLs. Setting it turns account linking on, which then needs TOKEN_ENCRYPTION_KEY.
   */
  @IsOptional()
  @Transform(trimmed)
  @IsRedirectUriList()
  IRACING_REDIRECT_URIS?: string;

  /**
   * Keys that encrypt the stored refresh tokens of linked accounts (AES-256-GCM): comma-separated
   * `<keyId>:<base64 of 32 bytes>`; the first encrypts, all decrypt (rotation). Checked by loadConfig.
   */
  @Secret()
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  TOKEN_ENCRYPTION_KEY?: string;

  /** Structured JSON logs (pino) at this level and above. */
  @Transform(trimmed)
  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
    message: 'must be one of trace, debug, info, warn, error, fatal, silent',
  })
  LOG_LEVEL = 'info';

  /**
   * Also append the JSON log lines to this file (created if missing, with its folder), besides stdout: for a
   * log shipper that tails a file, and for the test run, whose log scan reads every line written here.
   */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  LOG_FILE?: string;

  /** The lowest level written to LOG_FILE (LOG_LEVEL when unset): the file may keep more than stdout shows. */
  @IsOptional()
  @Transform(trimmed)
  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
    message: 'must be one of trace, debug, info, warn, error, fatal, silent',
  })
  LOG_FILE_LEVEL?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  NODE_ENV?: string;

  @Transform(trimmed)
  @IsCron()
  CRON_CATALOG = '0 5 * * *';

  /** Current and future seasons: Tuesday, Wednesday and Friday (after iRacing's weekly rollover). */
  @Transform(trimmed)
  @IsCron()
  CRON_SEASONS = '0 6 * * 2,3,5';

  @Transform(trimmed)
  @IsCron()
  CRON_PAST_SEASONS = '0 7 1 1,4,7,10 *';

  @Transform(trimmed)
  @IsCron()
  CRON_RACE_GUIDE = '*/15 * * * *';

  /** Forecasts of weeks whose forecast is missing or stale (also queued after every season sync). */
  @Transform(trimmed)
  @IsCron()
  CRON_FORECASTS = '0 3 * * *';

  /** Finished sessions: searched from the stored checkpoint (the latest end_time seen). */
  @Transform(trimmed)
  @IsCron()
  CRON_RESULTS = '*/10 * * * *';

  /**
   * Participation of the week just ended, for every active season (results/season_results, splits only): weekly,
   * after iRacing's weeks turn over on Tuesday 00:00 UTC.
   */
  @Transform(trimmed)
  @IsCron()
  CRON_PARTICIPATION = '30 1 * * 2';

  /**
   * Driver standings of the active seasons of series a racer favours, and of those whose standings were asked
   * before (stats/season_driver_standings): weekly, once the week's results are in.
   */
  @Transform(trimmed)
  @IsCron()
  CRON_STANDINGS = '0 3 * * 2';

  /** How far back the first results search looks, before any checkpoint exists. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 90)
  RESULTS_LOOKBACK_HOURS = 24;

  /** A stored forecast older than this is fetched again. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  FORECAST_MAX_AGE_HOURS = 20;

  /** Forecast files fetched at once (presigned files: not counted by iRacing's rate limit). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  FORECAST_CONCURRENCY = 8;

  /** Prefix of every Bull key in Redis, so several deployments (or test runs) can share one Redis. */
  @Transform(trimmed)
  @Matches(/^[A-Za-z0-9:_-]+$/, { message: 'must be letters, digits, ":", "_" or "-"' })
  QUEUE_PREFIX = 'simlane';

  /** How many jobs one worker process runs at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKER_CONCURRENCY = 2;

  /** How many syncs of linked members (the member queue) one worker process runs at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  MEMBER_SYNC_CONCURRENCY = 2;

  /** Linked members' own accounts (profile, licences, owned content), each with their own token. */
  @Transform(trimmed)
  @IsCron()
  CRON_LINKED_MEMBERS = '30 4 * * *';

  /** Delay between the attempts of a failed sync job, in ms (docs/architecture.md §4.4: 60 s). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  SYNC_BACKOFF_MS = 60_000;

  /**
   * Lock of a running sync job, in ms: a worker renews it at half this period; a job whose worker died (a crash,
   * SIGKILL, a lost machine) is taken up again by another worker once its lock has expired.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  SYNC_JOB_LOCK_MS = 30_000;

  /** How long a sync waits when iRacing answers 503 maintenance, in ms (the attempt is not used up). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(6 * 3_600_000)
  IRACING_MAINTENANCE_DELAY_MS = 300_000;

  /** Folder of the local defaults (embedded PostgreSQL, local redis-server). */
  @Transform(trimmed)
  @IsString()
  DATA_DIR = '.data';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_POSTGRES_PORT = 54329;

  /**
   * Serve iRacing from the in-process offline replica (synthetic data): `auto` does so when no iRacing
   * credentials are set outside production, so a fresh checkout runs without an iRacing account.
   */
  @Transform(trimmed)
  @IsIn(['auto', 'true', 'false'], { message: 'must be auto, true or false' })
  IRACING_OFFLINE = 'auto';

  /** Size of the synthetic world the offline replica serves (1: about iRacing's; 0.05 for a quick look). */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
  )
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  @Min(0.01)
  @Max(100)
  IRACING_OFFLINE_SCALE = 1;

  /** Full iRacing logins allowed per hour across all processes (a locked account is worse than a failed sync). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  IRACING_LOGINS_PER_HOUR = 3;

  /** Attempts of one iRacing request on outages (5xx, timeouts, resets, HTML pages), the first included. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  IRACING_MAX_ATTEMPTS = 4;

  /** First retry delay of an iRacing request, in ms; doubles each attempt, with full jitter. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  IRACING_RETRY_BASE_MS = 1000;

  /** How long one iRacing request may take before it is abandoned and retried, in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(300_000)
  IRACING_TIMEOUT_MS = 30_000;

  /**
   * How long a worker's SIGTERM waits for its running jobs, in ms; jobs still running then are left to be taken
   * over by another worker once their lock expires.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_GRACE_MS = 20_000;

  /** How long adding a job may wait for Redis before the trigger answers SERVICE_UNAVAILABLE, in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  SYNC_ENQUEUE_TIMEOUT_MS = 3000;

  /**
   * A run without a sign of life this long is looked at by the reaper: a QUEUED one whose job is missing from
   * Redis gets its job again; a RUNNING one whose heartbeat (written every SYNC_JOB_LOCK_MS / 2) is this old and
   * whose job is not active is closed as FAILED.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(24 * 3_600_000)
  SYNC_STALE_RUN_MS = 120_000;

  /** How long a process waits for Redis at start before it exits with a clear message, in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  REDIS_STARTUP_TIMEOUT_MS = 15_000;
}
