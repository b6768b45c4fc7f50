/**
 * Markdown building blocks for finding descriptions. Scanner text is
 * untrusted: these keep it from breaking out of the construct it is put in.
 */

/** A link whose text cannot end the brackets and whose URL cannot end the parentheses. */
export function mdLink(text: string, url: string): string {
  const safeText = text.replace(/([[\]\\])/g, '\\$1');
  const safeUrl = url
    .trim()
    .replace(/ /g, '%20')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29');
  return `[${safeText}](${safeUrl})`;
}

/** Inline code for untrusted text, without the backticks that would end it. */
export function code(value: string): string {
  return `\`${value.replace(/[`\r\n]/g, ' ')}\``;
}

/** A fenced code block whose fence is longer than any backtick run in the code. */
export function fenced(text: string, language = ''): string {
  const longestRun = Math.max(
    2,
    ...(text.match(/`+/g) ?? []).map(run => run.length),
  );
  const fence = '`'.repeat(longestRun + 1);
  return `${fence}${language}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

/** Markdown list of http(s) links; anything else is left out. */
export function links(urls: Array<string | undefined>): string | undefined {
  const safe = [
    ...new Set(
      urls.filter(
        (url): url is string =>
          url !== undefined && /^https?:\/\/[^\s<>]+$/i.test(url),
      ),
    ),
  ];
  return safe.length > 0 ? safe.map(url => `- <${url}>`).join('\n') : undefined;
}

/** The parts that are not missing or blank, as paragraphs. */
export function paragraphs(parts: Array<string | undefined>): string {
  return parts.filter(part => part && part.trim() !== '').join('\n\n');
}
