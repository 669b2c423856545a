// `npm run iracing:offline -- [--port 4400] [--dataset synthetic|<folder of recorded responses>] [--scale 1]
//   [--seed 1] [--rate-limit 240/60] [--fault car/get:status:3 ...]`: runs the offline replica standalone, so a
// local backend (IRACING_API_URL and IRACING_OAUTH_URL set to its URL) or a front end can use it.
import { parseArgs } from 'node:util';
import { recordedDataset } from './datasets.js';
import { DEFAULT_TEST_CREDENTIALS, OfflineReplica } from './replica.js';
import type { Fault, FaultKind } from './replica.js';
import { syntheticDataset } from './synthetic-dataset.js';

const KINDS: FaultKind[] = [
  'status',
  'html',
  'maintenance',
  'rate-limit',
  'unauthorized',
  'malformed-json',
  'slow',
  'expired-link',
  'truncated-chunk',
  'none',
];

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4400' },
    host: { type: 'string', default: '127.0.0.1' },
    dataset: { type: 'string', default: 'synthetic' },
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    'rate-limit': { type: 'string', default: '240/60' },
    fault: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: npm run iracing:offline -- [--port 4400] [--dataset synthetic|DIR] [--scale N] [--seed N]\n' +
      '         [--rate-limit LIMIT/SECONDS|off] [--fault ENDPOINT:KIND[:TIMES[:RATE[:AFTER]]]]...\n' +
      `fault kinds: ${KINDS.join(', ')}`,
  );
  process.exit(0);
}

/**
 * ENDPOINT:KIND[:TIMES[:RATE[:AFTER]]], e.g. `car/get:status:3`, `*:html::0.05` (5% of every request),
 * `*:maintenance:20::100` (a maintenance window from the 101st request for 20 requests).
 */
function parseFault(spec: string): Fault {
  const [endpoint, kind, times, rate, after] = spec.split(':');
  if (!endpoint || !KINDS.includes(kind as FaultKind)) {
    throw new Error(
      `--fault ${spec}: expected ENDPOINT:KIND[:TIMES[:RATE[:AFTER]]] with KIND one of ${KINDS.join(', ')}`,
    );
  }
  return {
    endpoint,
    kind: kind as FaultKind,
    times: times ? Number(times) : undefined,
    rate: rate ? Number(rate) : undefined,
    after: after ? Number(after) : undefined,
  };
}

const rl = values['rate-limit'];
const rateLimit =
  rl === 'off' ? null : { limit: Number(rl.split('/')[0]), windowMs: Number(rl.split('/')[1] ?? 60) * 1000 };
const dataset =
  values.dataset === 'synthetic'
    ? syntheticDataset({ scale: Number(values.scale), seed: Number(values.seed) })
    : recordedDataset(values.dataset);
const replica = new OfflineReplica({
  dataset,
  host: values.host,
  port: Number(values.port),
  rateLimit,
  credentials: DEFAULT_TEST_CREDENTIALS,
});
for (const f of values.fault) replica.addFault(parseFault(f));
const url = await replica.start();
console.log(`offline iRacing replica on ${url} (dataset ${values.dataset}, rate limit ${rl})`);
console.log(
  `point a backend at it: IRACING_API_URL=${url} IRACING_OAUTH_URL=${url} IRACING_CLIENT_ID=${DEFAULT_TEST_CREDENTIALS.clientId} ` +
    `IRACING_CLIENT_SECRET=… IRACING_USERNAME=${DEFAULT_TEST_CREDENTIALS.username} IRACING_PASSWORD=… ` +
    '(the replica accepts the DEFAULT_TEST_CREDENTIALS of offline/replica.ts)',
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void replica.stop().then(() => process.exit(0));
  });
}
