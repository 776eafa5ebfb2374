// Imported first by the CLI entry: `navigator` must exist before `pg` loads on the main thread.
// RAPIDBYTE_NODE_NAVIGATOR=off leaves Node 20 without it (to measure what it saves).
import { defineNodeNavigator } from '../runtime/node-navigator.js';

defineNodeNavigator(process.env.RAPIDBYTE_NODE_NAVIGATOR !== 'off');
