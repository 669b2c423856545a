// The racer a request reads as: `Authorization: Bearer <viewer token>`, resolved once per request by core's
// Requesters (through ViewerTokens, which this module registers as its directory) and kept on the GraphQL context.
// ViewerGuard refuses a request without a live viewer token; `me` asks viewerOf and answers null instead. Admin
// keys are not viewer tokens (AdminGuard keeps admin work). The token is never logged nor echoed.
import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Requesters } from '../core/auth/requester.js';
import type { RequestContext } from '../core/auth/requester.js';
import { UnauthenticatedError } from '../core/errors/domain-error.js';
import type { GraphQLContext } from '../core/graphql/dataloader.registry.js';

/** The GraphQL context, with who the request comes from once resolved. */
export type ViewerContext = GraphQLContext & RequestContext;

/** The cust_id the request's bearer viewer token stands for, or null. */
export async function viewerOf(ctx: ViewerContext, requesters: Requesters): Promise<number | null> {
  return (await requesters.of(ctx)).custId;
}

@Injectable()
export class ViewerGuard implements CanActivate {
  constructor(private readonly requesters: Requesters) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const ctx = GqlExecutionContext.create(context).getContext<ViewerContext>();
    if ((await viewerOf(ctx, this.requesters)) === null)
      throw new UnauthenticatedError(
        'A valid viewer token is required (Authorization: Bearer <viewer token>, from completeIracingLink)',
      );
    return true;
  }
}
