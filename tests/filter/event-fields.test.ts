/**
 * src/filter/event-fields.ts is generated from the EventMap declarations (the filter checks
 * field names against it): it must equal what scripts/event-fields.mjs makes of the
 * declarations now, so a new event field is a known filter field the moment it is declared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/requires.js';

describe('event-fields.ts', () => {
  it('equals the declarations (run `node scripts/event-fields.mjs` after changing an event)', async () => {
    const { eventFieldsSource } = (await import(join(REPO, 'scripts', 'event-fields.mjs'))) as { eventFieldsSource(): string };
    expect(eventFieldsSource()).toBe(readFileSync(join(REPO, 'src', 'filter', 'event-fields.ts'), 'utf8'));
  }, 120_000);
});
