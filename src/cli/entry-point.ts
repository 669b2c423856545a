// The seam between the server's entry points (src/main.ts, src/cli/sync-main.ts) and a checkout's local defaults
// (offline/local-defaults.ts: embedded PostgreSQL, redis-server, the offline replica, a local admin key). The
// production build holds none of them: a checkout's entry (offline/main.ts, offline/sync-main.ts) passes them as
// `startLocal`, and without it every service must be configured. Nothing here may import offline/ or bench/.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/config/app-config.js';
import type { AppConfig } from '../core/config/app-config.js';

/** What a `startLocal` started (nothing when everything is configured); stopped on shutdown. */
export interface LocalServices {
  stop(): Promise<void>;
}

/** Starts what the configuration leaves out, filling in its settings (DATABASE_URL, the replica's URL …). */
export type StartLocal = (config: AppConfig) => Promise<LocalServices>;

/** Whether the module at this URL is the script node was started with (`node dist/src/main.js`). */
export function isEntryModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

const NO_LOCAL = 'this build starts no local services (from a checkout, `npm start` and `npm run sync` do)';

/**
 * Without local defaults, what they would have supplied must be set: throws a ConfigError naming each missing
 * variable (exit code 2), before anything connects.
 */
export function requireConfiguredServices(config: AppConfig): void {
  const problems: string[] = [];
  if (!config.env.DATABASE_URL)
    problems.push(`DATABASE_URL: must be set, e.g. postgres://user:pass@host:5432/db; ${NO_LOCAL}`);
  if (!config.env.REDIS_URL) problems.push(`REDIS_URL: must be set, e.g. redis://host:6379; ${NO_LOCAL}`);
  if (config.useOfflineReplica)
    problems.push(
      'IRACING_OFFLINE: the offline replica is not part of this build; set IRACING_CLIENT_ID, ' +
        'IRACING_CLIENT_SECRET, IRACING_USERNAME and IRACING_PASSWORD (or IRACING_ACCESS_TOKEN), or ' +
        `IRACING_OFFLINE=false (got "${config.env.IRACING_OFFLINE}"` +
        `${config.hasIracingCredentials ? '' : ' and no iRacing credentials'})`,
    );
  if (problems.length) throw new ConfigError(problems);
}

/** Settings valid without local defaults that still leave part of the service unusable: start-up warnings. */
export function unconfiguredServiceWarnings(config: AppConfig): string[] {
  // In production the configuration warns about this itself (AppConfig.startupWarnings).
  if (config.production || !config.runsApi || config.adminKeyHashes.length) return [];
  return [
    'ADMIN_API_KEYS not set: every mutation and Bull Board (/admin/queues) refuse all requests (the local ' +
      'admin key in DATA_DIR is made by a checkout only)',
  ];
}
