import { InputError } from '@backstage/errors';
import { Request } from 'express';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Utf8Check } from '../ingest/Utf8Check';
import {
  FileReportBytes,
  MemoryReportBytes,
  ReportBytes,
} from '../ingest/json/ReportBytes';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './httpErrors';

/**
 * JSON, SARIF (`application/sarif+json`) and any other `+json` type; XML
 * (`application/xml`, `text/xml`, `application/vnd.cyclonedx+xml`) and any
 * other `+xml` type. The body itself says which it is: the import reads a
 * report that starts with `<` as XML.
 */
const REPORT_CONTENT_TYPE =
  /^(application|text)\/([\w.-]+\+)?(json|xml)\s*(;|$)/i;

const ACCEPTED_CONTENT_TYPES = [
  'application/json',
  'application/sarif+json',
  'application/vnd.cyclonedx+json',
  'application/xml',
  'text/xml',
  'application/vnd.cyclonedx+xml',
];

export interface BodyLimits {
  maxReportBytes: number;
  maxDecompressedReportBytes: number;
}

/** The first two bytes of every gzip stream (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b];

const isGzip = (head: Buffer) =>
  head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];

/** A `charset` parameter other than UTF-8's names; none is UTF-8. */
function otherCharset(contentType: string): string | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
  return charset && !/^utf-?8$/i.test(charset) ? charset : undefined;
}

