import { ReportBytes } from './ReportBytes';

/**
 * Byte-at-a-time access to a report through its windows: the whole buffer
 * for a report in memory, 1 MB at a time for a spilled one.
 */
export class ByteCursor {
  private window: Buffer;
  private base = 0;

  constructor(private readonly bytes: ReportBytes) {
    this.window = bytes.length > 0 ? bytes.window(0) : Buffer.alloc(0);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** The byte at `index`, undefined outside the report. */
  at(index: number): number | undefined {
    const offset = index - this.base;
    if (offset >= 0 && offset < this.window.length) {
      return this.window[offset];
    }
    if (index < 0 || index >= this.bytes.length) {
      return undefined;
    }
    this.window = this.bytes.window(index);
    this.base = index;
    return this.window[0];
  }

  /** The index of the next `byte` at or after `from`, or -1. */
  indexOf(byte: number, from: number): number {
    let index = from;
    while (index < this.bytes.length) {
      this.at(index);
      const found = this.window.indexOf(byte, index - this.base);
      if (found >= 0) {
        return this.base + found;
      }
      index = this.base + this.window.length;
    }
    return -1;
  }

  text(start: number, end: number): string {
    return this.bytes.text(start, end);
  }
}
