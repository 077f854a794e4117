/** Worker thread of `report` on many captures: reports each capture it is sent. */
import { parentPort } from 'node:worker_threads';
import { reportOutcome, type ReportJob } from '../report-capture.js';

parentPort?.on('message', (msg: { job: ReportJob }) => {
  void reportOutcome(msg.job).then((outcome) => parentPort!.postMessage(outcome));
});
