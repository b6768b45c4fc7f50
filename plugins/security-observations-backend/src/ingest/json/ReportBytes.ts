import fs from 'node:fs';
import path from 'node:path';

/**
 * The bytes of a received report, in memory or spilled to a temporary file.
 * Readers ask for windows and ranges, so a large report is never held
 * whole in the process: a spilled one lives in the file (and the operating
 * system's page cache) and only the pieces being parsed are in memory.
 */
export interface ReportBytes {
  readonly length: number;
  /**
   * Bytes from `start`: a buffer whose first byte is byte `start` of the
   * report, holding at least one byte when `start < length`.
   */
  window(start: number): Buffer;
  /** Bytes `[start, end)` as UTF-8 text. */
  text(start: number, end: number): string;
  /** Frees what holds the bytes (deletes a spilled file). Idempotent. */
  close(): Promise<void>;
}

/** A report held in memory: small ones, and tests. */
export class MemoryReportBytes implements ReportBytes {
  constructor(private readonly buffer: Buffer) {}

  get length(): number {
    return this.buffer.length;
  }

  window(start: number): Buffer {
    return this.buffer.subarray(start);
  }

  text(start: number, end: number): string {
    return this.buffer.toString('utf8', start, end);
  }

  async close(): Promise<void> {}
}

/** How much of a spilled report a window holds, by default. */
const WINDOW_BYTES = 1024 * 1024;

/**
 * A report in a temporary file (alone in its own temporary directory),
 * read with positional reads.
 */
export class FileReportBytes implements ReportBytes {
  private readonly windowBuffer: Buffer;
  // Apart from the window: text() is called while a window is in use.
  private readonly textBuffer: Buffer;
  /** The part of the file that textBuffer holds. */
  private textStart = 0;
  private textLength = 0;
  private closed = false;

  constructor(
    private readonly filePath: string,
    private readonly file: fs.promises.FileHandle,
    readonly length: number,
    private readonly windowBytes = WINDOW_BYTES,
  ) {
    this.windowBuffer = Buffer.allocUnsafe(windowBytes);
    this.textBuffer = Buffer.allocUnsafe(windowBytes);
  }

  private get fd(): number {
    return this.file.fd;
  }

  window(start: number): Buffer {
    const read = fs.readSync(
      this.fd,
      this.windowBuffer,
      0,
      Math.min(this.windowBytes, this.length - start),
      start,
    );
    return this.windowBuffer.subarray(0, read);
  }

  text(start: number, end: number): string {
    if (end - start > this.windowBytes) {
      const buffer = Buffer.allocUnsafe(end - start);
      const read = fs.readSync(this.fd, buffer, 0, end - start, start);
      return buffer.toString('utf8', 0, read);
    }
    // Parsers ask for consecutive findings: one read serves many of them,
    // rather than one read per finding.
    if (start < this.textStart || end > this.textStart + this.textLength) {
      this.textStart = start;
      this.textLength = fs.readSync(
        this.fd,
        this.textBuffer,
        0,
        Math.min(this.windowBytes, this.length - start),
        start,
      );
    }
    return this.textBuffer.toString(
      'utf8',
      start - this.textStart,
      Math.min(end, this.textStart + this.textLength) - this.textStart,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
    await fs.promises.rm(path.dirname(this.filePath), {
      recursive: true,
      force: true,
    });
  }
}
