// Where the tests find PostgreSQL and Redis, and the names this test run uses in them, so several runs on one
// machine, and the Jest workers of one run, never collide: a database and a Bull key prefix of their own
// (test/support/worker-env.ts).
export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SAMPLES_DIR =
  process.env.IRACING_SAMPLES_DIR ?? new URL('../../../shared/iracing-samples', import.meta.url).pathname;

export function databaseUrlFor(name: string): string {
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}
