/** Worker thread of `export-events`: exports each capture it is sent. */
import { parentPort } from 'node:worker_threads';
import { exportOutcome } from '../../export/export-file.js';

parentPort?.on('message', (msg: { job: Parameters<typeof exportOutcome>[0] }) => {
  void exportOutcome(msg.job).then((outcome) => parentPort!.postMessage(outcome));
});
