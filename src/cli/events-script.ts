import { eventsCommand } from './commands/events.js';
import { run } from './io.js';

/**
 * `wirelens events FILE` with no option (see fast-path.ts). scripts/bundle.mjs also builds
 * this module, with everything it imports, as one CommonJS file, dist/bundle/events-script.cjs,
 * which main.ts runs with V8's code cache (code-cache.ts).
 */
export function runEvents(file: string): Promise<void> {
  return run(() => eventsCommand(file, {}));
}
