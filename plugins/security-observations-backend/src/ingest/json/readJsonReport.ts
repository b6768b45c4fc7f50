import { LazyJsonArray } from './LazyJsonArray';
import { ByteCursor } from './ByteCursor';
import { MemoryReportBytes, ReportBytes } from './ReportBytes';
import { describeJsonParseError, ReportJsonError } from './ReportJsonError';
import { MAX_REPORT_FINDINGS, ReportLimitError } from '../ReportLimitError';

/**
 * Where the formats keep their findings, as paths with `*` for any array
 * index: these arrays are left in the report's bytes and parsed element by
 * element (`LazyJsonArray`). The scan does not know the format yet, so the
 * list is the union over all of them; a path that a format does not use
 * costs nothing.
 */
const LAZY_ARRAY_PATHS = new Set([
  '', // Gitleaks: the report is a bare array of leaks
  'runs/*/results', // SARIF
  'Results/*/Vulnerabilities', // Trivy
  'Results/*/Misconfigurations',
  'Results/*/Secrets',
  'Resources', // trivy k8s: one resource at a time
  'Findings',
  'Vulnerabilities',
  'Misconfigurations',
  'matches', // Grype
  'vulnerabilities', // CycloneDX
  'components',
  'results', // Semgrep, OSV-Scanner
]);
const MAX_LAZY_DEPTH = 3;

/**
 * How deep arrays and objects may nest. Real reports stay under 30 levels
 * (CycloneDX's nested components go deepest); the limit keeps every
 * recursive walk of a parsed report (parsers, structuredClone, logging)
 * far from the stack's end, whatever a report holds.
 */
export const MAX_JSON_DEPTH = 256;

/** How many elements of each large array the detection preview holds. */
const PREVIEW_ELEMENTS = 1;

export interface JsonReport {
  /** The report with its large arrays as `LazyJsonArray`s, for parsing. */
  document: unknown;
  /**
   * The same report with each large array cut to its first element as a
   * plain array: enough for format detection, which looks at structure.
   */
  preview: unknown;
}

interface LazyRange {
  /** Keys from the root to the array. */
  path: Array<string | number>;
  /** Offsets of the `[` and of the byte after the `]`. */
  open: number;
  close: number;
  starts: number[];
  ends: number[];
}

