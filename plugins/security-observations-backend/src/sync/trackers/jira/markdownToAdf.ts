import { MarkedToken, Token, Tokens } from 'marked';
import { decodeEntities, lexMarkdown, safeHref } from './markdownTokens';

/** A node of an Atlassian Document Format document. */
export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: AdfMark[];
}

type AdfMark = { type: string; attrs?: Record<string, unknown> };

/** An ADF document, as Jira Cloud's REST v3 takes rich text. */
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

/** Text with the marks around it; ADF refuses empty text nodes. */
function text(value: string, marks: AdfMark[]): AdfNode[] {
  if (!value) return [];
  return [{ type: 'text', text: value, ...(marks.length ? { marks } : {}) }];
}

/**
 * ADF allows `code` only next to `link`: inside bold or a strikethrough
 * the code mark goes and the text stays.
 */
function withMark(marks: AdfMark[], mark: AdfMark): AdfMark[] {
  const hasCode = marks.some(m => m.type === 'code');
  if (mark.type === 'code') {
    return [...marks.filter(m => m.type === 'link'), mark];
  }
  if (hasCode && mark.type !== 'link') return marks;
  return [...marks.filter(m => m.type !== mark.type), mark];
}

function inlines(tokens: Token[] | undefined, marks: AdfMark[]): AdfNode[] {
  const nodes: AdfNode[] = [];
  for (const token of (tokens ?? []) as MarkedToken[]) {
    switch (token.type) {
      case 'text':
        nodes.push(
          ...('tokens' in token && token.tokens
            ? inlines(token.tokens, marks)
            : text(decodeEntities(token.text), marks)),
        );
        break;
      case 'escape':
        nodes.push(...text(token.text, marks));
        break;
      case 'html':
        // Raw HTML from a scanner is text, shown as it was written.
        nodes.push(...text(token.raw, marks));
        break;
      case 'strong':
        nodes.push(
          ...inlines(token.tokens, withMark(marks, { type: 'strong' })),
        );
        break;
      case 'em':
        nodes.push(...inlines(token.tokens, withMark(marks, { type: 'em' })));
        break;
      case 'del':
        nodes.push(
          ...inlines(token.tokens, withMark(marks, { type: 'strike' })),
        );
        break;
      case 'codespan':
        nodes.push(
          ...text(
            decodeEntities(token.text),
            withMark(marks, { type: 'code' }),
          ),
        );
        break;
      case 'br':
        nodes.push({ type: 'hardBreak' });
        break;
      case 'link': {
        const href = safeHref(token.href, true);
        const linked = href
          ? withMark(marks, { type: 'link', attrs: { href } })
          : marks;
        const label = inlines(token.tokens, linked);
        nodes.push(
          ...(label.length
            ? label
            : text(href ?? decodeEntities(token.href), linked)),
        );
        break;
      }
      case 'image': {
        // A link, never a media node: readers' browsers would fetch the
        // image from wherever the scanner's text says.
        const href = safeHref(token.href, false);
        const alt = decodeEntities(token.text) || href || '';
        nodes.push(
          ...text(
            alt,
            href ? withMark(marks, { type: 'link', attrs: { href } }) : marks,
          ),
        );
        break;
      }
      default:
        nodes.push(
          ...text(
            'text' in token && typeof token.text === 'string'
              ? decodeEntities(token.text)
              : token.raw,
            marks,
          ),
        );
    }
  }
  return nodes;
}

/** A paragraph, or nothing when it would be empty. */
function paragraph(content: AdfNode[]): AdfNode[] {
  return content.length ? [{ type: 'paragraph', content }] : [];
}

function listItem(item: Tokens.ListItem): AdfNode {
  // A tight list's items hold text tokens, a loose one's paragraphs.
  const content = blocks(
    item.tokens.map(token =>
      token.type === 'text'
        ? ({ ...token, type: 'paragraph' } as unknown as Token)
        : token,
    ),
  );
  return {
    type: 'listItem',
    content: content.length ? content : [{ type: 'paragraph', content: [] }],
  };
}

function tableCell(cell: Tokens.TableCell, header: boolean): AdfNode {
  return {
    type: header ? 'tableHeader' : 'tableCell',
    content: [{ type: 'paragraph', content: inlines(cell.tokens, []) }],
  };
}

function block(token: MarkedToken): AdfNode[] {
  switch (token.type) {
    case 'heading':
      return [
        {
          type: 'heading',
          attrs: { level: token.depth },
          content: inlines(token.tokens, []),
        },
      ];
    case 'paragraph':
      return paragraph(inlines(token.tokens, []));
    case 'text':
      return paragraph(
        token.tokens
          ? inlines(token.tokens, [])
          : text(decodeEntities(token.text), []),
      );
    case 'code':
      return [
        {
          type: 'codeBlock',
          ...(token.lang
            ? { attrs: { language: token.lang.split(/\s/)[0] } }
            : {}),
          content: text(token.text, []),
        },
      ];
    case 'blockquote': {
      const content = blocks(token.tokens);
      return content.length ? [{ type: 'blockquote', content }] : [];
    }
    case 'list':
      return [
        {
          type: token.ordered ? 'orderedList' : 'bulletList',
          ...(token.ordered
            ? { attrs: { order: Number(token.start) || 1 } }
            : {}),
          content: token.items.map(listItem),
        },
      ];
    case 'hr':
      return [{ type: 'rule' }];
    case 'table':
      return [
        {
          type: 'table',
          attrs: { isNumberColumnEnabled: false, layout: 'default' },
          content: [
            {
              type: 'tableRow',
              content: token.header.map(cell => tableCell(cell, true)),
            },
            ...token.rows.map(row => ({
              type: 'tableRow',
              content: row.map(cell => tableCell(cell, false)),
            })),
          ],
        },
      ];
    case 'html':
      // A block of raw HTML is text, shown as it was written.
      return paragraph(text(token.raw.trim(), []));
    case 'space':
    case 'def':
      return [];
    default:
      return paragraph(text(token.raw.trim(), []));
  }
}

function blocks(tokens: Token[]): AdfNode[] {
  return (tokens as MarkedToken[]).flatMap(block);
}

/**
 * The markdown of an issue body as an Atlassian Document Format document
 * (Jira Cloud's rich text). Parts of it come from scanners and are
 * untrusted: raw HTML stays text, only http(s) and mailto URLs become
 * links, images become links (a media node would make every reader's
 * browser fetch the scanner's URL), and nothing can add a mention or
 * another node of its own.
 */
export function markdownToAdf(markdown: string): AdfDocument {
  return { type: 'doc', version: 1, content: blocks(lexMarkdown(markdown)) };
}
