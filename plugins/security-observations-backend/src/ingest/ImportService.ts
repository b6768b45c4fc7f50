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
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { normalizeFindings } from './NormalizedFinding';
import {
  ParsedReport,
  REPORT_FORMATS,
  ReportFormat,
  ReportParseError,
  ReportParser,
} from './parsers';

/** Finds a catalog entity by ref; undefined when it does not exist. */
export type EntityLookup = (entityRef: string) => Promise<Entity | undefined>;

export interface ImportRequest {
  entityRef: string;
  branch?: string;
  scanner?: string;
  source?: string;
  format?: ReportFormat;
  /**
   * The raw report, already decompressed. Its holder is emptied once the
   * report is parsed, so a large report's bytes can be freed early.
   */
  report: { body?: Buffer };
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
      clock?: () => Date;
    },
  ) {}

  async importReport(request: ImportRequest): Promise<ImportResponse> {
    const entity = await this.findEntity(request.entityRef);
    const { report, findings, reportBytes } = this.readReport(
      request.report,
      request.format,
    );

    const scope = {
      entityRef: stringifyEntityRef(entity),
      branch:
        request.branch ??
        entity.metadata.annotations?.[ANNOTATION_DEFAULT_BRANCH] ??
        'main',
      scanner: request.scanner ?? report.scanner,
      source: request.source ?? '',
    };
    const { importId, counts } = await this.options.store.applyImport({
      scope,
      format: report.format,
      actor: request.actor,
      reportBytes,
      findings,
      now: this.options.clock?.() ?? new Date(),
    });
    return {
      importId,
      format: report.format,
      ...scope,
      findings: findings.length,
      counts,
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
   * Parses and normalizes the report. The raw bytes and the parsed document
   * live only in here, so they can be freed before the database work.
   */
  private readReport(holder: { body?: Buffer }, format?: ReportFormat) {
    if (!holder.body) {
      throw new InputError('The request has no report');
    }
    const reportBytes = holder.body.length;
    const document = readJson(holder);
    const { findings: parsed, ...report } = this.parse(document, format);
    return { report, findings: normalizeFindings(parsed), reportBytes };
  }

  private parse(
    document: unknown,
    format: ReportFormat | undefined,
  ): ParsedReport {
    const { parsers } = this.options;
    const parser = format
      ? parsers.find(candidate => candidate.format === format)
      : parsers.find(candidate => candidate.detect(document));
    if (!parser) {
      throw new InputError(
        `Unknown report format: the report is none of ${parsers
          .map(candidate => candidate.label)
          .join(', ')}. Accepted format= values: ${REPORT_FORMATS.join(', ')}`,
      );
    }
    try {
      return parser.parse(document);
    } catch (error) {
      if (error instanceof ReportParseError) {
        throw new InputError(error.message);
      }
      throw error;
    }
  }
}

/**
 * JSON.parse of the report. The bytes are released as soon as they are a
 * string, so that bytes, string and document are not all held at the peak.
 */
function readJson(holder: { body?: Buffer }): unknown {
  // A UTF-8 byte-order mark is legal in files but not in JSON.parse.
  let text = holder.body!.toString('utf8').replace(/^\uFEFF/, '');
  holder.body = undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `The report is not valid JSON: ${withoutQuotedInput(
        (error as Error).message,
        text,
      )}`,
    );
  } finally {
    text = '';
  }
}

/**
 * V8 quotes a piece of the input in some JSON.parse errors; a report can hold
 * secrets, so the message keeps the position instead of the text.
 */
function withoutQuotedInput(message: string, text: string): string {
  const quoted =
    /^(Unexpected token .*?), (?:\.\.\.)?"(.*)"(?:\.\.\.)? is not valid JSON$/s.exec(
      message,
    );
  if (!quoted) {
    return message;
  }
  const position = quoted[2] ? text.indexOf(quoted[2]) : -1;
  return position >= 0 ? `${quoted[1]} near position ${position}` : quoted[1];
}
