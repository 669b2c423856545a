// How a `/data` answer becomes its payload: the `{link}` / `{data_url}` indirection followed (asking the
// endpoint again when the presigned link expired or the linked file came back cut short), then `chunk_info`
// replaced by every chunk's rows, fetched with bounded concurrency and retried one by one.
import { Logger } from '@nestjs/common';
import { forEachLimit } from '../core/concurrency.js';
import { backoffMs, sleep } from './iracing-http.js';
import type { IracingHttp, Params } from './iracing-http.js';
import { IracingPayloadError } from './iracing.errors.js';
import type { RateLimiter } from './rate-limiter.js';

export interface LinkedDataSettings {
  apiUrl: string;
  maxAttempts: number;
  retryBaseMs: number;
  /** Chunk files fetched at once. */
  chunkConcurrency: number;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Link answers that mean the presigned link expired or was refused: ask the endpoint again. */
const EXPIRED_LINK = new Set([400, 401, 403, 404, 410]);

export class LinkedDataFetcher {
  // Logged under the client's name: these lines are the client's, as callers know it.
  private readonly log = new Logger('IracingClient');

  constructor(
    private readonly http: IracingHttp,
    private readonly settings: LinkedDataSettings,
  ) {}

  /**
   * The payload, and its JSON text as received when nothing was joined into it (no chunks). With
   * `memberToken`, asked as that linked member (IracingHttp.memberGet, within `memberBudget` when given); else
   * as the system account.
   */
  async fetchData(
    endpoint: string,
    params: Params,
    memberToken?: string,
    memberBudget?: RateLimiter,
  ): Promise<{ payload: unknown; text?: string }> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params).sort(([a], [b]) => a.localeCompare(b))) {
      if (v !== undefined) query.set(k, String(v));
    }
    const url = `${this.settings.apiUrl}/data/${endpoint}${query.size ? `?${query}` : ''}`;
    for (let linkTry = 1; ; linkTry++) {
      const answer = memberToken
        ? await this.http.memberGet(endpoint, url, params, memberToken, memberBudget)
        : await this.http.authorizedGet(endpoint, url, params);
      const first = answer.json;
      const link = isObject(first) ? (first.link ?? first.data_url) : undefined;
      let body = first;
      let text: string | undefined = answer.text;
      if (typeof link === 'string') {
        const linked = await this.followLink(endpoint, link, params, linkTry);
        if (!linked) continue;
        ({ json: body, text } = linked);
      }
      const payload = await this.joinChunks(endpoint, body);
      return { payload, text: payload === body ? text : undefined };
    }
  }

  /** The linked file's JSON, or undefined when the endpoint should be asked again for a new link. */
  private async followLink(
    endpoint: string,
    link: string,
    params: Params,
    linkTry: number,
  ): Promise<{ json: unknown; text: string } | undefined> {
    const res = await this.http.send(endpoint, link, {}, false);
    if (EXPIRED_LINK.has(res.status) && linkTry < 3) {
      await res.body?.cancel();
      this.log.warn(
        `iRacing ${endpoint}: the data link was refused (HTTP ${res.status}); asking for a new one`,
      );
      return undefined;
    }
    try {
      return await this.http.readJsonText(endpoint, res, params);
    } catch (err) {
      // A linked file cut short in transfer is asked for again; one that stays unreadable is a payload error.
      if (!(err instanceof IracingPayloadError) || linkTry >= this.settings.maxAttempts) throw err;
      this.log.warn(`iRacing ${endpoint}: the linked file was unreadable at ${err.path}; asking again`);
      return undefined;
    }
  }

  /** Replaces `chunk_info` (top level, or under `data` for direct answers) by the concatenated `rows`. */
  private async joinChunks(endpoint: string, body: unknown): Promise<unknown> {
    if (!isObject(body)) return body;
    const holder = isObject(body.data) && isObject(body.data.chunk_info) ? body.data : body;
    const info = holder.chunk_info;
    if (!isObject(info)) return body;
    const base = typeof info.base_download_url === 'string' ? info.base_download_url : '';
    const files = Array.isArray(info.chunk_file_names) ? info.chunk_file_names.map(String) : [];
    const parts: unknown[][] = new Array<unknown[]>(files.length);
    await forEachLimit(files, this.settings.chunkConcurrency, async (file, i) => {
      parts[i] = await this.fetchChunk(endpoint, base + file, i);
    });
    const rows = parts.flat();
    const { chunk_info: _ignored, ...rest } = holder;
    return { ...rest, chunk_count: files.length, rows };
  }

  private async fetchChunk(endpoint: string, url: string, index: number): Promise<unknown[]> {
    const { maxAttempts } = this.settings;
    let problem = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(backoffMs(this.settings.retryBaseMs, attempt));
      const res = await this.http.send(endpoint, url, {}, false);
      const text = await res.text();
      if (!res.ok) {
        problem = `HTTP ${res.status}`;
        continue;
      }
      try {
        const rows = JSON.parse(text) as unknown;
        if (Array.isArray(rows)) return rows;
        problem = 'not a list of rows';
      } catch {
        problem = `invalid JSON (${text.length} bytes, truncated?)`;
      }
    }
    throw new IracingPayloadError(endpoint, `chunk ${index}`, `${problem} after ${maxAttempts} attempts`);
  }
}
