// The build inlines the version alone, not the whole package.json.
import { version } from '../package.json';

/** This package's version, for --version and the User-Agent. */
export function packageVersion(): string {
  return version;
}
