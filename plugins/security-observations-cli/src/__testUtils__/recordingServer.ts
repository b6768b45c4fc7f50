import http from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** A request as the server received it, the body decompressed. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The body after gzip decompression (as sent when not gzip). */
  body: Buffer;
}

/** How the server answers one request. */
export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is. */
  text?: string;
  /**
   * Answer as soon as the headers arrive, without reading the body, as the
   * backend does when it refuses the token.
   */
  early?: boolean;
}

/**
 * A local HTTP server that records every request and answers with the next
 * scripted reply (the last one repeats).
 */
export async function startRecordingServer(replies: ScriptedReply[]) {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const reply = replies[Math.min(requests.length, replies.length - 1)];
    const url = new URL(req.url!, 'http://localhost');
    const recorded: RecordedRequest = {
      method: req.method!,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.alloc(0),
    };
    requests.push(recorded);
    const answer = () => {
      const body =
        reply.json !== undefined
          ? JSON.stringify(reply.json)
          : reply.text ?? '';
      res.writeHead(reply.status, {
        'Content-Type':
          reply.json !== undefined ? 'application/json' : 'text/plain',
        ...reply.headers,
      });
      res.end(body);
    };
    if (reply.early) {
      answer();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      recorded.body =
        req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      answer();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Backstage error answer: `{ error: { name, message }, response }`. */
export function backstageError(
  status: number,
  name: string,
  message: string,
  headers?: Record<string, string>,
): ScriptedReply {
  return {
    status,
    headers,
    json: { error: { name, message }, response: { statusCode: status } },
  };
}
