// Who a request comes from, for the privacy rules (docs/architecture.md §6.6): an admin (an admin key), a racer (a
// viewer token, resolved by the accounts module through the ViewerDirectory it registers), or nobody. Resolved
// once per request and kept on its context. A member's owned content, plan and link are visible to that member
// and to admins only; public data stays public. Tokens are never logged nor echoed.
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ForbiddenError } from '../errors/domain-error.js';
import { bearerToken, keyMatches } from './admin.guard.js';

/** Resolves a viewer token to the racer it stands for (the accounts module's ViewerTokens). */
export interface ViewerDirectory {
  resolve(token: string): Promise<number | null>;
}

export interface Requester {
  admin: boolean;
  /** The racer of a live viewer token, or null. */
  custId: number | null;
}

/** A request's context as far as this needs it; the requester is kept on it once resolved. */
export interface RequestContext {
  req?: { headers?: Record<string, string | string[] | undefined> };
  requester?: Promise<Requester>;
}

@Injectable()
export class Requesters {
  private directory?: ViewerDirectory;

  constructor(private readonly config: AppConfig) {}

  /** Called once by the module that owns viewer tokens; without it, no request reads as a racer. */
  useDirectory(directory: ViewerDirectory): void {
    this.directory = directory;
  }

  /** Who `ctx`'s request comes from (resolved once per request). */
  of(ctx: RequestContext): Promise<Requester> {
    ctx.requester ??= (async () => {
      const token = bearerToken(ctx.req?.headers?.authorization);
      if (!token) return { admin: false, custId: null };
      if (keyMatches(token, this.config.adminKeyHashes)) return { admin: true, custId: null };
      return { admin: false, custId: this.directory ? await this.directory.resolve(token) : null };
    })();
    return ctx.requester;
  }

  /** Whether the request may see `custId`'s private data: theirs, or an admin's request. */
  async maySee(ctx: RequestContext, custId: number): Promise<boolean> {
    const r = await this.of(ctx);
    return r.admin || r.custId === custId;
  }

  /** Throws FORBIDDEN, naming `what`, unless the request may see `custId`'s private data. */
  async assertMaySee(ctx: RequestContext, custId: number, what: string): Promise<void> {
    if (!(await this.maySee(ctx, custId)))
      throw new ForbiddenError(
        `${what} of member ${custId} is visible only to that member (their viewer token) and to admins`,
        { custId },
      );
  }
}
