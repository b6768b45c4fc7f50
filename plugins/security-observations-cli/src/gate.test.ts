import path from 'node:path';
import {
  NO_OBSERVATIONS,
  trivyImportAnswer,
} from './__testUtils__/importAnswers';
import { startRecordingServer } from './__testUtils__/recordingServer';
import { runCli } from './__testUtils__/runCli';
import { ImportAnswer } from './importAnswer';

const TRIVY_REPORT = path.resolve(
  __dirname,
  '../../../examples/reports/payments-api/trivy-image.json',
);
const SECURITY_TAB =
  'https://backstage.example.com/catalog/default/component/payments-api/security';

/** Uploads against a backend that answers `answer`, with the gate options. */
async function gate(answer: object, ...options: string[]) {
  const server = await startRecordingServer([{ status: 201, json: answer }]);
  try {
    return await runCli(
      [
        'upload',
        '--entity',
        'component:default/payments-api',
        ...options,
        TRIVY_REPORT,
      ],
      {
        env: {
          SECURITY_OBSERVATIONS_URL: server.url,
          SECURITY_OBSERVATIONS_TOKEN: 'scanner-token-0123456789',
          BACKSTAGE_APP_URL: 'https://backstage.example.com',
        },
      },
    );
  } finally {
    await server.close();
  }
}

// Open and unassessed: 1 critical, 1 high, 2 medium; new: 1 high.
const answer: ImportAnswer = trivyImportAnswer;

describe('--fail-on', () => {
  it('fails on open, unassessed observations at the level or above, and says what to do', async () => {
    const run = await gate(answer, '--fail-on', 'high');

    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n').pop()).toBe(
      `Gate failed: 2 open high or critical observations (not assessed): 1 critical, 1 high. Fix them, or assess them (accept the risk, mark false positives) on the Security tab: ${SECURITY_TAB}`,
    );
  });

  it('counts every severity at or above the level', async () => {
    expect((await gate(answer, '--fail-on', 'critical')).stdout).toContain(
      'Gate failed: 1 open critical observation (not assessed): 1 critical.',
    );
    expect((await gate(answer, '--fail-on', 'medium')).stdout).toContain(
      'Gate failed: 4 open medium, high or critical observations (not assessed): 1 critical, 1 high, 2 medium.',
    );
    const onlyUnknown = {
      ...answer,
      unassessed: {
        all: { ...NO_OBSERVATIONS, none: 1, unknown: 2 },
        new: NO_OBSERVATIONS,
      },
    };
    expect((await gate(onlyUnknown, '--fail-on', 'low')).code).toBe(0);
    const any = await gate(onlyUnknown, '--fail-on', 'any');
    expect(any.code).toBe(1);
    expect(any.stdout).toContain(
      'Gate failed: 3 open observations (not assessed): 1 none, 2 unknown.',
    );
  });

  it('passes when nothing at the level is left open', async () => {
    const assessed = {
      ...answer,
      unassessed: {
        all: { ...NO_OBSERVATIONS, medium: 2, low: 5 },
        new: NO_OBSERVATIONS,
      },
    };
    const run = await gate(assessed, '--fail-on', 'high');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Gate passed: no open high or critical observations without an assessment.',
    );
  });

  it('with --new-only, counts only what this upload introduced', async () => {
    const failing = await gate(answer, '--fail-on', 'high', '--new-only');
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain(
      'Gate failed: 1 new open high or critical observation (not assessed, introduced by this upload): 1 high.',
    );

    const nothingNew = await gate(
      { ...answer, unassessed: { ...answer.unassessed, new: NO_OBSERVATIONS } },
      '--fail-on',
      'high',
      '--new-only',
    );
    expect(nothingNew.code).toBe(0);
    expect(nothingNew.stdout).toContain(
      'Gate passed: no new open high or critical observations without an assessment came with this upload.',
    );
  });

  it('with --json, keeps standard output the answer alone', async () => {
    const run = await gate(answer, '--fail-on', 'high', '--json');

    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual(answer);
    expect(run.stderr).toContain('Gate failed: 2 open high or critical');
  });

  it('says a backend that does not count unassessed observations is too old', async () => {
    const { unassessed, ...older } = answer;
    const run = await gate(older, '--fail-on', 'high');

    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Findings: 4');
    expect(run.stderr).toContain(
      'The report was imported, but this backend is too old for --fail-on',
    );
    // Without the gate the same answer is fine.
    expect((await gate(older)).code).toBe(0);
  });
});
