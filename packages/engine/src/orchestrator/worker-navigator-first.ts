// Imported first by the stream worker: `navigator` must exist before `pg` loads. Whoever starts
// the worker says in its `workerData` whether to define it (`WorkerSwitches.nodeNavigator`).
import { workerData } from 'node:worker_threads';
import { defineNodeNavigator } from '../runtime/node-navigator.js';
import type { StreamWorkerData } from './stream-task.js';

defineNodeNavigator((workerData as StreamWorkerData | null)?.nodeNavigator !== false);
