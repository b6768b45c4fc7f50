import { TestDatabases } from '@backstage/backend-test-utils';
import path from 'node:path';
import { runCli } from './__testUtils__/runCli';
import {
  SCANNER_TOKEN,
  startBackend,
  TRIAGE_TOKEN,
} from './__testUtils__/startBackend';

jest.setTimeout(60_000);

const TRIVY_REPORT = path.resolve(
  __dirname,
  '../../../examples/reports/payments-api/trivy-image.json',
);
const ENTITY = 'component:default/payments-api';
const API = '/api/security-observations/v1';

describe('the CLI against the real backend plugin, over HTTP', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: Awaited<ReturnType<typeof startBackend>>;

  beforeAll(async () => {
    backend = await startBackend(await databases.init('SQLITE_3'));
  });
  afterAll(async () => {
    await backend?.stop();
  });

  const upload = (options: string[], token = SCANNER_TOKEN) =>
    runCli(['upload', '--url', backend.url, ...options, TRIVY_REPORT], {
      env: { SECURITY_OBSERVATIONS_TOKEN: token },
    });

  /** The security team's view: open observations of payments-api. */
  async function openObservations() {
    const response = await fetch(
      `${backend.url}${API}/observations?${new URLSearchParams({
        entityRef: ENTITY,
        status: 'open',
        limit: '500',
      })}`,
      { headers: { Authorization: `Bearer ${TRIAGE_TOKEN}` } },
    );
    expect(response.status).toBe(200);
    return (
      (await response.json()) as {
        items: Array<{ id: string; severity: string }>;
      }
    ).items;
  }

  it('gates the pipeline until the security team has assessed what the scan found', async () => {
    // The example Trivy scan: four medium vulnerabilities (two CVEs in two packages).
    const first = await upload(['--entity', ENTITY, '--fail-on', 'medium']);

    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    const open = await openObservations();
    expect(open.map(o => o.severity)).toEqual([
      'medium',
      'medium',
      'medium',
      'medium',
    ]);
    expect(first.stdout).toBe(
      [
        `Uploaded ${TRIVY_REPORT} to ${ENTITY}`,
        '  Format: trivy',
        '  Scope: branch main, scanner trivy',
        '  Findings: 4',
        '  Observations: 4 new, 0 updated, 0 unchanged, 0 resolved, 0 reopened',
        '  Open, not assessed: 4 medium (new: 4 medium)',
        `  Security tab: ${backend.url}/catalog/default/component/payments-api/security`,
        `Gate failed: 4 open medium, high or critical observations (not assessed): 4 medium. Fix them, or assess them (accept the risk, mark false positives) on the Security tab: ${backend.url}/catalog/default/component/payments-api/security`,
        '',
      ].join('\n'),
    );

    // Nothing at high or above: that gate passes on the same scan.
    const high = await upload(['--entity', ENTITY, '--fail-on', 'high']);
    expect(high.code).toBe(0);
    expect(high.stdout).toContain(
      'Gate passed: no open high or critical observations without an assessment.',
    );

    // The same scan again brings nothing new: --new-only lets it pass
    // before anyone has assessed the old findings.
    const again = await upload([
      '--entity',
      ENTITY,
      '--fail-on',
      'medium',
      '--new-only',
      '--json',
    ]);
    expect(again.code).toBe(0);
    const answer = JSON.parse(again.stdout);
    expect(answer.counts).toEqual({
      new: 0,
      updated: 0,
      unchanged: 4,
      resolved: 0,
      reopened: 0,
    });
    expect(answer.unassessed.all.medium).toBe(4);
    expect(answer.unassessed.new.medium).toBe(0);
    expect(again.stderr).toContain('Gate passed');

    // The security team accepts the risk of all four.
    const assess = await fetch(`${backend.url}${API}/assessments`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${TRIAGE_TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        entityRef: ENTITY,
        observationIds: open.map(o => o.id),
        status: 'risk_accepted',
        comment:
          'OpenSSL fork() RNG issues: the service never forks after start-up',
      }),
    });
    expect(assess.status).toBe(200);

    const assessed = await upload(['--entity', ENTITY, '--fail-on', 'medium']);
    expect(assessed.code).toBe(0);
    expect(assessed.stdout).toContain('  Open, not assessed: none\n');
    expect(assessed.stdout).toContain(
      'Gate passed: no open medium, high or critical observations without an assessment.',
    );
  });

  it('refuses an unknown token with the advice on static tokens', async () => {
    const run = await upload(
      ['--entity', ENTITY],
      'not-a-configured-token-0123456789',
    );

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^The backend refused the token \(401 Unauthorized: .*\): SECURITY_OBSERVATIONS_TOKEN must be one of the static tokens in backend\.auth\.externalAccess of your app-config, allowed security-observations\.import\.create\.\n$/,
    );
    expect(run.stderr).not.toContain('not-a-configured-token');
  });

  it('refuses a token restricted to other permissions, naming the one it lacks', async () => {
    const run = await upload(['--entity', ENTITY], TRIAGE_TOKEN);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'The backend does not allow this token to upload (403 Forbidden: ',
    );
    expect(run.stderr).toContain('security-observations.import.create');
  });

  it('refuses an entity the catalog does not have, with what to check', async () => {
    const run = await upload(['--entity', 'component:default/payment-api']);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'The backend does not know the entity component:default/payment-api (404 Not Found: entityRef: no entity component:default/payment-api in the catalog). Check --entity',
    );
  });

  it('says when --url is not where the backend serves the plugin', async () => {
    const run = await runCli(
      [
        'upload',
        '--url',
        `${backend.url}/backstage`,
        '--entity',
        ENTITY,
        TRIVY_REPORT,
      ],
      { env: { SECURITY_OBSERVATIONS_TOKEN: SCANNER_TOKEN } },
    );

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `Nothing at ${backend.url}/backstage/api/security-observations/v1/imports takes reports (404 Not Found`,
    );
  });
});
