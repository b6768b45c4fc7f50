import { createHash } from 'node:crypto';
import { PackageURL } from 'packageurl-js';

/**
 * Building blocks of identity keys. An identity key joins its parts with a
 * separator that cannot occur in them, so `a|b` + `c` never equals `a` + `b|c`.
 */
export const SEPARATOR = '\u001f';

export function identityKey(
  ...parts: Array<string | number | undefined>
): string {
  return parts
    .map(part => {
      if (part === undefined) return '';
      const text = String(part);
      return text.includes(SEPARATOR) ? text.split(SEPARATOR).join('') : text;
    })
    .join(SEPARATOR);
}

/** Short stable digest of text, e.g. a code snippet, for identity keys. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Snippet text without the whitespace noise that reformatting changes. */
export function normalizeSnippet(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Repository-relative path with forward slashes and no `./`, `file://` or
 * leading slash, so Windows and Linux runners, and SARIF URIs, agree.
 */
export function normalizePath(path: string): string {
  let result = path.trim().replace(/\\/g, '/');
  result = result.replace(/^file:\/\/(localhost)?/i, '');
  try {
    result = decodeURIComponent(result);
  } catch {
    // keep the raw path when it is not valid percent-encoding
  }
  result = result.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  return result;
}

const PURL_CACHE_SIZE = 20_000;
const purlCache = new Map<string, string>();

function canonicalPurlWithoutVersion(purl: string): string {
  try {
    const parsed = PackageURL.fromString(purl);
    return new PackageURL(
      parsed.type,
      parsed.namespace,
      parsed.name,
      undefined,
      undefined,
      parsed.subpath,
    ).toString();
  } catch {
    return purl.split('@')[0].toLowerCase();
  }
}

/**
 * A purl without its version (and qualifiers such as the image's distro or
 * arch), so an upgraded or rebuilt package keeps the finding's identity.
 * Returns the input lower-cased when it is not a valid purl.
 */
export function purlWithoutVersion(purl: string): string {
  let result = purlCache.get(purl);
  if (result === undefined) {
    result = canonicalPurlWithoutVersion(purl);
    // Reports name a package once per vulnerability; parsing purls is slow.
    if (purlCache.size >= PURL_CACHE_SIZE) {
      purlCache.clear();
    }
    purlCache.set(purl, result);
  }
  return result;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A package path without the package's own version, so that an upgrade of
 * `app/log4j-core-2.14.1.jar` to `app/log4j-core-2.17.1.jar` keeps the
 * finding. The version is only replaced where it stands as a whole token.
 */
export function pathWithoutVersion(
  path: string,
  version: string | undefined,
): string {
  if (!version || version.length < 2 || !/\d/.test(version)) return path;
  const pattern = new RegExp(
    `(^|[/\\-_@=])${escapeRegExp(version)}(?=$|[/\\-_.+])`,
    'g',
  );
  return path.replace(pattern, '$1{version}');
}
