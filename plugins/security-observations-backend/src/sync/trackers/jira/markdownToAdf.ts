import { markdownToAdf as marklassian } from 'marklassian';

/**
 * Markdown as an Atlassian Document Format document (Jira Cloud's rich
 * text), by `marklassian`. Scanner text is untrusted, and marklassian
 * embeds raw `<adf>{...}</adf>` HTML as ADF nodes (a mention that pings
 * someone, a media node) and throws on one that is not JSON: a zero-width
 * space after the `<` keeps such a tag plain text.
 */
export function markdownToAdf(markdown: string): unknown {
  return marklassian(markdown.replace(/<(\/?adf\b)/gi, '<\u200b$1'));
}
