// Structured JSON logs with pino: every Nest log line and every HTTP request as one JSON object, a request id on
// every request (the caller's `x-request-id`, else a new one, echoed back), and credentials and tokens redacted
// wherever they would appear. (nestjs-pino is CommonJS requiring the ESM-only Nest 12, which Jest's ESM runtime
// cannot load; this is the same pino and pino-http underneath.)
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from '../config/app-config.js';
import { maskSecret } from '../security/secret-mask.js';
import { redactUrl, urlSecrets } from '../security/url-secrets.js';

/** Paths pino blanks out: headers, and any field that could carry a secret in a logged object. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  'client_secret',
  '*.client_secret',
  '*.clientSecret',
  'access_token',
  '*.access_token',
  '*.accessToken',
  'refresh_token',
  '*.refresh_token',
  '*.refreshToken',
  'token',
  '*.token',
];

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/**
 * The secret values this process knows from its settings (the client secret, the password, a given access
 * token, the passwords in DATABASE_URL and REDIS_URL) and the masked forms iRacing's login sends: a log line is
 * scrubbed of them even where they hide inside a message string, which field redaction cannot see.
 */
export function knownSecrets(config: AppConfig): string[] {
  const e = config.env;
  const out = [e.IRACING_CLIENT_SECRET, e.IRACING_PASSWORD, e.IRACING_ACCESS_TOKEN];
  if (e.IRACING_CLIENT_SECRET && e.IRACING_CLIENT_ID)
    out.push(maskSecret(e.IRACING_CLIENT_SECRET, e.IRACING_CLIENT_ID));
  if (e.IRACING_PASSWORD && e.IRACING_USERNAME) out.push(maskSecret(e.IRACING_PASSWORD, e.IRACING_USERNAME));
  out.push(...urlSecrets(e.DATABASE_URL), ...urlSecrets(config.redisUrl));
  // The token encryption keys, whole and each key's base64 material.
  if (e.TOKEN_ENCRYPTION_KEY)
    out.push(
      e.TOKEN_ENCRYPTION_KEY,
      ...e.TOKEN_ENCRYPTION_KEY.split(',').map((k) => k.slice(k.indexOf(':') + 1).trim()),
    );
  // Too short a value would blank out ordinary words; such a secret is refused by no one, but not scrubbed here.
  return [...new Set(out.filter((v): v is string => typeof v === 'string' && v.length >= 6))];
}

/**
 * A scrubber that follows the settings: the local defaults fill DATABASE_URL and the iRacing credentials after
 * the logger exists, so the secrets are computed again whenever the settings they come from change.
 */
function settingsScrubber(config: AppConfig): (line: string) => string {
  let signature: string | undefined;
  let scrub: (line: string) => string = (line) => line;
  return (line) => {
    const e = config.env;
    const now = [
      e.IRACING_CLIENT_SECRET,
      e.IRACING_CLIENT_ID,
      e.IRACING_PASSWORD,
      e.IRACING_USERNAME,
      e.IRACING_ACCESS_TOKEN,
      e.DATABASE_URL,
      e.REDIS_URL,
      e.TOKEN_ENCRYPTION_KEY,
    ].join('\u0000');
    if (now !== signature) {
      signature = now;
      scrub = scrubber(knownSecrets(config));
    }
    return scrub(line);
  };
}

/** Replaces every occurrence of each secret (raw and as it appears inside a JSON string) by `[redacted]`. */
function scrubber(secrets: string[]): (line: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  if (!sorted.length) return (line) => line;
  return (line) => {
    let out = line;
    for (const f of sorted) if (out.includes(f)) out = out.split(f).join('[redacted]');
    return out;
  };
}

/**
 * The application logger: JSON lines on stdout (or `destination`) from LOG_LEVEL, and, when LOG_FILE is set,
 * appended to that file as well from LOG_FILE_LEVEL (LOG_LEVEL when unset).
 */
export function createPino(config: AppConfig, destination?: NodeJS.WritableStream): Logger {
  const stdoutLevel = config.env.LOG_LEVEL as LevelName;
  const file = config.env.LOG_FILE;
  const fileLevel = (config.env.LOG_FILE_LEVEL ?? stdoutLevel) as LevelName;
  const options = {
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    hooks: { streamWrite: settingsScrubber(config) },
  };
  const out = destination ?? process.stdout;
  if (!file) return pino({ ...options, level: stdoutLevel }, out);
  const lowest = LEVELS.indexOf(fileLevel) < LEVELS.indexOf(stdoutLevel) ? fileLevel : stdoutLevel;
  const streams: { level: LevelName; stream: NodeJS.WritableStream | ReturnType<typeof pino.destination> }[] =
    [];
  if (stdoutLevel !== 'silent') streams.push({ level: stdoutLevel, stream: out });
  if (fileLevel !== 'silent')
    streams.push({
      level: fileLevel,
      stream: pino.destination({ dest: file, append: true, mkdir: true, sync: true }),
    });
  return pino(
    { ...options, level: lowest },
    pino.multistream(streams as Parameters<typeof pino.multistream>[0]),
  );
}

/** Nest's LoggerService on pino: `context` becomes a field, errors keep their stack. */
export class PinoLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  private write(
    level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ) {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = level === 'error' && typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : undefined;
    if (message instanceof Error) this.pino[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ context, ...message });
    else this.pino[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
}

/** The HTTP request log (pino-http) with request ids; health and metrics scrapes are not logged. */
export function httpLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)\b/.test(req.url ?? '') },
    serializers: {
      req: (req: { id: unknown; method: unknown; url: unknown }) => ({
        id: req.id,
        method: req.method,
        url: typeof req.url === 'string' ? redactUrl(req.url, '[redacted]') : req.url,
      }),
    },
  });
}
