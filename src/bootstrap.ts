// Builds and starts the application for a validated config; used by main.ts, the tests and the tools.
import type { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { AppConfig } from './core/config/app-config.js';
import { ArgumentsValidationPipe } from './core/graphql/arguments-validation.pipe.js';
import { createPino, httpLogger, PinoLogger } from './core/logging/logging.js';
import { mountQueueBoard } from './scheduler/queue-board.js';

export interface StartedApp {
  app: INestApplicationContext;
  /** The HTTP app when the role serves the API. */
  http?: NestExpressApplication;
}

export async function createApp(
  config: AppConfig,
  logger?: LoggerService | LogLevel[] | false,
): Promise<StartedApp> {
  const module = AppModule.forRoot(config);
  // Without explicit logger settings (the tests pass levels), logs are structured JSON through pino.
  const pino = logger === undefined ? createPino(config) : undefined;
  const nestLogger = pino ? new PinoLogger(pino) : logger;
  if (config.runsApi) {
    const http = await NestFactory.create<NestExpressApplication>(module, { logger: nestLogger });
    if (pino) http.use(httpLogger(pino));
    http.useGlobalPipes(new ArgumentsValidationPipe({ transform: true, forbidUnknownValues: false }));
    http.disable('x-powered-by');
    mountQueueBoard(http, config);
    return { app: http, http };
  }
  const app = await NestFactory.createApplicationContext(module, { logger: nestLogger });
  await app.init();
  return { app };
}
