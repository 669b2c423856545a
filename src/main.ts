// Entry point of the server (`node dist/src/main.js`, the production image): validate the configuration, check
// that Redis answers, then run the role. SIGINT/SIGTERM close everything, child processes included. It starts no
// local services: a checkout's entry (offline/main.ts, `npm start`) calls runMain with the local defaults
// (embedded PostgreSQL, redis-server, the offline replica); without them every service must be configured.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap.js';
import { isEntryModule, requireConfiguredServices, unconfiguredServiceWarnings } from './cli/entry-point.js';
import type { LocalServices, StartLocal } from './cli/entry-point.js';
import { ConfigError, loadConfig } from './core/config/app-config.js';
import { redactUrl } from './core/security/url-secrets.js';
import type { AppConfig } from './core/config/app-config.js';
import { createPino, PinoLogger } from './core/logging/logging.js';
import { waitForRedis } from './core/redis/redis.provider.js';

export interface MainOptions {
  /** Starts what the configuration leaves out (a checkout's local defaults); none in production. */
  startLocal?: StartLocal;
}

/** The validated configuration, or exit 2 naming every wrong (or, without local defaults, missing) variable. */
function configOrExit(options: MainOptions): AppConfig {
  try {
    const config = loadConfig();
    if (!options.startLocal) requireConfiguredServices(config);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

export async function runMain(options: MainOptions = {}): Promise<void> {
  const config = configOrExit(options);
  // Every line from here on, the local defaults' included, goes through the scrubbing pino logger (Nest's
  // static Logger delegates to it until the application installs its own).
  Logger.overrideLogger(new PinoLogger(createPino(config)));
  const log = new Logger('Main');
  let local: LocalServices | undefined;
  let closing = false;
  const shutdown = async (signal: string, app?: { close(): Promise<void> }) => {
    if (closing) return;
    closing = true;
    log.log(`${signal}: shutting down`);
    await app?.close().catch((e: unknown) => log.error(`closing the app: ${String(e)}`));
    await local?.stop();
    process.exit(0);
  };
  let started: Awaited<ReturnType<typeof createApp>> | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown(signal, started?.app));
  }
  try {
    local = await options.startLocal?.(config);
    log.log(`role ${config.role}; settings: ${config.describe().join(' ')}`);
    const warnings = options.startLocal ? [] : unconfiguredServiceWarnings(config);
    for (const warning of [...config.startupWarnings, ...warnings]) log.warn(warning);
    await waitForRedis(config.redisUrl, config.env.REDIS_STARTUP_TIMEOUT_MS);
    started = await createApp(config);
    if (started.http) {
      await started.http.listen(config.env.PORT, '0.0.0.0');
      log.log(
        `GraphQL on http://localhost:${config.env.PORT}/graphql${config.sandbox ? ' (Apollo Sandbox)' : ''}`,
      );
    }
  } catch (err) {
    log.error(redactUrl(err instanceof Error ? err.message : String(err)));
    await started?.app.close().catch(() => undefined);
    await local?.stop();
    process.exit(1);
  }
}

if (isEntryModule(import.meta.url)) void runMain();
