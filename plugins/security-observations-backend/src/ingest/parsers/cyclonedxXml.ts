import { ReportBytes } from '../json/ReportBytes';
import { XmlNode } from '../xml/XmlNode';
import {
  isPluralListItem,
  XmlDecision,
  XmlElement,
  XmlHandler,
  XmlStream,
} from '../xml/XmlStream';
import {
  CdxAffect,
  CdxComponent,
  CdxComponentIndex,
  CdxVulnerability,
  cyclonedxFindings,
  cyclonedxScanner,
} from './cyclonedx';
import { ReportParseError } from './ReportParseError';
import { ParsedFinding, ReportReading, XmlReportParser } from './types';

/*
 * CycloneDX XML 1.2 to 1.7, read as a stream: components are indexed as
 * they pass, each vulnerability is built whole (it is small) and mapped by
 * the mapping the JSON parser uses, so the same BOM gives the same findings
 * in either shape.
 *
 * The schema puts `metadata` and `components` before `vulnerabilities`, so
 * every component a vulnerability names is known when it is read. A
 * document that puts components after vulnerabilities is refused rather
 * than read with identities that would differ from its JSON twin. A ref
 * that names no component keeps its finding, identified by the ref (as in
 * JSON).
 */

const LABEL = 'CycloneDX XML';
const SPEC_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'];
const BOM_NAMESPACE = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/;
/** The vulnerability extension of CycloneDX 1.2 and 1.3 (grype, jake, ...). */
const VULNERABILITY_EXTENSION =
  'http://cyclonedx.org/schema/ext/vulnerability/1.0';

/** Parts of a vulnerability the mapping does not read, some of them large. */
const NOT_READ = new Set([
  'proofOfConcept',
  'credits',
  'tools',
  'properties',
  'workaround',
]);

/** The component fields that are read. */
const COMPONENT_FIELDS = new Set(['group', 'name', 'version', 'purl']);

/** `bom/vulnerabilities/vulnerability[3]/affects/target[1]`: list items show their index. */
function isListItem(parentLocal: string, local: string): boolean {
  return (
    isPluralListItem(parentLocal, local) ||
    (parentLocal === 'affects' && local === 'target')
  );
}

type Frame =
  | { role: 'bom' | 'metadata' | 'components' | 'vulnerabilities' }
  | { role: 'component'; component: CdxComponent; bomRef?: string }
  | { role: 'extensionVulnerabilities'; component?: IndexedComponent };

interface IndexedComponent {
  component: CdxComponent;
  bomRef?: string;
}

function fail(node: { path: string }, problem: string): never {
  throw new ReportParseError(LABEL, node.path, problem);
}

/** Trimmed text of an element; empty is missing (writers emit empty elements for nothing). */
function token(node: XmlNode | undefined): string | undefined {
  const text = node?.text.trim();
  return text ? text : undefined;
}

function numberOf(node: XmlNode | undefined): number | undefined {
  const text = token(node);
  if (text === undefined || !node) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) {
    fail(node, `expected a number (${node.position})`);
  }
  return value;
}

/** The reading of one document: the stream's handler, and what it found. */
class CycloneDxXmlReading implements XmlHandler {
  readonly stream: XmlStream;
  private readonly frames: Frame[] = [];
  private readonly components: CdxComponentIndex = new Map();
  private namespace = '';
  private vulnerabilitiesSeen = false;
  readonly toolNames: Array<string | undefined> = [];
  /** Whether what describes the report (the root, metadata) is read. */
  headerRead = false;
  /** Findings made and not yet handed out. */
  queue: ParsedFinding[] = [];

  constructor(report: ReportBytes) {
    this.stream = new XmlStream(report, this, { label: LABEL, isListItem });
  }

  open(element: XmlElement): XmlDecision {
    const parent = this.frames[this.frames.length - 1];
    if (!parent) return this.openRoot(element);
    const inBom = element.uri === this.namespace;
    const inExtension = element.uri === VULNERABILITY_EXTENSION;
    const { local } = element;
    switch (parent.role) {
      case 'bom':
        if (!(inBom && local === 'metadata')) this.headerRead = true;
        if (inBom && (local === 'metadata' || local === 'components')) {
          if (this.vulnerabilitiesSeen) {
            fail(
              element,
              `comes after the vulnerabilities (line ${element.line}); the CycloneDX schema puts ${local} first, and the vulnerabilities are read with the components known`,
            );
          }
          return this.push({ role: local });
        }
        if (inBom && local === 'vulnerabilities') {
          this.vulnerabilitiesSeen = true;
          return this.push({ role: 'vulnerabilities' });
        }
        if (inExtension && local === 'vulnerabilities') {
          this.vulnerabilitiesSeen = true;
          return this.push({ role: 'extensionVulnerabilities' });
        }
        return 'skip';
      case 'metadata':
        if (inBom && local === 'component') return this.openComponent(element);
        if (inBom && local === 'tools') return { collect: true };
        return 'skip';
      case 'components':
        if (inBom && local === 'component') return this.openComponent(element);
        return 'skip';
      case 'component':
        if (inBom && COMPONENT_FIELDS.has(local)) return { collect: true };
        if (inBom && local === 'components') {
          this.index(parent);
          return this.push({ role: 'components' });
        }
        if (inExtension && local === 'vulnerabilities') {
          this.index(parent);
          return this.push({
            role: 'extensionVulnerabilities',
            component: { component: parent.component, bomRef: parent.bomRef },
          });
        }
        return 'skip';
      case 'vulnerabilities':
        if (inBom && local === 'vulnerability') {
          return { collect: true, without: NOT_READ };
        }
        return 'skip';
      case 'extensionVulnerabilities':
        if (inExtension && local === 'vulnerability') return { collect: true };
        return 'skip';
      default:
        return 'skip';
    }
  }

