import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, SaxesTagNS, XMLDecl } from 'saxes';
import { ReportBytes } from '../json/ReportBytes';
import { ReportParseError } from '../parsers/ReportParseError';
import { ListItemRule, XmlNode } from './XmlNode';

/** An element's start tag, as a handler is shown it. */
export interface XmlElement {
  /** The name as written, prefix included. */
  readonly name: string;
  /** The namespace URI, `''` for none. */
  readonly uri: string;
  readonly local: string;
  /** Attributes by their name as written. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly line: number;
  readonly column: number;
  /** The element's path, e.g. `bom/components`: spelled out when asked. */
  readonly path: string;
}

/** What a handler wants done with an element it is shown. */
export type XmlDecision =
  /** Show its children one at a time: a list that can be large. */
  | 'descend'
  /** Ignore it and everything in it. */
  | 'skip'
  /** Build it whole, and hand it to `collected` at its end tag. */
  | XmlCollect;

export interface XmlCollect {
  collect: true;
  /** Local names of descendants left out of the tree (large parts not read). */
  without?: ReadonlySet<string>;
}

/** A format's reading of the document's elements, as they stream by. */
export interface XmlHandler {
  /** Shown the root, then each child of an element it descended into. */
  open(element: XmlElement): XmlDecision;
  /** The end of an element it descended into. */
  close(element: XmlElement): void;
  /** An element it collected, with its descendants. */
  collected(node: XmlNode): void;
}

export interface XmlStreamOptions {
  /** The format's name in error messages, e.g. `CycloneDX XML`. */
  label: string;
  /**
   * Whether `local` inside `parentLocal` is an item of a list, whose index
   * paths always show (`vulnerability[1]`); other elements show theirs only
   * from the second of a name on. Plural container names by default.
   */
  isListItem?: ListItemRule;
  /** Most bytes decoded and parsed per `pump()`. */
  chunkBytes?: number;
}

/** `ratings/rating`, `advisories/advisory`, `properties/property`, ... */
export function isPluralListItem(parentLocal: string, local: string): boolean {
  const extra = parentLocal.length - local.length;
  if (extra < 1 || extra > 2 || !parentLocal.startsWith(local)) {
    return (
      local.endsWith('y') &&
      parentLocal.length === local.length + 2 &&
      parentLocal.startsWith(local.slice(0, -1)) &&
      parentLocal.endsWith('ies')
    );
  }
  return parentLocal.endsWith(extra === 1 ? 's' : 'es');
}

const CHUNK_BYTES = 256 * 1024;

/**
 * How deep elements may nest. CycloneDX XML stays under 30 levels; the
 * limit matters because the parser resolves each element's namespace by
 * walking up its open elements: a report nested 100,000 deep would take
 * minutes of one core (quadratic), one nested 128 deep costs little.
 */
export const MAX_XML_DEPTH = 128;

/** Encodings the bytes are read as: UTF-8, and its ASCII subset. */
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** An element the handler descended into. */
interface Frame {
  element: Element;
  /** Its children's names so far, for their indexes: the last, and a map once names alternate. */
  lastChild?: string;
  lastChildIndex: number;
  childCounts?: Map<string, number>;
}

/** An element the handler was shown, its path made when asked. */
class Element implements XmlElement {
  constructor(
    readonly name: string,
    readonly uri: string,
    readonly local: string,
    readonly attributes: Readonly<Record<string, string>>,
    readonly line: number,
    readonly column: number,
    /** The path of its parent (made when asked), and its own step. */
    private readonly parentPath: () => string,
    readonly step: string,
  ) {}

  get path(): string {
    const parentPath = this.parentPath();
    return parentPath ? `${parentPath}/${this.step}` : this.step;
  }
}

/**
 * Streams an XML report from its bytes, a window at a time, through a
 * strict, non-validating parser (saxes): the report is never held whole.
 * Only the elements a handler descends into are tracked one by one; those
 * it collects are built as small trees, and those it skips are only
 * counted through.
 *
 * Safe by construction: a DOCTYPE, and with it any DTD or entity
 * declaration, is refused before anything in it is used, and no entity but
 * XML's five and character references is known, so nothing is fetched
 * (XXE) or expanded ("billion laughs"). Errors are `ReportParseError`s
 * naming the element path and the line and column where reading stopped.
 */
export class XmlStream {
  private readonly parser: SaxesParser<{ xmlns: true }>;
  private readonly decoder = new StringDecoder('utf8');
  private readonly isListItem: ListItemRule;
  private readonly chunkBytes: number;
  /** The elements descended into, from the root. */
  private readonly frames: Frame[] = [];
  /** The element being collected, innermost; and what it leaves out. */
  private current?: XmlNode;
  private without?: ReadonlySet<string>;
  /** The element being skipped (its path), and how deep inside it the parser is. */
  private skipped?: () => string;
  private skipDepth = 0;
  /**
   * The element ended last (a node, a skipped element's path, or a frame
   * and its depth) and its name: where a mismatched end tag was expected.
   */
  private lastClosed?:
    | XmlNode
    | (() => string)
    | { frame: Frame; depth: number };
  private lastClosedName = '';
  /** Elements open now, whatever the handler made of them. */
  private depth = 0;
  private textOn = false;
  private offset = 0;
  private window = Buffer.alloc(0);
  private windowStart = 0;
  private done = false;
  /** The text last written and the end of the one before, for error context. */
  private chunk = '';
  private chunkStart = 0;
  private previousTail = '';

