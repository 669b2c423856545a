// Entry point: validate the configuration, start the local defaults (embedded PostgreSQL, redis-server)
// when no URLs are given, check that Redis answers, then run the role. SIGINT/SIGTERM close everything, child
// processes included.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap.js';
import { ConfigError, loadConfig, redactUrl } from './core/config/app-config.js';
import { startLocalDefaults } from './core/local/local-defaults.js';
import type { LocalServices } from './core/local/local-defaults.js';
import { createPino, PinoLogger } from './core/logging/logging.js';
import { waitForRedis } from './core/redis/redis.provider.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
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
    local = await startLocalDefaults(config);
    log.log(`role ${config.role}; settings: ${config.describe().join(' ')}`);
    for (const warning of config.startupWarnings) log.warn(warning);
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

void main();
