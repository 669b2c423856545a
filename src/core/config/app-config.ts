// The environment, validated once at start into a typed object (docs/architecture.md §1.3). A wrong or missing
// setting stops the process with a message that names the variable; secret values are never echoed, logged or
// returned.
import 'reflect-metadata';
import { createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
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

/** One key of TOKEN_ENCRYPTION_KEY: the id stored beside each ciphertext, and the AES-256 key (never printed). */
export interface TokenEncryptionKey {
  id: string;
  key: KeyObject;
}

const KEY_FORMAT = '<keyId>:<base64 of 32 bytes>, comma-separated (e.g. k1:$(openssl rand -base64 32))';
/** Key ids are stored in a column and named in error messages: short and plain. */
const KEY_ID_RE = /^[A-Za-z0-9._-]{1,32}$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads TOKEN_ENCRYPTION_KEY: the keys in order (the first encrypts) and what is wrong with it. A problem names
 * the entry and, once it is a well-formed id, the key id; never any key material.
 */
export function readTokenKeyRing(value: string): { keys: TokenEncryptionKey[]; problems: string[] } {
  const keys: TokenEncryptionKey[] = [];
  const problems: string[] = [];
  const entries = value.split(',');
  const seen = new Set<string>();
  const problem = (why: string) => problems.push(`TOKEN_ENCRYPTION_KEY: ${why}; expected ${KEY_FORMAT}`);
  for (const [i, raw] of entries.entries()) {
    const entry = raw.trim();
    const which = `entry ${i + 1} of ${entries.length}`;
    if (!entry) {
      problem(`${which} is empty`);
      continue;
    }
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problem(`${which} has no ':' between its key id and its key`);
      continue;
    }
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!id) {
      problem(`${which} has an empty key id`);
      continue;
    }
    if (!KEY_ID_RE.test(id)) {
      problem(`${which}: a key id is 1 to 32 letters, digits, '.', '_' or '-'`);
      continue;
    }
    if (seen.has(id)) {
      problem(`${which} repeats key id "${id}"`);
      continue;
    }
    seen.add(id);
    if (!material || !BASE64_RE.test(material)) {
      problem(`key id "${id}" (${which}): the key is not valid base64`);
      continue;
    }
    const bytes = Buffer.from(material, 'base64');
    if (bytes.length !== 32) {
      problem(`key id "${id}" (${which}): the key is ${bytes.length} bytes, AES-256 needs exactly 32`);
      bytes.fill(0);
      continue;
    }
    keys.push({ id, key: createSecretKey(bytes) });
    bytes.fill(0);
  }
  return { keys, problems };
}

/** The keys of a valid TOKEN_ENCRYPTION_KEY, first the one that encrypts; throws ConfigError otherwise. */
export function parseTokenKeyRing(value: string): TokenEncryptionKey[] {
  const { keys, problems } = readTokenKeyRing(value);
  if (problems.length) throw new ConfigError(problems);
  return keys;
}

/** The validated configuration with the derived settings the application uses. */
export class AppConfig {
  private tokenKeys?: TokenEncryptionKey[];

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

  /** The OAuth callback URLs of IRACING_REDIRECT_URIS, in order, without repeats. */
  get iracingRedirectUris(): string[] {
    const uris = (this.env.IRACING_REDIRECT_URIS ?? '').split(',').map((s) => s.trim());
    return [...new Set(uris.filter(Boolean))];
  }

  /** Racers may link their own iRacing accounts (IRACING_REDIRECT_URIS set; then TOKEN_ENCRYPTION_KEY is too). */
  get accountLinkingEnabled(): boolean {
    return this.iracingRedirectUris.length > 0;
  }

  /** The keys of TOKEN_ENCRYPTION_KEY, first the one that encrypts; none when it is not set. */
  get tokenEncryptionKeys(): TokenEncryptionKey[] {
    this.tokenKeys ??= this.env.TOKEN_ENCRYPTION_KEY ? parseTokenKeyRing(this.env.TOKEN_ENCRYPTION_KEY) : [];
    return this.tokenKeys;
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
  problems.push(...accountLinkingProblems(env));
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

/**
 * TOKEN_ENCRYPTION_KEY is checked whenever it is given, and required once linking is on (IRACING_REDIRECT_URIS):
 * a linked account's refresh token is never stored in the clear.
 */
function accountLinkingProblems(env: EnvironmentVariables): string[] {
  const key = env.TOKEN_ENCRYPTION_KEY;
  if (typeof key === 'string') return readTokenKeyRing(key).problems;
  if (env.IRACING_REDIRECT_URIS)
    return [
      "TOKEN_ENCRYPTION_KEY: required when IRACING_REDIRECT_URIS is set (linked accounts' refresh tokens are " +
        `stored encrypted); expected ${KEY_FORMAT}`,
    ];
  return [];
}

/** Every variable the application reads: the validated properties of EnvironmentVariables. */
function settingNames(): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}
