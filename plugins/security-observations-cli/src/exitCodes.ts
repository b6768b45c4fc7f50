/**
 * The exit codes a CI job branches on; the help text and the README list
 * them too.
 */
export const ExitCode = {
  /** Uploaded; the gate, if any, passed. */
  ok: 0,
  /** Uploaded, and the gate found open, unassessed observations. */
  gateFailed: 1,
  /** Wrong options, or a report that cannot be read: nothing was sent. */
  usage: 2,
  /** The backend refused the report or could not be reached after the retries. */
  uploadFailed: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
