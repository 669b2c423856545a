import { BadRequestException } from '@nestjs/common';
import type { ArgumentMetadata } from '@nestjs/common';
import { IsDate, IsOptional, Min } from 'class-validator';
import { ArgumentsValidationPipe } from './arguments-validation.pipe.js';
import { DateTimeScalar, InvalidDateTime, parseDateTime } from './date-time.scalar.js';
import { ISO_DATE_TIME } from './validation.js';
import { Kind } from 'graphql';

class PageArgs {
  @Min(1)
  first!: number;
}
class Parent {
  id!: number;
}

describe('ArgumentsValidationPipe', () => {
  const pipe = new ArgumentsValidationPipe({ transform: true, forbidUnknownValues: false });
  const as = (type: number | string, metatype: unknown, data?: string) =>
    ({ type, metatype, data }) as unknown as ArgumentMetadata;

  it('validates and transforms GraphQL arguments and HTTP input', async () => {
    await expect(pipe.transform({ first: 0 }, as(3, PageArgs))).rejects.toThrow(BadRequestException);
    await expect(pipe.transform({ first: 0 }, as('query', PageArgs))).rejects.toThrow(BadRequestException);
    expect(await pipe.transform({ first: 5 }, as(3, PageArgs))).toBeInstanceOf(PageArgs);
  });

  it('passes a field resolver’s parent, context and info through untouched', async () => {
    const parent = { id: 7 };
    for (const type of [0, 1, 2]) expect(await pipe.transform(parent, as(type, Parent))).toBe(parent);
  });

  const refusal = async (value: unknown, meta: ArgumentMetadata): Promise<string> => {
    try {
      await pipe.transform(value, meta);
    } catch (err) {
      expect(err).toBeInstanceOf(BadRequestException);
      const body = (err as BadRequestException).getResponse() as { message: string | string[] };
      return Array.isArray(body.message) ? body.message.join('; ') : body.message;
    }
    throw new Error('not refused');
  };

  it('refuses a NUL character in any string of the arguments, naming its path', async () => {
    expect(await refusal({ filter: { search: 'gt3\u0000' } }, as(3, Object))).toBe(
      'filter.search must not contain NUL characters (\\u0000)',
    );
    expect(await refusal('a\u0000b', as(3, String, 'after'))).toMatch(/^after must not contain NUL/);
    expect(await refusal({ input: { names: ['ok', 'x\u0000'] } }, as(3, Object))).toMatch(
      /^input\.names\[1\] must not contain NUL/,
    );
    expect(await refusal({ q: 'x\u0000' }, as('query', Object))).toMatch(/^q must not contain NUL/);
    // Not input: a parent row is never checked.
    const parent = { name: 'x\u0000' };
    expect(await pipe.transform(parent, as(0, Parent))).toBe(parent);
  });

  it('refuses a date-time the scalar refused, with the reason and the format expected', async () => {
    class Filter {
      @IsOptional()
      @IsDate(ISO_DATE_TIME)
      from?: Date;
    }
    const msg = await refusal({ filter: { from: parseDateTime('2026-02-30T00:00:00Z') } }, as(3, Object));
    expect(msg).toMatch(/^filter\.from must be an ISO-8601 date-time with a zone/);
    expect(msg).toMatch(/2026-02 has no day 30 \(got "2026-02-30T00:00:00Z"\)/);
    const bare = await refusal(parseDateTime('2026-05-01T10:00:00'), as(3, Date, 'to'));
    expect(bare).toMatch(/^to must be an ISO-8601 date-time .*the zone is missing/);
    // A valid one passes and reaches class-validator as a Date.
    const ok = (await pipe.transform(
      { from: parseDateTime('2026-05-01T10:00:00Z') },
      as(3, Filter),
    )) as Filter;
    expect(ok.from?.toISOString()).toBe('2026-05-01T10:00:00.000Z');
  });
});

