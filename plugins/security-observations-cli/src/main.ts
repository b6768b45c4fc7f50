import { Command, ENV, parseArguments, UploadOptions } from './arguments';
import { securityTabUrl, stringifyEntityRef } from './entityRef';
import { CliError } from './errors';
import { ExitCode } from './exitCodes';
import { evaluateGate } from './gate';
import { HELP_TEXT } from './helpText';
import { readImportAnswer } from './importAnswer';
import { redactingWriter, secretsOf } from './redact';
import { formatSummary } from './summary';
import { openReportFile } from './upload/reportFile';
import { Fetch, notAnImportAnswer, uploadReport } from './upload/uploadReport';
import { packageVersion } from './version';

/** Everything the CLI touches outside itself, so tests can stand in for it. */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Waits between retries (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Default: Node's fetch. */
  fetch?: Fetch;
  /** In [0, 1), for the backoff's jitter (default Math.random). */
  random?: () => number;
  /** Milliseconds since the epoch, for Retry-After dates (default Date.now). */
  now?: () => number;
}

interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Runs `security-observations <argv>` and returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const secrets = secretsOf(argv, io.env, ENV.token);
  const output: Output = {
    out: redactingWriter(text => io.stdout.write(text), secrets),
    err: redactingWriter(text => io.stderr.write(text), secrets),
  };
  try {
    const command: Command = parseArguments(argv, io.env);
    switch (command.name) {
      case 'help':
        output.out(HELP_TEXT);
        return ExitCode.ok;
      case 'version':
        output.out(`${packageVersion()}\n`);
        return ExitCode.ok;
      default:
        return await upload(command.options, io, output);
    }
  } catch (error) {
    if (error instanceof CliError) {
      output.err(`${error.message}\n`);
      return error.exitCode;
    }
    output.err(
      `security-observations failed unexpectedly: ${
        (error as Error)?.stack ?? String(error)
      }\n`,
    );
    return ExitCode.uploadFailed;
  }
}

async function upload(
  options: UploadOptions,
  io: CliIo,
  output: Output,
): Promise<number> {
  const entityRef = stringifyEntityRef(options.entity);
  const query = new URLSearchParams({ entityRef });
  for (const key of ['branch', 'scanner', 'source', 'format'] as const) {
    const value = options[key];
    if (value !== undefined) query.set(key, value);
  }
  const url = `${options.url}/api/security-observations/v1/imports?${query}`;

  const report = await openReportFile(options.file, io.stdin);
  let json: unknown;
  try {
    json = await uploadReport(
      {
        url,
        token: options.token,
        report,
        entityRef,
        userAgent: `security-observations-cli/${packageVersion()} node/${
          process.version
        }`,
        retries: options.retries,
      },
      {
        fetch: io.fetch ?? ((input, init) => fetch(input, init)),
        sleep: io.sleep ?? (ms => new Promise(r => setTimeout(r, ms))),
        random: io.random ?? Math.random,
        now: io.now ?? Date.now,
        log: line => output.err(`${line}\n`),
      },
    );
  } finally {
    await report.release();
  }

  const answer = readImportAnswer(json);
  if (!answer) throw notAnImportAnswer(201, url);
  const securityTab = securityTabUrl(options.appUrl, options.entity);
  if (options.json) {
    output.out(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    output.out(
      formatSummary(answer, { reportName: report.displayName, securityTab }),
    );
  }
  if (!options.failOn) return ExitCode.ok;

  const gate = evaluateGate(answer, {
    failOn: options.failOn,
    newOnly: options.newOnly,
    securityTab,
  });
  // With --json, standard output stays the answer alone.
  (options.json ? output.err : output.out)(`${gate.message}\n`);
  return gate.passed ? ExitCode.ok : ExitCode.gateFailed;
}
