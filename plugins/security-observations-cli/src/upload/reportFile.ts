import fs from 'node:fs';
import path from 'node:path';
import { CliError, usageError } from '../errors';
import { CONTENT_TYPE_HEAD_BYTES, detectContentType } from './contentType';
import { spoolToFile } from './spoolToFile';

/** A report on disk, ready to be sent as often as the retries need. */
export interface ReportFile {
  /** A regular file, read anew for each attempt. */
  path: string;
  /** How the summary names it: the path given, or "standard input". */
  displayName: string;
  size: number;
  contentType: 'application/xml' | 'application/json';
  /** Deletes what was spooled to a temporary file; nothing otherwise. */
  release(): Promise<void>;
}

/**
 * Opens the report named on the command line: `-` is standard input, and a
 * pipe (`<(trivy ...)`) is spooled to a temporary file like it, since
 * either can be read only once. Errors name the path and say what to do.
 */
export async function openReportFile(
  file: string,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
): Promise<ReportFile> {
  if (file === '-') {
    if (stdin.isTTY) {
      throw usageError(
        'The report is to be read from standard input (-), but standard input is a terminal: pipe the report in, e.g. trivy image -f json app:latest | security-observations upload ... -',
      );
    }
    const spooled = await spoolToFile(stdin).catch(error => {
      throw unreadable('standard input', error);
    });
    return describe(spooled.path, 'standard input', spooled.remove);
  }

  const stats = await fs.promises.stat(file).catch(error => {
    throw unreadable(file, error);
  });
  if (stats.isDirectory()) {
    throw usageError(
      `Cannot read the report '${file}': it is a directory; name the report file inside it`,
    );
  }
  if (!stats.isFile()) {
    const stream = fs.createReadStream(file);
    const spooled = await spoolToFile(stream).catch(error => {
      throw unreadable(file, error);
    });
    return describe(spooled.path, file, spooled.remove);
  }
  return describe(file, file, async () => {});
}

async function describe(
  filePath: string,
  displayName: string,
  release: () => Promise<void>,
): Promise<ReportFile> {
  try {
    const handle = await fs.promises.open(filePath, 'r');
    try {
      const { size } = await handle.stat();
      if (size === 0) {
        throw usageError(
          `The report '${displayName}' is empty: did the scanner step write it? (Scanners write an empty report only when they fail.)`,
        );
      }
      const head = Buffer.alloc(Math.min(size, CONTENT_TYPE_HEAD_BYTES));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return {
        path: filePath,
        displayName,
        size,
        contentType: detectContentType(head.subarray(0, bytesRead)),
        release,
      };
    } finally {
      await handle.close();
    }
  } catch (error) {
    await release();
    if (error instanceof CliError) throw error;
    throw unreadable(displayName, error);
  }
}

/** An error of the file system, for the person who named the file. */
export function unreadable(file: string, error: unknown) {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason: Record<string, string> = {
    ENOENT: `there is no such file (looked for ${path.resolve(
      file,
    )}): check the path, and that the scanner step wrote the report there`,
    EACCES: 'permission denied: the user this job runs as cannot read it',
    EPERM: 'permission denied: the user this job runs as cannot read it',
    EISDIR: 'it is a directory; name the report file inside it',
  };
  return usageError(
    `Cannot read the report '${file}': ${(code && reason[code]) ?? message}`,
  );
}
