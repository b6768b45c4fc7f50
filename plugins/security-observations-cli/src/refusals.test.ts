import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  backstageError,
  ScriptedReply,
  startRecordingServer,
} from './__testUtils__/recordingServer';
import { runCli } from './__testUtils__/runCli';

const TOKEN = 'scanner-token-0123456789';
const TRIVY_REPORT = path.resolve(
  __dirname,
  '../../../examples/reports/payments-api/trivy-image.json',
);

/** Uploads the Trivy report to a server that answers with `reply`. */
async function uploadAgainst(
  reply: ScriptedReply,
  options: { entity?: string; report?: string } = {},
) {
  const server = await startRecordingServer([reply]);
  try {
    const run = await runCli(
      [
        'upload',
        '--url',
        server.url,
        '--entity',
        options.entity ?? 'component:default/payments-api',
        options.report ?? TRIVY_REPORT,
      ],
      { env: { SECURITY_OBSERVATIONS_TOKEN: TOKEN } },
    );
    return { ...run, attempts: server.requests.length, url: server.url };
  } finally {
    await server.close();
  }
}

describe('refusals: exit 3, once, with what to do', () => {
  it('401: the token is not one the backend knows', async () => {
    const run = await uploadAgainst({
      ...backstageError(401, 'AuthenticationError', 'Illegal token'),
      early: true,
    });

    expect(run.code).toBe(3);
    expect(run.attempts).toBe(1);
    expect(run.stderr).toBe(
      'The backend refused the token (401 Unauthorized: Illegal token): SECURITY_OBSERVATIONS_TOKEN must be one of the static tokens in backend.auth.externalAccess of your app-config, allowed security-observations.import.create.\n',
    );
    expect(run.stdout).toBe('');
  });

  it('401 before a large report was read: the answer still arrives', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cli-test-'));
    const large = path.join(dir, 'large.sarif');
    // Random text compresses badly: megabytes on the wire, not kilobytes.
    await fs.promises.writeFile(
      large,
      JSON.stringify({
        version: '2.1.0',
        runs: [{ padding: randomBytes(4_000_000).toString('base64') }],
      }),
    );
    try {
      const run = await uploadAgainst(
        {
          ...backstageError(401, 'AuthenticationError', 'Illegal token'),
          early: true,
        },
        { report: large },
      );
      expect(run.code).toBe(3);
      expect(run.attempts).toBe(1);
      expect(run.stderr).toContain('The backend refused the token');
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });

  it('403: the token may not upload', async () => {
    const run = await uploadAgainst({
      ...backstageError(
        403,
        'NotAllowedError',
        'Not allowed: security-observations.import.create on component:default/payments-api',
      ),
      early: true,
    });

    expect(run.code).toBe(3);
    expect(run.attempts).toBe(1);
    expect(run.stderr).toContain(
      'The backend does not allow this token to upload (403 Forbidden: Not allowed: security-observations.import.create on component:default/payments-api).',
    );
    expect(run.stderr).toContain(
      'add security-observations.import.create to its accessRestrictions (plugin: security-observations)',
    );
  });

  it('404 naming entityRef: the entity is not in the catalog', async () => {
    const run = await uploadAgainst(
      backstageError(
        404,
        'NotFoundError',
        'entityRef: no entity component:default/payments-apii in the catalog',
      ),
      { entity: 'component:default/payments-apii' },
    );

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'The backend does not know the entity component:default/payments-apii (404 Not Found: entityRef: no entity component:default/payments-apii in the catalog). Check --entity',
    );
    expect(run.stderr).toContain('or register the entity in the catalog');
  });

  it('404 without it: no plugin answers at that URL', async () => {
    const run = await uploadAgainst({
      status: 404,
      headers: { 'Content-Type': 'text/html' },
      text: '<!DOCTYPE html><html><body><pre>Cannot POST /api/security-observations/v1/imports</pre></body></html>',
    });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `Nothing at ${run.url}/api/security-observations/v1/imports takes reports (404 Not Found: (an HTML page, not an answer of the Backstage backend)). Is the Security Observations backend plugin installed`,
    );
    expect(run.stderr).toContain("--url the backend's base URL");
  });

  it("400: the server's message, which names what is wrong and where", async () => {
    const run = await uploadAgainst(
      backstageError(
        400,
        'InputError',
        'SARIF: runs[0].results[3]: expected an object',
      ),
    );

    expect(run.code).toBe(3);
    expect(run.attempts).toBe(1);
    expect(run.stderr).toContain(
      'The backend refused the report (400 Bad Request: SARIF: runs[0].results[3]: expected an object).',
    );
  });

  it('413 from the backend: its limits and where they are configured', async () => {
    const run = await uploadAgainst(
      backstageError(
        413,
        'PayloadTooLargeError',
        'The decompressed report exceeds the limit of 250 MB',
      ),
    );

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'The report is too large for the backend (413 Payload Too Large: The decompressed report exceeds the limit of 250 MB).',
    );
    expect(run.stderr).toContain(
      'securityObservations.imports.maxDecompressedSizeMb (the report after decompression, default 250)',
    );
  });

  it('413 from a proxy in front of the backend', async () => {
    const run = await uploadAgainst({
      status: 413,
      headers: { 'Content-Type': 'text/html' },
      text: '<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center></body></html>',
    });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'a proxy in front of it limits request bodies',
    );
    expect(run.stderr).toContain('client_max_body_size');
  });

  it('415: the content type or encoding did not arrive as sent', async () => {
    const run = await uploadAgainst(
      backstageError(
        415,
        'UnsupportedMediaTypeError',
        "Content-Type must be one of application/json, application/sarif+json, application/vnd.cyclonedx+json, application/xml, text/xml, application/vnd.cyclonedx+xml, got 'text/plain'",
      ),
    );

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      "The backend refused the report's content type (415 Unsupported Media Type: Content-Type must be one of",
    );
  });

  it('a redirect: says where to, since a streamed report cannot follow it', async () => {
    const run = await uploadAgainst({
      status: 308,
      headers: {
        Location:
          'https://backstage.example.com/api/security-observations/v1/imports',
      },
    });

    expect(run.code).toBe(3);
    expect(run.attempts).toBe(1);
    expect(run.stderr).toContain(
      'The backend answered 308 Permanent Redirect, a redirect to https://backstage.example.com/api/security-observations/v1/imports',
    );
  });

  it("a 200 that is not an import's answer: the app's URL instead of the backend's", async () => {
    const run = await uploadAgainst({
      status: 200,
      headers: { 'Content-Type': 'text/html' },
      text: '<!DOCTYPE html><html><head><title>Backstage</title></head><body><div id="root"></div></body></html>',
    });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain("but not with an import's answer");
    expect(run.stderr).toContain("is --url the Backstage backend's base URL");
  });
});
