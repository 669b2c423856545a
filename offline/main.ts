// Entry point of `npm start` in a checkout (`node dist/offline/main.js`): the server of src/main.ts with the local
// defaults (embedded PostgreSQL, redis-server, the offline replica, a local admin key) for what is not configured.
import { runMain } from '../src/main.js';
import { startLocalDefaults } from './local-defaults.js';

void runMain({ startLocal: startLocalDefaults });
