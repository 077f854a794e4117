/**
 * The event types are checked by the compiler: `npm test` type-checks this file, and each
 * `@ts-expect-error` below fails the type-check if the line it marks ever compiles (a
 * misspelled event type, a misspelled or mistyped field, an anomaly code nobody declares).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAnomaly, isEvent, type EventOf } from '../../src/events/event-map.js';
import { typedEvent, type WireEvent } from '../../src/events/event.js';
import { Timestamp } from '../../src/events/time.js';
import { recordingContext } from '../support/dissector-harness.js';

describe('typed events', () => {
  it('the compiler rejects misspelled types, fields and anomaly codes', () => {
    const { ctx, events } = recordingContext();
    ctx.emit('pop3.reply', 's2c', { status: '+OK', msg: 'ready' });
    // @ts-expect-error -- no such event type
    ctx.emit('pop3.replies', 's2c', { status: '+OK', msg: 'ready' });
    // @ts-expect-error -- no such field
    ctx.emit('pop3.reply', 's2c', { status: '+OK', mesage: 'ready' });
    // @ts-expect-error -- a field of the wrong type
    ctx.emit('smtp.reply', 's2c', { code: '250', msg: 'ok' });
    // @ts-expect-error -- a required field left out
    ctx.emit('ftp.command', 'c2s', { command: 'USER' });
    ctx.anomaly('http.bad_chunk', 's2c', 'declared by HTTP');
    // @ts-expect-error -- a code no layer declares
    ctx.anomaly('http.bad_chunks', 's2c', 'nobody declares this');
    expect(events.map((e) => e.type)).toEqual(['pop3.reply', 'pop3.replies', 'pop3.reply', 'smtp.reply', 'ftp.command', 'anomaly', 'anomaly']);
  });

  it('every protocol folder with events is in protocols/events.ts, which the library entry imports', () => {
    const root = new URL('../../src/protocols/', import.meta.url).pathname;
    const listed = readFileSync(`${root}events.ts`, 'utf8');
    const folders = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(`${root}${d.name}/events.ts`));
    expect(folders.length).toBeGreaterThanOrEqual(9);
    for (const d of folders) expect(listed, d.name).toContain(`import './${d.name}/events.js';`);
    expect(readFileSync(new URL('../../src/index.ts', import.meta.url).pathname, 'utf8')).toContain("import './protocols/events.js';");
  });

  it('isEvent narrows a sink\'s event to its declared shape', () => {
    const e: WireEvent = typedEvent('smtp.reply', 3, new Timestamp(1, 0), 1, 's2c', { code: 250, msg: 'ok' });
    expect(isEvent(e, 'smtp.reply')).toBe(true);
    expect(isEvent(e, 'pop3.reply')).toBe(false);
    expect(isAnomaly(e)).toBe(false);
    if (isEvent(e, 'smtp.reply')) {
      const reply: EventOf<'smtp.reply'> = e;
      const code: number = reply.code;
      expect(code + 1).toBe(251);
    }
  });
});
