// Reading and writing payload content hashes inside an import transaction.
import { createHash } from 'node:crypto';
import type { Queryable } from './bulk-upsert.js';

export function contentHash(...payloads: unknown[]): string {
  const h = createHash('sha256');
  for (const p of payloads) h.update(JSON.stringify(p)).update('\u0000');
  return h.digest('hex');
}

export async function storedHash(db: Queryable, source: string): Promise<string | undefined> {
  const rows = (await db.query('SELECT content_hash FROM payload_hash WHERE source = $1', [source])) as {
    content_hash: string;
  }[];
  return rows[0]?.content_hash;
}

export async function storeHash(db: Queryable, source: string, hash: string): Promise<void> {
  await db.query(
    `INSERT INTO payload_hash (source, content_hash, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (source) DO UPDATE SET content_hash = EXCLUDED.content_hash, updated_at = now()`,
    [source, hash],
  );
}
