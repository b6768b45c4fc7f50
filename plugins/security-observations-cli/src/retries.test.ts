import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { trivyImportAnswer } from './__testUtils__/importAnswers';
import {
  backstageError,
  startRecordingServer,
} from './__testUtils__/recordingServer';
import { runCli } from './__testUtils__/runCli';

const TOKEN = 'scanner-token-0123456789';
const TRIVY_REPORT = path.resolve(
  __dirname,
  '../../../examples/reports/payments-api/trivy-image.json',
);
const env = { SECURITY_OBSERVATIONS_TOKEN: TOKEN };
const upload = (url: string, ...extra: string[]) => [
  'upload',
  '--url',
  url,
  '--entity',
  'component:default/payments-api',
  ...extra,
  TRIVY_REPORT,
];

describe('retries', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>> | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('waits as a 429 Retry-After in seconds asks, then sends the whole report again', async () => {
    server = await startRecordingServer([
      backstageError(429, 'TooManyRequests', 'Too many imports at once', {
        'Retry-After': '7',
      }),
      { status: 201, json: trivyImportAnswer },
    ]);

    const run = await runCli(upload(server.url), { env });

    expect(run.code).toBe(0);
    expect(run.sleeps).toEqual([7_000]);
    expect(run.stderr).toBe(
      'Attempt 1 of 6 failed: the backend answered 429 Too Many Requests: Too many imports at once; retrying in 7 s (as Retry-After asks).\n',
    );
    const report = await fs.promises.readFile(TRIVY_REPORT);
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.body.equals(report)).toBe(true);
    }
  });

  it('honours a Retry-After date, and caps a long one at two minutes', async () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    server = await startRecordingServer([
      {
        status: 503,
        headers: { 'Retry-After': new Date(now + 42_000).toUTCString() },
        text: 'Service Unavailable',
      },
      {
        status: 429,
        headers: { 'Retry-After': new Date(now + 3_600_000).toUTCString() },
        text: 'Slow down',
      },
      { status: 201, json: trivyImportAnswer },
    ]);

    const run = await runCli(upload(server.url), { env, now: () => now });

    expect(run.code).toBe(0);
    expect(run.sleeps).toEqual([42_000, 120_000]);
  });

  it('backs off exponentially after 503s, then succeeds', async () => {
    server = await startRecordingServer([
      { status: 503, text: 'upstream connect error' },
      { status: 502, text: 'Bad Gateway' },
      backstageError(500, 'Error', 'Knex: Timeout acquiring a connection'),
      { status: 201, json: trivyImportAnswer },
    ]);

    const run = await runCli(upload(server.url), { env });

    expect(run.code).toBe(0);
    expect(run.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(run.stderr.trim().split('\n')).toEqual([
      'Attempt 1 of 6 failed: the backend answered 503 Service Unavailable: upstream connect error; retrying in 1 s.',
      'Attempt 2 of 6 failed: the backend answered 502 Bad Gateway: Bad Gateway; retrying in 2 s.',
      'Attempt 3 of 6 failed: the backend answered 500 Internal Server Error: Knex: Timeout acquiring a connection; retrying in 4 s.',
    ]);
    expect(run.stdout).toContain('Findings: 4');
  });

  it('gives up after --retries with the last answer and exit 3', async () => {
    server = await startRecordingServer([
      { status: 503, text: 'Service Unavailable' },
    ]);

    const run = await runCli(upload(server.url, '--retries', '2'), { env });

    expect(run.code).toBe(3);
    expect(server.requests).toHaveLength(3);
    expect(run.sleeps).toEqual([1_000, 2_000]);
    expect(run.stderr).toContain(
      'The upload failed after 3 attempts: the backend answered 503 Service Unavailable: Service Unavailable. The backend is overloaded or failing: try again later',
    );
    expect(run.stdout).toBe('');
  });

  it('caps the backoff at 30 seconds', async () => {
    server = await startRecordingServer([{ status: 500, text: 'boom' }]);

    const run = await runCli(upload(server.url, '--retries', '7'), { env });

    expect(run.code).toBe(3);
    expect(run.sleeps).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });

  it('retries when nothing listens, and then names the URL and the cause', async () => {
    const port = await unusedPort();
    const url = `http://127.0.0.1:${port}`;

    const run = await runCli(upload(url, '--retries', '2'), { env });

    expect(run.code).toBe(3);
    expect(run.sleeps).toEqual([1_000, 2_000]);
    expect(run.stderr).toContain(
      `Attempt 1 of 3 failed: cannot reach ${url}: connection refused (ECONNREFUSED); retrying in 1 s.`,
    );
    expect(run.stderr).toContain(
      `The upload failed after 3 attempts: cannot reach ${url}: connection refused (ECONNREFUSED). Check --url`,
    );
  });

  it('retries a connection the backend drops, and succeeds on the next', async () => {
    let connections = 0;
    const flaky = http.createServer((req, res) => {
      connections++;
      if (connections === 1) {
        req.socket.destroy();
        return;
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(trivyImportAnswer));
      });
    });
    await new Promise<void>(resolve => flaky.listen(0, '127.0.0.1', resolve));
    const { port } = flaky.address() as AddressInfo;
    try {
      const run = await runCli(upload(`http://127.0.0.1:${port}`), { env });

      expect(run.code).toBe(0);
      expect(connections).toBe(2);
      expect(run.sleeps).toEqual([1_000]);
      expect(run.stderr).toMatch(
        /^Attempt 1 of 6 failed: cannot reach .*; retrying in 1 s\.\n$/,
      );
    } finally {
      flaky.closeAllConnections();
      await new Promise(resolve => flaky.close(resolve));
    }
  });
});

/** A port that nothing listens on: taken, then let go. */
async function unusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}
