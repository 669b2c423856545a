// Entry point of `npm run sync` in a checkout (`node dist/offline/sync-main.js`): the command line of
// src/cli/sync.ts with the local defaults (embedded PostgreSQL, redis-server, the offline replica) for what is
// not configured.
import { syncMain } from '../src/cli/sync-main.js';
import { startLocalDefaults } from './local-defaults.js';

syncMain({ startLocal: startLocalDefaults });
