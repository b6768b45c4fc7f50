import fc from 'fast-check';
import { readJsonReport } from '../json/readJsonReport';
import { MemoryReportBytes } from '../json/ReportBytes';
import { normalizeFindings } from '../NormalizedFinding';
import { ParsedFinding, ReportParser, XmlReportParser } from '../parsers/types';
import { STORED_TEXT_LIMITS } from '../storableText';
import {
  arbitraryBytes,
  expectWellFormedFindings,
  fixtureFiles,
  fuzzCase,
  hostileJson,
  mutatedBytes,
  mutatedDocuments,
} from './fuzz';

/** U+0000 or half a surrogate pair: what no database column takes. */
const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE = {
  test: (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text),
};

/** The texts of a finding as the store gets it: storable, within limits. */
export function expectStorable(finding: ParsedFinding): void {
  const texts: Array<[string | undefined, number]> = [
    [finding.title, STORED_TEXT_LIMITS.title],
    [finding.description, STORED_TEXT_LIMITS.description],
    [finding.ruleId, STORED_TEXT_LIMITS.ruleId],
    [finding.justification, STORED_TEXT_LIMITS.justification],
    [finding.package?.purl, STORED_TEXT_LIMITS.packagePurl],
    [finding.package?.name, STORED_TEXT_LIMITS.packageName],
    [finding.package?.version, STORED_TEXT_LIMITS.packageVersion],
    [finding.package?.fixedVersion, STORED_TEXT_LIMITS.packageVersion],
    [finding.location?.file, STORED_TEXT_LIMITS.location],
    [finding.location?.uri, STORED_TEXT_LIMITS.location],
    [finding.location?.image, STORED_TEXT_LIMITS.location],
    [finding.location?.endpoint, STORED_TEXT_LIMITS.location],
    ...finding.vulnerabilityIds.map((id): [string, number] => [
      id,
      STORED_TEXT_LIMITS.vulnerabilityId,
    ]),
    ...finding.cwes.map((cwe): [string, number] => [
      cwe,
      STORED_TEXT_LIMITS.cwe,
    ]),
  ];
  for (const [text, max] of texts) {
    if (text === undefined) continue;
    expect(text.length).toBeLessThanOrEqual(max);
    expect(UNSTORABLE.test(text)).toBe(false);
  }
}

/** The parsed findings well-formed, and storable once normalized. */
function checkFindings(findings: ParsedFinding[]): void {
  expectWellFormedFindings(findings);
  for (const normalized of normalizeFindings(findings)) {
    expectStorable(normalized.finding);
  }
}

/** Bytes through the streaming reader, detection and the parser, as an import reads them. */
function readThroughParser(parser: ReportParser, bytes: Buffer): void {
  fuzzCase(() => {
    const { document, preview } = readJsonReport(bytes);
    expect(typeof parser.detect(preview)).toBe('boolean');
    expect(typeof (parser.claims?.(preview) ?? false)).toBe('boolean');
    checkFindings(parser.parse(document).findings);
  });
}

/** A named fuzz property, for `it.each`. */
export type NamedProperty = [string, fc.IProperty<any>];

/**
 * The fuzz properties of a JSON format's parser: arbitrary bytes, arbitrary
 * JSON, and its fixtures mutated byte by byte and value by value. Each
 * case ends in a parsed report or the product's input error, in bounded
 * time (see `fuzzCase`).
 */
export function jsonParserFuzzProperties(
  parser: ReportParser,
  fixtureDir: string,
): NamedProperty[] {
  const fixtures = fixtureFiles(fixtureDir);
  return [
    [
      'reads arbitrary bytes',
      fc.property(arbitraryBytes, bytes => readThroughParser(parser, bytes)),
    ],
    [
      'reads arbitrary JSON, as a document and as bytes',
      fc.property(fc.oneof(fc.jsonValue(), hostileJson), value => {
        fuzzCase(() => {
          expect(typeof parser.detect(value)).toBe('boolean');
          checkFindings(parser.parse(value).findings);
        });
        readThroughParser(parser, Buffer.from(JSON.stringify(value)));
      }),
    ],
    [
      'reads its fixtures with bytes deleted, inserted, repeated, changed and cut',
      fc.property(mutatedBytes(fixtures), ({ bytes }) =>
        readThroughParser(parser, bytes),
      ),
    ],
    [
      'reads its fixtures with values replaced by hostile JSON, removed and repeated',
      fc.property(mutatedDocuments(fixtures), ({ document }) =>
        readThroughParser(parser, Buffer.from(JSON.stringify(document))),
      ),
    ],
  ];
}

/** Element and attribute pieces XML reports are made of, CycloneDX's and hostile ones. */
const XML_PIECES = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">',
  '<bom xmlns="http://cyclonedx.org/schema/bom/1.4">',
  '</bom>',
  '<components>',
  '</components>',
  '<component type="library" bom-ref="pkg:npm/a@1">',
  '</component>',
  '<name>lodash</name>',
  '<version>4.17.20</version>',
  '<purl>pkg:npm/lodash@4.17.20</purl>',
  '<vulnerabilities>',
  '</vulnerabilities>',
  '<vulnerability bom-ref="v1">',
  '</vulnerability>',
  '<id>CVE-2021-23337</id>',
  '<ratings><rating><severity>high</severity><score>7.2</score></rating></ratings>',
  '<affects><target><ref>pkg:npm/a@1</ref></target></affects>',
  '<analysis><state>not_affected</state></analysis>',
  '<cwes><cwe>79</cwe></cwes>',
  '<description>x &amp; y &lt;</description>',
  '<![CDATA[<script>]]>',
  '<!-- comment -->',
  '<!DOCTYPE bom [<!ENTITY x "y">]>',
  '&x;',
  '&#0;',
  '&#x1F600;',
  '\u0000',
  '<a:b xmlns:a="urn:x">',
  '</a:b>',
  '<',
  '>',
  '"',
  'text',
];

/**
 * The fuzz properties of an XML format's parser: arbitrary bytes, documents
 * made of XML pieces, and its fixtures mutated byte by byte.
 */
export function xmlParserFuzzProperties(
  parser: XmlReportParser,
  fixtureDir: string,
): NamedProperty[] {
  const fixtures = fixtureFiles(fixtureDir);
  const read = (bytes: Buffer) =>
    fuzzCase(() => {
      expect(typeof parser.detect(bytes.toString('utf8', 0, 4096))).toBe(
        'boolean',
      );
      const reading = parser.read(new MemoryReportBytes(bytes));
      checkFindings(Array.from(reading.findings));
    });
  return [
    ['reads arbitrary bytes', fc.property(arbitraryBytes, read)],
    [
      'reads documents made of XML pieces',
      fc.property(
        fc.array(fc.constantFrom(...XML_PIECES), { maxLength: 60 }),
        pieces => read(Buffer.from(pieces.join(''))),
      ),
    ],
    [
      'reads its fixtures with bytes deleted, inserted, repeated, changed and cut',
      fc.property(mutatedBytes(fixtures), ({ bytes }) => read(bytes)),
    ],
  ];
}
