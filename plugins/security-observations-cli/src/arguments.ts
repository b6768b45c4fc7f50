import { parseArgs } from 'node:util';
import { EntityRef, parseEntityRef } from './entityRef';
import { CliError, usageError } from './errors';
import { ExitCode } from './exitCodes';
import { REPORT_FORMATS, ReportFormat } from './reportFormats';
import { FAIL_ON_LEVELS, FailOn } from './severities';

export interface UploadOptions {
  /** The backend's base URL, without a trailing slash. */
  url: string;
  token: string;
  entity: EntityRef;
  branch?: string;
  scanner?: string;
  source?: string;
  format?: ReportFormat;
  /** The app's base URL, without a trailing slash, for the Security tab link. */
  appUrl: string;
  failOn?: FailOn;
  newOnly: boolean;
  retries: number;
  json: boolean;
  /** A path, or `-` for standard input. */
  file: string;
}

export type Command =
  | { name: 'help' }
  | { name: 'version' }
  | { name: 'upload'; options: UploadOptions };

export const ENV = {
  url: 'SECURITY_OBSERVATIONS_URL',
  token: 'SECURITY_OBSERVATIONS_TOKEN',
  appUrl: 'BACKSTAGE_APP_URL',
} as const;

const DEFAULT_RETRIES = 5;
const MAX_RETRIES = 100;
const SEE_HELP = 'Run security-observations --help for every option.';

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  entity: { type: 'string' },
  branch: { type: 'string' },
  scanner: { type: 'string' },
  source: { type: 'string' },
  format: { type: 'string' },
  'app-url': { type: 'string' },
  'fail-on': { type: 'string' },
  'new-only': { type: 'boolean' },
  retries: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/**
 * Reads the command line and the environment into what the upload needs.
 * Every problem found is reported at once, so a CI job needs one fix-up
 * round, not one per missing option.
 */
export function parseArguments(
  argv: string[],
  env: Record<string, string | undefined>,
): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs names the option and what is wrong with it.
    throw usageError(`${(error as Error).message}\n${SEE_HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  if (values.version) return { name: 'version' };

  const [command, file, ...extra] = positionals;
  if (command === undefined) {
    throw usageError(
      `No command given: security-observations upload [options] <file>\n${SEE_HELP}`,
    );
  }
  if (command !== 'upload') {
    throw usageError(
      `Unknown command '${command}': the command is upload, as in security-observations upload [options] <file>\n${SEE_HELP}`,
    );
  }

  const problems: string[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };

  if (file === undefined) {
    problems.push(
      'The report file is missing: security-observations upload [options] <file> (or - to read it from standard input)',
    );
  }
  if (extra.length > 0) {
    problems.push(
      `Only one report per upload: unexpected ${extra
        .map(arg => `'${arg}'`)
        .join(
          ', ',
        )} after '${file}' (an option value with spaces needs quotes)`,
    );
  }

  const rawUrl = fromOptionOrEnv(values.url, env, ENV.url);
  let url: string | undefined;
  if (rawUrl === undefined) {
    problems.push(
      missingFromEnv(
        env,
        ENV.url,
        `--url is missing: pass the Backstage backend's base URL, e.g. --url https://backstage.example.com, or set ${ENV.url}`,
      ),
    );
  } else {
    url = attempt(() => readBaseUrl(rawUrl, '--url', true));
  }

  const token = fromOptionOrEnv(values.token, env, ENV.token);
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    // Never echoed: the message only says what to look for.
    problems.push(
      `The token contains spaces, line breaks or characters other than printable ASCII: copy it into ${ENV.token} again, as it stands in backend.auth.externalAccess`,
    );
  }
  if (token === undefined) {
    problems.push(
      missingFromEnv(
        env,
        ENV.token,
        `The token is missing: set ${ENV.token} to a static token from backend.auth.externalAccess of your app-config, allowed security-observations.import.create`,
      ),
    );
  }

  let entity: EntityRef | undefined;
  if (values.entity === undefined || values.entity.trim() === '') {
    problems.push(
      '--entity is missing: name the catalog entity the report belongs to, e.g. --entity component:default/payments-api',
    );
  } else {
    const ref = values.entity;
    entity = attempt(() => parseEntityRef(ref));
  }

  // An empty value is a CI variable that this pipeline does not set (GitLab
  // sets CI_COMMIT_BRANCH only in branch pipelines): refused rather than
  // filed under the default branch.
  for (const option of ['branch', 'scanner'] as const) {
    if (values[option] !== undefined && values[option]!.trim() === '') {
      problems.push(
        `--${option} is empty: the CI variable given may not be set in this pipeline; pass a name, or leave --${option} out for the default (${
          option === 'branch'
            ? "the entity's default branch"
            : 'the tool the report names'
        })`,
      );
    }
  }

  const format = attempt(() => readFormat(values.format));
  const failOn = attempt(() => readFailOn(values['fail-on']));
  if (values['new-only'] && values['fail-on'] === undefined) {
    problems.push(
      '--new-only narrows --fail-on: add --fail-on <critical|high|medium|low|any>',
    );
  }
  const retries = attempt(() => readRetries(values.retries));

  const rawAppUrl = fromOptionOrEnv(values['app-url'], env, ENV.appUrl);
  const appUrl =
    rawAppUrl === undefined
      ? url
      : attempt(() => readBaseUrl(rawAppUrl, '--app-url', false));

  if (problems.length > 0) {
    throw new CliError(`${problems.join('\n')}\n${SEE_HELP}`, ExitCode.usage);
  }
  return {
    name: 'upload',
    options: {
      url: url!,
      token: token!,
      entity: entity!,
      branch: values.branch,
      scanner: values.scanner,
      source: values.source,
      format,
      appUrl: appUrl!,
      failOn,
      newOnly: values['new-only'] ?? false,
      retries: retries!,
      json: values.json ?? false,
      file: file!,
    },
  };
}

