import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface SpooledFile {
  path: string;
  /** Deletes the file and its directory. */
  remove(): Promise<void>;
}

/**
 * Writes a stream that can be read only once (standard input, a pipe) to a
 * private temporary file, so that every retry can send the report again
 * from the start without holding it in memory.
 */
export async function spoolToFile(
  input: NodeJS.ReadableStream,
): Promise<SpooledFile> {
  const dir = await fs.promises.mkdtemp(
    path.join(os.tmpdir(), 'security-observations-'),
  );
  const remove = () =>
    fs.promises.rm(dir, { recursive: true, force: true }).catch(() => {});
  const file = path.join(dir, 'report');
  try {
    await pipeline(input, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (error) {
    await remove();
    throw error;
  }
  return { path: file, remove };
}
