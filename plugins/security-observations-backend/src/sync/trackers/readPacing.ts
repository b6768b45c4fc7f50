import { Config } from '@backstage/config';

/**
 * A tracker's `pacing` settings over its defaults; `keys` names the
 * setting of each limit where it differs from the limit's own name. A
 * limit that is not a positive number stops the backend at start-up.
 */
export function readPacing<P extends { [K in keyof P]: number }>(
  entry: Config,
  at: string,
  defaults: P,
  keys: Partial<Record<keyof P, string>> = {},
): P {
  const pacing = entry.getOptionalConfig('pacing');
  const entries = Object.entries(defaults as Record<string, number>).map(
    ([name, fallback]): [string, number] => [
      name,
      pacing?.getOptionalNumber(keys[name as keyof P] ?? name) ?? fallback,
    ],
  );
  if (!entries.every(([, value]) => value > 0)) {
    throw new Error(`${at}.pacing: every limit must be a positive number`);
  }
  return Object.fromEntries(entries) as P;
}
