import { describeJsonParseError } from './ReportJsonError';
import { ReportBytes } from './ReportBytes';

/**
 * One of a report's large arrays (SARIF `runs[].results`, Trivy
 * `Results[].Vulnerabilities`, ...), kept as byte ranges of the report and
 * parsed one element at a time as a parser walks it. A parser that iterates
 * it holds one element at a time instead of the whole document, which is
 * what keeps a 100k-finding import's memory bounded.
 */
export class LazyJsonArray {
  constructor(
    private readonly source: ReportBytes,
    private readonly starts: number[],
    private readonly ends: number[],
  ) {}

  get length(): number {
    return this.starts.length;
  }

  /** Parses element `index`; a fresh value on every call. */
  at(index: number): unknown {
    const start = this.starts[index];
    const text = this.source.text(start, this.ends[index]);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw describeJsonParseError(
        error,
        text,
        textIndex =>
          start + Buffer.byteLength(text.slice(0, textIndex), 'utf8'),
      );
    }
  }

  *[Symbol.iterator](): IterableIterator<unknown> {
    for (let index = 0; index < this.starts.length; index++) {
      yield this.at(index);
    }
  }
}
