// The SQL statements the application sends while `work` runs (every pg client's `query`: TypeORM's and the named
// prepared statements of selection-compiled reads alike), counted or recorded: the prototype's `query` is wrapped
// for the duration, never mocked.
import pg from 'pg';
import type { Harness } from './harness.js';

/** The text of every statement sent while `work` runs, in order. */
export async function recordStatements(_h: Harness, work: () => Promise<unknown>): Promise<string[]> {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  const seen: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    seen.push(typeof q === 'string' ? q : String((q as { text?: unknown } | null)?.text ?? q));
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return seen;
}

export async function countStatements(h: Harness, work: () => Promise<unknown>): Promise<number> {
  return (await recordStatements(h, work)).length;
}

/**
 * The distinct statement texts, sorted. Two levels of a graph that reach the same DataLoader share one batch when
 * their parents' rows arrive in the same tick and take two when they do not, so a query's statement count may
 * differ by such a merge between runs; the texts it sends do not (page sizes, inlined as LIMIT n, aside).
 */
export function statementShapes(statements: string[]): string[] {
  return [...new Set(statements.map((sql) => sql.replace(/\bLIMIT \d+/gi, 'LIMIT n')))].sort();
}

/**
 * Waits until no sync is queued or running (follow-ups included), so that nothing but the measured work sends SQL;
 * the condition is read again until it holds or the deadline passes.
 */
export async function idle(h: Harness, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ n }] = (await h.db.query(
      `SELECT count(*)::int AS n FROM sync_run WHERE status IN ('QUEUED', 'RUNNING')`,
    )) as { n: number }[];
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`${n} sync runs still queued or running`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
