import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ANNOTATION_DEFAULT_BRANCH,
  ImportResponse,
} from 'backstage-plugin-security-observations-common';
import { ImportWarnings } from '../database/applyImport';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { ReportJsonError } from './json/ReportJsonError';
import { ReportLimitError } from './ReportLimitError';
import { readJsonReport } from './json/readJsonReport';
import { ReportBytes } from './json/ReportBytes';
import { describeShape } from './describeShape';
import { normalizeFindings } from './NormalizedFinding';
import { fingerprintReport } from './reportFingerprint';
import { storableText } from './storableText';
import {
  ReportReading,
  REPORT_FORMATS,
  ReportFormat,
  ReportParseError,
  ReportParser,
} from './parsers';
import { ReportWarning, XmlReportParser } from './parsers/types';

/** Warnings listed in an import's answer; the rest are counted. */
const MAX_WARNINGS = 100;

/** Finds a catalog entity by ref; undefined when it does not exist. */
export type EntityLookup = (entityRef: string) => Promise<Entity | undefined>;

export interface ImportRequest {
  entityRef: string;
  branch?: string;
  scanner?: string;
  source?: string;
  format?: ReportFormat;
  /** The raw report, decompressed, in memory or spilled to disk. */
  report: ReportBytes;
  /** Token subject of the caller. */
  actor: string;
}

/**
 * The import use case: a raw report for a catalog entity becomes stored
 * observations, or an error that says what is wrong and where, with nothing
 * stored.
 */
export class ImportService {
  constructor(
    private readonly options: {
      store: SecurityObservationsStore;
      findEntity: EntityLookup;
      parsers: ReportParser[];
      /** Parsers of XML formats, tried when the report starts with `<`. */
      xmlParsers?: XmlReportParser[];
      clock?: () => Date;
      /**
       * Whether changes on this branch of the entity go to its tracker:
       * then the import queues them for the sync.
       */
      syncsBranch?: (entity: Entity, branch: string) => boolean;
    },
  ) {}

  async importReport(request: ImportRequest): Promise<ImportResponse> {
    const entity = await this.findEntity(request.entityRef);
    const { report } = request;
    if (report.length === 0) {
      throw new InputError('The request has no report');
    }
    const entityRef = stringifyEntityRef(entity);
    const branch =
      request.branch ??
      entity.metadata.annotations?.[ANNOTATION_DEFAULT_BRANCH] ??
      'main';
    const source = request.source ?? '';

    // The scope's latest report again, to be read by the same code: the
    // import's outcome is known without parsing it (every finding
    // unchanged), which makes an identical re-import cost little more
    // than the upload.
    const fingerprint = fingerprintReport(report, {
      format: request.format,
      scanner: request.scanner,
    });
    const recognized = await this.options.store.applyIdenticalReimport({
      entityRef,
      branch,
      source,
      scanner: request.scanner,
      ...fingerprint,
      actor: request.actor,
      reportBytes: report.length,
      now: this.options.clock?.() ?? new Date(),
    });
    if (recognized) {
      return {
        importId: recognized.importId,
        format: recognized.format,
        ...recognized.scope,
        findings: recognized.findingCount,
        counts: recognized.counts,
        unassessed: recognized.unassessed,
        ...recognized.warnings,
      };
    }

    const reading = asInputErrors(() => this.read(report, request.format));
    const scope = {
      entityRef,
      branch,
      // The column's size; a tool name longer than a line is cut.
      scanner: request.scanner ?? storableText(reading.scanner, 128),
      source,
    };
    const warnings = () => answeredWarnings(reading.warnings ?? []);
    const { importId, counts, findingCount, unassessed } = await asInputErrors(
      () =>
        this.options.store.applyImport({
          scope,
          format: reading.format,
          actor: request.actor,
          reportBytes: report.length,
          findings: normalizeFindings(reading.findings),
          now: this.options.clock?.() ?? new Date(),
          enqueueForSync:
            this.options.syncsBranch?.(entity, scope.branch) ?? false,
          report: { ...fingerprint, warnings },
        }),
    );
    return {
      importId,
      format: reading.format,
      ...scope,
      findings: findingCount,
      counts,
      unassessed,
      ...warnings(),
    };
  }

