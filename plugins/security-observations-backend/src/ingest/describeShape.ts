const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a JSON document looks like at its top, in words, for the error of a
 * report no parser recognizes: "a JSON object with the keys `Target`,
 * `Vulnerabilities`" helps the sender more than "Unknown report format".
 */
export function describeShape(document: unknown): string {
  if (Array.isArray(document)) {
    if (document.length === 0) return 'an empty JSON array';
    const first = document[0];
    return isObject(first)
      ? `a JSON array whose items have ${keysOf(first)}`
      : `a JSON array of ${typeOf(first)}s`;
  }
  if (isObject(document)) {
    return Object.keys(document).length === 0
      ? 'an empty JSON object'
      : `a JSON object with ${keysOf(document)}`;
  }
  return `a JSON ${typeOf(document)}`;
}

const SHOWN_KEYS = 8;

function keysOf(object: Record<string, unknown>): string {
  const keys = Object.keys(object);
  if (keys.length === 0) return 'no keys';
  const shown = keys
    .slice(0, SHOWN_KEYS)
    .map(key => `\`${key.slice(0, 40)}\``)
    .join(', ');
  return `the key${keys.length === 1 ? '' : 's'} ${shown}${
    keys.length > SHOWN_KEYS ? ` and ${keys.length - SHOWN_KEYS} more` : ''
  }`;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
