import { CliError, uploadError } from '../errors';
import { BackendAnswer, readBackendAnswer, statusLine } from './backendAnswer';
import { describeNetworkFailure, NetworkFailure } from './networkErrors';
import { describeRefusal } from './refusal';
import { createReportBody } from './reportBody';
import { ReportFile, unreadable } from './reportFile';
import { backoffDelay, formatDelay, retryAfterDelay } from './retryDelay';

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface UploadRequest {
  /** The import route with its query. */
  url: string;
  token: string;
  report: ReportFile;
  /** The entity ref sent, for messages. */
  entityRef: string;
  userAgent: string;
  /** Attempts after the first. */
  retries: number;
}

export interface UploadDependencies {
  fetch: Fetch;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1), for the backoff's jitter. */
  random: () => number;
  /** Milliseconds since the epoch, for Retry-After dates. */
  now: () => number;
  /** One line per retry, for standard error. */
  log: (line: string) => void;
}

/** What one attempt came to. */
type AttemptResult =
  | { kind: 'ok'; json: unknown }
  | { kind: 'answer'; answer: BackendAnswer }
  | ({ kind: 'network' } & NetworkFailure);

/**
 * Posts the report, gzip-compressed, and returns the backend's JSON
 * answer. Busy answers (429, 5xx) and network errors are retried with
 * backoff or as Retry-After asks: an import is all or nothing, and
 * importing the same report again changes nothing, so sending it twice is
 * safe. Everything else ends the upload with advice.
 */
export async function uploadReport(
  request: UploadRequest,
  deps: UploadDependencies,
): Promise<unknown> {
  const attempts = request.retries + 1;
  const importUrl = request.url.replace(/\?.*$/, '');
  const origin = new URL(request.url).origin;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptUpload(request, deps.fetch);
    if (result.kind === 'ok') return result.json;

    let reason: string;
    let requestedDelay: number | undefined;
    if (result.kind === 'answer') {
      const { answer } = result;
      const busy = answer.status === 429 || answer.status >= 500;
      if (!busy) {
        throw describeRefusal(answer, {
          importUrl,
          entityRef: request.entityRef,
        });
      }
      reason = `the backend answered ${statusLine(answer.status)}: ${
        answer.message
      }`;
      requestedDelay = retryAfterDelay(
        answer.headers.get('retry-after'),
        deps.now(),
      );
      if (attempt >= attempts) {
        throw uploadError(
          `The upload failed after ${plural(
            attempts,
            'attempt',
          )}: ${reason}. The backend is overloaded or failing: try again later, or ask its operators to look at its logs.`,
        );
      }
    } else {
      reason = `cannot reach ${origin}: ${result.description}`;
      if (!result.retryable || attempt >= attempts) {
        throw uploadError(
          `The upload failed${
            result.retryable ? ` after ${plural(attempts, 'attempt')}` : ''
          }: ${reason}.${result.advice ? ` ${result.advice}.` : ''}`,
        );
      }
    }

    const delay = requestedDelay ?? backoffDelay(attempt, deps.random);
    deps.log(
      `Attempt ${attempt} of ${attempts} failed: ${reason}; retrying in ${formatDelay(
        delay,
      )}${requestedDelay === undefined ? '' : ' (as Retry-After asks)'}.`,
    );
    await deps.sleep(delay);
  }
}

async function attemptUpload(
  request: UploadRequest,
  fetch: Fetch,
): Promise<AttemptResult> {
  const body = createReportBody(request.report.path);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${request.token}`,
        'Content-Type': request.report.contentType,
        'Content-Encoding': 'gzip',
        Accept: 'application/json',
        'User-Agent': request.userAgent,
      },
      body: body.stream,
      // Required by Node's fetch for a streamed body.
      duplex: 'half',
      // A redirect cannot resend a streamed body: say so instead.
      redirect: 'manual',
    } as RequestInit);
  } catch (error) {
    const readError = body.readError();
    if (readError) throw unreadable(request.report.displayName, readError);
    if (!isFetchFailure(error)) throw error;
    return { kind: 'network', ...describeNetworkFailure(error) };
  }

  if (response.status >= 200 && response.status < 300) {
    const text = await response.text();
    try {
      return { kind: 'ok', json: JSON.parse(text) };
    } catch {
      throw notAnImportAnswer(response.status, request.url);
    }
  }
  return { kind: 'answer', answer: await readBackendAnswer(response) };
}

/**
 * Node's fetch rejects with `TypeError: fetch failed` whose cause is the
 * socket's or TLS's error; other errors are not the network's. (Duck-typed:
 * the error may come from another realm, where instanceof fails.)
 */
function isFetchFailure(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { cause?: unknown }).cause !== undefined
  );
}

export function notAnImportAnswer(status: number, url: string): CliError {
  return uploadError(
    `The server answered ${statusLine(status)} to ${url.replace(
      /\?.*$/,
      '',
    )}, but not with an import's answer: is --url the Backstage backend's base URL, not the app's or a proxy's page?`,
  );
}

function plural(count: number, noun: string) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
