// What the offline replica serves: a ReplicaDataset. This file holds the interface and the recorded dataset
// (iRacing responses from a folder, named like `car-get.json` for `/data/car/get`); synthetic-dataset.ts holds
// the generated one.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a dataset may need to know to answer: where the replica is (for URLs it embeds) and what time it is. */
export interface DatasetContext {
  /** The replica's base URL, e.g. `http://127.0.0.1:4400` (files are served under `${baseUrl}/files/…`). */
  baseUrl: string;
  now: Date;
}

/**
 * A chunked answer. The replica splits `rows` into chunk files behind presigned-style links and answers with
 * `chunk_info { chunk_size, num_chunks, rows, base_download_url, chunk_file_names }`:
 * - linked (default): the `/data` call answers `{link, expires}`; the link holds `{...header, chunk_info}`
 *   (results/lap_data, results/event_log);
 * - direct: the `/data` call itself answers `{type, data: {success: true, chunk_info, params}}`
 *   (results/search_series, results/search_hosted);
 * - typed: linked, and the link holds `{type, data: {...header, chunk_info}}` (stats/world_records).
 */
export class ChunkedPayload {
  constructor(
    readonly header: Record<string, unknown>,
    readonly rows: unknown[],
    readonly options: {
      rowsPerChunk?: number;
      direct?: { type: string; params?: Record<string, unknown> };
      /** The `type` of a linked answer whose link holds `{type, data: {...header, chunk_info}}`. */
      typed?: string;
    } = {},
  ) {}
}

export interface ReplicaDataset {
  /** The payload of `/data/<endpoint>` for these parameters, or undefined for a 404. */
  resolve(endpoint: string, params: URLSearchParams, ctx: DatasetContext): unknown;
  /** A file served without auth at `${baseUrl}/files/<path>` (forecast files behind `weather_url`), or undefined. */
  file?(path: string, ctx: DatasetContext): unknown;
}

/**
 * Serves `<dir>/<category>-<method>.json` for `/data/<category>/<method>`, parameters ignored. A chunked endpoint
 * is recorded as `<name>.header.json` (the answer with its chunk_info) plus `<name>.chunk.json` or
 * `<name>.rows.json` (the rows): it is served chunked again, directly when the header was a direct answer (its
 * `data` has `params`), typed when it was a typed one (`{type, data}` without `params`).
 */
/** Ids a recorded answer names at its top level: a request for another id is not answered by it (404). */
const ID_PARAMS = ['season_id', 'series_id', 'subsession_id', 'cust_id'];

function answersFor(payload: unknown, params?: URLSearchParams): boolean {
  if (!params || payload === null || typeof payload !== 'object' || Array.isArray(payload)) return true;
  const p = payload as Record<string, unknown>;
  return ID_PARAMS.every((key) => {
    const asked = params.get(key);
    return asked === null || typeof p[key] !== 'number' || String(p[key]) === asked.trim();
  });
}

export function recordedDataset(dir: string): ReplicaDataset {
  const cache = new Map<string, unknown>();
  const read = (name: string) => {
    if (!cache.has(name)) {
      const file = join(dir, name);
      cache.set(name, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined);
    }
    return cache.get(name);
  };
  const chunked = (name: string): ChunkedPayload | undefined => {
    const header = read(`${name}.header.json`) as Record<string, unknown> | undefined;
    const rows = (read(`${name}.chunk.json`) ?? read(`${name}.rows.json`)) as unknown[] | undefined;
    if (!header || !Array.isArray(rows)) return undefined;
    const data = header.data as Record<string, unknown> | undefined;
    if (typeof header.type === 'string' && data && 'params' in data) {
      return new ChunkedPayload({}, rows, {
        direct: { type: header.type, params: data.params as Record<string, unknown> },
      });
    }
    const typed = typeof header.type === 'string' && data ? { type: header.type, data } : undefined;
    const { chunk_info: info, ...rest } = typed ? typed.data : header;
    const rowsPerChunk = (info as { chunk_size?: number } | undefined)?.chunk_size;
    return new ChunkedPayload(rest, rows, typed ? { rowsPerChunk, typed: typed.type } : { rowsPerChunk });
  };
  return {
    resolve: (endpoint, params) => {
      const name = endpoint.replace(/\//g, '-');
      const payload = read(`${name}.json`) ?? chunked(name);
      return answersFor(payload, params) ? payload : undefined;
    },
    file: (path) => (/^[\w.-]+$/.test(path) ? read(path) : undefined),
  };
}
