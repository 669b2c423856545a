// The offline replica's presigned-style links (docs/architecture.md §5.2): bodies stored behind `/s3/<id>` until
// they expire, chunked answers split into chunk files under one base URL, and the truncated bodies some faults ask
// for. Link fetches need no token and take no rate-limit slot; the `/data` calls do (RateBudget, §5.3).
import { randomBytes } from 'node:crypto';
import type { ChunkedPayload } from './datasets.js';

/** S3's answers for an expired link and a missing file. */
export const S3_EXPIRED =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
export const S3_NO_SUCH_KEY = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>';

interface StoredLink {
  body: string;
  expiresAt: number;
  /** Serve half the body this many more times. */
  truncate: number;
}

export class LinkStore {
  private readonly links = new Map<string, StoredLink>();

  constructor(private readonly ttlMs: number) {}

  /** Stores a body behind a presigned-style link; returns iRacing's `{link, expires}`. */
  store(
    baseUrl: string,
    body: string,
    ttlOverrideMs?: number,
    truncate = 0,
  ): { link: string; expires: string } {
    const expiresAt = Date.now() + (ttlOverrideMs ?? this.ttlMs);
    const id = randomBytes(12).toString('hex');
    this.links.set(id, { body, expiresAt, truncate });
    this.prune();
    return {
      link: `${baseUrl}/s3/${id}?X-Amz-Expires=${Math.round(this.ttlMs / 1000)}`,
      expires: new Date(expiresAt).toISOString(),
    };
  }

  /** Splits rows into chunk files under one base URL; returns iRacing's `chunk_info`. */
  storeChunks(p: ChunkedPayload, baseUrl: string, truncateFirst: boolean): Record<string, unknown> {
    const size = p.options.rowsPerChunk ?? 500;
    const base = randomBytes(12).toString('hex');
    const names: string[] = [];
    for (let i = 0, n = 0; i < p.rows.length; i += size, n++) {
      const name = `${randomBytes(16).toString('hex')}.json`;
      const body = JSON.stringify(p.rows.slice(i, i + size));
      const expiresAt = Date.now() + this.ttlMs;
      this.links.set(`${base}/${name}`, { body, expiresAt, truncate: truncateFirst && n === 0 ? 1 : 0 });
      names.push(name);
    }
    this.prune();
    return {
      chunk_size: size,
      num_chunks: names.length,
      rows: p.rows.length,
      base_download_url: `${baseUrl}/s3/${base}/`,
      chunk_file_names: names,
    };
  }

  /** The body behind a link id (cut short while a truncation is pending), or undefined once expired. */
  take(id: string): string | undefined {
    const stored = this.links.get(id);
    if (!stored || stored.expiresAt < Date.now()) return undefined;
    if (stored.truncate <= 0) return stored.body;
    stored.truncate--;
    return stored.body.slice(0, Math.max(1, Math.floor(stored.body.length / 2)));
  }

  private prune(): void {
    if (this.links.size < 1000) return;
    const now = Date.now();
    for (const [id, l] of this.links) if (l.expiresAt < now - 60_000) this.links.delete(id);
  }
}

export interface BudgetStats {
  /** When the first rate-limit window opened and the last request inside the limit arrived (epoch ms). */
  firstWindowAt?: number;
  lastDataAt?: number;
}

/** The `/data` rate limit: iRacing's `x-ratelimit-*` headers over fixed windows (docs/architecture.md §5.3). */
export class RateBudget {
  private window = { start: 0, count: 0 };

  constructor(private readonly limit: { limit: number; windowMs: number } | null) {}

  /** Rate-limit headers for this request, or null when the budget is spent (429); `peek` takes no slot. */
  headers(stats: BudgetStats, peek = false): Record<string, string> | null {
    const rl = this.limit;
    if (!rl) return {};
    const now = Date.now();
    // A window opens with the first request after the last one closed, on a whole second, so that its reset
    // (sent in whole epoch seconds, like iRacing's) is exact.
    if (now - this.window.start >= rl.windowMs)
      this.window = { start: Math.floor(now / 1000) * 1000, count: 0 };
    const reset = Math.ceil((this.window.start + rl.windowMs) / 1000);
    const over = this.window.count >= rl.limit;
    if (!peek && !over) this.window.count++;
    if (!peek && !over) {
      stats.firstWindowAt ??= this.window.start;
      stats.lastDataAt = now;
    }
    const headers = {
      'x-ratelimit-limit': String(rl.limit),
      'x-ratelimit-remaining': String(Math.max(0, rl.limit - this.window.count)),
      'x-ratelimit-reset': String(reset),
    };
    return over && !peek ? null : headers;
  }
}
