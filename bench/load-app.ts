// The server under test of `npm run bench:load`, in its own process: the real application (createApp, as
// main.ts builds it, with the configuration validated from the environment: ROLE=api, pino logs at LOG_LEVEL),
// listening on 127.0.0.1 on a free port (main.ts binds 0.0.0.0 on PORT). Started with fork() and --expose-gc: it
// sends `{ port }` to its parent, and answers a `memory` message with its memory after a full collection.
import 'reflect-metadata';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/core/config/app-config.js';

const config = loadConfig();
const { app, http } = await createApp(config);
if (!http) throw new Error(`ROLE=${config.role} serves no HTTP`);
await http.listen(0, '127.0.0.1');
const address = http.getHttpServer().address();
const port = typeof address === 'object' && address ? address.port : 0;

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void app
    .close()
    .catch((err: unknown) => console.error(err))
    .finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (msg: unknown) => {
  if (msg !== 'memory') return;
  // Two passes: the first may only schedule finalisers whose memory the second frees.
  gc?.();
  gc?.();
  process.send?.({ memory: process.memoryUsage(), collected: Boolean(gc) });
});
process.send?.({ port });
