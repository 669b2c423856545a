// Bull Board (`/admin/queues`) over the sync queues, behind the admin key: `Authorization: Bearer <key>`, or HTTP
// Basic with the key as the password so that a browser can open it. A browser resends cached Basic credentials
// on its own, so a state-changing request from another site (a form post) is refused before the key is looked at.
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bull';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Queue } from 'bull';
import type { NextFunction, Request, Response } from 'express';
import { bearerToken, keyMatches } from '../core/auth/admin.guard.js';
import type { AppConfig } from '../core/config/app-config.js';
import { SYNC_QUEUES } from './sync.queue.js';

const QUEUE_BOARD_PATH = '/admin/queues';

/** The admin key a request presents, as a Bearer token or as the password of HTTP Basic. */
function presentedKey(header: string | undefined): string | undefined {
  const bearer = bearerToken(header);
  if (bearer) return bearer;
  const basic = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Why a request is refused as cross-site, or undefined: a state-changing request whose `Sec-Fetch-Site` says
 * cross-site, or whose `Origin` is neither this server's own (the Host it was sent to) nor one of CORS_ORIGINS.
 * A request without either header (curl, scripts) is not a browser's cross-site request.
 */
export function crossSiteProblem(req: Request, allowedOrigins: string[]): string | undefined {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return undefined;
  if (String(req.headers['sec-fetch-site'] ?? '').toLowerCase() === 'cross-site')
    return 'Cross-site requests to the queue board are refused';
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const normalised = origin.trim().toLowerCase().replace(/\/+$/, '');
  if (allowedOrigins.includes(normalised)) return undefined;
  let host: string | undefined;
  try {
    host = new URL(normalised).host;
  } catch {
    host = undefined; // `null` (a sandboxed frame, a local file) or garbage
  }
  if (host && host === String(req.headers.host ?? '').toLowerCase()) return undefined;
  return 'Requests to the queue board from another origin are refused';
}

export function mountQueueBoard(app: NestExpressApplication, config: AppConfig): void {
  const queues = SYNC_QUEUES.map((name) => app.get<Queue>(getQueueToken(name)));
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullAdapter(q)), serverAdapter: adapter });
  const guard = (req: Request, res: Response, next: NextFunction) => {
    const key = presentedKey(req.headers.authorization);
    if (key && keyMatches(key, config.adminKeyHashes)) return next();
    res
      .status(401)
      .setHeader('www-authenticate', 'Basic realm="SimLane admin", charset="UTF-8"')
      .json({ error: key ? 'The admin API key is not valid' : 'The admin API key is required' });
  };
  const sameSite = (req: Request, res: Response, next: NextFunction) => {
    const problem = crossSiteProblem(req, config.corsOrigins);
    if (!problem) return next();
    res.status(403).json({ error: problem });
  };
  app.use(QUEUE_BOARD_PATH, sameSite, guard, adapter.getRouter());
}