  close(): void {
    const frame = this.frames.pop();
    if (frame?.role === 'component') this.index(frame);
    if (frame?.role === 'metadata') this.headerRead = true;
    if (frame?.role === 'bom') this.headerRead = true;
  }

  collected(node: XmlNode): void {
    const parent = this.frames[this.frames.length - 1];
    switch (parent?.role) {
      case 'component':
        parent.component[node.local as keyof CdxComponent] = token(node);
        return;
      case 'metadata':
        this.toolNames.push(...this.toolNamesOf(node));
        return;
      case 'vulnerabilities':
        this.queue.push(...this.findingsOf(node, this.vulnerabilityOf(node)));
        return;
      case 'extensionVulnerabilities':
        this.queue.push(
          ...this.findingsOf(
            node,
            this.extensionVulnerabilityOf(node, parent.component),
          ),
        );
        return;
      default:
    }
  }

  private push(frame: Frame): XmlDecision {
    this.frames.push(frame);
    return 'descend';
  }

  private openRoot(element: XmlElement): XmlDecision {
    const version = BOM_NAMESPACE.exec(element.uri)?.[1];
    if (element.local !== 'bom' || version === undefined) {
      fail(
        { path: '' },
        `the root element is <${element.name}>${
          element.uri
            ? ` in namespace "${element.uri}"`
            : ' without a namespace'
        }; expected a CycloneDX <bom xmlns="http://cyclonedx.org/schema/bom/1.6"> (1.2 to 1.7)`,
      );
    }
    if (!SPEC_VERSIONS.includes(version)) {
      fail(
        element,
        `unsupported version ${version} (namespace "${element.uri}"); expected 1.2 to 1.7`,
      );
    }
    this.namespace = element.uri;
    return this.push({ role: 'bom' });
  }

  private openComponent(element: XmlElement): XmlDecision {
    return this.push({
      role: 'component',
      component: {},
      bomRef: element.attributes['bom-ref'],
    });
  }

  /**
   * Indexes a component by its bom-ref once its own fields are read: at its
   * nested components or extension vulnerabilities (which the schema puts
   * after them), else at its end. The first of a bom-ref wins, parents
   * before children, as in JSON.
   */
  private index(frame: { component: CdxComponent; bomRef?: string }): void {
    const { bomRef } = frame;
    if (bomRef !== undefined && !this.components.has(bomRef)) {
      this.components.set(bomRef, { ...frame.component });
    }
  }

  /** 1.2 to 1.4: `tools/tool`; 1.5+: `tools/components/component`, `tools/services/service`. */
  private toolNamesOf(tools: XmlNode): Array<string | undefined> {
    const ns = this.namespace;
    const named = (items: XmlNode[]) =>
      items.map(tool => token(tool.child('name', ns)));
    return [
      ...named(tools.all('tool', ns)),
      ...named(tools.child('components', ns)?.all('component', ns) ?? []),
      ...named(tools.child('services', ns)?.all('service', ns) ?? []),
    ];
  }

  private findingsOf(
    node: XmlNode,
    vulnerability: CdxVulnerability,
  ): ParsedFinding[] {
    return cyclonedxFindings(vulnerability, this.components, () =>
      fail(
        node,
        `a vulnerability needs an <id> (or a reference id, or a bom-ref); it has none (${node.position})`,
      ),
    );
  }

