import { BadRequestException } from '@nestjs/common';
import type { ArgumentMetadata } from '@nestjs/common';
import { Min } from 'class-validator';
import { ArgumentsValidationPipe } from './arguments-validation.pipe.js';

class PageArgs {
  @Min(1)
  first!: number;
}
class Parent {
  id!: number;
}

describe('ArgumentsValidationPipe', () => {
  const pipe = new ArgumentsValidationPipe({ transform: true, forbidUnknownValues: false });
  const as = (type: number | string, metatype: unknown) =>
    ({ type, metatype }) as unknown as ArgumentMetadata;

  it('validates and transforms GraphQL arguments and HTTP input', async () => {
    await expect(pipe.transform({ first: 0 }, as(3, PageArgs))).rejects.toThrow(BadRequestException);
    await expect(pipe.transform({ first: 0 }, as('query', PageArgs))).rejects.toThrow(BadRequestException);
    expect(await pipe.transform({ first: 5 }, as(3, PageArgs))).toBeInstanceOf(PageArgs);
  });

  it('passes a field resolver’s parent, context and info through untouched', async () => {
    const parent = { id: 7 };
    for (const type of [0, 1, 2]) expect(await pipe.transform(parent, as(type, Parent))).toBe(parent);
  });
});
