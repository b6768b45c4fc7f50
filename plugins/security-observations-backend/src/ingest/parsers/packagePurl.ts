import { PackageURL } from 'packageurl-js';

/**
 * The package URL of a package an ecosystem names by one string (OSV,
 * Semgrep Supply Chain): Maven's `group:artifact`, Go's and Composer's
 * `vendor/name` and npm's `@scope/name` split into namespace and name.
 * Undefined when the name does not make a valid purl.
 */
export function packagePurl(
  type: string,
  name: string,
  version: string | undefined,
): string | undefined {
  let namespace: string | undefined;
  let packageName = name;
  const separator =
    type === 'maven' ? name.indexOf(':') : name.lastIndexOf('/');
  if (
    separator > 0 &&
    (type === 'maven' ||
      type === 'golang' ||
      type === 'composer' ||
      (type === 'npm' && name.startsWith('@')))
  ) {
    namespace = name.slice(0, separator);
    packageName = name.slice(separator + 1);
  }
  try {
    return new PackageURL(
      type,
      namespace,
      packageName,
      version,
      undefined,
      undefined,
    ).toString();
  } catch {
    return undefined;
  }
}
