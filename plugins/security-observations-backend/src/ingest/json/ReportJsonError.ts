/**
 * A report whose bytes are not valid JSON. The message gives the problem and
 * the byte offset in the report, never a piece of the report itself: reports
 * hold secrets. The router answers it with 400.
 */
export class ReportJsonError extends Error {
  readonly name = 'ReportJsonError';

  constructor(problem: string) {
    super(`The report is not valid JSON: ${problem}`);
  }
}

/**
 * The message of a `JSON.parse` error over `text`, with V8's quote of the
 * input replaced by a position, and positions counted in bytes of the whole
 * report (`text` starts at byte `offset`).
 */
export function describeJsonParseError(
  error: unknown,
  text: string,
  toReportOffset: (textIndex: number) => number,
): ReportJsonError {
  const message = (error as Error).message;
  const quoted =
    /^(Unexpected token .*?), (?:\.\.\.)?"(.*)"(?:\.\.\.)? is not valid JSON$/s.exec(
      message,
    );
  if (quoted) {
    const index = quoted[2] ? text.indexOf(quoted[2]) : -1;
    return new ReportJsonError(
      index >= 0
        ? `${quoted[1]} near position ${toReportOffset(index)}`
        : quoted[1],
    );
  }
  return new ReportJsonError(
    message.replace(
      /at position (\d+)(?: \(line \d+ column \d+\))?/,
      (_, index) => `at position ${toReportOffset(Number(index))}`,
    ),
  );
}
