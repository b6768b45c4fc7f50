import { MarkedToken, Token, Tokens } from 'marked';
import { decodeEntities, lexMarkdown, safeHref } from './markdownTokens';

/*
 * How Jira Data Center's renderer (atlassian-renderer) reads wiki markup,
 * which decides the escaping below:
 * - macros (`{code}`, `{html}`, `{color}`…), tables and links are parsed
 *   before backslash escapes are applied, so `\{`, `\|` and `\[` depend on
 *   each of those parsers honouring the backslash; numeric entities do not,
 *   and the renderer keeps entities as they are. Those characters, and the
 *   backslash itself (`\\` is a line break, not an escaped backslash), are
 *   written as entities.
 * - `\*`, `\_`, `\-`, `\+`, `\^`, `\~`, `\?`, `\!`, `\#` become entities
 *   before phrases (`*bold*`), dashes, emoticons and images (`!url!`) are
 *   looked for, so the backslash escape is enough for them.
 * - phrases only open after, and close before, a character that is not a
 *   letter or digit, and cannot span a line; `{*}bold{*}` works anywhere.
 */

/** Everything the scanner's description could use to add markup. */
const STRUCTURAL = /[\\{}[\]|]/g;
const PHRASE = /[*_\-+^~?!]/g;
/** An `&` that the renderer would read as the start of an entity. */
const ENTITY_START = /&(?=#?[A-Za-z0-9]+;)/g;
/** A phrase's content may only hold these (PhraseRendererComponent). */
const NOT_PHRASE_CONTENT = /[^\p{L}\p{Nd}\p{Z}\p{S}\p{M}\p{P}]/gu;
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;

/**
 * Fence languages Jira Data Center's `{code}` highlights; any other
 * language makes Jira print an error, so that code goes in `{noformat}`.
 */
const JIRA_LANGUAGES: Record<string, string> = {
  actionscript: 'actionscript',
  ada: 'ada',
  applescript: 'applescript',
  bash: 'bash',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  c: 'c',
  'c#': 'c#',
  cs: 'c#',
  csharp: 'c#',
  'c++': 'c++',
  cpp: 'c++',
  cxx: 'c++',
  css: 'css',
  erlang: 'erlang',
  go: 'go',
  golang: 'go',
  groovy: 'groovy',
  haskell: 'haskell',
  html: 'html',
  java: 'java',
  javascript: 'javascript',
  js: 'javascript',
  json: 'json',
  lua: 'lua',
  objc: 'objc',
  'objective-c': 'objc',
  perl: 'perl',
  php: 'php',
  python: 'python',
  py: 'python',
  r: 'r',
  ruby: 'ruby',
  rb: 'ruby',
  scala: 'scala',
  sql: 'sql',
  swift: 'swift',
  vb: 'visualbasic',
  visualbasic: 'visualbasic',
  xml: 'xml',
  yaml: 'yaml',
  yml: 'yaml',
};

interface InlineContext {
  /** Lists, table cells, headings, phrases and links hold one line. */
  singleLine: boolean;
  /** A link's text cannot hold another link. */
  inLink: boolean;
}

const PARAGRAPH: InlineContext = { singleLine: false, inLink: false };
const ONE_LINE: InlineContext = { singleLine: true, inLink: false };

function entity(char: string): string {
  return `&#${char.codePointAt(0)};`;
}

/** Literal text: nothing in it can be read as wiki markup. */
function escapeText(text: string, context: InlineContext): string {
  const lines = text.replace(/\r\n?/g, '\n');
  return (
    (context.singleLine ? lines.replace(/\n/g, ' ') : lines)
      .replace(ENTITY_START, '&amp;')
      .replace(STRUCTURAL, entity)
      .replace(PHRASE, '\\$&')
      // Jira links bare URLs itself, with any scheme it knows (`file://`).
      .replace(/:(?=\/\/)/g, '&#58;')
      .replace(/\b(mailto|file|news|nntp):/gi, '$1&#58;')
  );
}

/** `#`, `h1.` and `bq.` only mean something at the start of a line. */
function guardLineStarts(text: string): string {
  return text
    .split('\n')
    .map(line =>
      line
        .replace(/^(\s*)#/, '$1\\#')
        .replace(
          /^(\s*)(h[1-6]|bq)\./i,
          (_, space: string, word: string) =>
            `${space}${entity(word[0])}${word.slice(1)}.`,
        ),
    )
    .join('\n');
}

/** A URL Jira may link to (`safeHref`), written so wiki markup cannot end it. */
function safeUrl(href: string, allowMail: boolean): string | undefined {
  // `]` and `|` would end the link, `{` would open a macro.
  return safeHref(href, allowMail)?.replace(
    /[\s[\]|{}!^\\"<>`]/g,
    char =>
      `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** `{*}x{*}` and `{{{}x{}}}` are how Jira formats inside a word. */
function delimiters(marker: string, hugged: boolean): [string, string] {
  if (marker === '{{') return hugged ? ['{{{}', '{}}}'] : ['{{', '}}'];
  return hugged ? [`{${marker}}`, `{${marker}}`] : [marker, marker];
}

/** A piece of a line: finished text, or a phrase waiting for neighbours. */
type Piece = string | { marker: string; content: string };

/**
 * `*bold*` where Jira will see it, `{*}bold{*}` next to letters or digits;
 * the spaces at its ends go outside, where Jira wants them.
 */
function phrase(
  marker: string,
  content: string,
  before: string,
  after: string,
): string {
  const inner = content.trim();
  const lead = content.slice(0, content.indexOf(inner));
  const trail = content.slice(lead.length + inner.length);
  const hugged =
    LETTER_OR_DIGIT.test((lead || before).slice(-1)) ||
    LETTER_OR_DIGIT.test((trail || after).slice(0, 1));
  const [open, close] = delimiters(marker, hugged);
  return `${lead}${open}${inner.replace(
    NOT_PHRASE_CONTENT,
    entity,
  )}${close}${trail}`;
}

function renderInlines(tokens: Token[], context: InlineContext): string {
  const pieces: Piece[] = [];
  let text = '';
  const flush = () => {
    if (text) pieces.push(escapeText(text, context));
    text = '';
  };
  // Jira shows empty delimiters as they are: blank content goes as text.
  const pushPhrase = (marker: string, content: string) =>
    pieces.push(content.trim() ? { marker, content } : content);
  const inner = { ...context, singleLine: true };
  for (const token of tokens as MarkedToken[]) {
    switch (token.type) {
      case 'text':
        if (token.tokens) {
          flush();
          pieces.push(renderInlines(token.tokens, context));
        } else {
          text += decodeEntities(token.text);
        }
        break;
      case 'escape':
        text += token.text;
        break;
      case 'html':
        // Raw HTML is shown as it was written, never interpreted.
        text += token.text;
        break;
      case 'strong':
      case 'em':
      case 'del':
        flush();
        pushPhrase(
          { strong: '*', em: '_', del: '-' }[token.type],
          renderInlines(token.tokens, inner),
        );
        break;
      case 'codespan':
        flush();
        pushPhrase('{{', escapeText(token.text, ONE_LINE));
        break;
      case 'br':
        flush();
        // Jira's `\\` must not touch a following backslash escape.
        pieces.push(context.singleLine ? ' \\\\ ' : '\n');
        break;
      case 'link': {
        flush();
        const label = renderInlines(token.tokens, { ...inner, inLink: true });
        const url = context.inLink ? undefined : safeUrl(token.href, true);
        pieces.push(
          url
            ? `[${label.trim() || escapeText(url, ONE_LINE)}|${url}]`
            : label || escapeText(decodeEntities(token.href), ONE_LINE),
        );
        break;
      }
      case 'image': {
        flush();
        // A link, not `!url!`: Jira would fetch the image from the scanner's URL.
        const alt = escapeText(decodeEntities(token.text), ONE_LINE);
        const url = context.inLink ? undefined : safeUrl(token.href, false);
        pieces.push(
          url ? `[${alt.trim() || escapeText(url, ONE_LINE)}|${url}]` : alt,
        );
        break;
      }
      default:
        text +=
          'text' in token && typeof token.text === 'string'
            ? token.text
            : token.raw;
    }
  }
  flush();
  let out = '';
  pieces.forEach((piece, index) => {
    if (typeof piece === 'string') {
      out += piece;
      return;
    }
    // A phrase never starts with a letter, so only text can hug this one.
    const next = pieces[index + 1];
    out += phrase(
      piece.marker,
      piece.content,
      out,
      typeof next === 'string' ? next : '',
    );
  });
  return out;
}

/** Code as written; only a closing macro tag inside it is broken up. */
function codeBlock(text: string, lang: string | undefined): string {
  const language =
    JIRA_LANGUAGES[(lang ?? '').trim().split(/\s/)[0].toLowerCase()];
  // A zero-width space keeps `{code}`, `{noformat}` or `{quote}` in the code
  // from ending this block or an enclosing quote.
  const body = text.replace(/\{(?=code|noformat|quote)/gi, '{\u200b');
  return language
    ? `{code:${language}}\n${body}\n{code}`
    : `{noformat}\n${body}\n{noformat}`;
}

function renderTable(token: Tokens.Table): string {
  // An empty cell would make `||`, the start of a header cell.
  const cell = (c: Tokens.TableCell) =>
    renderInlines(c.tokens, ONE_LINE).trim() || ' ';
  return [
    `||${token.header.map(cell).join('||')}||`,
    ...token.rows.map(row => `|${row.map(cell).join('|')}|`),
  ].join('\n');
}

/** Blocks a list item can hold on its own line. */
function itemLine(token: MarkedToken): string | undefined {
  switch (token.type) {
    case 'text':
      return token.tokens
        ? renderInlines(token.tokens, ONE_LINE)
        : escapeText(decodeEntities(token.text), ONE_LINE);
    case 'paragraph':
    case 'heading':
      return renderInlines(token.tokens, ONE_LINE);
    case 'html':
      return escapeText(token.text, ONE_LINE);
    case 'space':
      return '';
    default:
      return undefined;
  }
}

/**
 * Jira list items are one line each, nesting by repeating the marker
 * (`*`, `**`, `#*`); blocks Jira cannot nest in an item follow it.
 */
function renderList(
  token: Tokens.List,
  prefix: string,
  inQuote: boolean,
): string {
  const marker = `${prefix}${token.ordered ? '#' : '*'}`;
  const lines: string[] = [];
  for (const item of token.items) {
    const parts: string[] = [];
    const rest: string[] = [];
    for (const child of item.tokens as MarkedToken[]) {
      const line = rest.length === 0 ? itemLine(child) : undefined;
      if (line !== undefined) {
        if (line.trim()) parts.push(line.trim());
      } else if (child.type === 'list') {
        rest.push(renderList(child, marker, inQuote));
      } else {
        const block = renderBlock(child, inQuote);
        if (block) rest.push(block);
      }
    }
    let box = '';
    if (item.task) box = item.checked ? '☑ ' : '☐ ';
    if (parts.length > 0 || box) {
      lines.push(`${marker} ${box}${parts.join(' \\\\ ')}`.trimEnd());
    }
    lines.push(...rest);
  }
  return lines.join('\n');
}

function renderBlock(token: MarkedToken, inQuote: boolean): string {
  switch (token.type) {
    case 'space':
    case 'def':
      return '';
    case 'heading': {
      const text = renderInlines(token.tokens, ONE_LINE).trim();
      return text ? `h${token.depth}. ${text}` : '';
    }
    case 'paragraph':
      return guardLineStarts(renderInlines(token.tokens, PARAGRAPH));
    case 'text':
      return guardLineStarts(
        token.tokens
          ? renderInlines(token.tokens, PARAGRAPH)
          : escapeText(decodeEntities(token.text), PARAGRAPH),
      );
    case 'code':
      return codeBlock(token.text, token.lang);
    case 'blockquote': {
      // `{quote}` does not nest: a quote in a quote joins it.
      const inner = renderBlocks(token.tokens, true);
      return inQuote || !inner ? inner : `{quote}\n${inner}\n{quote}`;
    }
    case 'list':
      return renderList(token, '', inQuote);
    case 'table':
      return renderTable(token);
    case 'hr':
      return '----';
    case 'html':
      // Raw HTML is shown as it was written, never interpreted.
      return guardLineStarts(escapeText(token.text.trimEnd(), PARAGRAPH));
    default:
      return guardLineStarts(escapeText(token.raw.trimEnd(), PARAGRAPH));
  }
}

function renderBlocks(tokens: Token[], inQuote: boolean): string {
  return (tokens as MarkedToken[])
    .map(token => renderBlock(token, inQuote))
    .filter(Boolean)
    .join('\n\n');
}

/**
 * Jira Data Center wiki markup for an issue body written in markdown.
 * Parts of the body come from scanners and are untrusted: their text is
 * escaped so it shows as written and cannot add markup (links, user
 * mentions, images, macros), and only http(s) and mailto URLs are linked.
 */
export function markdownToJiraWiki(markdown: string): string {
  return renderBlocks(lexMarkdown(markdown), false).trimEnd();
}
