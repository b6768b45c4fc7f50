import { ExitCode, ExitCodeValue } from './exitCodes';

/**
 * An error meant for the person reading the CI log: the message says what
 * is wrong and what to do, and the exit code says which kind it is.
 */
export class CliError extends Error {
  readonly name = 'CliError';

  constructor(message: string, readonly exitCode: ExitCodeValue) {
    super(message);
  }
}

/** Wrong or missing options, or a report that cannot be read (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.usage);
}

/** The backend refused the report or stayed unreachable (exit 3). */
export function uploadError(message: string): CliError {
  return new CliError(message, ExitCode.uploadFailed);
}
