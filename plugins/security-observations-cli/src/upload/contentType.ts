/** How much of the report's start is read to tell XML from JSON. */
export const CONTENT_TYPE_HEAD_BYTES = 64 * 1024;

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const LESS_THAN = 0x3c;

/**
 * The report's Content-Type, from its first bytes: XML when the first
 * character other than whitespace (after a UTF-8 byte order mark) is `<`,
 * JSON otherwise (SARIF and CycloneDX JSON are JSON too; the backend
 * detects the format from the content).
 */
export function detectContentType(
  head: Uint8Array,
): 'application/xml' | 'application/json' {
  let index = UTF8_BOM.every((byte, i) => head[i] === byte) ? 3 : 0;
  while (index < head.length && WHITESPACE.has(head[index])) index++;
  return head[index] === LESS_THAN ? 'application/xml' : 'application/json';
}
