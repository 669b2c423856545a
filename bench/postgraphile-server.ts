// The third server of `npm run bench:load`: PostGraphile 5 (the Amber preset and the connection filter plugin)
// generating its GraphQL schema from the bench database, served with grafserv on a plain node:http server. Run as a
// child process (fork) like load-app.js and sql-baseline-server.js: it listens on 127.0.0.1 on a free port, sends
// `{ port }` to its parent, and answers a `memory` message with its memory after a full collection.
// It must never write: mutations are off in the schema and every connection of its pool (the application's size)
// is read-only (`default_transaction_read_only`). The relations the database does not declare are given here as
// smart tags (in code, never by altering the schema): race_week.series_id → series, and event.race_week_id, which
// has a unique index but no unique constraint, as unique (one event per race week); and, as behaviours, filtering
// by season.active and ordering by event_class.position, which Amber offers only on indexed columns.
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { jsonPgSmartTags } from 'postgraphile/utils';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');

const pool = new pg.Pool({
  connectionString: url,
  max: Number(process.env.POSTGRAPHILE_POOL_SIZE ?? 10),
  application_name: 'simlane-bench-postgraphile',
  options: '-c default_transaction_read_only=on',
});

/**
 * What the schema lacks for the benchmark's questions, as smart tags: the seasons module's migrations define these
 * tables (docs/architecture.md §3.1), so nothing here may change them.
 */
const SMART_TAGS = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      race_week: { tags: { foreignKey: '(series_id) references series (series_id)' } },
      event: { tags: { unique: 'race_week_id' } },
      // Not indexed, so Amber would not filter or order by them; the application does (season graph, classes).
      season: { attribute: { active: { tags: { behavior: ['+filterBy'] } } } },
      event_class: { attribute: { position: { tags: { behavior: ['+orderBy'] } } } },
    },
  },
});

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  plugins: [SMART_TAGS],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  schema: {
    // Read-only: no create, update or delete mutations.
    defaultBehavior: '-insert -update -delete',
    // Filters through relations (a session's event has a race week), as the application's joins do.
    connectionFilterRelations: true,
  },
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false, websockets: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
await serv.addTo(server);
// The schema is built once before the first request (not measured in it).
await pgl.getSchema();

const stop = () => {
  server.close();
  server.closeAllConnections();
  void Promise.resolve(pgl.release())
    .then(() => pool.end())
    .finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The parent went away: do not linger.
process.once('disconnect', stop);

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (msg: unknown) => {
  if (msg !== 'memory') return;
  // Two passes: the first may only schedule finalisers whose memory the second frees.
  gc?.();
  gc?.();
  process.send?.({ memory: process.memoryUsage(), collected: Boolean(gc) });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  if (process.send) process.send({ port });
  else console.log(`PostGraphile on http://127.0.0.1:${port}/graphql`);
});
