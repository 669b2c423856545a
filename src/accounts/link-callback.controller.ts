// `GET /auth/iracing/callback?code&state`: the redirect URI for development and the demo (list it in
// IRACING_REDIRECT_URIS). It completes the link and answers a small page with the cust_id and the viewer token,
// the one page that shows one, never cached; with `error=` (the racer refused, or iRacing failed) it shows the
// error. A front end with a callback of its own calls completeIracingLink instead.
import { randomUUID } from 'node:crypto';
import { Controller, Get, Header, Logger, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorCode } from '../core/errors/domain-error.js';
import { LinkService } from './link.service.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};
/** An OAuth error code as RFC 6749 §4.1.2.1 spells them; anything else is not echoed. */
const OAUTH_ERROR_RE = /^[a-z][a-z0-9_.-]{0,63}$/i;

@Controller('auth/iracing')
export class LinkCallbackController {
  private readonly log = new Logger(LinkCallbackController.name);

  constructor(private readonly links: LinkService) {}

  @Get('callback')
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
  async callback(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    res.type('html');
    const { code, state, error } = query;
    if (error !== undefined) {
      const name = typeof error === 'string' && OAUTH_ERROR_RE.test(error) ? error : 'unknown_error';
      res.status(400);
      return page(
        'iRacing link not made',
        `<p>iRacing answered <code id="error">${escapeHtml(name)}</code>.</p>`,
      );
    }
    try {
      const done = await this.links.complete(text(state), text(code));
      return page(
        'iRacing account linked',
        `<p>cust_id <code id="cust-id">${done.custId}</code></p>` +
          `<p>Viewer token (shown once; send it as <code>Authorization: Bearer &lt;token&gt;</code>):</p>` +
          `<p><code id="viewer-token">${escapeHtml(done.viewerToken)}</code></p>`,
      );
    } catch (err) {
      const { status, message } = this.failure(err);
      res.status(status);
      return page('iRacing link not made', `<p id="error">${escapeHtml(message)}</p>`);
    }
  }

  private failure(err: unknown): { status: number; message: string } {
    if (err instanceof DomainError) return { status: STATUS[err.code] ?? 400, message: err.message };
    const id = randomUUID();
    this.log.error(
      `unexpected error ${id} completing an iRacing link: ${(err as Error)?.stack ?? String(err)}`,
    );
    return { status: 500, message: `Internal server error (id ${id})` };
  }
}

/** A query parameter given once, else '' (a repeated one arrives as a list). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
    `<title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
