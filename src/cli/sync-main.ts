// Entry point of the sync command line (see sync.ts): `node dist/src/cli/sync-main.js` in production, with every
// service configured; a checkout's `npm run sync` runs offline/sync-main.ts, which adds the local defaults.
import { ConfigError } from '../core/config/app-config.js';
import { isEntryModule } from './entry-point.js';
import { EXIT, runSyncCli } from './sync.js';
import type { SyncCliOptions } from './sync.js';

export function syncMain(options: SyncCliOptions = {}): void {
  runSyncCli(process.argv.slice(2), options).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(err instanceof ConfigError ? EXIT.config : EXIT.failed);
    },
  );
}

if (isEntryModule(import.meta.url)) syncMain();
