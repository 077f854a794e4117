import { describe, expect, it } from 'vitest';
import { scriptSource } from '../../src/cli/code-cache.js';
import { LineOut } from '../../src/events/line-out.js';
import { Timestamp } from '../../src/events/time.js';
import { POP3_COMMAND, POP3_REPLY } from '../../src/protocols/pop3/events.js';
import { compactJson } from '../../src/report/ndjson.js';

/**
 * Start-up work the command line no longer does before the first packet (issue 18, short
 * captures): a declared event's `build` and `write` are compiled when first called, and the
 * bundled events script, ASCII, is read as Latin-1.
 */
function written(write: (out: LineOut) => void): string {
  const chunks: Uint8Array[] = [];
  const out = new LineOut((b) => chunks.push(b));
  write(out);
  out.flush();
  return Buffer.concat(chunks).toString('utf8');
}

describe('declared events compiled on first call', () => {
  const ts = new Timestamp(1_700_000_000, 5);
  const fields = { status: '+OK' as const, msg: 'ready µ' };

  it('write: the first call puts the compiled function in place, and a kept stub calls that one', () => {
    const stub = POP3_REPLY.write;
    const first = written((o) => stub(o, 3, ts, 1, 's2c', fields));
    const compiled = POP3_REPLY.write;
    expect(compiled).not.toBe(stub);
    expect(written((o) => compiled(o, 3, ts, 1, 's2c', fields))).toBe(first);
    // The stub compiles nothing more: the declaration keeps the one compiled function.
    written((o) => stub(o, 3, ts, 1, 's2c', fields));
    expect(POP3_REPLY.write).toBe(compiled);
    expect(first).toBe(compactJson(POP3_REPLY.build(3, ts, 1, 's2c', fields)) + '\n');
  });

  it('build: the same object whether through the stub or the compiled function', () => {
    const stub = POP3_COMMAND.build;
    const f = { command: 'USER', arg: 'alice', truncated: undefined, sasl_response: undefined };
    const a = stub(7, ts, 2, 'c2s', f);
    expect(POP3_COMMAND.build).not.toBe(stub);
    expect(POP3_COMMAND.build(7, ts, 2, 'c2s', f)).toEqual(a);
    expect(Object.keys(a)).toEqual(['type', 'frame', 'ts', 'flow', 'dir', 'command', 'arg', 'truncated', 'sasl_response']);
  });
});

describe('the events script source', () => {
  it('ASCII bytes are read as Latin-1 (the same string), anything else as UTF-8', () => {
    const ascii = Buffer.from('const s = `\\u00b5Torrent`;\n', 'utf8');
    expect(scriptSource(ascii)).toBe(ascii.toString('utf8'));
    const utf8 = Buffer.from('const s = `µTorrent → §2`;\n', 'utf8');
    expect(scriptSource(utf8)).toBe('const s = `µTorrent → §2`;\n');
  });
});
