import { InputError } from '@backstage/errors';
import { isUtf8 } from 'node:buffer';

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`;

const isContinuation = (byte: number) => (byte & 0xc0) === 0x80;

/** Bytes a character that starts with `lead` has; 0 for no valid lead byte. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * The length of `bytes` without a character begun in its last three bytes
 * but not finished there: that one is checked once the next chunk
 * completes it.
 */
function completeLength(bytes: Buffer): number {
  const end = bytes.length;
  for (let i = end - 1; i >= 0 && i >= end - 3; i--) {
    const byte = bytes[i];
    if (isContinuation(byte)) continue;
    const needed = sequenceLength(byte);
    return needed > end - i ? i : end;
  }
  return end;
}

/**
 * The index of the first byte that does not begin a valid UTF-8 character
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
 * -1. Run only once `isUtf8` said there is one, to say where.
 */
export function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    const length = sequenceLength(lead);
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const byte = bytes[i + k];
      if (byte === undefined || !isContinuation(byte)) return i;
    }
    const second = bytes[i + 1];
    // Overlong three- and four-byte forms, UTF-16 surrogates, > U+10FFFF.
    if (
      (lead === 0xe0 && second < 0xa0) ||
      (lead === 0xed && second > 0x9f) ||
      (lead === 0xf0 && second < 0x90) ||
      (lead === 0xf4 && second > 0x8f)
    ) {
      return i;
    }
    i += length;
  }
  return -1;
}

const UTF8_REQUIRED =
  '. Reports must be UTF-8 (JSON and the XML formats read here require it)';

function checkNotUtf16(head: Buffer): void {
  if (
    head.length >= 2 &&
    ((head[0] === 0xff && head[1] === 0xfe) ||
      (head[0] === 0xfe && head[1] === 0xff))
  ) {
    throw new InputError(
      `The report is UTF-16 (it starts with the byte order mark ${hex(
        head[0],
      )} ${hex(
        head[1],
      )}); post it as UTF-8, e.g. converted with iconv -f UTF-16 -t UTF-8`,
    );
  }
}

function notUtf8(offset: number, bytes: Buffer, at: number): InputError {
  const start = Math.max(at, 0);
  return new InputError(
    `The report is not valid UTF-8: byte ${hex(bytes[start])} at position ${
      offset + start
    } does not begin a valid character${UTF8_REQUIRED}`,
  );
}

/**
 * Checks that a report's bytes, arriving in chunks, are UTF-8, as JSON
 * (RFC 8259) and the XML formats read here require. Without it a broken
 * byte would be read as U+FFFD and stored as part of a title or a path, and
 * a report in UTF-16 would fail later as "not valid JSON" at a confusing
 * place. A character split between two chunks is carried to the next; only
 * that carry and the chunk at hand are held.
 */
export class Utf8Check {
  /** Bytes of a character begun at the end of the last chunk. */
  private carry: Buffer = Buffer.alloc(0);
  /** Report offset of `carry`'s first byte (of the next chunk without one). */
  private offset = 0;

  push(chunk: Buffer): void {
    const bytes =
      this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.offset === 0) {
      // A byte order mark can arrive split over two chunks.
      if (bytes.length < 2 && (bytes[0] === 0xff || bytes[0] === 0xfe)) {
        this.carry = Buffer.from(bytes);
        return;
      }
      checkNotUtf16(bytes);
    }
    const complete = completeLength(bytes);
    const whole = bytes.subarray(0, complete);
    if (!isUtf8(whole)) {
      throw notUtf8(this.offset, whole, firstInvalidUtf8(whole));
    }
    this.carry = Buffer.from(bytes.subarray(complete));
    this.offset += complete;
  }

  /** The report ends: a character begun in its last bytes is invalid. */
  end(): void {
    if (this.carry.length > 0 && sequenceLength(this.carry[0]) === 0) {
      throw notUtf8(this.offset, this.carry, 0);
    }
    if (this.carry.length > 0) {
      throw new InputError(
        `The report is not valid UTF-8: it ends inside a character that begins at position ${this.offset}${UTF8_REQUIRED}`,
      );
    }
  }
}