  /** A 1.4+ `vulnerability` in the shape-neutral form. */
  private vulnerabilityOf(vulnerability: XmlNode): CdxVulnerability {
    const ns = this.namespace;
    const text = (node: XmlNode | undefined) => node?.text;
    const analysis = vulnerability.child('analysis', ns);
    return {
      id: token(vulnerability.child('id', ns)),
      bomRef: vulnerability.attributes['bom-ref'],
      referenceIds: (
        vulnerability.child('references', ns)?.all('reference', ns) ?? []
      )
        .map(reference => token(reference.child('id', ns)))
        .filter((id): id is string => id !== undefined),
      ratings: (
        vulnerability.child('ratings', ns)?.all('rating', ns) ?? []
      ).map(rating => ({
        method: token(rating.child('method', ns)),
        severity: token(rating.child('severity', ns)),
        score: numberOf(rating.child('score', ns)),
        vector: token(rating.child('vector', ns)),
      })),
      cwes: this.cwesOf(vulnerability, ns),
      description: text(vulnerability.child('description', ns)),
      detail: text(vulnerability.child('detail', ns)),
      recommendation: text(vulnerability.child('recommendation', ns)),
      advisories: (
        vulnerability.child('advisories', ns)?.all('advisory', ns) ?? []
      ).map(advisory => ({
        title: text(advisory.child('title', ns)),
        url: token(advisory.child('url', ns)),
      })),
      analysis: analysis && {
        state: token(analysis.child('state', ns)),
        justification: token(analysis.child('justification', ns)),
        responses: (analysis.child('responses', ns)?.all('response', ns) ?? [])
          .map(token)
          .filter((response): response is string => response !== undefined),
        detail: text(analysis.child('detail', ns)),
      },
      affects: (
        vulnerability.child('affects', ns)?.all('target', ns) ?? []
      ).map((target): CdxAffect => {
        const ref = token(target.child('ref', ns));
        if (ref === undefined) {
          fail(
            target,
            `expected a <ref> naming the affected component by its bom-ref (${target.position})`,
          );
        }
        return {
          ref,
          versions: (
            target.child('versions', ns)?.all('version', ns) ?? []
          ).map(entry => ({
            version: token(entry.child('version', ns)),
            range: token(entry.child('range', ns)),
            status: token(entry.child('status', ns)),
          })),
        };
      }),
    };
  }

  /**
   * A `v:vulnerability` of the 1.2/1.3 extension: inside the component it
   * affects, or at the BOM's level naming it with its `ref` attribute.
   */
  private extensionVulnerabilityOf(
    vulnerability: XmlNode,
    enclosing: IndexedComponent | undefined,
  ): CdxVulnerability {
    const ns = VULNERABILITY_EXTENSION;
    const ref = vulnerability.attributes.ref?.trim();
    let affects: CdxAffect[] = [];
    if (enclosing) {
      // Inside its component: grype writes a random `ref` there, so the
      // component itself is what it affects.
      affects = [
        {
          component: { ...enclosing.component },
          ref: enclosing.bomRef,
          versions: [],
        },
      ];
    } else if (ref) {
      affects = [{ ref, versions: [] }];
    }
    const recommendations = (
      vulnerability.child('recommendations', ns)?.all('recommendation', ns) ??
      []
    )
      .map(recommendation => recommendation.text.trim())
      .filter(recommendation => recommendation !== '');
    return {
      id: token(vulnerability.child('id', ns)),
      referenceIds: [],
      ratings: (
        vulnerability.child('ratings', ns)?.all('rating', ns) ?? []
      ).map(rating => {
        const method = token(rating.child('method', ns));
        return {
          // The extension's name for the method ranked as OWASP in 1.4+.
          method: method === 'OWASP Risk' ? 'OWASP' : method,
          severity: token(rating.child('severity', ns)),
          score: numberOf(rating.child('score', ns)?.child('base', ns)),
          vector: token(rating.child('vector', ns)),
        };
      }),
      cwes: this.cwesOf(vulnerability, ns),
      description: vulnerability.child('description', ns)?.text,
      recommendation:
        recommendations.length > 0 ? recommendations.join('\n\n') : undefined,
      advisories: (
        vulnerability.child('advisories', ns)?.all('advisory', ns) ?? []
      ).map(advisory => ({ url: token(advisory) })),
      affects,
    };
  }

  private cwesOf(vulnerability: XmlNode, ns: string): number[] {
    return (vulnerability.child('cwes', ns)?.all('cwe', ns) ?? []).flatMap(
      cwe => {
        const value = numberOf(cwe);
        return value === undefined ? [] : [value];
      },
    );
  }
}

function read(report: ReportBytes): ReportReading {
  const reading = new CycloneDxXmlReading(report);
  // What describes the report (its root and metadata) comes first; the
  // findings are read as they are iterated.
  let more = true;
  while (more && !reading.headerRead) {
    more = reading.stream.pump();
  }
  return {
    format: 'cyclonedx',
    scanner: cyclonedxScanner(reading.toolNames),
    findings: (function* findings(): Generator<ParsedFinding> {
      while (more || reading.queue.length > 0) {
        if (reading.queue.length > 0) {
          const batch = reading.queue;
          reading.queue = [];
          yield* batch;
        } else {
          more = reading.stream.pump();
        }
      }
    })(),
  };
}

/** `<bom xmlns="http://cyclonedx.org/schema/bom/1.x">`, or a DOCTYPE naming `bom` (to refuse it clearly). */
const ROOT = /<(?:[A-Za-z_][\w.-]*:)?bom[\s/>]/;
const DOCTYPE = /<!DOCTYPE\s+(?:[A-Za-z_][\w.-]*:)?bom[\s[>]/;

/** CycloneDX XML 1.2 to 1.7: BOMs, VEX and vulnerability reports. */
export const cyclonedxXmlParser: XmlReportParser = {
  format: 'cyclonedx',
  label: LABEL,
  detect(head: string): boolean {
    return (
      (ROOT.test(head) && head.includes('http://cyclonedx.org/schema/bom/')) ||
      DOCTYPE.test(head)
    );
  },
  read,
};
