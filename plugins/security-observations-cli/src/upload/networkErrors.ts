/**
 * What went wrong when fetch could not get an answer at all, read from the
 * error's cause (Node's fetch throws `TypeError: fetch failed` and puts the
 * socket's or TLS's error, sometimes an AggregateError of them, in `cause`).
 */
export interface NetworkFailure {
  /** For people: "connection refused (ECONNREFUSED)". */
  description: string;
  /** Whether another attempt may succeed. */
  retryable: boolean;
  /** What to do when it is not, or when the retries ran out. */
  advice?: string;
}

const CHECK_URL =
  "Check --url (the Backstage backend's base URL) and that the backend is running and reachable from this job";

const TRANSIENT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'the connection closed while the report was being sent',
  ETIMEDOUT: 'connection timed out',
  ECONNABORTED: 'connection aborted',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EAI_AGAIN: 'temporary DNS failure',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'the answer stopped arriving',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_CLOSED: 'the connection closed unexpectedly',
};

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function describeNetworkFailure(error: unknown): NetworkFailure {
  const cause = innermostCause(error);
  const code = errorCode(cause);
  if (code && TRANSIENT[code]) {
    return {
      description: `${TRANSIENT[code]} (${code})`,
      retryable: true,
      advice: CHECK_URL,
    };
  }
  if (code === 'ENOTFOUND') {
    return {
      description: `no such host (${code})`,
      retryable: false,
      advice: 'Check the host name in --url',
    };
  }
  if (code && TLS_CODES.has(code)) {
    return {
      description: `its TLS certificate is not trusted: ${messageOf(
        cause,
      )} (${code})`,
      retryable: false,
      advice:
        'If a private CA signed it, point NODE_EXTRA_CA_CERTS at that CA certificate (a PEM file)',
    };
  }
  if (messageOf(cause) === 'bad port') {
    return {
      description: 'Node refuses to connect to that port (fetch blocks it)',
      retryable: false,
      advice: 'Serve the backend on another port, or put a proxy in front',
    };
  }
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return {
      description: `the TLS handshake failed (${code})`,
      retryable: false,
      advice: 'Check the scheme in --url: http or https',
    };
  }
  // Anything else from the socket is most likely passing too.
  return {
    description: code ? `${messageOf(cause)} (${code})` : messageOf(cause),
    retryable: true,
    advice: CHECK_URL,
  };
}

function innermostCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const next = (current as { cause?: unknown } | undefined)?.cause;
    if (next === undefined || next === null) break;
    current = next;
  }
  return current;
}

function errorCode(error: unknown): string | undefined {
  const { code, errors } = (error ?? {}) as {
    code?: unknown;
    errors?: unknown[];
  };
  if (typeof code === 'string') return code;
  // Connecting to every address of a host fails as one AggregateError.
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const innerCode = errorCode(inner);
      if (innerCode) return innerCode;
    }
  }
  return undefined;
}

function messageOf(error: unknown): string {
  const { message } = (error ?? {}) as { message?: unknown };
  return typeof message === 'string' && message ? message : String(error);
}
