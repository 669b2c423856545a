// Counts the SQL statements the application sends while `work` runs (every TypeORM query runner's `query`).
import type { Harness } from './harness.js';

export async function countStatements(h: Harness, work: () => Promise<unknown>): Promise<number> {
  const runner = h.db.createQueryRunner();
  const proto = Object.getPrototypeOf(runner) as { query: (...a: unknown[]) => Promise<unknown> };
  await runner.release();
  const original = proto.query;
  let n = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return n;
}