const megabytes = (bytes: number) =>
  `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/**
 * Collects the body in memory until it passes the threshold, then moves it
 * to a file in a fresh temporary directory and appends the rest there.
 */
class SpillingSink {
  private chunks: Buffer[] = [];
  private file?: { path: string; handle: fs.promises.FileHandle };
  length = 0;

  constructor(private readonly thresholdBytes: number) {}

  async write(chunk: Buffer): Promise<void> {
    this.length += chunk.length;
    if (this.file) {
      await this.file.handle.write(chunk);
      return;
    }
    this.chunks.push(chunk);
    if (this.length > this.thresholdBytes) {
      const dir = await fs.promises.mkdtemp(
        path.join(os.tmpdir(), 'security-observations-report-'),
      );
      const filePath = path.join(dir, 'report.json');
      this.file = {
        path: filePath,
        handle: await fs.promises.open(filePath, 'w+', 0o600),
      };
      await this.file.handle.writev(this.chunks);
      this.chunks = [];
    }
  }

  async finish(): Promise<ReportBytes> {
    if (this.file) {
      return new FileReportBytes(this.file.path, this.file.handle, this.length);
    }
    return new MemoryReportBytes(Buffer.concat(this.chunks, this.length));
  }

  async discard(): Promise<void> {
    this.chunks = [];
    if (this.file) {
      await this.file.handle.close().catch(() => undefined);
      await fs.promises.rm(path.dirname(this.file.path), {
        recursive: true,
        force: true,
      });
      this.file = undefined;
    }
  }
}

/**
 * Reports up to this size stay in memory; larger ones are written to a
 * temporary file as they arrive, so the server never holds a large report
 * whole (an 80 MB Trivy report would otherwise be 80 MB of the heap's
 * neighbour for the whole import).
 */
export const SPILL_THRESHOLD_BYTES = 8 * 1024 * 1024;

/**
 * Reads the raw report from the request, with a limit on the bytes sent and,
 * for `Content-Encoding: gzip`, on the bytes after decompression (a small
 * gzip body can expand a thousandfold). The report is never parsed by the
 * generic JSON body parser, whose 100 kB limit and eager parse do not fit.
 * The caller closes what it gets (which deletes a spilled file).
 */
export async function readReportBody(
  req: Request,
  limits: BodyLimits,
  spillThresholdBytes = SPILL_THRESHOLD_BYTES,
): Promise<ReportBytes> {
  const contentType = req.headers['content-type'] ?? '';
  if (!REPORT_CONTENT_TYPE.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type must be one of ${ACCEPTED_CONTENT_TYPES.join(', ')}, got '${
        contentType || 'none'
      }'`,
    );
  }
  const charset = otherCharset(contentType);
  if (charset) {
    throw new UnsupportedMediaTypeError(
      `The report must be UTF-8, got charset=${charset}: convert it to UTF-8 (e.g. with iconv) and send charset=utf-8 or no charset`,
    );
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity')
    .toLowerCase()
    .trim();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new UnsupportedMediaTypeError(
      `Content-Encoding must be gzip or none (identity), got '${encoding}'`,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxReportBytes) {
    throw tooLarge(limits.maxReportBytes);
  }

  const sink = new SpillingSink(spillThresholdBytes);
  try {
    let received = 0;
    let decoded: Readable = req;
    if (encoding === 'gzip') {
      const gunzip = createGunzip();
      decoded = gunzip;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limits.maxReportBytes) {
          req.unpipe(gunzip);
          gunzip.destroy(tooLarge(limits.maxReportBytes));
        }
      });
      req.once('error', error => gunzip.destroy(error));
      req.pipe(gunzip);
    }
    let decodedBytes = 0;
    let head = Buffer.alloc(0);
    const utf8 = new Utf8Check();
    try {
      // Leaving the loop early must not destroy the request: its socket
      // carries the answer (and the auditor reads the client's address).
      const chunks = decoded.iterator({ destroyOnReturn: false });
      for await (const chunk of chunks as AsyncIterable<Buffer>) {
        if (head.length < 2) {
          head = Buffer.concat([head, chunk.subarray(0, 2)]);
          if (isGzip(head)) throw gzipped(encoding);
        }
        decodedBytes += chunk.length;
        if (encoding !== 'gzip' && decodedBytes > limits.maxReportBytes) {
          throw tooLarge(limits.maxReportBytes);
        }
        if (decodedBytes > limits.maxDecompressedReportBytes) {
          throw new PayloadTooLargeError(
            `The decompressed report exceeds the limit of ${megabytes(
              limits.maxDecompressedReportBytes,
            )}`,
          );
        }
        utf8.push(chunk);
        await sink.write(chunk);
      }
      utf8.end();
    } catch (error) {
      // Drain the rest so that the answer reaches the client.
      req.unpipe();
      if (decoded !== req) decoded.destroy();
      req.resume();
      if (
        error instanceof PayloadTooLargeError ||
        error instanceof UnsupportedMediaTypeError ||
        error instanceof InputError
      ) {
        throw error;
      }
      if (encoding === 'gzip' && (error as { errno?: number }).errno) {
        throw new InputError(
          `Content-Encoding is gzip but the body is not valid gzip: ${
            (error as Error).message
          }`,
        );
      }
      throw error;
    }
    if (sink.length === 0) {
      throw new InputError(
        'The request has no body: post the report as the body',
      );
    }
    return await sink.finish();
  } catch (error) {
    await sink.discard();
    throw error;
  }
}

/**
 * A body that is gzip although the request does not say so (curl's
 * `--data-binary @report.json.gz` without the header), or gzip twice.
 */
function gzipped(encoding: string) {
  return new UnsupportedMediaTypeError(
    encoding === 'gzip'
      ? 'The report is compressed twice: after gunzip the body is gzip again (it starts with the gzip bytes 1f 8b); compress it once'
      : "The body is gzip-compressed (it starts with the gzip bytes 1f 8b) but the request has no 'Content-Encoding: gzip' header: add it (curl: -H 'Content-Encoding: gzip'), or send the report uncompressed",
  );
}

function tooLarge(limit: number) {
  return new PayloadTooLargeError(
    `The report exceeds the limit of ${megabytes(
      limit,
    )}; compress it with gzip (Content-Encoding: gzip) or raise securityObservations.imports.maxReportSizeMb`,
  );
}
