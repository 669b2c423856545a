// The environment, validated once at start into a typed object (DESIGN §8). A wrong or missing setting stops
// the process with a message that names the variable; secret values are never echoed, logged or returned.
import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { CronTime } from 'cron';
import {
  getMetadataStorage,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
  ValidateBy,
} from 'class-validator';

/** `cli` only queues (npm run sync): no HTTP, no worker, no cron. */
export const ROLES = ['api', 'worker', 'all', 'cli'] as const;
export type Role = (typeof ROLES)[number];

const SECRET_KEYS = new Set<string>();
/** Marks an environment variable as secret: it is redacted wherever the config is described. */
function Secret(): PropertyDecorator {
  return (_target, key) => {
    SECRET_KEYS.add(String(key));
  };
}

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const trimmed = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() || undefined : value;

const CRON_RE = /^(\S+\s+){4,5}\S+$/;

/** Why a cron expression cannot be scheduled (parsed as the scheduler does, in UTC), or undefined. */
export function cronProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !CRON_RE.test(value)) return 'it needs 5 or 6 fields';
  try {
    new CronTime(value, 'UTC').sendAt();
    return undefined;
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
    return /no execution date/i.test(first) ? 'it never fires (no date in the next 8 years)' : first;
  }
}

/** A cron expression of 5 or 6 fields that the scheduler can run: checked at start, not at the first tick. */
function IsCron(): PropertyDecorator {
  return ValidateBy({
    name: 'isCron',
    validator: {
      validate: (value: unknown) => cronProblem(value) === undefined,
      defaultMessage: (args) =>
        `must be a cron expression (5 or 6 fields, UTC) such as "0 6 * * 2,3,5": ${cronProblem(args?.value)}`,
    },
  });
}

/** An absolute http:// or https:// URL with a host. */
function IsHttpUrl(): PropertyDecorator {
  return ValidateBy({
    name: 'isHttpUrl',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || /\s/.test(value)) return false;
        try {
          const u = new URL(value);
          return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'must be an http:// or https:// URL',
    },
  });
}

export class EnvironmentVariables {
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

  /** Delay between the attempts of a failed sync job, in ms (DESIGN §9: 60 s). */
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

  /** Scale of the offline replica's synthetic dataset (1 is about the size of real iRacing). */
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

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  GRAPHQL_MAX_DEPTH = 12;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  GRAPHQL_MAX_COMPLEXITY = 500_000;

  /** Estimated complexity from which a query is heavy (a page of 100 whole season graphs is about 340,000). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  GRAPHQL_HEAVY_COMPLEXITY = 20000;

  /** Heavy queries one api process runs at once; more wait their turn (bounds the memory they hold). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  GRAPHQL_HEAVY_CONCURRENCY = 4;

  /** Lexical tokens one GraphQL document may hold: the parser stops past it (a 1 MB query is refused cheaply). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  GRAPHQL_MAX_TOKENS = 5000;

  /**
   * Browser origins allowed to call the API (CORS) and to open its WebSocket, comma-separated
   * (`https://app.simlane.example,http://localhost:5173`); empty: no cross-origin browser access.
   */
  @IsOptional()
  @Transform(trimmed)
  @Matches(/^https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*$/i, {
    message: 'must be a comma-separated list of origins such as https://app.example.com (no path)',
  })
  CORS_ORIGINS?: string;

  /** Subscriptions one WebSocket may hold at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WS_MAX_SUBSCRIPTIONS = 20;

  /** WebSockets one client (IP address) may hold open at once on one api process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  WS_MAX_SOCKETS_PER_CLIENT = 10;

  /** Longest a SQL statement of the api may run, in ms (PostgreSQL statement_timeout on its connections). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  API_STATEMENT_TIMEOUT_MS = 15_000;

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

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The validated configuration with the derived settings the application uses. */
export class AppConfig {
  constructor(readonly env: EnvironmentVariables) {}

  get role(): Role {
    return this.env.ROLE;
  }
  get runsApi(): boolean {
    return this.role === 'api' || this.role === 'all';
  }
  get runsWorker(): boolean {
    return this.role === 'worker' || this.role === 'all';
  }
  get runsScheduler(): boolean {
    return this.runsApi && this.env.SCHEDULER_ENABLED;
  }
  get production(): boolean {
    return this.env.NODE_ENV === 'production';
  }
  get sandbox(): boolean {
    return this.env.GRAPHQL_SANDBOX ?? !this.production;
  }
  get databaseUrl(): string {
    if (!this.env.DATABASE_URL)
      throw new Error('DATABASE_URL is not resolved yet (local defaults not started)');
    return this.env.DATABASE_URL;
  }
  get redisUrl(): string {
    return this.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  }
  get hasIracingCredentials(): boolean {
    const e = this.env;
    return Boolean(
      e.IRACING_ACCESS_TOKEN ||
      (e.IRACING_CLIENT_ID && e.IRACING_CLIENT_SECRET && e.IRACING_USERNAME && e.IRACING_PASSWORD),
    );
  }

