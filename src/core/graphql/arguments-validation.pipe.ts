// Validation of what callers send, applied to every route and resolver (bootstrap.ts).
import { BadRequestException, ValidationPipe } from '@nestjs/common';
import type { ArgumentMetadata } from '@nestjs/common';
import { inputProblem } from './validation.js';

/**
 * The ValidationPipe for what a caller sends (GraphQL arguments, HTTP body, query and params) only. A field
 * resolver's parent, context and info are not input: validating them would copy every parent object through
 * class-transformer on every field of every row (a sizeable share of a big query's CPU).
 */
export class ArgumentsValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Checked before class-validator, on the raw value: it applies to arguments of every type (a bare String
    // or DateTime argument has no class to validate), and the scalar's reason is still there.
    if (isInput(metadata)) {
      const problem = inputProblem(value, metadata.data);
      if (problem) throw new BadRequestException(problem);
    }
    return super.transform(value, metadata);
  }

  protected override toValidate(metadata: ArgumentMetadata): boolean {
    // @nestjs/graphql passes its GqlParamtype (not exported): ROOT 0, CONTEXT 1, INFO 2, ARGS 3.
    const type = metadata.type as unknown;
    if (typeof type === 'number' && type !== GQL_ARGS) return false;
    return super.toValidate(metadata);
  }
}

/** @nestjs/graphql's GqlParamtype.ARGS. */
const GQL_ARGS = 3;

function isInput(metadata: ArgumentMetadata): boolean {
  const type = metadata.type as unknown;
  if (typeof type === 'number') return type === GQL_ARGS;
  return type === 'body' || type === 'query' || type === 'param';
}
