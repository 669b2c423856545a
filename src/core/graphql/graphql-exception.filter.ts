// Hands every error raised in a GraphQL resolver to Apollo untouched, so it is mapped (and, when unexpected,
// logged once with an id) by format-error.ts, instead of Nest logging expected domain errors as crashes.
// HTTP routes keep Nest's own handling.
import { Catch } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

@Catch()
export class GraphqlPassThroughFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    return super.catch(exception, host);
  }
}
