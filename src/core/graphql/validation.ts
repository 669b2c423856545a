// Validation messages shared by the GraphQL inputs, so that a refused value names its argument and what is
// expected (Nest prefixes nested inputs with their path: `filter.from must be …`), and the checks every input
// goes through whatever its type (arguments-validation.pipe.ts).
import type { ValidationOptions } from 'class-validator';
import { InvalidDateTime } from './date-time.scalar.js';

/** What a DateTime argument must look like (date-time.scalar.ts), for error messages. */
const DATE_TIME_FORMAT =
  'an ISO-8601 date-time with a zone, such as 2026-05-01T18:00:00Z or 2026-05-01T20:00:00+02:00 ' +
  '(a real calendar date, years 0000 to 9999)';

/** For `@IsDate(…)` on a DateTime argument: a value the scalar refused arrives as an invalid Date. */
export const ISO_DATE_TIME: ValidationOptions = {
  message: `$property must be ${DATE_TIME_FORMAT}`,
};

/** For `@Min(1, …)` on a list of ids. */
export const EACH_POSITIVE_ID: ValidationOptions = {
  each: true,
  message: '$property must list ids of 1 or more',
};

/**
 * The first problem that no input may have, whatever its declared type, as a message naming its path: a NUL
 * character in a string (PostgreSQL refuses it in text, so it would fail as an internal error), or a date-time
 * the DateTime scalar refused (an argument typed `Date` alone is not checked by class-validator).
 */
export function inputProblem(value: unknown, name: string | undefined): string | undefined {
  const stack: [unknown, string | undefined][] = [[value, name]];
  // Iterative: a deeply nested HTTP body must not overflow the call stack.
  while (stack.length) {
    const [v, path] = stack.pop()!;
    const label = path ?? 'the input';
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return `${label} must not contain NUL characters (\\u0000)`;
    } else if (v instanceof Date) {
      if (v instanceof InvalidDateTime)
        return `${label} must be ${DATE_TIME_FORMAT}: ${v.reason} (got ${JSON.stringify(v.input)})`;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${label}[${i}]`]);
    } else if (v !== null && typeof v === 'object' && isPlain(v)) {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--)
        stack.push([entries[i][1], path === undefined ? entries[i][0] : `${path}.${entries[i][0]}`]);
    }
  }
  return undefined;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
