// Entry point of `npm run demo` (see demo.ts).
import { demoMain } from './demo.js';

void demoMain(process.argv.slice(2));
