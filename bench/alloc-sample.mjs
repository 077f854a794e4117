// Bytes allocated, sampled, collected objects included (node's --heap-prof keeps only what is
// still alive at exit, which says nothing about short-lived fields objects or strings).
//   record:    ALLOC_OUT=/tmp/a.json node --import ./bench/alloc-sample.mjs dist/cli/main.js events FILE > /dev/null
//              (ALLOC_INTERVAL: mean bytes between samples, default 1024)
//   summarise: node bench/alloc-sample.mjs /tmp/a.json [REGEX]   (total, then the top functions by
//              self bytes, those matching REGEX when given, e.g. 'quic/dissector')
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const pattern = process.argv[3] ? new RegExp(process.argv[3]) : null;
  let total = 0;
  const by = new Map();
  const walk = (n) => {
    total += n.selfSize;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*\/dist\//, '')}:${f.lineNumber + 1}`;
    by.set(key, (by.get(key) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(profile.head);
  console.log(`total ${(total / 1e6).toFixed(1)} MB sampled`);
  const rows = [...by].filter(([k]) => !pattern || pattern.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 20);
  for (const [k, v] of rows) console.log(`${(v / 1e6).toFixed(2).padStart(8)} MB  ${k}`);
} else if (process.env.ALLOC_OUT) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: Number(process.env.ALLOC_INTERVAL ?? 1024),
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  // A session in the main thread answers synchronously, so the profile is written before exit.
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (err, r) => {
      if (!err) writeFileSync(process.env.ALLOC_OUT, JSON.stringify(r.profile));
    });
  });
}
