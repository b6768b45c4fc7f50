import { getDefaults, Lexer, Token } from 'marked';

/*
 * What the two Jira renderers of markdown (wiki markup for Data Center,
 * Atlassian Document Format for Cloud) share: the lexer, HTML entities and
 * which links they keep. Parts of an issue's markdown come from scanners
 * and are untrusted.
 */

export const ENTITY =
  /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;

/** The named entities scanners actually write; others stay as written. */
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  shy: '\u00ad',
  zwsp: '\u200b',
  zwnj: '\u200c',
  zwj: '\u200d',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  times: '×',
  divide: '÷',
  plusmn: '±',
  deg: '°',
  sect: '§',
  para: '¶',
  larr: '←',
  rarr: '→',
  uarr: '↑',
  darr: '↓',
  harr: '↔',
  le: '≤',
  ge: '≥',
  ne: '≠',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
};

/** HTML entities as the characters they stand for; unknown ones stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code =
        name[1] === 'x' || name[1] === 'X'
          ? parseInt(name.slice(2), 16)
          : parseInt(name.slice(1), 10);
      const valid =
        code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return String.fromCodePoint(valid ? code : 0xfffd);
    }
    return NAMED_ENTITIES[name] ?? whole;
  });
}

/** The tokens of markdown, with fresh options: another `marked.use()` must not change them. */
export function lexMarkdown(markdown: string): Token[] {
  const lexer = new Lexer({
    ...getDefaults(),
    gfm: true,
    breaks: false,
    pedantic: false,
  });
  return lexer.lex(markdown);
}

/**
 * A URL that an issue may link to: http(s), and mailto where `allowMail`;
 * never `javascript:`, `data:` or `file:`. Undefined for anything else.
 */
export function safeHref(href: string, allowMail: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(decodeEntities(href).trim());
  } catch {
    return undefined;
  }
  const allowed = ['http:', 'https:', ...(allowMail ? ['mailto:'] : [])];
  return allowed.includes(url.protocol) ? url.href : undefined;
}
