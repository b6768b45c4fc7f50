import { cyclonedxParser } from './cyclonedx';
import { cyclonedxXmlParser } from './cyclonedxXml';
import { gitleaksParser } from './gitleaks';
import { grypeParser } from './grype';
import { osvParser } from './osv';
import { sarifParser } from './sarif';
import { semgrepParser } from './semgrep';
import { trivyParser } from './trivy';
import { ReportParser } from './types';

/**
 * Every parser, in the order auto-detection tries them. Semgrep and OSV both
 * have a top-level `results` array; their detect() functions are strict, and
 * Gitleaks (a bare array) comes last.
 */
export const reportParsers: ReportParser[] = [
  sarifParser,
  cyclonedxParser,
  trivyParser,
  grypeParser,
  semgrepParser,
  osvParser,
  gitleaksParser,
];

/** Parsers of XML reports, tried when a report starts with `<`. */
export const xmlReportParsers = [cyclonedxXmlParser];

export { ReportParseError } from './ReportParseError';
export type {
  ParsedReport,
  ReportFormat,
  ReportParser,
  ReportReading,
} from './types';
export { REPORT_FORMATS } from './types';
