import fs from 'node:fs';
import { pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';

export interface ReportBody {
  /** The file's bytes, gzip-compressed, for fetch's `body`. */
  stream: ReadableStream<Uint8Array>;
  /** The error of reading the file, when that is why the request failed. */
  readError(): Error | undefined;
}

/**
 * The report file, compressed as it is read and sent: a chunk is read from
 * the disk only when the connection has taken the previous one, so a large
 * report is never held in memory. A new body is made for each attempt.
 */
export function createReportBody(filePath: string): ReportBody {
  let readError: Error | undefined;
  const file = fs.createReadStream(filePath);
  file.once('error', error => {
    readError ??= error;
  });
  // Errors reach the reader through the gzip stream; nothing to do here.
  const gzip = pipeline(file, createGzip(), () => {});
  const chunks = gzip[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await chunks.next();
        if (done) {
          controller.close();
        } else {
          controller.enqueue(value as Buffer);
        }
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      // The request ended early (the backend answered or hung up).
      await chunks.return?.();
    },
  });
  return { stream, readError: () => readError };
}
