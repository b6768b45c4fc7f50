import { Entity } from '@backstage/catalog-model';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusFiles, readJson } from '../../__testUtils__/corpus';
import { createTestDatabases } from '../../__testUtils__/testDatabases';
import {
  migrateUp,
  SecurityObservationsStore,
} from '../../database/SecurityObservationsStore';
import { ImportService } from '../ImportService';
import {
  FileReportBytes,
  MemoryReportBytes,
  ReportBytes,
} from '../json/ReportBytes';
import { normalizeFindings } from '../NormalizedFinding';
import { cyclonedxParser } from './cyclonedx';
import { cyclonedxXmlParser } from './cyclonedxXml';
import { identityKey } from './identity';
import { reportParsers, xmlReportParsers } from './index';
import { ReportParseError } from './ReportParseError';
import { ParsedReport } from './types';

jest.setTimeout(60_000);

const fixtureDir = path.join(__dirname, '__fixtures__', 'cyclonedx-xml');
const fixtureText = (name: string) =>
  fs.readFileSync(path.join(fixtureDir, name), 'utf8');
const jsonFixture = (name: string) =>
  readJson(path.join(__dirname, '__fixtures__', 'cyclonedx', name));

const bytesOf = (xml: string | Buffer) =>
  new MemoryReportBytes(Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8'));

/** Reads an XML report whole, as the import does: header first, then the findings. */
function parseBytes(report: ReportBytes): ParsedReport {
  const reading = cyclonedxXmlParser.read(report);
  return { ...reading, findings: Array.from(reading.findings) };
}
const parseXml = (xml: string | Buffer) => parseBytes(bytesOf(xml));
const parseFixture = (name: string) => parseXml(fixtureText(name));

function xmlError(xml: string): ReportParseError {
  try {
    parseXml(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(ReportParseError);
    return error as ReportParseError;
  }
  throw new Error('expected a ReportParseError');
}

const NS = (version = '1.6') => `http://cyclonedx.org/schema/bom/${version}`;

/** A 1.6 BOM around some XML: a component `lib`, then the vulnerabilities. */
const bomXml = (vulnerabilities: string, version = '1.6') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="${NS(version)}" version="1">
  <components>
    <component type="library" bom-ref="lib">
      <name>lib</name>
      <version>1.0.0</version>
      <purl>pkg:npm/lib@1.0.0</purl>
    </component>
  </components>
  <vulnerabilities>${vulnerabilities}
  </vulnerabilities>
</bom>
`;

// ---------------------------------------------------------------------------
// A CycloneDX JSON BOM written as CycloneDX XML, element by element as the
// XML schema orders them: the JSON parser's and the XML parser's readings of
// the two must agree.

const escapeText = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // A raw CR would be read as a line feed (XML normalizes line ends).
    .replace(/\r/g, '&#13;');
const escapeAttribute = (text: string) =>
  escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
const element = (name: string, content: string | undefined) =>
  content === undefined ? '' : `<${name}>${content}</${name}>`;
const textElement = (name: string, value: unknown) =>
  value === undefined ? '' : element(name, escapeText(String(value)));
const list = (
  name: string,
  items: any[] | undefined,
  item: (value: any) => string,
) => (items === undefined ? '' : element(name, items.map(item).join('')));
const bomRefAttribute = (value: any) =>
  value['bom-ref'] === undefined
    ? ''
    : ` bom-ref="${escapeAttribute(value['bom-ref'])}"`;

function componentXml(component: any): string {
  return `<component type="library"${bomRefAttribute(component)}>${[
    textElement('group', component.group),
    textElement('name', component.name),
    textElement('version', component.version),
    textElement('purl', component.purl),
    list('components', component.components, componentXml),
  ].join('')}</component>`;
}

function toolsXml(tools: any): string {
  if (tools === undefined) return '';
  if (Array.isArray(tools)) {
    return list('tools', tools, tool =>
      element(
        'tool',
        textElement('vendor', tool.vendor) + textElement('name', tool.name),
      ),
    );
  }
  return element(
    'tools',
    list('components', tools.components, tool =>
      element('component', textElement('name', tool.name)),
    ) +
      list('services', tools.services, tool =>
        element('service', textElement('name', tool.name)),
      ),
  );
}

function vulnerabilityXml(vulnerability: any): string {
  const analysis = vulnerability.analysis;
  return `<vulnerability${bomRefAttribute(vulnerability)}>${[
    textElement('id', vulnerability.id),
    list('references', vulnerability.references, reference =>
      element('reference', textElement('id', reference.id)),
    ),
    list('ratings', vulnerability.ratings, rating =>
      element(
        'rating',
        [
          textElement('score', rating.score),
          textElement('severity', rating.severity),
          textElement('method', rating.method),
          textElement('vector', rating.vector),
        ].join(''),
      ),
    ),
    list('cwes', vulnerability.cwes, cwe => textElement('cwe', cwe)),
    textElement('description', vulnerability.description),
    textElement('detail', vulnerability.detail),
    textElement('recommendation', vulnerability.recommendation),
    list('advisories', vulnerability.advisories, advisory =>
      element(
        'advisory',
        textElement('title', advisory.title) + textElement('url', advisory.url),
      ),
    ),
    analysis === undefined
      ? ''
      : element(
          'analysis',
          [
            textElement('state', analysis.state),
            textElement('justification', analysis.justification),
            list('responses', analysis.response, response =>
              textElement('response', response),
            ),
            textElement('detail', analysis.detail),
          ].join(''),
        ),
    list('affects', vulnerability.affects, affect =>
      element(
        'target',
        textElement('ref', affect.ref) +
          list('versions', affect.versions, entry =>
            element(
              'version',
              textElement('version', entry.version) +
                textElement('range', entry.range) +
                textElement('status', entry.status),
            ),
          ),
      ),
    ),
  ].join('')}</vulnerability>`;
}

/** The XML twin of a CycloneDX JSON BOM (the parts the parsers read). */
function bomToXml(bom: any): string {
  const metadata =
    bom.metadata === undefined
      ? ''
      : element(
          'metadata',
          toolsXml(bom.metadata.tools) +
            (bom.metadata.component
              ? componentXml(bom.metadata.component)
              : ''),
        );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="${NS(
    bom.specVersion,
  )}" version="1">${metadata}${list(
    'components',
    bom.components,
    componentXml,
  )}${list('vulnerabilities', bom.vulnerabilities, vulnerabilityXml)}</bom>\n`;
}

// ---------------------------------------------------------------------------

describe('cyclonedxXmlParser', () => {
  describe('the same BOM in JSON and in XML', () => {
    it.each([
      ['cdx-1.4_grype-vex.json', 'cdx-1.4_grype-vex.xml'],
      ['cdx-1.5_tools-components.json', 'cdx-1.5_tools-components.xml'],
    ])(
      '%s and its XML twin give the same findings, scanner and identities',
      (jsonName, xmlName) => {
        const json = cyclonedxParser.parse(jsonFixture(jsonName));
        const xml = parseFixture(xmlName);
        expect(xml.findings.length).toBeGreaterThan(0);
        expect(xml.format).toBe('cyclonedx');
        expect(xml.scanner).toBe(json.scanner);
        expect(xml.findings).toEqual(json.findings);
        const hashes = (report: ParsedReport) =>
          Array.from(normalizeFindings(report.findings)).map(n => [
            n.identityHash,
            n.contentHash,
          ]);
        expect(hashes(xml)).toEqual(hashes(json));
      },
    );

    it('writes the JSON fixtures as XML the same way the hand-made twins do', () => {
      // The generator the property below relies on, checked on real shapes.
      for (const name of [
        'cdx-1.4_grype-vex.json',
        'cdx-1.5_tools-components.json',
      ]) {
        const json = cyclonedxParser.parse(jsonFixture(name));
        expect(parseXml(bomToXml(jsonFixture(name))).findings).toEqual(
          json.findings,
        );
      }
    });

    it('agrees with the JSON parser on generated BOMs', () => {
      const token = fc.stringMatching(/^[A-Za-z0-9][\w.:/@%+~-]{0,15}$/);
      // Any text XML 1.0 can carry (no NUL and like, no lone surrogates).
      const text = fc.string({ unit: 'binary', maxLength: 40 }).map(value =>
        Array.from(value)
          .filter(character => {
            const code = character.codePointAt(0)!;
            return (
              code === 0x9 ||
              code === 0xa ||
              code === 0xd ||
              (code >= 0x20 && code <= 0xd7ff) ||
              (code >= 0xe000 && code <= 0xfffd) ||
              code >= 0x10000
            );
          })
          .join(''),
      );
      const maybe = <T>(arbitrary: fc.Arbitrary<T>) =>
        fc.option(arbitrary, { nil: undefined });
      const refs = ['a', 'b', 'c'];
      const purl = fc.constantFrom(
        'pkg:npm/lodash@4.17.20',
        'pkg:maven/org.yaml/snakeyaml@1.33?type=jar',
        'pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12',
        'pkg:not a purl',
      );
      const { component } = fc.letrec(tie => ({
        component: fc.record({
          'bom-ref': maybe(fc.constantFrom(...refs)),
          group: maybe(token),
          name: token,
          version: maybe(token),
          purl: maybe(purl),
          components: maybe(
            fc.array(tie('component'), { maxLength: 2, depthIdentifier: 'c' }),
          ),
        }),
      }));
      const vulnerability = fc.record({
        'bom-ref': maybe(token),
        id: maybe(token),
        references: maybe(
          fc.array(fc.record({ id: maybe(token) }), { maxLength: 2 }),
        ),
        ratings: maybe(
          fc.array(
            fc.record({
              method: maybe(
                fc.constantFrom(
                  'CVSSv4',
                  'CVSSv31',
                  'CVSSv3',
                  'CVSSv2',
                  'OWASP',
                  'SSVC',
                  'other',
                ),
              ),
              severity: maybe(
                fc.constantFrom(
                  'critical',
                  'high',
                  'medium',
                  'low',
                  'info',
                  'none',
                  'unknown',
                ),
              ),
              score: maybe(fc.double({ noNaN: true, noDefaultInfinity: true })),
              vector: maybe(
                fc.constantFrom(
                  'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
                  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N',
                  'AV:N/AC:L/Au:N/C:P/I:P/A:P',
                  'not a vector',
                ),
              ),
            }),
            { maxLength: 3 },
          ),
        ),
        cwes: maybe(fc.array(fc.nat({ max: 2000 }), { maxLength: 3 })),
        description: maybe(text),
        detail: maybe(text),
        recommendation: maybe(text),
        advisories: maybe(
          fc.array(fc.record({ title: maybe(text), url: maybe(token) }), {
            maxLength: 2,
          }),
        ),
        analysis: maybe(
          fc.record({
            state: maybe(
              fc.constantFrom(
                'resolved',
                'resolved_with_pedigree',
                'exploitable',
                'in_triage',
                'false_positive',
                'not_affected',
                'wont_fix',
              ),
            ),
            justification: maybe(token),
            response: maybe(
              fc.array(
                fc.constantFrom('will_not_fix', 'update', 'can_not_fix'),
                { maxLength: 2 },
              ),
            ),
            detail: maybe(text),
          }),
        ),
        affects: maybe(
          fc.array(
            fc.record({
              ref: fc.oneof(
                fc.constantFrom(...refs, 'unknown-ref'),
                purl,
                fc
                  .constantFrom(...refs)
                  .map(ref => `urn:cdx:3e671687-395b/3#${ref}`),
              ),
              versions: maybe(
                fc.array(
                  fc.record({
                    version: maybe(token),
                    range: maybe(
                      fc.constantFrom('vers:npm/>=1.2.3', 'vers:npm/<2'),
                    ),
                    status: fc.constantFrom('affected', 'unaffected'),
                  }),
                  { maxLength: 2 },
                ),
              ),
            }),
            { maxLength: 3 },
          ),
        ),
      });
      const bom = fc.record({
        bomFormat: fc.constant('CycloneDX'),
        specVersion: fc.constantFrom('1.4', '1.5', '1.6', '1.7'),
        metadata: maybe(
          fc.record({
            tools: maybe(
              fc.oneof(
                fc.array(
                  fc.record({ vendor: maybe(token), name: maybe(token) }),
                  { maxLength: 2 },
                ),
                fc.record({
                  components: maybe(
                    fc.array(fc.record({ name: maybe(token) }), {
                      maxLength: 2,
                    }),
                  ),
                  services: maybe(
                    fc.array(fc.record({ name: maybe(token) }), {
                      maxLength: 2,
                    }),
                  ),
                }),
              ),
            ),
            component: maybe(component),
          }),
        ),
        components: maybe(fc.array(component, { maxLength: 3 })),
        vulnerabilities: maybe(fc.array(vulnerability, { maxLength: 3 })),
      });
      const outcome = (parse: () => ParsedReport) => {
        try {
          const { scanner, findings } = parse();
          return { scanner, findings };
        } catch (error) {
          if (error instanceof ReportParseError) return 'ReportParseError';
          throw error;
        }
      };
      fc.assert(
        fc.property(bom, document => {
          expect(outcome(() => parseXml(bomToXml(document)))).toEqual(
            outcome(() => cyclonedxParser.parse(document)),
          );
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('corpus', () => {
    it('reads every CycloneDX XML corpus file, as its JSON twin of the same name where there is one', () => {
      const files = corpusFiles('cyclonedx');
      for (const file of files.filter(name => name.endsWith('.xml'))) {
        const xml = fs.readFileSync(file);
        expect([
          file,
          cyclonedxXmlParser.detect(xml.toString('utf8', 0, 4096)),
        ]).toEqual([file, true]);
        parseXml(xml);
      }
      const twins = files
        .filter(name => name.endsWith('.xml'))
        .map(xml => [xml, xml.replace(/\.xml$/, '.json')])
        .filter(([, json]) => files.includes(json));
      for (const [xml, json] of twins) {
        expect(parseXml(fs.readFileSync(xml)).findings).toEqual(
          cyclonedxParser.parse(readJson(json)).findings,
        );
      }
    });
  });

  describe('fixtures, one per spec version', () => {
    it('1.2, grype 0.7: vulnerabilities inside their components (the vulnerability extension)', () => {
      const report = parseFixture('cdx-1.2_grype-0.7_ext-vulnerability.xml');
      expect(report.scanner).toBe('grype');
      expect(
        report.findings.map(f => [f.title, f.severity, f.identityKey]),
      ).toEqual([
        // The component has neither purl nor bom-ref, so its name
        // identifies the finding (grype's `ref` there is a random id, new
        // in every run).
        [
          'GHSA-xgxc-v2qg-chmh in Django@2.2.18',
          'low', // "Low" named; the base score 0 says nothing more
          identityKey('GHSA-xgxc-v2qg-chmh', 'Django'),
        ],
        [
          'CVE-2011-3374 in apt@1.8.2.1',
          'none', // "Negligible"
          identityKey('CVE-2011-3374', 'apt'),
        ],
        [
          'CVE-2020-27350 in apt@1.8.2.1',
          'medium',
          identityKey('CVE-2020-27350', 'apt'),
        ],
        [
          'CVE-2019-18276 in bash@5.0-4',
          'high', // "Unknown" named: the CVSSv2 base score 7.2
          identityKey('CVE-2019-18276', 'bash'),
        ],
      ]);
      expect(report.findings[0]).toMatchObject({
        status: 'open',
        vulnerabilityIds: ['GHSA-xgxc-v2qg-chmh'],
        cwes: [],
        package: { name: 'Django', version: '2.2.18' },
        description:
          'Directory Traversal in Django\n\n**Advisories:**\n\n- [https://github.com/advisories/GHSA-xgxc-v2qg-chmh](https://github.com/advisories/GHSA-xgxc-v2qg-chmh)',
      });
    });

    it('1.3: vulnerabilities at the BOM level naming their component by ref', () => {
      const report = parseFixture('cdx-1.3_ext-vulnerability-bom-level.xml');
      expect(report.scanner).toBe('cyclonedx-cli');
      const [jackson, text] = report.findings;
      expect(jackson).toMatchObject({
        title: 'CVE-2019-14540 in jackson-databind@2.9.9',
        identityKey: identityKey(
          'CVE-2019-14540',
          'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
        ),
        severity: 'critical', // CVSSv3 before the "OWASP Risk" Low
        cwes: ['CWE-502'],
        package: {
          purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.9?type=jar',
          name: 'jackson-databind',
          version: '2.9.9',
        },
      });
      expect(jackson.description).toContain(
        '**Recommendation:** Upgrade jackson-databind to 2.9.10 or later.\n\nDo not enable default typing for untrusted input.',
      );
      expect(text).toMatchObject({
        title: 'CVE-2022-42889 in commons-text@1.9',
        severity: 'critical', // no name: the base score 9.8
        identityKey: identityKey(
          'CVE-2022-42889',
          'pkg:maven/org.apache.commons/commons-text',
        ),
      });
    });

    it('1.3: an "OWASP Risk" rating ranks as OWASP, after CVSS', () => {
      const xml = fixtureText('cdx-1.3_ext-vulnerability-bom-level.xml')
        // Only the OWASP rating left on the first vulnerability.
        .replace(
          /<v:rating>\s*<v:score>\s*<v:base>9\.8<\/v:base>[^]*?<\/v:rating>/,
          '',
        );
      expect(parseXml(xml).findings[0].severity).toBe('low');
    });

    it('1.4, grype 0.41: a severity-only rating ranks after the CVSS ones', () => {
      const report = parseFixture('cdx-1.4_grype-0.41.xml');
      expect(report.scanner).toBe('grype');
      expect(report.findings.map(f => [f.title, f.severity, f.status])).toEqual(
        [
          ['CVE-2021-44228 in log4j-core@2.13.2', 'critical', 'in_review'],
          // CVSSv31 6.6 first: neither the CVSSv2 8.5 nor the named "medium".
          ['CVE-2021-44832 in log4j-core@2.13.2', 'medium', 'in_review'],
        ],
      );
      expect(report.findings[0].identityKey).toBe(
        identityKey(
          'CVE-2021-44228',
          'pkg:maven/org.apache.logging.log4j/log4j-core',
        ),
      );
    });

    it('1.5, cyclonedx-maven-plugin 2.8: an SBOM without vulnerabilities is an empty scan', () => {
      expect(parseFixture('cdx-1.5_cyclonedx-maven-2.8_sbom.xml')).toEqual({
        format: 'cyclonedx',
        scanner: 'cyclonedx-maven-plugin',
        findings: [],
      });
    });

    it('1.6: a standalone VEX naming components by BOM-Link, with its analysis', () => {
      const report = parseFixture('cdx-1.6_vex-bom-link.xml');
      expect(report.scanner).toBe('acme-vex-editor');
      const [jackson, netty] = report.findings;
      expect(jackson).toMatchObject({
        title:
          'SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111 in jackson-databind@2.9.4',
        // The link's bom-ref, not its serial number or BOM version.
        identityKey: identityKey(
          'SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111',
          'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
        ),
        severity: 'critical',
        status: 'not_affected',
        justification: 'code_not_reachable',
        vulnerabilityIds: [
          'SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111',
          'CVE-2018-7489',
        ],
        cwes: ['CWE-184', 'CWE-502'],
        package: {
          purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4?type=jar',
          name: 'jackson-databind',
          version: '2.9.4',
          fixedVersion: '2.9.5',
        },
      });
      expect(jackson.description).toBe(
        [
          // CDATA, read as text.
          'FasterXML jackson-databind before 2.9.5 allows unauthenticated remote code execution because of an incomplete fix for the CVE-2017-7525 <deserialization> flaw.',
          '**Recommendation:** Upgrade com.fasterxml.jackson.core:jackson-databind to version 2.9.5 or higher.',
          '**Advisories:**\n\n- [GitHub Issue](https://github.com/FasterXML/jackson-databind/issues/1931)',
          '**Analysis:** The application never deserializes polymorphic types from untrusted input.',
          '**Response:** will not fix, update',
        ].join('\n\n'),
      );
      expect(netty).toMatchObject({
        title: 'CVE-2023-44487 in netty-codec-http2@4.1.97.Final',
        identityKey: identityKey(
          'CVE-2023-44487',
          'pkg:maven/io.netty/netty-codec-http2',
        ),
        severity: 'high',
        status: 'open', // exploitable
      });
      expect(netty.description).toContain('**Response:** workaround available');
    });

    it('1.7, grype: EPSS and KEV "other" ratings do not outrank CVSS; fixed versions from ranges', () => {
      const report = parseFixture('cdx-1.7_grype.xml');
      expect(report.scanner).toBe('grype');
      expect(report.findings).toHaveLength(2);
      expect(report.findings[0]).toMatchObject({
        title: 'CVE-2023-42363 in busybox@1.36.1-r2',
        identityKey: identityKey('CVE-2023-42363', 'pkg:apk/alpine/busybox'),
        severity: 'medium',
        cwes: ['CWE-416'],
        package: { fixedVersion: '1.36.1-r7' },
      });
      expect(report.findings[1]).toMatchObject({
        title: 'GHSA-4374-p667-p6c8 in golang.org/x/net@v0.15.0',
        identityKey: identityKey(
          'GHSA-4374-p667-p6c8',
          'pkg:golang/golang.org/x/net',
        ),
        severity: 'high',
        vulnerabilityIds: ['GHSA-4374-p667-p6c8', 'CVE-2023-39325'],
        package: { fixedVersion: '0.17.0' },
      });
    });
  });

  describe('documents', () => {
    it('keeps a finding whose ref names no component, identified by the ref', () => {
      const [finding] = parseXml(
        bomXml(`
    <vulnerability>
      <id>CVE-9</id>
      <affects><target><ref>service-gateway</ref></target></affects>
    </vulnerability>`),
      ).findings;
      expect(finding).toMatchObject({
        title: 'CVE-9 in service-gateway',
        identityKey: identityKey('CVE-9', 'service-gateway'),
      });
      expect(finding.package).toBeUndefined();
    });

    it('refuses components that come after the vulnerabilities, rather than identify findings differently', () => {
      const xml = `<bom xmlns="${NS()}">
  <vulnerabilities>
    <vulnerability><id>CVE-1</id><affects><target><ref>lib</ref></target></affects></vulnerability>
  </vulnerabilities>
  <components>
    <component type="library" bom-ref="lib"><name>lib</name><purl>pkg:npm/lib@1.0.0</purl></component>
  </components>
</bom>`;
      expect(xmlError(xml).message).toBe(
        'CycloneDX XML: bom/components: comes after the vulnerabilities (line 5); the CycloneDX schema puts components first, and the vulnerabilities are read with the components known',
      );
    });

    it('ignores elements of other namespaces and the parts it does not read', () => {
      const report = parseXml(
        bomXml(`
    <vulnerability xmlns:x="urn:example:extension">
      <id>CVE-7</id>
      <x:id>NOT-THIS</x:id>
      <x:ratings><x:rating><x:severity>critical</x:severity></x:rating></x:ratings>
      <ratings><rating><severity>low</severity></rating></ratings>
      <workaround>Not in the description.</workaround>
      <properties><property name="p">Not in the description either.</property></properties>
    </vulnerability>`),
      );
      expect(report.findings).toEqual([
        expect.objectContaining({
          title: 'CVE-7',
          severity: 'low',
          vulnerabilityIds: ['CVE-7'],
          description: '',
        }),
      ]);
    });

    it('reads prefixed CycloneDX elements the same as default-namespace ones', () => {
      const xml = bomXml(`
    <vulnerability><id>CVE-8</id><affects><target><ref>lib</ref></target></affects></vulnerability>`);
      const prefixed = xml
        .replace(`xmlns="${NS()}"`, `xmlns:c="${NS()}"`)
        .replace(/<(\/?)(?!\?)([a-z])/g, '<$1c:$2');
      expect(prefixed).toContain('<c:bom xmlns:c=');
      expect(parseXml(prefixed).findings).toEqual(parseXml(xml).findings);
      expect(cyclonedxXmlParser.detect(prefixed)).toBe(true);
    });

    it('accepts 1.2 to 1.7 and names them when rejecting another version', () => {
      for (const version of ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7']) {
        expect(parseXml(bomXml('', version)).findings).toEqual([]);
      }
      expect(xmlError(bomXml('', '1.1')).message).toBe(
        'CycloneDX XML: bom: unsupported version 1.1 (namespace "http://cyclonedx.org/schema/bom/1.1"); expected 1.2 to 1.7',
      );
    });

    it('names the root it found when it is not a CycloneDX BOM', () => {
      expect(
        xmlError(
          '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion></project>',
        ).message,
      ).toBe(
        'CycloneDX XML: the root element is <project> in namespace "http://maven.apache.org/POM/4.0.0"; expected a CycloneDX <bom xmlns="http://cyclonedx.org/schema/bom/1.6"> (1.2 to 1.7)',
      );
      expect(xmlError('<bom version="1"/>').message).toContain(
        'the root element is <bom> without a namespace',
      );
    });
  });

  describe('errors name the element path, line and column', () => {
    const third = (inner: string) =>
      bomXml(`
    <vulnerability><id>CVE-1</id></vulnerability>
    <vulnerability><id>CVE-2</id></vulnerability>
    <vulnerability>
      <id>CVE-3</id>
      ${inner}
    </vulnerability>`);

    it('for malformed XML', () => {
      expect(
        xmlError(third('<ratings><rating><score>9.8</rating></ratings>'))
          .message,
      ).toBe(
        'CycloneDX XML: bom/vulnerabilities/vulnerability[3]/ratings/rating[1]/score: malformed XML at line 15, column 42: unexpected close tag where </score> was expected',
      );
    });

    it('for a document cut short', () => {
      const xml = third(
        '<ratings><rating><score>9.8</score></rating></ratings>',
      );
      const error = xmlError(xml.slice(0, xml.indexOf('<score>') + 9));
      expect(error.path).toBe(
        'bom/vulnerabilities/vulnerability[3]/ratings/rating[1]/score',
      );
      expect(error.message).toMatch(
        /malformed XML at line 15, column \d+: unclosed tag: score$/,
      );
    });

    it('for values of the wrong type', () => {
      expect(
        xmlError(
          third('<ratings><rating><score>high</score></rating></ratings>'),
        ).message,
      ).toBe(
        'CycloneDX XML: bom/vulnerabilities/vulnerability[3]/ratings/rating[1]/score: expected a number (line 15, column 30)',
      );
      expect(
        xmlError(third('<cwes><cwe>79</cwe><cwe>CWE-89</cwe></cwes>')).message,
      ).toBe(
        'CycloneDX XML: bom/vulnerabilities/vulnerability[3]/cwes/cwe[2]: expected a number (line 15, column 30)',
      );
    });

    it('for a target without a ref, and a vulnerability without any id', () => {
      expect(
        xmlError(
          third(
            '<affects><target><ref>lib</ref></target><target><versions/></target></affects>',
          ),
        ).message,
      ).toBe(
        'CycloneDX XML: bom/vulnerabilities/vulnerability[3]/affects/target[2]: expected a <ref> naming the affected component by its bom-ref (line 15, column 54)',
      );
      expect(
        xmlError(bomXml('<vulnerability><id> </id></vulnerability>')).message,
      ).toBe(
        'CycloneDX XML: bom/vulnerabilities/vulnerability[1]: a vulnerability needs an <id> (or a reference id, or a bom-ref); it has none (line 10, column 34)',
      );
    });

    it('for entities that XML alone does not define', () => {
      expect(
        xmlError(bomXml('<vulnerability><id>CVE&nbsp;1</id></vulnerability>'))
          .message,
      ).toBe(
        'CycloneDX XML: bom/vulnerabilities/vulnerability[1]/id: malformed XML at line 10, column 47: undefined entity (only &amp; &lt; &gt; &quot; &apos; and character references are known: no DTD is read)',
      );
    });

    it('for an encoding other than UTF-8', () => {
      expect(
        xmlError(
          bomXml('').replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
        ).message,
      ).toBe(
        'CycloneDX XML: the XML declaration says encoding "ISO-8859-1"; only UTF-8 is read: convert the report to UTF-8',
      );
    });
  });

  describe('security: no DTD, no entity expansion', () => {
    const xxe = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE bom [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<bom xmlns="${NS()}" version="1">
  <vulnerabilities>
    <vulnerability><id>CVE-1</id><description>&xxe;</description></vulnerability>
  </vulnerabilities>
</bom>`;
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE bom [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bom xmlns="${NS()}" version="1">
  <vulnerabilities>
    <vulnerability><id>CVE-1</id><description>&lol9;</description></vulnerability>
  </vulnerabilities>
</bom>`;
    const doctypeRefusal =
      'CycloneDX XML: the document has a DOCTYPE (ending at line 4). Reports with a DTD or entity declarations are refused, so that no entity is fetched (XXE) or expanded ("billion laughs"); remove the DOCTYPE';

    it('refuses an external entity (XXE) without reading it', () => {
      expect(cyclonedxXmlParser.detect(xxe)).toBe(true);
      expect(xmlError(xxe).message).toBe(doctypeRefusal);
    });

    it('refuses nested entities ("billion laughs") at once', () => {
      const started = Date.now();
      expect(xmlError(laughs).message).toBe(
        doctypeRefusal.replace('line 4', 'line 13'),
      );
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('refuses an external DTD and an entity declaration outside a DOCTYPE', () => {
      expect(
        xmlError(
          `<!DOCTYPE bom SYSTEM "http://example.com/bom.dtd">\n<bom xmlns="${NS()}"/>`,
        ).message,
      ).toContain('the document has a DOCTYPE (ending at line 1)');
      expect(
        xmlError(
          `<!ENTITY xxe SYSTEM "file:///etc/passwd">\n<bom xmlns="${NS()}"/>`,
        ).message,
      ).toBe(
        'CycloneDX XML: a DTD declaration (<!ENTITY, <!ELEMENT, <!ATTLIST or <!NOTATION) at line 1, column 9. Reports with a DTD or entity declarations are refused, so that no entity is fetched (XXE) or expanded ("billion laughs")',
      );
    });

    describe('through the import', () => {
      const databases = createTestDatabases();
      const entity: Entity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'payments-api', namespace: 'default' },
        spec: { type: 'service', owner: 'group:default/team-payments' },
      };

      async function setup(databaseId: Parameters<typeof databases.init>[0]) {
        const knex = await databases.init(databaseId);
        await migrateUp(knex);
        const store = await SecurityObservationsStore.create({
          database: { getClient: async () => knex, migrations: { skip: true } },
        });
        const imports = new ImportService({
          store,
          findEntity: async () => entity,
          parsers: reportParsers,
          xmlParsers: xmlReportParsers,
        });
        const importReport = (report: string | Buffer) =>
          imports.importReport({
            entityRef: 'component:default/payments-api',
            report: bytesOf(report),
            actor: 'external:ci-scanner',
          });
        const stored = async () => ({
          observations: (
            await store.listObservations({
              entityRef: 'component:default/payments-api',
              limit: 500,
            })
          ).totalCount,
          imports: Number(
            (await knex('imports').count({ count: '*' }))[0].count,
          ),
        });
        return { knex, importReport, stored };
      }

      it.each(databases.eachSupportedId())(
        'refuses XXE and "billion laughs" with a 400 and stores nothing, on %s',
        async databaseId => {
          const { knex, importReport, stored } = await setup(databaseId);
          for (const attack of [xxe, laughs]) {
            await expect(importReport(attack)).rejects.toMatchObject({
              name: 'InputError',
              message: expect.stringContaining('the document has a DOCTYPE'),
            });
          }
          expect(await stored()).toEqual({ observations: 0, imports: 0 });
          await knex.destroy();
        },
      );

      it.each(databases.eachSupportedId())(
        'imports XML idempotently, and the JSON twin of a BOM as the same observations, on %s',
        async databaseId => {
          const { knex, importReport, stored } = await setup(databaseId);
          const xml = fixtureText('cdx-1.4_grype-vex.xml');
          const first = await importReport(xml);
          expect(first).toMatchObject({
            format: 'cyclonedx',
            scanner: 'grype',
            findings: 5,
            counts: { new: 5, updated: 0, unchanged: 0, resolved: 0 },
            warnings: [],
          });
          const again = await importReport(xml);
          expect(again.counts).toEqual({
            new: 0,
            updated: 0,
            unchanged: 5,
            resolved: 0,
            reopened: 0,
          });
          const json = await importReport(
            fs.readFileSync(
              path.join(
                __dirname,
                '__fixtures__',
                'cyclonedx',
                'cdx-1.4_grype-vex.json',
              ),
            ),
          );
          expect(json.counts).toEqual(again.counts);
          expect(await stored()).toEqual({ observations: 5, imports: 3 });
          await knex.destroy();
        },
      );

      it.each(databases.eachSupportedId())(
        'refuses malformed XML part-way through with a 400, storing none of the findings before it, on %s',
        async databaseId => {
          const { knex, importReport, stored } = await setup(databaseId);
          const xml = fixtureText('cdx-1.4_grype-vex.xml');
          const broken = xml.replace(
            '<id>GHSA-xq3w-v528-46rv</id>',
            '<id>GHSA-xq3w-v528-46rv</di>',
          );
          await expect(importReport(broken)).rejects.toMatchObject({
            name: 'InputError',
            message: expect.stringMatching(
              /^CycloneDX XML: bom\/vulnerabilities\/vulnerability\[4\]\/id: malformed XML at line \d+, column \d+: unexpected close tag where <\/id> was expected$/,
            ),
          });
          expect(await stored()).toEqual({ observations: 0, imports: 0 });
          await knex.destroy();
        },
      );
    });
  });

  describe('streaming', () => {
    /** The bytes in a file read through windows of `windowBytes`. */
    async function fileBytes(content: Buffer, windowBytes: number) {
      // Its own directory, as a spilled report has: close() deletes it.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cyclonedx-xml-test-'));
      const file = path.join(dir, 'report.xml');
      fs.writeFileSync(file, content);
      const handle = await fs.promises.open(file, 'r');
      return new FileReportBytes(file, handle, content.length, windowBytes);
    }

    it('reads through small windows that split characters, as from memory', async () => {
      const xml = Buffer.from(
        bomXml(`
    <vulnerability>
      <id>CVE-2024-0001</id>
      <description>Überlauf in 日本語 parsing 😀 — &lt;script&gt; &#x1F600;</description>
      <affects><target><ref>lib</ref></target></affects>
    </vulnerability>`),
        'utf8',
      );
      for (const windowBytes of [1, 3, 7, 64]) {
        const report = await fileBytes(xml, windowBytes);
        try {
          expect(parseBytes(report)).toEqual(parseXml(xml));
        } finally {
          await report.close();
        }
      }
      expect(parseXml(xml).findings[0].description).toBe(
        'Überlauf in 日本語 parsing 😀 — <script> 😀',
      );
    });

    it('reads the header first and the findings as they are iterated, a window at a time', () => {
      const vulnerabilities = Array.from(
        { length: 3000 },
        (_, i) => `
    <vulnerability><id>CVE-2024-${10000 + i}</id><description>${'x'.repeat(
          300,
        )}</description><affects><target><ref>lib</ref></target></affects></vulnerability>`,
      ).join('');
      const buffer = Buffer.from(bomXml(vulnerabilities));
      let furthest = 0;
      const report: ReportBytes = {
        length: buffer.length,
        window(start) {
          const window = buffer.subarray(start, start + 64 * 1024);
          furthest = Math.max(furthest, start + window.length);
          return window;
        },
        text: (start, end) => buffer.toString('utf8', start, end),
        close: async () => undefined,
      };
      const reading = cyclonedxXmlParser.read(report);
      expect(furthest).toBeLessThan(buffer.length / 10);
      const iterator = reading.findings[Symbol.iterator]();
      expect(iterator.next().value?.title).toBe('CVE-2024-10000 in lib@1.0.0');
      expect(furthest).toBeLessThan(buffer.length / 10);
      let count = 1;
      while (!iterator.next().done) count++;
      expect(count).toBe(3000);
      expect(furthest).toBe(buffer.length);
    });
  });

  describe('detect', () => {
    it('claims CycloneDX XML heads only', () => {
      for (const name of fs.readdirSync(fixtureDir)) {
        expect([name, cyclonedxXmlParser.detect(fixtureText(name))]).toEqual([
          name,
          true,
        ]);
      }
      expect(
        cyclonedxXmlParser.detect(
          '<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0">',
        ),
      ).toBe(false);
      expect(
        cyclonedxXmlParser.detect(
          '<spdx:Document xmlns:spdx="http://spdx.org/rdf/terms#">',
        ),
      ).toBe(false);
      expect(cyclonedxXmlParser.detect('<bomb/>')).toBe(false);
    });
  });

  describe('robustness', () => {
    /** Reading returns or throws ReportParseError (true); anything else is rethrown. */
    const readsOrRejects = (xml: string | Uint8Array) => {
      try {
        parseXml(Buffer.from(xml));
      } catch (error) {
        if (!(error instanceof ReportParseError)) throw error;
      }
      return true;
    };

    it('returns or throws ReportParseError for arbitrary bytes', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 300 }),
          fc.boolean(),
          (bytes, startWithTag) => {
            expect(
              readsOrRejects(
                startWithTag
                  ? Buffer.concat([Buffer.from('<'), Buffer.from(bytes)])
                  : bytes,
              ),
            ).toBe(true);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('returns or throws ReportParseError for arbitrary XML-like text', () => {
      const piece = fc.constantFrom(
        '<',
        '>',
        '/',
        '</',
        '/>',
        '=',
        '"',
        '&',
        ';',
        '&amp;',
        '&#x41;',
        '&#0;',
        ' ',
        '\n',
        'bom',
        ` xmlns="${NS()}"`,
        ' xmlns:v="http://cyclonedx.org/schema/ext/vulnerability/1.0"',
        'v:',
        'components',
        'component',
        ' bom-ref="lib"',
        'vulnerabilities',
        'vulnerability',
        'id',
        'ratings',
        'rating',
        'score',
        'cwe',
        'affects',
        'target',
        'ref',
        '<![CDATA[',
        ']]>',
        '<!--',
        '-->',
        '<!DOCTYPE bom [',
        '<!ENTITY x "y">',
        '<?xml version="1.0"?>',
        'CVE-1',
        '9.8',
      );
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 60 }), pieces => {
          expect(readsOrRejects(pieces.join(''))).toBe(true);
        }),
        { numRuns: 500 },
      );
    });

    it('returns or throws ReportParseError when any text of a fixture is replaced, or the fixture is cut', () => {
      const xml = fixtureText('cdx-1.4_grype-vex.xml');
      const texts = [...xml.matchAll(/>([^<]+)</g)].map(
        match => match.index! + 1,
      );
      fc.assert(
        fc.property(
          fc.nat(),
          fc.string({ maxLength: 20 }),
          fc.nat({ max: xml.length }),
          (pick, replacement, cut) => {
            const at = texts[pick % texts.length];
            const end = xml.indexOf('<', at);
            expect(
              readsOrRejects(
                xml.slice(0, at) + escapeText(replacement) + xml.slice(end),
              ),
            ).toBe(true);
            expect(readsOrRejects(xml.slice(0, cut))).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
