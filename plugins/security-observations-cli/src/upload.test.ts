import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trivyImportAnswer } from './__testUtils__/importAnswers';
import { startRecordingServer } from './__testUtils__/recordingServer';
import { runCli } from './__testUtils__/runCli';

const TOKEN = 'scanner-token-0123456789';
const TRIVY_REPORT = path.resolve(
  __dirname,
  '../../../examples/reports/payments-api/trivy-image.json',
);

describe('security-observations upload', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  let tmp: string;

  beforeEach(async () => {
    server = await startRecordingServer([
      { status: 201, json: trivyImportAnswer },
    ]);
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cli-test-'));
  });

  afterEach(async () => {
    await server.close();
    await fs.promises.rm(tmp, { recursive: true, force: true });
  });

  it('posts the report gzip-compressed to the import route, with the token and the scope', async () => {
    const run = await runCli(
      [
        'upload',
        '--url',
        `${server.url}/`,
        '--entity',
        'Component:default/payments-api',
        '--branch',
        'release/1.4',
        '--scanner',
        'trivy',
        '--source',
        'image',
        '--format',
        'trivy',
        TRIVY_REPORT,
      ],
      { env: { SECURITY_OBSERVATIONS_TOKEN: TOKEN } },
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/security-observations/v1/imports');
    expect(Object.fromEntries(request.query)).toEqual({
      entityRef: 'component:default/payments-api',
      branch: 'release/1.4',
      scanner: 'trivy',
      source: 'image',
      format: 'trivy',
    });
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.body.equals(await fs.promises.readFile(TRIVY_REPORT))).toBe(
      true,
    );
  });

  it('streams the body rather than sending it whole: chunked, with no Content-Length', async () => {
    // About 6 MB of findings: large enough to arrive in many chunks.
    const file = path.join(tmp, 'large.json');
    const results = Array.from({ length: 20_000 }, (_, i) => ({
      VulnerabilityID: `CVE-2024-${String(i).padStart(5, '0')}`,
      PkgName: `package-${i}`,
      InstalledVersion: '1.0.0',
      Severity: 'LOW',
      Description: `Finding ${i} `.repeat(20),
    }));
    await fs.promises.writeFile(
      file,
      JSON.stringify({
        SchemaVersion: 2,
        Results: [{ Vulnerabilities: results }],
      }),
    );

    const run = await runCli(
      [
        'upload',
        '--url',
        server.url,
        '--entity',
        'component:payments-api',
        file,
      ],
      { env: { SECURITY_OBSERVATIONS_TOKEN: TOKEN } },
    );

    expect(run.code).toBe(0);
    const [request] = server.requests;
    expect(request.headers['transfer-encoding']).toBe('chunked');
    expect(request.headers['content-length']).toBeUndefined();
    expect(request.body.equals(await fs.promises.readFile(file))).toBe(true);
    // The namespace defaults to default, as in the catalog.
    expect(request.query.get('entityRef')).toBe(
      'component:default/payments-api',
    );
  });

  it('sends XML reports as application/xml, after a byte order mark and blank lines', async () => {
    const file = path.join(tmp, 'bom.xml');
    const xml =
      '\n  <?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components/></bom>\n';
    await fs.promises.writeFile(
      file,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]),
    );

    const run = await runCli(
      [
        'upload',
        '--url',
        server.url,
        '--entity',
        'component:default/payments-api',
        file,
      ],
      { env: { SECURITY_OBSERVATIONS_TOKEN: TOKEN } },
    );

    expect(run.code).toBe(0);
    expect(server.requests[0].headers['content-type']).toBe('application/xml');
    expect(server.requests[0].body.subarray(3).toString()).toBe(xml);
  });

  it('reads the report from standard input with -, and deletes its temporary copy', async () => {
    const report = await fs.promises.readFile(TRIVY_REPORT);
    // The spooled copy goes to the temporary directory: this test's own.
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const run = await runCli(
        [
          'upload',
          '--url',
          server.url,
          '--entity',
          'component:default/payments-api',
          '-',
        ],
        { env: { SECURITY_OBSERVATIONS_TOKEN: TOKEN }, stdin: report },
      );

      expect(run.code).toBe(0);
      expect(server.requests[0].body.equals(report)).toBe(true);
      expect(run.stdout).toContain('Uploaded standard input to');
      expect(await fs.promises.readdir(tmp)).toEqual([]);
    } finally {
      process.env.TMPDIR = tmpdir;
    }
  });

  it('prints what the import changed and links to the Security tab', async () => {
    const run = await runCli(
      [
        'upload',
        '--entity',
        'component:default/payments-api',
        '--app-url',
        'https://backstage.example.com/',
        TRIVY_REPORT,
      ],
      {
        env: {
          SECURITY_OBSERVATIONS_URL: server.url,
          SECURITY_OBSERVATIONS_TOKEN: TOKEN,
        },
      },
    );

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        `Uploaded ${TRIVY_REPORT} to component:default/payments-api`,
        '  Format: trivy',
        '  Scope: branch main, scanner trivy, source image',
        '  Findings: 4',
        '  Observations: 1 new, 0 updated, 3 unchanged, 2 resolved, 0 reopened',
        '  Open, not assessed: 1 critical, 1 high, 2 medium (new: 1 high)',
        '  Security tab: https://backstage.example.com/catalog/default/component/payments-api/security',
        '',
      ].join('\n'),
    );
  });

  it('prints the answer as JSON with --json', async () => {
    const run = await runCli(
      [
        'upload',
        '--json',
        '--entity',
        'component:default/payments-api',
        TRIVY_REPORT,
      ],
      {
        env: {
          SECURITY_OBSERVATIONS_URL: server.url,
          SECURITY_OBSERVATIONS_TOKEN: TOKEN,
        },
      },
    );

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(trivyImportAnswer);
  });

  it('never prints the token, even where a mistake would echo it', async () => {
    const env = { SECURITY_OBSERVATIONS_TOKEN: TOKEN };
    const flagged = await runCli([
      'upload',
      '--url',
      server.url,
      '--token',
      TOKEN,
      '--entity',
      'component:default/payments-api',
      TRIVY_REPORT,
    ]);
    expect(flagged.code).toBe(0);
    expect(`${flagged.stdout}${flagged.stderr}`).not.toContain(TOKEN);

    // The token pasted into the wrong option.
    const misplaced = await runCli(
      [
        'upload',
        '--url',
        TOKEN,
        '--entity',
        'component:default/payments-api',
        TRIVY_REPORT,
      ],
      { env },
    );
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain("--url '***' is not a URL");
    expect(misplaced.stderr).not.toContain(TOKEN);
  });

  it('keeps the token out of a refusal that echoes the request', async () => {
    const echoing = await startRecordingServer([
      { status: 400, text: `Bad request: authorization: Bearer ${TOKEN}` },
    ]);
    try {
      const run = await runCli(
        [
          'upload',
          '--url',
          echoing.url,
          '--entity',
          'component:default/payments-api',
          TRIVY_REPORT,
        ],
        { env: { SECURITY_OBSERVATIONS_TOKEN: TOKEN } },
      );
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('authorization: Bearer ***');
      expect(run.stderr).not.toContain(TOKEN);
    } finally {
      await echoing.close();
    }
  });
});
