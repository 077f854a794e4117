/**
 * Worker thread of `--workers`: runs one share of a capture (share-run.ts) and talks to the
 * main thread over its port.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { governHeap, HEAP_BUDGET_MB } from '../heap-governor.js';
import type { FromShare, ShareInit, ToShare } from './messages.js';
import { runShare } from './share-run.js';

const init = workerData as ShareInit;
governHeap(HEAP_BUDGET_MB / init.shares);
const port = parentPort!;
const receive = runShare(init, (m: FromShare, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer), false);
port.on('message', (m: ToShare) => receive(m));