/** The option, else the environment variable; empty counts as unset. */
function fromOptionOrEnv(
  option: string | undefined,
  env: Record<string, string | undefined>,
  name: string,
): string | undefined {
  const value = option ?? env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A CI secret that was not passed on arrives as an empty variable. */
function missingFromEnv(
  env: Record<string, string | undefined>,
  name: string,
  message: string,
): string {
  if (env[name] !== undefined) {
    return `${message} (${name} is set but empty: is the CI secret defined, and passed to this job?)`;
  }
  return message;
}

/**
 * An http(s) base URL without a trailing slash. The backend's URL may be
 * given with the plugin's path by mistake; that is cut off.
 */
function readBaseUrl(value: string, option: string, isBackend: boolean) {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw usageError(
      `${option} '${value}' is not a URL: write it with its scheme, e.g. https://backstage.example.com`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError(
      `${option} '${value}' must be an http or https URL, e.g. https://backstage.example.com`,
    );
  }
  if (parsed.search || parsed.hash) {
    throw usageError(
      `${option} '${value}' must be a base URL, without a query or fragment, e.g. https://backstage.example.com`,
    );
  }
  let path = parsed.pathname.replace(/\/+$/, '');
  if (isBackend) {
    path = path.replace(/\/api\/security-observations(\/v1\/imports)?$/, '');
  }
  return `${parsed.origin}${path}`;
}

function readFormat(value: string | undefined): ReportFormat | undefined {
  if (value === undefined) return undefined;
  const format = value.toLowerCase() as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) {
    throw usageError(
      `--format '${value}' is not a format the backend reads: use one of ${REPORT_FORMATS.join(
        ', ',
      )}, or leave it out to let the backend detect it`,
    );
  }
  return format;
}

function readFailOn(value: string | undefined): FailOn | undefined {
  if (value === undefined) return undefined;
  const level = value.toLowerCase() as FailOn;
  if (!FAIL_ON_LEVELS.includes(level)) {
    throw usageError(
      `--fail-on '${value}' is not a level: use one of ${FAIL_ON_LEVELS.join(
        ', ',
      )}`,
    );
  }
  return level;
}

function readRetries(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RETRIES;
  const retries = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(retries <= MAX_RETRIES)) {
    throw usageError(
      `--retries '${value}' must be a whole number from 0 to ${MAX_RETRIES}`,
    );
  }
  return retries;
}
