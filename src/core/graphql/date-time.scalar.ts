// The `DateTime` scalar, strict: an ISO 8601 date-time with a zone (`Z` or `±hh:mm`), a real calendar date,
// a year from 0000 to 9999. JavaScript's Date parser would roll 2026-02-30 over to 2 March, read a zone-less time
// in the server's zone and take a bare number as milliseconds; PostgreSQL would then fail on years it cannot
// store. A refused value becomes an InvalidDateTime (an invalid Date that keeps the reason), which the arguments
// validation pipe reports as BAD_USER_INPUT naming the argument.
import { Scalar } from '@nestjs/graphql';
import type { CustomScalar } from '@nestjs/graphql';
import { Kind, print } from 'graphql';
import type { ValueNode } from 'graphql';

/** An input the scalar refused: an invalid Date (so `@IsDate` refuses it too) that says why. */
export class InvalidDateTime extends Date {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(Number.NaN);
  }
}

const DATE_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** What `Date.prototype.toISOString` prints for the years 0000 to 9999. */
const PRINTED_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const NOT_A_STRING = 'a string is expected, not a number or another value';

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses a strict ISO 8601 date-time; an InvalidDateTime when it is not one. */
export function parseDateTime(input: unknown): Date {
  const shown = typeof input === 'string' ? input : (JSON.stringify(input) ?? String(input));
  const invalid = (reason: string) => new InvalidDateTime(shown.slice(0, 64), reason);
  if (typeof input !== 'string') return invalid(NOT_A_STRING);
  const m = DATE_TIME_RE.exec(input);
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(input))
      return invalid('the zone is missing (add Z or an offset such as +02:00)');
    if (/^[+-]\d{5,}/.test(input) || /^\d{5,}-/.test(input)) return invalid('the year is out of range');
    return invalid('not an ISO-8601 date-time');
  }
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12) return invalid(`there is no month ${m[2]}`);
  const days = month === 2 && isLeap(year) ? 29 : DAYS[month - 1];
  if (day < 1 || day > days) return invalid(`${m[1]}-${m[2]} has no day ${m[3]}`);
  if (hour > 23 || minute > 59 || second > 59) return invalid('the time of day is out of range');
  let offsetMin = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return invalid('the zone offset is out of range');
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0 to 99 as 1900 to 1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute - offsetMin, second, ms);
  return d;
}

@Scalar('DateTime', () => Date)
export class DateTimeScalar implements CustomScalar<string | null, Date> {
  // Unchanged from Nest's built-in DateTime, so the printed schema stays the same.
  description =
    'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.';

  parseValue(value: unknown): Date {
    return parseDateTime(value);
  }

  parseLiteral(ast: ValueNode): Date {
    if (ast.kind === Kind.STRING) return parseDateTime(ast.value);
    return new InvalidDateTime(print(ast).slice(0, 64), NOT_A_STRING);
  }

  serialize(value: unknown): string | null {
    if (value instanceof Date) return value.toISOString();
    // A time PostgreSQL already printed as this scalar does (selection-compiled reads, docs/architecture.md §6.11).
    return typeof value === 'string' && PRINTED_RE.test(value) ? value : null;
  }
}
