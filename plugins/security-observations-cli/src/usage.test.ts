import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main } from './main';
import { runCli } from './__testUtils__/runCli';

const TOKEN = 'scanner-token-0123456789';
const TRIVY_REPORT = path.resolve(
  __dirname,
  '../../../examples/reports/payments-api/trivy-image.json',
);
const env = {
  SECURITY_OBSERVATIONS_URL: 'http://127.0.0.1:9',
  SECURITY_OBSERVATIONS_TOKEN: TOKEN,
};
const fetchNever = async () => {
  throw new Error('nothing may be sent');
};

describe('usage errors: exit 2, nothing sent', () => {
  it('names every missing option at once, and how to give it', async () => {
    const run = await runCli(['upload', TRIVY_REPORT], { fetch: fetchNever });

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      [
        "--url is missing: pass the Backstage backend's base URL, e.g. --url https://backstage.example.com, or set SECURITY_OBSERVATIONS_URL",
        'The token is missing: set SECURITY_OBSERVATIONS_TOKEN to a static token from backend.auth.externalAccess of your app-config, allowed security-observations.import.create',
        '--entity is missing: name the catalog entity the report belongs to, e.g. --entity component:default/payments-api',
        'Run security-observations --help for every option.',
        '',
      ].join('\n'),
    );
  });

  it('says when a CI secret arrived empty', async () => {
    const run = await runCli(
      ['upload', '--entity', 'component:default/payments-api', TRIVY_REPORT],
      {
        env: { ...env, SECURITY_OBSERVATIONS_TOKEN: '' },
        fetch: fetchNever,
      },
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'SECURITY_OBSERVATIONS_TOKEN is set but empty: is the CI secret defined, and passed to this job?',
    );
  });

  it('wants the report file', async () => {
    const run = await runCli(
      ['upload', '--entity', 'component:default/payments-api'],
      { env, fetch: fetchNever },
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'The report file is missing: security-observations upload [options] <file> (or - to read it from standard input)',
    );
  });

  it.each([
    [
      ['--entity', 'payments-api'],
      "--entity 'payments-api' is not a full entity ref: write kind:namespace/name as the catalog shows it, e.g. component:default/payments-api",
    ],
    [
      ['--entity', 'component:default/payments-api', '--format', 'nessus'],
      "--format 'nessus' is not a format the backend reads: use one of sarif, cyclonedx, trivy, grype, osv, gitleaks, semgrep",
    ],
    [
      ['--entity', 'component:default/payments-api', '--fail-on', 'severe'],
      "--fail-on 'severe' is not a level: use one of critical, high, medium, low, any",
    ],
    [
      ['--entity', 'component:default/payments-api', '--new-only'],
      '--new-only narrows --fail-on: add --fail-on <critical|high|medium|low|any>',
    ],
    [
      ['--entity', 'component:default/payments-api', '--retries', 'many'],
      "--retries 'many' must be a whole number from 0 to 100",
    ],
    [
      [
        '--entity',
        'component:default/payments-api',
        '--url',
        'backstage.example.com',
      ],
      "--url 'backstage.example.com' is not a URL: write it with its scheme, e.g. https://backstage.example.com",
    ],
    [
      ['--entity', 'component:default/payments-api', '--branch', ''],
      "--branch is empty: the CI variable given may not be set in this pipeline; pass a name, or leave --branch out for the default (the entity's default branch)",
    ],
    [
      ['--entity', 'component:default/payments-api', '--colour'],
      "Unknown option '--colour'",
    ],
  ])('refuses %j', async (options, message) => {
    const run = await runCli(['upload', ...options, TRIVY_REPORT], {
      env,
      fetch: fetchNever,
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('knows only the upload command', async () => {
    const run = await runCli(['import', TRIVY_REPORT], {
      env,
      fetch: fetchNever,
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "Unknown command 'import': the command is upload",
    );
  });
});

describe('unreadable reports: exit 2 naming the path', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cli-test-'));
  });
  afterEach(async () => {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  });

  const upload = (file: string) =>
    runCli(['upload', '--entity', 'component:default/payments-api', file], {
      env,
      fetch: fetchNever,
    });

  it('a path with no file', async () => {
    const missing = path.join(tmp, 'trivy-results.json');
    const run = await upload(missing);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `Cannot read the report '${missing}': there is no such file (looked for ${missing}): check the path, and that the scanner step wrote the report there\n`,
    );
  });

  it('a directory', async () => {
    const run = await upload(tmp);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `Cannot read the report '${tmp}': it is a directory; name the report file inside it\n`,
    );
  });

  it('an empty file', async () => {
    const empty = path.join(tmp, 'empty.json');
    await fs.promises.writeFile(empty, '');
    const run = await upload(empty);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `The report '${empty}' is empty: did the scanner step write it?`,
    );
  });

  it('standard input that is a terminal', async () => {
    const stdin = Object.assign(Readable.from([]), { isTTY: true });
    let stderr = '';
    const code = await main(
      ['upload', '--entity', 'component:default/payments-api', '-'],
      {
        env,
        stdout: { write: () => true },
        stderr: { write: (text: string) => (stderr += text) },
        stdin,
        fetch: fetchNever,
      },
    );

    expect(code).toBe(2);
    expect(stderr).toContain(
      'standard input is a terminal: pipe the report in',
    );
  });
});

describe('--help and --version', () => {
  it('prints the options, the environment variables and the exit codes', async () => {
    const run = await runCli(['upload', '--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Usage: security-observations upload [options] <file>',
    );
    for (const name of [
      'SECURITY_OBSERVATIONS_URL',
      'SECURITY_OBSERVATIONS_TOKEN',
      'BACKSTAGE_APP_URL',
      '--fail-on',
      '--new-only',
      '--retries',
      '--json',
    ]) {
      expect(run.stdout).toContain(name);
    }
    expect(run.stdout).toContain('prefer the variable');
    expect(run.stdout).toMatch(/^ {2}3 {2}the upload failed/m);
  });

  it("prints the package's version", async () => {
    const run = await runCli(['--version']);
    const { version } = JSON.parse(
      await fs.promises.readFile(
        path.resolve(__dirname, '../package.json'),
        'utf8',
      ),
    );

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });
});
