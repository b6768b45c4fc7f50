import type { Client } from 'jira.js/core';
import { dispatcherFor } from '../caBundle';

/** Jira's error body: messages, and problems by field id. */
export interface JiraErrorBody {
  errorMessages?: string[];
  errors?: Record<string, string>;
}

/** A Jira answer that was not a success. */
export class JiraHttpError extends Error {
  readonly name = 'JiraHttpError';
  /** What the body says, without the status. */
  readonly said: string;

  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: JiraErrorBody,
  ) {
    const said = [
      ...(body.errorMessages ?? []),
      ...Object.entries(body.errors ?? {}).map(([f, m]) => `${f}: ${m}`),
    ].join('; ');
    super(`${status} ${said}`.trim());
    this.said = said;
  }
}

/** A request as `jira.js` endpoint functions describe it. */
export type JiraRequest = Parameters<Client['sendRequest']>[0];

export interface JiraTransportOptions {
  baseUrl: string;
  /** The `Authorization` header: Basic for Cloud API tokens, Bearer for Data Center PATs. */
  authorization: string;
  ca?: string;
  requestTimeoutMs: number;
  /**
   * What to do when a success answer does not match `jira.js`'s schema of
   * it: Jira's shapes vary with sites and features, so production warns
   * (once per endpoint) and goes on; tests throw, to keep fakes honest.
   */
  onSchemaMismatch: 'warn' | 'throw';
  warn: (message: string) => void;
}

/** Query parameters as `jira.js` serializes them: lists comma-joined. */
function queryOf(searchParams: Record<string, unknown> | undefined): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) query.set(key, value.join(','));
    } else {
      query.set(
        key,
        typeof value === 'object' ? JSON.stringify(value) : String(value),
      );
    }
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

/**
 * The HTTP side of the Jira clients: a `jira.js` `Client` (so its typed
 * endpoint functions and response schemas drive Jira Cloud) that also
 * serves the Data Center client's plain REST v2 calls. It exists instead
 * of `jira.js`'s own `createClient` because that one cannot take a
 * connection pool (a private CA), a timeout, or give the headers of a
 * failure (Retry-After) to the caller.
 */
export class JiraTransport implements Client {
  private readonly dispatcher;
  private readonly warned = new Set<string>();

  constructor(private readonly options: JiraTransportOptions) {
    this.dispatcher = dispatcherFor(options.ca);
  }

  async sendRequest<T>(
    request: JiraRequest & { schema?: unknown },
  ): Promise<T> {
    const path = request.url.startsWith('/') ? request.url : `/${request.url}`;
    const url = `${this.options.baseUrl}${path}${queryOf(
      request.searchParams,
    )}`;
    const hasBody = request.body !== undefined && request.body !== null;
    const response = await fetch(url, {
      method: request.method ?? 'GET',
      headers: {
        Accept: 'application/json',
        ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
        // Jira Cloud refuses writes without it as a CSRF guard.
        'X-Atlassian-Token': 'no-check',
        Authorization: this.options.authorization,
        ...request.headers,
      },
      body: hasBody ? JSON.stringify(request.body) : undefined,
      signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
    } as RequestInit);
    const text = await response.text();
    if (!response.ok) {
      let body: JiraErrorBody = {};
      try {
        body = JSON.parse(text) as JiraErrorBody;
      } catch {
        body = { errorMessages: [text.replace(/\s+/g, ' ').slice(0, 200)] };
      }
      throw new JiraHttpError(response.status, response.headers, body);
    }
    if (!text) return undefined as T;
    const data = JSON.parse(text) as unknown;
    return this.validated(request, data) as T;
  }

  /** `jira.js`'s schema of the answer, applied as `onSchemaMismatch` says. */
  private validated(
    request: JiraRequest & { schema?: unknown },
    data: unknown,
  ): unknown {
    const schema = request.schema as
      | { safeParse(value: unknown): { success: boolean; error?: unknown } }
      | undefined;
    if (!schema) return data;
    const result = schema.safeParse(data);
    if (result.success) return data;
    const endpoint = `${request.method ?? 'GET'} ${request.url.replace(
      /\/[A-Z][A-Z0-9_]+-\d+/g,
      '/{issue}',
    )}`;
    const message = `Jira answered ${endpoint} with a shape that jira.js does not expect: ${String(
      result.error,
    ).slice(0, 500)}`;
    if (this.options.onSchemaMismatch === 'throw') throw new Error(message);
    if (!this.warned.has(endpoint)) {
      this.warned.add(endpoint);
      this.options.warn(message);
    }
    return data;
  }
}
