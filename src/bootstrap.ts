// Builds and starts the application for a validated config; used by main.ts, the tests and the tools.
import type { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { AppConfig } from './core/config/app-config.js';
import { ArgumentsValidationPipe } from './core/graphql/arguments-validation.pipe.js';
import { guardWebSocketUpgrades, isListedOrigin } from './core/graphql/ws-server.js';
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
    // CORS for the origins in CORS_ORIGINS only: others get no CORS headers at all, so browsers refuse them.
    // Apollo's CSRF prevention stays on for the requests a browser sends without a preflight.
    http.enableCors({
      origin: (origin, allow) =>
        allow(null, origin !== undefined && isListedOrigin(origin, config.corsOrigins)),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'apollo-require-preflight',
        'x-apollo-operation-name',
        'x-request-id',
      ],
      maxAge: 600,
    });
    // The same allow-list for the WebSocket's Origin, and the cap on sockets per client address.
    guardWebSocketUpgrades(http.getHttpServer(), config);
    mountQueueBoard(http, config);
    return { app: http, http };
  }
  const app = await NestFactory.createApplicationContext(module, { logger: nestLogger });
  await app.init();
  return { app };
}
