/**
 * The URL when it is an absolute http(s) address, else undefined. Addresses
 * from scanners and trackers are untrusted: anything else (`javascript:`,
 * `data:`, app-relative paths) is shown as text, never linked.
 */
export function safeHttpUrl(
  url: string | null | undefined,
): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:'
      ? parsed.toString()
      : undefined;
  } catch {
    return undefined;
  }
}
