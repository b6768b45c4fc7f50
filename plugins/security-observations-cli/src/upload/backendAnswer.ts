import { STATUS_CODES } from 'node:http';

/** A non-2xx answer of the backend, read once. */
export interface BackendAnswer {
  status: number;
  /** The error's message: Backstage's `error.message`, or the body's text. */
  message: string;
  /** Whether the body was Backstage's error JSON (a proxy's page is not). */
  fromBackstage: boolean;
  headers: Headers;
}

const MAX_MESSAGE_LENGTH = 500;

/**
 * Reads an error answer. Backstage answers `{ error: { name, message },
 * response: { statusCode } }`; a proxy or a static file server in front of
 * it answers with text or an HTML page, which is shortened, not dumped.
 */
export async function readBackendAnswer(
  response: Response,
): Promise<BackendAnswer> {
  const text = await response.text().catch(() => '');
  const base = { status: response.status, headers: response.headers };
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } })
      ?.error?.message;
    if (typeof message === 'string') {
      return { ...base, message, fromBackstage: true };
    }
  } catch {
    // Not JSON: read as text below.
  }
  const trimmed = text.trim().replace(/\s+/g, ' ');
  let message: string;
  if (trimmed === '') {
    message = '(no message)';
  } else if (trimmed.startsWith('<')) {
    message = '(an HTML page, not an answer of the Backstage backend)';
  } else if (trimmed.length > MAX_MESSAGE_LENGTH) {
    message = `${trimmed.slice(0, MAX_MESSAGE_LENGTH)}...`;
  } else {
    message = trimmed;
  }
  return { ...base, message, fromBackstage: false };
}

/** "503 Service Unavailable". */
export function statusLine(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : String(status);
}
