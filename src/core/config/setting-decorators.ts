// The decorators and value transforms of the settings schema (environment.ts): secret marking, env strings
// to booleans and integers, and the checks class-validator lacks (a schedulable cron expression, an http URL,
// an allow-list of OAuth redirect URIs).
import { CronTime } from 'cron';
import { ValidateBy } from 'class-validator';

const SECRET_KEYS = new Set<string>();

/** Marks an environment variable as secret: it is redacted wherever the config is described. */
export function Secret(): PropertyDecorator {
  return (_target, key) => {
    SECRET_KEYS.add(String(key));
  };
}

/** Whether a setting was marked with @Secret(): its value is never echoed, logged or returned. */
export function isSecretSetting(name: string): boolean {
  return SECRET_KEYS.has(name);
}

export const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
export const trimmed = ({ value }: { value: unknown }): unknown =>
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
export function IsCron(): PropertyDecorator {
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
export function IsHttpUrl(): PropertyDecorator {
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

/**
 * Why a comma-separated list of OAuth redirect URIs is not acceptable, or undefined: each entry an absolute
 * http(s) URL with a host, no user or password and no fragment (RFC 6749 §3.1.2).
 */
export function redirectUriProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const entries = value.split(',').map((s) => s.trim());
  for (const [i, entry] of entries.entries()) {
    const which = entries.length > 1 ? `entry ${i + 1}` : 'the URL';
    if (!entry) return `${which} is empty`;
    if (/\s/.test(entry)) return `${which} contains whitespace`;
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return `${which} is not an absolute URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${which} is not http:// or https://`;
    if (!url.hostname) return `${which} has no host`;
    if (url.username || url.password) return `${which} must not carry a user or password`;
    if (entry.includes('#')) return `${which} must not have a fragment (#...)`;
  }
  return undefined;
}

/** A comma-separated allow-list of OAuth redirect URIs (see redirectUriProblem). */
export function IsRedirectUriList(): PropertyDecorator {
  return ValidateBy({
    name: 'isRedirectUriList',
    validator: {
      validate: (value: unknown) => redirectUriProblem(value) === undefined,
      defaultMessage: (args) =>
        'must be a comma-separated list of absolute http:// or https:// callback URLs such as ' +
        `https://app.example.com/auth/iracing/callback: ${redirectUriProblem(args?.value)}`,
    },
  });
}
