// The baseline of `npm run bench:load`: a plain node:http server that answers the benchmark's three questions with
// one hand-written SQL statement each (pg Pool of the application's size), sending PostgreSQL's JSON text as is.
// Run as a child process (fork) so its memory and event loop are its own; it listens on 127.0.0.1 on a free port
// and sends `{ port }` to its parent.
//   GET /sessions?from=<iso>&to=<iso>    the calendar page (SESSIONS_RESPONSE_SQL)
//   GET /race-weeks?from=<iso>&to=<iso>  a page of race weeks (RACE_WEEKS_RESPONSE_SQL)
//   GET /season-graph                    the full season graph (SEASON_GRAPH_RESPONSE_SQL)
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';
import { RACE_WEEKS_RESPONSE_SQL, SEASON_GRAPH_RESPONSE_SQL, SESSIONS_RESPONSE_SQL } from './queries.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const pool = new pg.Pool({
  connectionString: url,
  max: Number(process.env.BASELINE_POOL_SIZE ?? 10),
  application_name: 'simlane-bench-baseline',
});

const send = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
};

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const u = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method !== 'GET') return send(res, 405, '{"error":"method not allowed"}');
  const ranged: Record<string, string> = {
    '/sessions': SESSIONS_RESPONSE_SQL,
    '/race-weeks': RACE_WEEKS_RESPONSE_SQL,
  };
  if (Object.hasOwn(ranged, u.pathname)) {
    const from = new Date(u.searchParams.get('from') ?? '');
    const to = new Date(u.searchParams.get('to') ?? '');
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
      return send(res, 400, '{"error":"from and to must be ISO times"}');
    const r = await pool.query<{ body: string }>(ranged[u.pathname], [from, to]);
    return send(res, 200, r.rows[0].body);
  }
  if (u.pathname === '/season-graph') {
    const r = await pool.query<{ body: string }>(SEASON_GRAPH_RESPONSE_SQL);
    return send(res, 200, r.rows[0].body);
  }
  send(res, 404, '{"error":"not found"}');
}

const server = createServer((req, res) => {
  answer(req, res).catch((err: unknown) => {
    console.error(err);
    if (!res.headersSent) send(res, 500, JSON.stringify({ error: String(err) }));
    else res.destroy();
  });
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The parent went away: do not linger.
process.once('disconnect', stop);

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  if (process.send) process.send({ port });
  else console.log(`SQL baseline on http://127.0.0.1:${port}`);
});
