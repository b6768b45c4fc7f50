/**
 * A report that cannot be read. The message names the format and the JSON
 * path where it broke, e.g. `SARIF: runs[0].results[3].locations: expected
 * an array`; the router answers it with 400.
 */
export class ReportParseError extends Error {
  readonly name = 'ReportParseError';

  constructor(
    readonly formatLabel: string,
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${formatLabel}: ${path ? `${path}: ` : ''}${problem}`);
  }
}