  private async findEntity(entityRef: string): Promise<Entity> {
    let ref: string;
    try {
      ref = stringifyEntityRef(parseEntityRef(entityRef));
    } catch (error) {
      throw new InputError(`entityRef: ${(error as Error).message}`);
    }
    const entity = await this.options.findEntity(ref);
    if (!entity) {
      throw new NotFoundError(`entityRef: no entity ${ref} in the catalog`);
    }
    return entity;
  }

  /**
   * Reads the report's structure and header; its findings are produced
   * later, element by element, as the store consumes them.
   */
  private read(
    report: ReportBytes,
    format: ReportFormat | undefined,
  ): ReportReading {
    const xml = this.xmlParserOf(report, format);
    if (xml) return xml.read(report);
    const { document, preview } = readJsonReport(report);
    const { parsers } = this.options;
    // Detection looks at the preview (the report with its large arrays cut
    // to one element); the parser walks the whole report.
    const parser = format
      ? parsers.find(candidate => candidate.format === format)
      : parsers.find(candidate => candidate.detect(preview));
    if (!parser) {
      // A report that says it is SARIF (or Grype, ...) but whose structure
      // is broken gets that parser's error, which says where it breaks.
      const claimed = parsers.find(candidate => candidate.claims?.(preview));
      if (claimed) {
        // The findings are read one at a time and dropped: where a
        // required part is broken, reading them says so.
        const { findings } = claimed.read(document);
        for (const finding of findings) void finding;
      }
      throw new InputError(
        `Unknown report format: the report is ${describeShape(
          preview,
        )}, which is none of ${parsers
          .map(candidate => candidate.label)
          .join(', ')}. Accepted format= values: ${REPORT_FORMATS.join(', ')}`,
      );
    }
    return parser.read(document);
  }

  /**
   * The XML parser for a report that starts with `<` (after a BOM and
   * whitespace), or undefined for JSON.
   */
  private xmlParserOf(
    report: ReportBytes,
    format: ReportFormat | undefined,
  ): XmlReportParser | undefined {
    const head = report
      .text(0, Math.min(report.length, 4096))
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (!head.startsWith('<')) return undefined;
    const parsers = this.options.xmlParsers ?? [];
    const parser = format
      ? parsers.find(candidate => candidate.format === format)
      : parsers.find(candidate => candidate.detect(head));
    if (!parser) {
      throw new InputError(
        `Unknown report format: the report is XML, but not ${
          parsers.map(candidate => candidate.label).join(' or ') ||
          'an XML format this backend reads'
        }${format ? ` (format=${format})` : ''}`,
      );
    }
    return parser;
  }
}

/** The first warnings say what to look at; a count says how many more. */
function answeredWarnings(warnings: ReportWarning[]): ImportWarnings {
  return {
    warnings: warnings.slice(0, MAX_WARNINGS),
    ...(warnings.length > MAX_WARNINGS
      ? { warningsOmitted: warnings.length - MAX_WARNINGS }
      : {}),
  };
}

/**
 * Runs `action` with a broken report's errors (JSON syntax, a format's
 * structure at a JSON path, a limit passed) turned into 400s. They can
 * surface late: the findings are read while the store writes them, and
 * the store's transaction then rolls back.
 */
function asInputErrors<T>(action: () => T): T {
  const convert = (error: unknown): never => {
    if (
      error instanceof ReportParseError ||
      error instanceof ReportJsonError ||
      error instanceof ReportLimitError
    ) {
      throw new InputError(error.message);
    }
    throw error;
  };
  try {
    const result = action();
    return result instanceof Promise
      ? (result.catch(convert) as unknown as T)
      : result;
  } catch (error) {
    return convert(error);
  }
}
