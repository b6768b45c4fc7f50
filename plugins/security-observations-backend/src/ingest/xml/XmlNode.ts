/** Whether `local` inside `parentLocal` is a list item, whose paths show its index. */
export type ListItemRule = (parentLocal: string, local: string) => boolean;

/**
 * One element of an XML report, materialized with its descendants: what
 * `XmlStream` hands over for the small parts of a report a parser reads
 * whole (a vulnerability, a component's name). The large parts are never
 * built as trees.
 */
export class XmlNode {
  readonly children: XmlNode[] = [];
  /** The element's own character data (text and CDATA), untrimmed. */
  text = '';

  constructor(
    /** The name as written, prefix included (`v:vulnerability`). */
    readonly name: string,
    /** The namespace URI, `''` for none. */
    readonly uri: string,
    readonly local: string,
    /** Attributes by their name as written. */
    readonly attributes: Readonly<Record<string, string>>,
    /** Where the start tag ends, 1-based. */
    readonly line: number,
    readonly column: number,
    /** The parent node; none for the element a handler collected. */
    readonly parent: XmlNode | undefined,
    /** The collected element's own path (for the others, made from the parent's). */
    private readonly rootPath: string | undefined,
    private readonly isListItem: ListItemRule,
  ) {}

  /**
   * The element's path in the document, e.g.
   * `bom/vulnerabilities/vulnerability[3]/ratings`: spelled out only when
   * something fails.
   */
  get path(): string {
    const { parent } = this;
    if (!parent) return this.rootPath ?? this.name;
    let index = 0;
    for (const sibling of parent.children) {
      if (sibling.name === this.name) index++;
      if (sibling === this) break;
    }
    const step =
      index > 1 || this.isListItem(parent.local, this.local)
        ? `${this.name}[${index}]`
        : this.name;
    return `${parent.path}/${step}`;
  }

  /** The first child with this local name in namespace `uri`. */
  child(local: string, uri: string): XmlNode | undefined {
    return this.children.find(
      child => child.local === local && child.uri === uri,
    );
  }

  /** Every child with this local name in namespace `uri`, in document order. */
  all(local: string, uri: string): XmlNode[] {
    return this.children.filter(
      child => child.local === local && child.uri === uri,
    );
  }

  /** Where the element is, for error messages: `line 12, column 7`. */
  get position(): string {
    return `line ${this.line}, column ${this.column}`;
  }
}