describe('DateTime scalar', () => {
  const ok = (s: string) => {
    const d = parseDateTime(s);
    expect(d).not.toBeInstanceOf(InvalidDateTime);
    return d.toISOString();
  };
  const reason = (v: unknown) => {
    const d = parseDateTime(v);
    expect(d).toBeInstanceOf(InvalidDateTime);
    expect(Number.isNaN(d.getTime())).toBe(true);
    return (d as InvalidDateTime).reason;
  };

  it('reads ISO 8601 date-times with a zone', () => {
    expect(ok('2026-05-01T18:00:00Z')).toBe('2026-05-01T18:00:00.000Z');
    expect(ok('2026-05-01T20:00:00+02:00')).toBe('2026-05-01T18:00:00.000Z');
    expect(ok('2026-05-01T13:30-04:30')).toBe('2026-05-01T18:00:00.000Z');
    expect(ok('2026-05-01t18:00:00.123456z')).toBe('2026-05-01T18:00:00.123Z');
    expect(ok('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(ok('2000-02-29T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
    expect(ok('0000-01-01T00:00:00Z')).toBe('0000-01-01T00:00:00.000Z');
    expect(ok('0050-06-01T00:00:00Z')).toBe('0050-06-01T00:00:00.000Z');
    expect(ok('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
  });

  it('refuses impossible dates, missing zones, other years and numbers', () => {
    expect(reason('2026-02-30T00:00:00Z')).toBe('2026-02 has no day 30');
    expect(reason('2026-02-29T00:00:00Z')).toBe('2026-02 has no day 29');
    expect(reason('1900-02-29T00:00:00Z')).toBe('1900-02 has no day 29');
    expect(reason('2026-04-31T00:00:00Z')).toBe('2026-04 has no day 31');
    expect(reason('2026-13-01T00:00:00Z')).toBe('there is no month 13');
    expect(reason('2026-05-01T24:00:00Z')).toMatch(/time of day/);
    expect(reason('2026-05-01T10:00:60Z')).toMatch(/time of day/);
    expect(reason('2026-05-01T10:00:00+24:00')).toMatch(/offset/);
    expect(reason('2026-05-01T10:00:00')).toMatch(/zone is missing/);
    expect(reason('2026-05-01')).toMatch(/zone is missing/);
    expect(reason('-271821-04-20')).toMatch(/year is out of range/);
    expect(reason('+275760-09-13T00:00:00Z')).toMatch(/year is out of range/);
    expect(reason('10000-01-01T00:00:00Z')).toMatch(/year is out of range/);
    expect(reason('1714557600000')).toMatch(/not an ISO-8601/);
    expect(reason(1714557600000)).toMatch(/a string is expected/);
    expect(reason('May 1, 2026 10:00 UTC')).toMatch(/not an ISO-8601/);
    expect(reason('')).toMatch(/not an ISO-8601/);
  });

  it('parses literals and variables alike, and answers at UTC', () => {
    const scalar = new DateTimeScalar();
    expect(scalar.parseLiteral({ kind: Kind.STRING, value: '2026-05-01T20:00:00+02:00' }).toISOString()).toBe(
      '2026-05-01T18:00:00.000Z',
    );
    expect(scalar.parseLiteral({ kind: Kind.INT, value: '1714557600000' })).toBeInstanceOf(InvalidDateTime);
    expect(scalar.parseValue(1714557600000)).toBeInstanceOf(InvalidDateTime);
    expect(scalar.serialize(new Date('2026-05-01T18:00:00Z'))).toBe('2026-05-01T18:00:00.000Z');
    // A time already printed so (by PostgreSQL) passes as it is; any other string is not a DateTime.
    expect(scalar.serialize('2026-05-01T18:00:00.000Z')).toBe('2026-05-01T18:00:00.000Z');
    for (const other of ['2026-05-01T18:00:00Z', '2026-05-01 18:00:00+00', 'tomorrow'])
      expect(scalar.serialize(other)).toBeNull();
  });
});