  constructor(
    private readonly bytes: ReportBytes,
    private readonly handler: XmlHandler,
    private readonly options: XmlStreamOptions,
  ) {
    this.isListItem = options.isListItem ?? isPluralListItem;
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    this.parser = new SaxesParser({ xmlns: true, position: true });
    // Six handlers at most: saxes adds each as a property of the parser, and
    // a seventh turns it into a slow dictionary object (5x slower parsing).
    // The XML declaration is read from `parser.xmlDecl` at the root instead.
    this.parser.on('error', error => {
      throw this.malformed(error.message.replace(/^\d+:\d+: /, ''));
    });
    this.parser.on('doctype', () => {
      throw this.fail(
        '',
        `the document has a DOCTYPE (ending at line ${this.parser.line}). ` +
          'Reports with a DTD or entity declarations are refused, so that ' +
          'no entity is fetched (XXE) or expanded ("billion laughs"); ' +
          'remove the DOCTYPE',
      );
    });
    this.parser.on('opentag', tag => this.opened(tag));
    this.parser.on('closetag', tag => this.closed(tag));
  }

  /**
   * Parses the next piece of the report, calling the handler for what it
   * holds. False once the document has been read to its end (and checked
   * for unclosed elements).
   */
  pump(): boolean {
    if (this.done) return false;
    try {
      if (this.offset >= this.bytes.length) {
        this.done = true;
        this.write(this.decoder.end());
        this.parser.close();
        return false;
      }
      let at = this.offset - this.windowStart;
      if (at < 0 || at >= this.window.length) {
        this.window = this.bytes.window(this.offset);
        this.windowStart = this.offset;
        at = 0;
        if (this.window.length === 0) {
          throw new Error(`No bytes at offset ${this.offset} of the report`);
        }
      }
      const chunk = this.window.subarray(at, at + this.chunkBytes);
      this.offset += chunk.length;
      // The decoder keeps a character split between pieces for the next.
      this.write(this.decoder.write(chunk));
      return true;
    } catch (error) {
      // The parser's state is unusable after an error: read no further.
      this.done = true;
      throw error;
    }
  }

  private write(text: string): void {
    if (text.length === 0) return;
    this.previousTail = this.chunk.slice(-16);
    this.chunkStart = this.parser.position;
    this.chunk = text;
    this.parser.write(text);
  }

  /** The path of the first `depth` elements descended into. */
  private framePath(depth: number): string {
    let path = '';
    for (let i = 0; i < depth; i++) {
      const step = this.frames[i].element.step;
      path = path ? `${path}/${step}` : step;
    }
    return path;
  }

  /** The path of where the parser is. */
  private path(): string {
    if (this.skipped) return this.skipped();
    if (this.current) return this.current.path;
    return this.framePath(this.frames.length);
  }

  private fail(path: string, problem: string): ReportParseError {
    return new ReportParseError(this.options.label, path, problem);
  }

  private malformed(message: string): ReportParseError {
    const where = `line ${this.parser.line}, column ${this.parser.column}`;
    if (this.atDeclaration()) {
      return this.fail(
        this.path(),
        `a DTD declaration (<!ENTITY, <!ELEMENT, <!ATTLIST or <!NOTATION) at ${where}. ` +
          'Reports with a DTD or entity declarations are refused, so that ' +
          'no entity is fetched (XXE) or expanded ("billion laughs")',
      );
    }
    const text = message.replace(/\.$/, '');
    let path = this.path();
    let hint = '';
    if (text === 'undefined entity') {
      hint =
        ' (only &amp; &lt; &gt; &quot; &apos; and character references are known: no DTD is read)';
    } else if (text === 'unexpected close tag' && this.lastClosed) {
      // The parser has just ended the element whose end tag it expected.
      const closed = this.lastClosed;
      if (closed instanceof XmlNode) {
        path = closed.path;
      } else if (typeof closed === 'function') {
        path = closed();
      } else {
        const parentPath = this.framePath(closed.depth - 1);
        const step = closed.frame.element.step;
        path = parentPath ? `${parentPath}/${step}` : step;
      }
      hint = ` where </${this.lastClosedName}> was expected`;
    }
    return this.fail(path, `malformed XML at ${where}: ${text}${hint}`);
  }

