import type { EventSink, WireEvent } from '../events/event.js';
import { toJson } from '../events/json.js';

const FLUSH_AT = 64 * 1024;

/**
 * One event per line. Lines are batched into large writes; on Linux, writes to files,
 * pipes and terminals from Node are synchronous, so memory does not grow with output.
 */
export class NdjsonWriter implements EventSink {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly accept: (e: WireEvent) => boolean = () => true,
  ) {}

  emit(e: WireEvent): void {
    if (!this.accept(e)) return;
    const line = toJson(e) + '\n';
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (!this.parts.length) return;
    this.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}
