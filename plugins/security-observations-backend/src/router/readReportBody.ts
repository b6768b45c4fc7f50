import { InputError } from '@backstage/errors';
import { Request } from 'express';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './httpErrors';

const gunzipAsync = promisify(gunzip);

/** JSON, SARIF (`application/sarif+json`) and any other `+json` type. */
const JSON_CONTENT_TYPE = /^(application|text)\/([\w.-]+\+)?json\s*(;|$)/i;

export interface BodyLimits {
  maxReportBytes: number;
  maxDecompressedReportBytes: number;
}

const megabytes = (bytes: number) =>
  `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/**
 * Reads the raw report from the request, with a limit on the bytes sent and,
 * for `Content-Encoding: gzip`, on the bytes after decompression (a small
 * gzip body can expand a thousandfold). The report is never parsed by the
 * generic JSON body parser, whose 100 kB limit and eager parse do not fit.
 */
export async function readReportBody(
  req: Request,
  limits: BodyLimits,
): Promise<Buffer> {
  const contentType = req.headers['content-type'] ?? '';
  if (!JSON_CONTENT_TYPE.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type must be application/json or application/sarif+json, got '${
        contentType || 'none'
      }'`,
    );
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity')
    .toLowerCase()
    .trim();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new UnsupportedMediaTypeError(
      `Content-Encoding must be gzip or none, got '${encoding}'`,
    );
  }

  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxReportBytes) {
    throw tooLarge(limits.maxReportBytes);
  }
  const body = await readLimited(
    req,
    limits.maxReportBytes,
    Number.isFinite(declared) ? declared : undefined,
  );
  if (body.length === 0) {
    throw new InputError(
      'The request has no body: post the report as the body',
    );
  }
  if (encoding !== 'gzip') {
    return body;
  }
  try {
    return await gunzipAsync(body, {
      maxOutputLength: limits.maxDecompressedReportBytes,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLargeError(
        `The decompressed report exceeds the limit of ${megabytes(
          limits.maxDecompressedReportBytes,
        )}`,
      );
    }
    throw new InputError(
      `Content-Encoding is gzip but the body is not valid gzip: ${
        (error as Error).message
      }`,
    );
  }
}

function tooLarge(limit: number) {
  return new PayloadTooLargeError(
    `The report exceeds the limit of ${megabytes(
      limit,
    )}; compress it with gzip (Content-Encoding: gzip) or raise securityObservations.imports.maxReportSizeMb`,
  );
}

/**
 * Reads the body into one buffer. With a Content-Length the buffer is
 * allocated once and filled, so a large report is never held twice
 * (as chunks and as their concatenation).
 */
function readLimited(
  req: Request,
  limit: number,
  declaredLength?: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.allocUnsafe(declaredLength ?? 64 * 1024);
    let received = 0;
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > limit) {
        req.off('data', onData);
        // Drain the rest so the 413 reaches the client.
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      if (received + chunk.length > buffer.length) {
        const grown = Buffer.allocUnsafe(
          Math.min(limit, Math.max(buffer.length * 2, received + chunk.length)),
        );
        buffer.copy(grown, 0, 0, received);
        buffer = grown;
      }
      chunk.copy(buffer, received);
      received += chunk.length;
    };
    req.on('data', onData);
    req.once('end', () => resolve(buffer.subarray(0, received)));
    req.once('error', reject);
  });
}