  /** Whether this process should start the offline replica and point the client at it. */
  get useOfflineReplica(): boolean {
    const v = this.env.IRACING_OFFLINE;
    if (v === 'true') return true;
    if (v === 'false') return false;
    return !this.hasIracingCredentials && !this.production && this.runsWorker;
  }

  /** The origins of CORS_ORIGINS, normalised (lower case, no trailing slash). */
  get corsOrigins(): string[] {
    return (this.env.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase().replace(/\/+$/, ''))
      .filter(Boolean);
  }

  get adminKeyHashes(): string[] {
    return (this.env.ADMIN_API_KEYS ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
  }

  /** Settings that are valid but leave part of the service unusable: logged as warnings at start. */
  get startupWarnings(): string[] {
    const out: string[] = [];
    if (this.production && this.runsApi && !this.adminKeyHashes.length)
      out.push(
        'NODE_ENV=production without ADMIN_API_KEYS: every mutation and Bull Board (/admin/queues) refuse all ' +
          'requests until ADMIN_API_KEYS is set (SHA-256 hex digests of the admin keys)',
      );
    return out;
  }

  /** The settings as `NAME=value` lines for a start-up log, secrets replaced by `***`. */
  describe(): string[] {
    return Object.entries(this.env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${SECRET_KEYS.has(k) ? '***' : redactUrl(String(v))}`);
  }
}

/** Query parameters whose value is a credential (`?password=`, `&token=`, `?api_key=`, `sslpassword=` …). */
const SECRET_PARAM_RE =
  /([?&;][\w.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|key|auth)[\w.-]*=)[^&#;\s"']*/gi;
/** The user information of a URL anywhere in a text: `scheme://user:pass@`, `scheme://:pass@`. */
const USERINFO_RE = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#:@"']*):([^\s/?#"']*)@/gi;

/**
 * Removes the credentials from every URL in a text: the password of `user:pass@` and `:pass@` (Redis without a
 * user), and the value of credential query parameters. Applied before anything is logged or shown.
 */
export function redactUrl(value: string, mask = '***'): string {
  return value
    .replace(USERINFO_RE, (_m, scheme: string, user: string) => `${scheme}${user}:${mask}@`)
    .replace(SECRET_PARAM_RE, (_m, name: string) => `${name}${mask}`);
}

/**
 * The credentials a URL holds (the user-info password and credential query parameters), raw and decoded, so
 * that a log line echoing one of them can be scrubbed.
 */
export function urlSecrets(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  const add = (v: string) => {
    if (!v) return;
    out.push(v);
    try {
      out.push(decodeURIComponent(v));
    } catch {
      // not percent-encoded
    }
  };
  for (const m of value.matchAll(USERINFO_RE)) add(m[3]);
  for (const m of value.matchAll(SECRET_PARAM_RE)) add(m[0].slice(m[1].length));
  return [...new Set(out)];
}

export function isSecretSetting(name: string): boolean {
  return SECRET_KEYS.has(name);
}

/** Validates the environment; throws ConfigError naming each wrong variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of settingNames()) {
    const v = source[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { forbidUnknownValues: false });
  const problems = errors.map((e) => {
    const given: unknown = raw[e.property] ?? e.value;
    // A URL's password is a secret even in a setting that is not one (DATABASE_URL, REDIS_URL).
    const shown = SECRET_KEYS.has(e.property)
      ? '(hidden)'
      : JSON.stringify(typeof given === 'string' ? redactUrl(given) : given);
    const why = Object.values(e.constraints ?? {}).join('; ');
    return `${e.property}: ${why} (got ${shown})`;
  });
  const cfg = new AppConfig(env);
  const auth = [env.IRACING_CLIENT_ID, env.IRACING_CLIENT_SECRET, env.IRACING_USERNAME, env.IRACING_PASSWORD];
  if (auth.some(Boolean) && !auth.every(Boolean)) {
    problems.push(
      'IRACING_CLIENT_ID, IRACING_CLIENT_SECRET, IRACING_USERNAME, IRACING_PASSWORD: set all four for OAuth ' +
        'password_limited login (or set IRACING_ACCESS_TOKEN instead)',
    );
  }
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

/** Every variable the application reads: the validated properties of EnvironmentVariables. */
export function settingNames(): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}
