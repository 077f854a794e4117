#!/usr/bin/env python3
"""Where a run's CPU goes, by thread and by V8 tier, from a Linux `perf` profile.

`node --cpu-prof` samples wall time on the main thread only: on a loaded machine it charges
whatever ran when the process was descheduled, and it cannot see V8's compiler and GC
threads. `perf record -e cpu-clock` samples CPU time on every thread. Usage:

  perf record -e cpu-clock -F 2000 -g -o run.data -- \\
      node --max-semi-space-size=8 --perf-basic-prof bin/wirelens events CAPTURE >/dev/null
  python3 bench/perf-tiers.py run.data [HZ]

(`--perf-basic-prof` names JIT code: `JS:*f` TurboFan, `JS:^f` Sparkplug, `JS:~f` Ignition.)
Each main-thread sample is put in one class: gc (any GC frame on the stack), compile
(parser, bytecode, Sparkplug, TurboFan's main-thread part, code-cache deserialising, before
the first JS frame), deopt, then the tier of the innermost JS frame (builtins and runtime
calls count for the JS that called them: an IC miss in Sparkplug code is Sparkplug time),
else kernel or native. Samples before the first one inside `feedRecords` (the capture
reader's packet loop) are start-up. Issue 18, bench/README.md "seventh round: short".
"""
import collections
import re
import subprocess
import sys

GC = re.compile(r'Heap::|Scavenger|MarkCompact|Sweeper|ConcurrentMarking|IncrementalMarking|MinorMC|GCTracer|MemoryAllocator|PagedSpace|LargeObjectSpace::|BasicMemoryChunk')
COMPILE = re.compile(r'v8::internal::Compiler::|Parser::|Parser<|BytecodeGenerator|compiler::|Scanner::|AstValueFactory|Deserializer|CodeSerializer|ScriptCompiler|Compile|Maglev|baseline::|BaselineBatchCompiler|Zone::')
DEOPT = re.compile(r'Deoptimizer|Runtime_NotifyDeoptimized')


def read(data):
    out = subprocess.run(['perf', 'script', '-i', data, '-F', 'pid,tid,time,ip,sym,dso'], capture_output=True, text=True).stdout
    samples = []
    for block in out.split('\n\n'):
        lines = [l for l in block.split('\n') if l.strip()]
        if not lines:
            continue
        head = lines[0].split()
        pid, tid = head[0].split('/') if '/' in head[0] else (head[0], head[0])
        frames = []
        for l in lines[1:]:
            m = re.match(r'\s*([0-9a-f]+)\s+(.*)\s+\((.*)\)\s*$', l)
            if m:
                frames.append((m.group(2), m.group(3)))
        samples.append((int(pid), int(tid), float(head[1].rstrip(':')), frames))
    return samples


def tier(frames):
    for sym, _ in frames:
        if sym.startswith('JS:*'):
            return 'turbofan'
        if sym.startswith('JS:^'):
            return 'sparkplug'
        if sym.startswith('JS:~') or 'InterpreterEntryTrampoline' in sym or (sym.startswith('Builtins_') and sym.endswith('Handler')):
            return 'ignition'
        if sym.startswith('JS:+'):
            return 'maglev'
        if sym.startswith('Builtins_') and 'Baseline' in sym:
            return 'sparkplug'
    return None


def classify(frames):
    syms = [s for s, _ in frames]
    if any(GC.search(s) for s in syms):
        return 'gc'
    if any(DEOPT.search(s) for s in syms):
        return 'deopt'
    for s in syms:
        if s.startswith('JS:'):
            break
        if COMPILE.search(s):
            return 'compile'
    t = tier(frames)
    if t:
        return t
    return 'kernel' if frames and 'kernel' in frames[0][1] else 'native'


def main():
    data = sys.argv[1]
    hz = float(sys.argv[2]) if len(sys.argv) > 2 else 2000
    samples = read(data)
    pid = samples[0][0]
    main_thread = [s for s in samples if s[1] == pid]
    ms = lambda n: f'{n * 1000 / hz:.0f} ms'
    print(f'main thread {ms(len(main_thread))}, other threads {ms(len(samples) - len(main_thread))}')
    first = next((s[2] for s in main_thread if any('feedRecords' in f[0] for f in s[3])), None)
    table = collections.defaultdict(collections.Counter)
    for s in main_thread:
        table['start-up' if first is None or s[2] < first else 'packets'][classify(s[3])] += 1
    classes = sorted({c for t in table.values() for c in t}, key=lambda c: -sum(t[c] for t in table.values()))
    print('main thread'.ljust(10), ' '.join(f'{c:>10s}' for c in classes), '     total')
    for phase in ('start-up', 'packets'):
        row = table[phase]
        print(phase.ljust(10), ' '.join(f'{row[c] * 1000 / hz:10.0f}' for c in classes), f'{sum(row.values()) * 1000 / hz:10.0f}')
    other = collections.Counter(classify(s[3]) for s in samples if s[1] != pid)
    print('other threads:', ', '.join(f'{c} {ms(n)}' for c, n in other.most_common()))


if __name__ == '__main__':
    main()
