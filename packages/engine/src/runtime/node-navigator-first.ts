// Imported first by the CLI entry and the stream worker: `navigator` must exist before `pg` loads.
// RAPIDBYTE_NODE_NAVIGATOR=off leaves Node 20 without it (to measure what it saves).
import { defineNodeNavigator } from './node-navigator.js';

defineNodeNavigator(process.env.RAPIDBYTE_NODE_NAVIGATOR);
