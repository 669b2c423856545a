// The environment, validated once at start into a typed object (docs/architecture.md §1.3). A wrong or missing
// setting stops the process with a message that names the variable; secret values are never echoed, logged or
// returned.
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { redactUrl } from '../security/url-secrets.js';
import { EnvironmentVariables } from './environment.js';
import type { Role } from './environment.js';
import { isSecretSetting } from './setting-decorators.js';

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
      .map(([k, v]) => `${k}=${isSecretSetting(k) ? '***' : redactUrl(String(v))}`);
  }
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
    const shown = isSecretSetting(e.property)
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
function settingNames(): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}
