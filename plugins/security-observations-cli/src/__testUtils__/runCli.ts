import { Readable } from 'node:stream';
import { CliIo, main } from '../main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Every wait between retries, in milliseconds. */
  sleeps: number[];
}

/**
 * Runs the CLI as CI would, with waits recorded instead of slept and the
 * jitter fixed at its middle (so the backoff is exactly 1 s, 2 s, 4 s, ...).
 */
export async function runCli(
  argv: string[],
  options: {
    env?: Record<string, string | undefined>;
    stdin?: string | Buffer;
    now?: () => number;
    fetch?: CliIo['fetch'];
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const sleeps: number[] = [];
  const stdin = Readable.from(
    options.stdin === undefined ? [] : [Buffer.from(options.stdin)],
  );
  const code = await main(argv, {
    env: options.env ?? {},
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin,
    sleep: async ms => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    now: options.now,
    fetch: options.fetch,
  });
  return { code, stdout, stderr, sleeps };
}
