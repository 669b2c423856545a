// Entry point of `npm run sync` (see sync.ts).
import { EXIT, runSyncCli } from './sync.js';

runSyncCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(EXIT.failed);
  },
);
