import fc from 'fast-check';
import { fuzzParameters, fuzzTimeout } from './__testUtils__/fuzz';
import { Utf8Check } from './Utf8Check';

const decoder = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Bytes that are mostly UTF-8 text, with now and then a broken piece. */
const mostlyText = fc
  .array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .string({ unit: 'grapheme', maxLength: 8 })
          .map(text => Buffer.from(text)),
      },
      {
        weight: 1,
        arbitrary: fc
          .uint8Array({ minLength: 1, maxLength: 3 })
          .map(bytes => Buffer.from(bytes)),
      },
    ),
    { maxLength: 40 },
  )
  .map(parts => Buffer.concat(parts));

/** The bytes in chunks cut at the given points, as a socket delivers them. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map(cut => cut % (bytes.length + 1)))].sort(
    (a, b) => a - b,
  );
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

/** What the check makes of the bytes pushed in these chunks. */
function verdictOf(chunks: Buffer[]): string {
  const check = new Utf8Check();
  try {
    for (const chunk of chunks) check.push(chunk);
    check.end();
    return 'valid';
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('The report is UTF-16')) return 'UTF-16';
    return `invalid at ${/position (\d+)/.exec(message)?.[1]}`;
  }
}

/**
 * The same, by a strict decoder: where it breaks is the end of the longest
 * prefix that decodes (the character there is the broken one).
 */
function expectedVerdict(bytes: Buffer): string {
  if (isUtf8(bytes)) return 'valid';
  if (bytes[0] === 0xff || bytes[0] === 0xfe) {
    if (bytes[1] === (bytes[0] === 0xff ? 0xfe : 0xff)) return 'UTF-16';
  }
  let longest = 0;
  for (let end = 1; end <= bytes.length; end++) {
    if (isUtf8(bytes.subarray(0, end))) longest = end;
  }
  return `invalid at ${longest}`;
}

const UNIT_RUNS = 1000;

describe('fuzzing Utf8Check', () => {
  it(
    'accepts exactly what a strict decoder accepts, however the bytes are cut, and names where they break',
    () => {
      expect(() =>
        fc.assert(
          fc.property(
            fc.oneof(
              mostlyText,
              fc.uint8Array({ maxLength: 64 }).map(bytes => Buffer.from(bytes)),
            ),
            fc.array(fc.nat(), { maxLength: 6 }),
            (bytes, cuts) => {
              expect(verdictOf(chunked(bytes, cuts))).toBe(
                expectedVerdict(bytes),
              );
            },
          ),
          fuzzParameters(UNIT_RUNS),
        ),
      ).not.toThrow();
    },
    fuzzTimeout(UNIT_RUNS),
  );
});
