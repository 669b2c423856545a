// Validation messages shared by the GraphQL inputs, so that a refused value names its argument and what is
// expected (Nest prefixes nested inputs with their path: `filter.from must be …`).
import type { ValidationOptions } from 'class-validator';

/** For `@IsDate(…)` on a DateTime argument: an unparseable string arrives as an invalid Date. */
export const ISO_DATE_TIME: ValidationOptions = {
  message: '$property must be an ISO-8601 date-time such as 2026-05-01T00:00:00Z',
};

/** For `@Min(1, …)` on a list of ids. */
export const EACH_POSITIVE_ID: ValidationOptions = {
  each: true,
  message: '$property must list ids of 1 or more',
};
