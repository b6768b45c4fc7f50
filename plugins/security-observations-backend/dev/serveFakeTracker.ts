import http from 'node:http';
import { getResponse, RequestHandler } from 'msw';
import { PeopleActions } from './fakeTrackerPeople';

/** Hop-by-hop headers that belong to this connection, not to the request. */
const CONNECTION_HEADERS = new Set([
  'connection',
  'content-length',
  'host',
  'keep-alive',
  'transfer-encoding',
]);

/**
 * Serves a fake tracker's msw handlers over real HTTP on localhost, so
 * that a running Backstage can talk to it as to the real tracker.
 */
export function serveFakeTracker(options: {
  name: string;
  port: number;
  handlers: RequestHandler[];
  /** The body of a 404 for routes the fake does not serve, as the tracker words it. */
  notFound: unknown;
  describe: string;
  /** `POST /_people/<action>` with `{issue, body}`: a person acts on the tracker. */
  people?: PeopleActions;
}): http.Server {
  const { port, handlers } = options;
  const server = http.createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || CONNECTION_HEADERS.has(name)) continue;
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const method = req.method ?? 'GET';
      const action = /^\/_people\/([\w-]+)$/.exec(req.url ?? '')?.[1];
      if (method === 'POST' && action && options.people?.[action]) {
        const result = await options.people[action](
          JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
        );
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ done: action, result: result ?? null }));
        return;
      }
      const request = new Request(`http://localhost:${port}${req.url}`, {
        method,
        headers,
        body: ['GET', 'HEAD'].includes(method)
          ? undefined
          : Buffer.concat(chunks),
        // A moved GitHub issue answers 301 to the client, as GitHub does.
        redirect: 'manual',
      });
      const response = await getResponse(handlers, request);
      if (!response) {
        res.writeHead(404, {
          'content-type': 'application/json; charset=utf-8',
        });
        res.end(JSON.stringify(options.notFound));
        return;
      }
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: String(error) }));
    }
  });
  server.listen(port, 'localhost', () => {
    process.stdout.write(
      `Fake ${options.name} on http://localhost:${port}: ${options.describe}\n`,
    );
  });
  return server;
}