interface Frame {
  isArray: boolean;
  /** The `*`-path while it can still match a lazy path, else null. */
  pattern: string | null;
  /** This container's key in its parent. */
  key: string | number;
  /** Members or elements so far. */
  count: number;
  lazy?: LazyRange;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function isDelimiter(byte: number | undefined): boolean {
  return (
    byte === COMMA ||
    byte === CLOSE_BRACE ||
    byte === CLOSE_BRACKET ||
    isWhitespace(byte)
  );
}

function describeByte(byte: number | undefined): string {
  if (byte === undefined) return 'end of input';
  return byte >= 0x20 && byte < 0x7f
    ? `'${String.fromCharCode(byte)}'`
    : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Reads a JSON report from its bytes without holding it whole as a string
 * and as objects. One pass over the bytes checks the structure and finds
 * the large arrays' elements; the rest (the skeleton: tool, metadata, rules)
 * is parsed with `JSON.parse`, and each element is parsed when a parser
 * reaches it. Strings, numbers and literals are checked by `JSON.parse` of
 * the skeleton and of each element.
 */
export function readJsonReport(report: ReportBytes | Buffer): JsonReport {
  const bytes = Buffer.isBuffer(report)
    ? new MemoryReportBytes(report)
    : report;
  const source = new ByteCursor(bytes);
  const ranges = scan(source);
  const skeleton = parseSkeleton(source, ranges);
  return {
    document: withLazyArrays(
      skeleton,
      ranges,
      range => new LazyJsonArray(bytes, range.starts, range.ends),
    ),
    preview: withLazyArrays(skeleton, ranges, range =>
      Array.from(
        new LazyJsonArray(
          bytes,
          range.starts.slice(0, PREVIEW_ELEMENTS),
          range.ends.slice(0, PREVIEW_ELEMENTS),
        ),
      ),
    ),
  };
}

function fail(problem: string, offset: number): never {
  throw new ReportJsonError(`${problem} at position ${offset}`);
}

/** Offset after the closing quote of the string that opens at `offset`. */
function skipString(source: ByteCursor, offset: number): number {
  let from = offset + 1;
  for (;;) {
    const quote = source.indexOf(QUOTE, from);
    if (quote < 0) {
      fail('Unterminated string', offset);
    }
    let backslashes = 0;
    while (source.at(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function skipWhitespace(source: ByteCursor, offset: number): number {
  let i = offset;
  while (i < source.length && isWhitespace(source.at(i))) i++;
  return i;
}

class StructureScanner {
  readonly ranges: LazyRange[] = [];
  private readonly stack: Frame[] = [];
  /** The key of the value being read in its container. */
  private key: string | number = '';
  private i: number;
  /** Elements of the lazy arrays so far. */
  private elements = 0;

  constructor(private readonly source: ByteCursor) {
    this.i = skipWhitespace(source, bomLength(source));
  }

  /**
   * Reads the value at `i`. True when it opened a non-empty container,
   * whose first member is read next; else `i` is after the value.
   */
  readValue(): boolean {
    const { source, stack } = this;
    const parent = stack[stack.length - 1];
    if (parent?.lazy) {
      parent.lazy.starts.push(this.i);
      if (++this.elements > MAX_REPORT_FINDINGS) {
        throw new ReportLimitError(
          `The report lists more than ${MAX_REPORT_FINDINGS.toLocaleString(
            'en-US',
          )} findings or components (at position ${this.i}, in ${
            describeLazyPath(parent.lazy.path) || 'the top-level array'
          }); an import takes at most that many: split the report into several, each with its own source=`,
        );
      }
    }
    const byte = source.at(this.i);
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (stack.length >= MAX_JSON_DEPTH) {
        throw new ReportLimitError(
          `The report nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels at position ${this.i}: no report format needs that`,
        );
      }
      const isArray = byte === OPEN_BRACKET;
      const pattern = childPattern(parent, this.key, stack.length);
      const frame: Frame = { isArray, pattern, key: this.key, count: 0 };
      if (isArray && pattern !== null && LAZY_ARRAY_PATHS.has(pattern)) {
        frame.lazy = {
          path: parent ? [...stack.slice(1).map(f => f.key), this.key] : [],
          open: this.i,
          close: -1,
          starts: [],
          ends: [],
        };
        this.ranges.push(frame.lazy);
      }
      stack.push(frame);
      this.i = skipWhitespace(source, this.i + 1);
      if (source.at(this.i) === closer(frame)) {
        // Empty: `i` stays on the closing bracket for closeContainers.
        return false;
      }
      if (isArray) {
        this.key = 0;
      } else {
        ({ key: this.key, valueAt: this.i } = readKey(source, this.i, frame));
      }
      return true;
    }
    if (byte === QUOTE) {
      this.i = skipString(source, this.i);
      return false;
    }
    const start = this.i;
    while (this.i < source.length && !isDelimiter(source.at(this.i))) this.i++;
    if (this.i === start) fail(`Unexpected ${describeByte(byte)}`, start);
    return false;
  }

  /**
   * After a value: closes every container that ends here. True when a comma
   * follows (`i` is then on the next value), false at the end of the root.
   */
  closeContainers(): boolean {
    const { source, stack } = this;
    for (;;) {
      const frame = stack[stack.length - 1];
      if (!frame) return false;
      if (frame.lazy && frame.lazy.ends.length < frame.lazy.starts.length) {
        frame.lazy.ends.push(this.i);
      }
      this.i = skipWhitespace(source, this.i);
      if (source.at(this.i) === COMMA) {
        frame.count += 1;
        this.i = skipWhitespace(source, this.i + 1);
        if (!frame.isArray) {
          ({ key: this.key, valueAt: this.i } = readKey(source, this.i, frame));
        } else if (isClosing(source.at(this.i))) {
          fail(
            `Unexpected ${describeByte(source.at(this.i))} after ','`,
            this.i,
          );
        } else {
          this.key = frame.count;
        }
        return true;
      }
      if (source.at(this.i) !== closer(frame)) {
        fail(
          `Expected ',' or '${String.fromCharCode(
            closer(frame),
          )}' but found ${describeByte(source.at(this.i))}`,
          this.i,
        );
      }
      stack.pop();
      this.i += 1;
      if (frame.lazy) frame.lazy.close = this.i;
    }
  }

  /** The lazy ranges, once nothing but whitespace follows the root value. */
  finish(): LazyRange[] {
    const end = skipWhitespace(this.source, this.i);
    if (end < this.source.length) {
      fail(
        `Unexpected ${describeByte(this.source.at(end))} after the JSON value`,
        end,
      );
    }
    return this.ranges;
  }
}

/** The structural pass: brackets, commas and colons, and the lazy ranges. */
function scan(source: ByteCursor): LazyRange[] {
  const scanner = new StructureScanner(source);
  // Each turn reads one value; a value that opens a container is followed
  // by its first member, anything else by the containers it closes.
  while (scanner.readValue() || scanner.closeContainers());
  return scanner.finish();
}

/** A lazy array's path as the parsers' messages spell one: `runs[0].results`. */
function describeLazyPath(path: Array<string | number>): string {
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${key}`,
    )
    .join('');
}

function closer(frame: Frame): number {
  return frame.isArray ? CLOSE_BRACKET : CLOSE_BRACE;
}

function isClosing(byte: number | undefined): boolean {
  return byte === CLOSE_BRACKET || byte === CLOSE_BRACE;
}

function bomLength(source: ByteCursor): number {
  return source.at(0) === 0xef && source.at(1) === 0xbb && source.at(2) === 0xbf
    ? 3
    : 0;
}

function childPattern(
  parent: Frame | undefined,
  key: string | number,
  depth: number,
): string | null {
  if (!parent) return '';
  if (parent.pattern === null || parent.lazy || depth > MAX_LAZY_DEPTH) {
    return null;
  }
  const segment = parent.isArray ? '*' : String(key);
  return parent.pattern === '' ? segment : `${parent.pattern}/${segment}`;
}

/**
 * Reads an object member's key at `offset` (its opening quote) and the colon
 * after it. The key's text is only decoded where it can lead to a lazy array.
 */
function readKey(
  source: ByteCursor,
  offset: number,
  frame: Frame,
): { key: string; valueAt: number } {
  if (source.at(offset) !== QUOTE) {
    fail(
      `Expected a property name but found ${describeByte(source.at(offset))}`,
      offset,
    );
  }
  const end = skipString(source, offset);
  const colon = skipWhitespace(source, end);
  if (source.at(colon) !== COLON) {
    fail(`Expected ':' but found ${describeByte(source.at(colon))}`, colon);
  }
  const valueAt = skipWhitespace(source, colon + 1);
  if (frame.pattern === null) return { key: '', valueAt };
  const raw = source.text(offset, end);
  if (!raw.includes('\\')) return { key: raw.slice(1, -1), valueAt };
  try {
    return { key: JSON.parse(raw) as string, valueAt };
  } catch (error) {
    // A broken escape in a key (`"\x"`, `"\u12"`): the error at its offset.
    throw describeJsonParseError(
      error,
      raw,
      textIndex => offset + Buffer.byteLength(raw.slice(0, textIndex), 'utf8'),
    );
  }
}

/**
 * Parses everything but the large arrays' elements: the report's bytes with
 * each lazy array's content left out, so it parses as `[]`.
 */
function parseSkeleton(source: ByteCursor, ranges: LazyRange[]): unknown {
  const pieces: string[] = [];
  // Report offset of each piece's first byte, to translate error positions.
  const pieceStarts: number[] = [];
  let from = bomLength(source);
  for (const range of ranges) {
    pieceStarts.push(from);
    pieces.push(source.text(from, range.open + 1));
    from = range.close - 1;
  }
  pieceStarts.push(from);
  pieces.push(source.text(from, source.length));
  const text = pieces.join('');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw describeJsonParseError(error, text, textIndex => {
      let remaining = textIndex;
      for (let p = 0; p < pieces.length; p++) {
        if (remaining <= pieces[p].length || p === pieces.length - 1) {
          return (
            pieceStarts[p] +
            Buffer.byteLength(pieces[p].slice(0, remaining), 'utf8')
          );
        }
        remaining -= pieces[p].length;
      }
      return textIndex;
    });
  }
}

/**
 * The skeleton with each lazy array's place filled by `fill(range)`. The
 * containers on the way are copied, so the document and the preview can
 * share the rest of the skeleton.
 */
function withLazyArrays(
  skeleton: unknown,
  ranges: LazyRange[],
  fill: (range: LazyRange) => unknown,
): unknown {
  let root = skeleton;
  for (const range of ranges) {
    if (range.path.length === 0) {
      root = fill(range);
      continue;
    }
    root = copyAlong(root, range.path, 0, fill(range));
  }
  return root;
}

function copyAlong(
  container: unknown,
  path: Array<string | number>,
  depth: number,
  value: unknown,
): unknown {
  const copy = Array.isArray(container)
    ? [...container]
    : { ...(container as Record<string, unknown>) };
  const key = path[depth] as keyof typeof copy;
  (copy as any)[key] =
    depth === path.length - 1
      ? value
      : copyAlong((container as any)[key], path, depth + 1, value);
  return copy;
}
