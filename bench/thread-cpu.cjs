// Preload (`node -r ./bench/thread-cpu.cjs ...`): at exit, the CPU time of the main thread and
// of all other threads together (V8's compiler and GC helpers, libuv's pool), in ms, from
// /proc/self/task/*/schedstat (nanoseconds; /proc's stat ticks are 10 ms). On a 2-core
// machine with a core free for the helpers, a run's wall time follows its main thread, so
// this is what short-capture work is measured by when the machine is shared (issue 18,
// bench/README.md "seventh round: short"). The line goes to $WL_THREADS (appended) if set,
// else to stderr. Linux only; elsewhere it prints nothing.
'use strict';
const fs = require('node:fs');
process.on('exit', () => {
  let main = 0;
  let other = 0;
  let tasks;
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const tid of tasks) {
    let s;
    try {
      s = fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8');
    } catch {
      continue;
    }
    const ms = Number(s.split(' ')[0]) / 1e6;
    if (tid === String(process.pid)) main += ms;
    else other += ms;
  }
  const line = `THREADS main=${Math.round(main)} other=${Math.round(other)}\n`;
  if (process.env.WL_THREADS) fs.appendFileSync(process.env.WL_THREADS, line);
  else fs.writeSync(2, line);
});
