import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take the most CPU (60-100 s each on CI's two cores, against a few seconds for
 * most), started first. Without a cache of the last run's durations (a fresh clone, CI) vitest
 * starts the largest files first, and the capture oracle's parts are three-line files: they
 * would start last, and one core would sit idle while the other finishes the last of them.
 */
const HEAVY = [/\/tests\/oracle\/captures-\d+\.oracle\.test\.ts$/, /\/tests\/cli\/workers\.test\.ts$/, /\/tests\/package\/package\.test\.ts$/];

class HeavyFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const heavy = (f: TestSpecification): boolean => HEAVY.some((r) => r.test(f.moduleId));
    return [...sorted.filter(heavy), ...sorted.filter((f) => !heavy(f))];
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default leaves a core idle (one worker on two cores); the slow tests wait on
    // tshark and child processes, so one file per core keeps both busy.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: HeavyFirst },
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
