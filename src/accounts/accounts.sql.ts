// The rows a statement returns, whatever its kind: TypeORM answers an UPDATE or DELETE … RETURNING on PostgreSQL
// as [rows, affected] and a SELECT or INSERT as rows; its structured result always carries `records`.
import type { DataSource } from 'typeorm';

export async function sqlRows<T = Record<string, unknown>>(
  db: DataSource,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const runner = db.createQueryRunner();
  try {
    return (await runner.query(sql, params, true)).records as T[];
  } finally {
    await runner.release();
  }
}
