// The racer a request reads as: `Authorization: Bearer <viewer token>`, resolved through ViewerTokens once per
// request and kept on the GraphQL context. ViewerGuard refuses a request without a live viewer token; `me` asks
// viewerOf and answers null instead. Admin keys are not viewer tokens (AdminGuard keeps admin work). The token is
// never logged nor echoed.
import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { bearerToken } from '../core/auth/admin.guard.js';
import { UnauthenticatedError } from '../core/errors/domain-error.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';
import { ViewerTokens } from './viewer-tokens.service.js';

/** The GraphQL context, with the racer once resolved (null: none). */
export type ViewerContext = GraphQLContext & { viewerCustId?: Promise<number | null> };

/** The cust_id the request's bearer viewer token stands for, or null. */
export function viewerOf(ctx: ViewerContext, viewers: ViewerTokens): Promise<number | null> {
  ctx.viewerCustId ??= (async () => {
    const token = bearerToken(ctx.req?.headers?.authorization);
    return token ? viewers.resolve(token) : null;
  })();
  return ctx.viewerCustId;
}

@Injectable()
export class ViewerGuard implements CanActivate {
  constructor(private readonly viewers: ViewerTokens) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const ctx = GqlExecutionContext.create(context).getContext<ViewerContext>();
    if ((await viewerOf(ctx, this.viewers)) === null)
      throw new UnauthenticatedError(
        'A valid viewer token is required (Authorization: Bearer <viewer token>, from completeIracingLink)',
      );
    return true;
  }
}