  /** Whether the parser stopped inside a `<!ENTITY`-like declaration. */
  private atDeclaration(): boolean {
    const at = this.parser.position - this.chunkStart;
    const before =
      (at < 16 ? this.previousTail : '') +
      this.chunk.slice(Math.max(0, at - 16), at + 1);
    return /<!(ENTITY|ELEMENT|ATTLIST|NOTATION)/.test(before);
  }

  private checkEncoding(declaration: XMLDecl): void {
    const encoding = declaration.encoding;
    if (encoding !== undefined && !UTF8_NAMES.has(encoding.toLowerCase())) {
      throw this.fail(
        '',
        `the XML declaration says encoding "${encoding}"; only UTF-8 is read: convert the report to UTF-8`,
      );
    }
  }

  /** The 1-based index of a child named `name` among its parent's children of that name. */
  private nextIndex(frame: Frame, name: string): number {
    if (frame.lastChild === name) return ++frame.lastChildIndex;
    if (frame.lastChild !== undefined) {
      frame.childCounts ??= new Map();
      frame.childCounts.set(frame.lastChild, frame.lastChildIndex);
    }
    frame.lastChild = name;
    frame.lastChildIndex = (frame.childCounts?.get(name) ?? 0) + 1;
    return frame.lastChildIndex;
  }

  private opened(tag: SaxesTagNS): void {
    if (++this.depth > MAX_XML_DEPTH) {
      throw this.fail(
        this.path(),
        `elements nest deeper than ${MAX_XML_DEPTH} levels at line ${this.parser.line}, column ${this.parser.column}: no report format needs that`,
      );
    }
    if (this.skipped) {
      this.skipDepth++;
      return;
    }
    const current = this.current;
    if (current) {
      if (this.without?.has(tag.local)) {
        this.skip(() => `${current.path}/${tag.name}`);
        return;
      }
      const node = new XmlNode(
        tag.name,
        tag.uri,
        tag.local,
        attributesOf(tag),
        this.parser.line,
        this.parser.column,
        current,
        undefined,
        this.isListItem,
      );
      current.children.push(node);
      this.current = node;
      return;
    }

    const parent: Frame | undefined = this.frames[this.frames.length - 1];
    if (!parent) this.checkEncoding(this.parser.xmlDecl);
    const depth = this.frames.length;
    const index = parent ? this.nextIndex(parent, tag.name) : 1;
    const step =
      index > 1 || (parent && this.isListItem(parent.element.local, tag.local))
        ? `${tag.name}[${index}]`
        : tag.name;
    const parentPath = () => this.framePath(depth);
    const element = new Element(
      tag.name,
      tag.uri,
      tag.local,
      attributesOf(tag),
      this.parser.line,
      this.parser.column,
      parentPath,
      step,
    );
    const decision = this.handler.open(element);
    if (decision === 'descend') {
      this.frames.push({ element, lastChildIndex: 0 });
    } else if (decision === 'skip') {
      this.skip(() => element.path);
    } else {
      this.without = decision.without;
      this.current = new XmlNode(
        tag.name,
        tag.uri,
        tag.local,
        element.attributes,
        element.line,
        element.column,
        undefined,
        element.path,
        this.isListItem,
      );
      this.setText(true);
    }
  }

  private skip(path: () => string): void {
    this.skipped = path;
    this.skipDepth = 0;
    this.setText(false);
  }

  private closed(tag: SaxesTagNS): void {
    this.depth--;
    if (this.skipped) {
      if (this.skipDepth > 0) {
        this.skipDepth--;
        return;
      }
      this.lastClosed = this.skipped;
      this.lastClosedName = tag.name;
      this.skipped = undefined;
      this.setText(this.current !== undefined);
      return;
    }
    const node = this.current;
    if (node) {
      this.lastClosed = node;
      this.lastClosedName = node.name;
      this.current = node.parent;
      if (!node.parent) {
        this.setText(false);
        this.handler.collected(node);
      }
      return;
    }
    const depth = this.frames.length;
    const frame = this.frames.pop()!;
    this.lastClosed = { frame, depth };
    this.lastClosedName = frame.element.name;
    this.handler.close(frame.element);
  }

  /**
   * Character data is only decoded inside collected elements: the parser
   * then keeps no text of the parts skipped (large attachments).
   */
  private setText(on: boolean): void {
    if (on === this.textOn) return;
    this.textOn = on;
    if (on) {
      this.parser.on('text', this.appendText);
      this.parser.on('cdata', this.appendText);
    } else {
      this.parser.off('text');
      this.parser.off('cdata');
    }
  }

  private readonly appendText = (text: string) => {
    if (this.current) this.current.text += text;
  };
}

function attributesOf(tag: SaxesTagNS): Readonly<Record<string, string>> {
  let attributes: Record<string, string> | undefined;
  for (const name in tag.attributes) {
    if (Object.prototype.hasOwnProperty.call(tag.attributes, name)) {
      attributes ??= {};
      attributes[name] = tag.attributes[name].value;
    }
  }
  return attributes ?? NO_ATTRIBUTES;
}
