/**
 * Worker thread of `export-events`: exports each capture it is sent. It lives beside the
 * command that starts it, so the export sink imports nothing of pipeline/ but `analyze`.
 */
import { parentPort } from 'node:worker_threads';
import { exportFile, type ExportJob } from '../export/export-file.js';
import { outcomeOf } from '../pipeline/parallel/pool.js';

parentPort?.on('message', (msg: { job: ExportJob }) => {
  void outcomeOf(() => exportFile(msg.job)).then((outcome) => parentPort!.postMessage(outcome));
});
