/**
 * The fake GitHub of the tests as a real HTTP server, for trying the
 * tracker sync without a GitHub account and for the end-to-end test:
 *
 *   yarn fake-github      # http://localhost:7788, token ghp_fake_token
 *
 * Point the example at it with Backstage's environment config (the backend
 * reads integrations from it like from app-config.yaml):
 *
 *   APP_CONFIG_integrations_github='[{"host":"github.com","token":"ghp_fake_token","apiBaseUrl":"http://localhost:7788"}]' scripts/start
 *
 * It serves GitHub's REST API for issues with GitHub's shapes, statuses and
 * headers (see src/sync/trackers/__testUtils__/fakeGitHub.ts), for the
 * repositories in FAKE_GITHUB_REPOS (default: the example's
 * acme-corp/payments-api), in memory. Read what the sync did the way you
 * would on GitHub:
 *
 *   curl -H 'Authorization: token ghp_fake_token' \
 *     'http://localhost:7788/repos/acme-corp/payments-api/issues?state=all'
 */
import http from 'node:http';
import { getResponse } from 'msw';
import { FakeGitHub } from '../src/sync/trackers/__testUtils__/fakeGitHub';

const port = Number(process.env.FAKE_GITHUB_PORT ?? 7788);
const token = process.env.FAKE_GITHUB_TOKEN ?? 'ghp_fake_token';
const repos = (process.env.FAKE_GITHUB_REPOS ?? 'acme-corp/payments-api')
  .split(',')
  .map(repo => repo.trim())
  .filter(Boolean);

const github = new FakeGitHub({
  apiBaseUrl: `http://localhost:${port}`,
  tokens: [token],
});
repos.forEach(repo => github.addRepo(repo));

/** Hop-by-hop headers that belong to this connection, not to the request. */
const CONNECTION_HEADERS = new Set([
  'connection',
  'content-length',
  'host',
  'keep-alive',
  'transfer-encoding',
]);

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
    const request = new Request(`http://localhost:${port}${req.url}`, {
      method,
      headers,
      body: ['GET', 'HEAD'].includes(method)
        ? undefined
        : Buffer.concat(chunks),
      // A moved issue answers 301 to the client, as GitHub does.
      redirect: 'manual',
    });
    const response = await getResponse(github.handlers, request);
    if (!response) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
          status: '404',
        }),
      );
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
    `Fake GitHub on http://localhost:${port} (token ${token}) with ${repos.join(
      ', ',
    )}\n`,
  );
});
