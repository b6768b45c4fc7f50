import {
  createRequesterFn,
  RequestOptions,
  ResourceOptions,
} from '@gitbeaker/requester-utils';

/** A GitLab answer that was not a success: what the client needs of it. */
export class GitLabHttpError extends Error {
  readonly name = 'GitLabHttpError';

  constructor(
    readonly status: number,
    readonly headers: Headers,
    /** GitLab's `message` or `error`, as text. */
    readonly description: string,
  ) {
    super(`${status} ${description}`.trim());
  }
}

/** GitLab's error bodies: `{message: '404 Not found'}`, `{error: '...'}`, `{message: {title: [...]}}`. */
function describe(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown };
    const said = parsed.message ?? parsed.error;
    if (typeof said === 'string') return said;
    if (said && typeof said === 'object') {
      return Object.entries(said as Record<string, unknown>)
        .map(([field, problems]) =>
          `${field} ${([] as unknown[]).concat(problems).join(', ')}`.trim(),
        )
        .join('; ');
    }
  } catch {
    // Not JSON: GitLab's 429 says "Retry later", a proxy sends HTML.
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/**
 * Sends one request per call: no retries, no client-side rate limiter.
 * The stock requester of `@gitbeaker/rest` retries 429 and 502 ten times
 * within about 250 ms and ignores `Retry-After` (and a retried 502 on a
 * create can make a second issue); the GitLab client backs off and paces
 * itself instead. The connection pool (`agent`) carries a tracker's
 * private CA.
 */
async function sendOnce(
  endpoint: string,
  options?: RequestOptions,
): Promise<{ body: unknown; headers: Record<string, string>; status: number }> {
  const { agent, prefixUrl, searchParams, method, body, headers, signal } =
    options ?? {};
  const base = prefixUrl?.endsWith('/') ? prefixUrl : `${prefixUrl}/`;
  const url = new URL(endpoint, base);
  url.search = searchParams ?? '';
  const response = await fetch(url, {
    method,
    headers,
    body: body as string | undefined,
    signal,
    // fetch would keep PRIVATE-TOKEN on a redirect to another host (it only
    // drops Authorization): a redirect is reported, never followed.
    redirect: 'manual',
    ...(agent ? { dispatcher: agent } : {}),
  } as RequestInit);
  if (response.status >= 300 && response.status < 400) {
    throw new GitLabHttpError(
      response.status,
      response.headers,
      `GitLab answered a redirect to ${
        response.headers.get('location') ?? 'nowhere'
      }, which is not followed with the token: set integrations.gitlab's apiBaseUrl to where GitLab's API is`,
    );
  }
  if (!response.ok) {
    throw new GitLabHttpError(
      response.status,
      response.headers,
      describe(await response.text()),
    );
  }
  const text = response.status === 204 ? '' : await response.text();
  return {
    body: text ? JSON.parse(text) : null,
    headers: Object.fromEntries(response.headers.entries()),
    status: response.status,
  };
}

/** A gitbeaker requester that sends each request once (see `sendOnce`). */
export const singleAttemptRequester = createRequesterFn(
  (_service: ResourceOptions, options: RequestOptions) =>
    Promise.resolve(options),
  sendOnce as never,
);
