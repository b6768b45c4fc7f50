import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  RootConfigService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Status } from 'backstage-plugin-security-observations-common';

export interface PluginConfig {
  imports: {
    /** Largest request body accepted, compressed or not. */
    maxReportBytes: number;
    /** Largest report after gzip decompression. */
    maxDecompressedReportBytes: number;
    /** Imports parsed and stored at once by this process; the rest queue. */
    maxConcurrent: number;
  };
  /** Statuses that count as active: open, and in review when configured. */
  activeStatuses: Status[];
  /** Four-eyes review: assessments wait for a different user's approval. */
  requireApproval: boolean;
  sync: {
    /** When the tracker sync runs; the default when unset. */
    schedule?: SchedulerServiceTaskScheduleDefinition;
    /** The Backstage app's address, for links from issues to the tab. */
    appBaseUrl: string;
  };
  reconcile: {
    /** When the reconciliation runs; the default when unset. */
    schedule?: SchedulerServiceTaskScheduleDefinition;
    /** Linked issues read per tracker in one run. */
    maxIssuesPerRun: number;
  };
}

const MB = 1024 * 1024;

/** Reads `securityObservations.*` with its defaults; fails fast on bad values. */
export function readPluginConfig(config: RootConfigService): PluginConfig {
  const maxReportSizeMb =
    config.getOptionalNumber('securityObservations.imports.maxReportSizeMb') ??
    50;
  const maxDecompressedSizeMb =
    config.getOptionalNumber(
      'securityObservations.imports.maxDecompressedSizeMb',
    ) ?? 250;
  for (const [key, value] of [
    ['maxReportSizeMb', maxReportSizeMb],
    ['maxDecompressedSizeMb', maxDecompressedSizeMb],
  ] as const) {
    if (!(value > 0)) {
      throw new Error(
        `securityObservations.imports.${key} must be a positive number of megabytes, got ${value}`,
      );
    }
  }
  const maxConcurrent =
    config.getOptionalNumber('securityObservations.imports.maxConcurrent') ?? 2;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new Error(
      `securityObservations.imports.maxConcurrent must be a whole number of at least 1, got ${maxConcurrent}`,
    );
  }
  const inReviewIsActive =
    config.getOptionalBoolean('securityObservations.inReviewIsActive') ?? false;
  return {
    imports: {
      maxReportBytes: Math.floor(maxReportSizeMb * MB),
      maxDecompressedReportBytes: Math.floor(maxDecompressedSizeMb * MB),
      maxConcurrent,
    },
    activeStatuses: inReviewIsActive ? ['open', 'in_review'] : ['open'],
    requireApproval:
      config.getOptionalBoolean(
        'securityObservations.assessment.requireApproval',
      ) ?? false,
    sync: {
      schedule: config.has('securityObservations.sync.schedule')
        ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
            config.getConfig('securityObservations.sync.schedule'),
          )
        : undefined,
      appBaseUrl:
        config.getOptionalString('app.baseUrl') ?? 'http://localhost:3000',
    },
    reconcile: {
      schedule: config.has('securityObservations.reconcile.schedule')
        ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
            config.getConfig('securityObservations.reconcile.schedule'),
          )
        : undefined,
      maxIssuesPerRun: positiveInteger(
        config,
        'securityObservations.reconcile.maxIssuesPerRun',
        500,
      ),
    },
  };
}

function positiveInteger(
  config: RootConfigService,
  key: string,
  fallback: number,
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${key} must be a whole number above 0, got ${value}`);
  }
  return value;
}
