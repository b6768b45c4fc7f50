import { Severity } from 'backstage-plugin-security-observations-common';
import { ReportBytes } from '../json/ReportBytes';

/** The report formats the upload route accepts; the `format=` values. */
export const REPORT_FORMATS = [
  'sarif',
  'cyclonedx',
  'trivy',
  'grype',
  'osv',
  'gitleaks',
  'semgrep',
] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * The status a report itself gives a finding. Most scanners say nothing, which
 * is `open`; CycloneDX VEX `analysis.state` can say more.
 */
export type ParserStatus =
  | 'open'
  | 'in_review'
  | 'resolved'
  | 'false_positive'
  | 'not_affected';

/**
 * One finding as a parser normalizes it: everything the store keeps, nothing
 * about where it is stored. Parsers are pure: no I/O, no clock, no database.
 */
export interface ParsedFinding {
  /**
   * What makes this finding the same finding in the next build: documented
   * per format. Never the severity or the description; never anything that a
   * rebuild or a line shift changes when the format gives something better.
   * The importer hashes it (with the scope) into the identity hash.
   */
  identityKey: string;
  title: string;
  /** Markdown. Scanner text is untrusted; the frontend sanitizes it. */
  description: string;
  severity: Severity;
  status: ParserStatus;
  /** Why a VEX statement says `not_affected`, when it says so. */
  justification?: string;
  ruleId?: string;
  /** CVE, GHSA, GO-..., RHSA-... ; the first is the primary id. */
  vulnerabilityIds: string[];
  /** `CWE-79` form. */
  cwes: string[];
  package?: {
    purl?: string;
    name?: string;
    version?: string;
    fixedVersion?: string;
  };
  location?: {
    /** Repository-relative path, forward slashes, no leading `./`. */
    file?: string;
    startLine?: number;
    endLine?: number;
    uri?: string;
    image?: string;
    endpoint?: string;
  };
}

/**
 * An optional part of a report that a parser skipped (a vendor that bends
 * the schema): the finding is kept without it, and the import's answer
 * lists the warning with the JSON path of what was skipped.
 */
export interface ReportWarning {
  /** JSON path, e.g. `runs[0].results[3].fingerprints.primary`. */
  path: string;
  message: string;
}

/** What a parser makes of one report, its findings read one at a time. */
export interface ReportReading {
  format: ReportFormat;
  /**
   * The scanner's name as the report gives it, lower-case (`codeql`, `trivy`,
   * `grype`, ...). The `scanner=` query parameter overrides it.
   */
  scanner: string;
  /**
   * The findings, produced as they are iterated, so that an import holds one
   * element of the report at a time. Iterating throws `ReportParseError` at
   * the first thing that is wrong; iterate once.
   */
  findings: Iterable<ParsedFinding>;
  /**
   * Filled while `findings` is iterated: the optional parts skipped. The
   * import reads it once the findings are stored.
   */
  warnings?: ReportWarning[];
}

/** A report read whole: `ReportReading` with its findings collected. */
export interface ParsedReport extends ReportReading {
  findings: ParsedFinding[];
}

/** One file per format implements this in `ingest/parsers/<format>.ts`. */
export interface ReportParser {
  format: ReportFormat;
  /** Human name used in error messages, e.g. `SARIF`, `Trivy JSON`. */
  label: string;
  /** Cheap structural check on the parsed JSON document, for auto-detection. */
  detect(document: unknown): boolean;
  /**
   * Whether the document says it is of this format (SARIF's `$schema`,
   * Grype's `descriptor`, ...) though `detect` refused its structure. Such
   * a report is answered with this parser's error, which says where the
   * structure breaks (`SARIF: runs: expected an array`), rather than with
   * "unknown format".
   */
  claims?(document: unknown): boolean;
  /**
   * Reads the document: what describes the whole report (format, scanner,
   * version checks) at once, the findings as they are iterated. Throws
   * `ReportParseError` with the JSON path of the first thing that is wrong,
   * e.g. `runs[0].results[3].locations`.
   */
  read(document: unknown): ReportReading;
  /** `read` with all findings collected. */
  parse(document: unknown): ParsedReport;
}

/** A parser from its `read`; `parse` collects what `read` yields. */
export function reportParser(
  definition: Omit<ReportParser, 'parse'>,
): ReportParser {
  return {
    ...definition,
    parse(document) {
      const reading = definition.read(document);
      return { ...reading, findings: Array.from(reading.findings) };
    },
  };
}

/**
 * A parser of an XML format (CycloneDX XML), in `ingest/parsers/<format>Xml.ts`.
 * It reads the raw bytes itself, streaming, with DTDs and entity expansion
 * off.
 */
export interface XmlReportParser {
  format: ReportFormat;
  label: string;
  /** Cheap check on the start of the document (its first few kilobytes as text). */
  detect(head: string): boolean;
  /** As `ReportParser.read`, from the report's bytes. */
  read(report: ReportBytes): ReportReading;
}
