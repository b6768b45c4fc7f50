import path from 'node:path';
import fc from 'fast-check';
import { corpusFiles, readJson } from '../../__testUtils__/corpus';
import {
  arbitraryJsonProperty,
  foreignDocuments,
  parseErrorOf,
  replacedValueProperty,
} from '../../__testUtils__/parserProperties';
import { normalizeFindings } from '../NormalizedFinding';
import { cyclonedxParser } from './cyclonedx';
import { gitleaksParser } from './gitleaks';
import { gitleaksIdentityParts, gitleaksSecretTag } from './gitleaksIdentity';
import { identityKey } from './identity';
import { osvParser } from './osv';
import { semgrepParser } from './semgrep';

/**
 * Fixtures:
 * - `gitleaks-8_git.json`, `gitleaks-8_no-git.json`: `gitleaks detect
 *   --report-format json`, in the shape of Gitleaks' golden file
 *   `testdata/expected/report/json_simple.json`.
 * - `gitleaks-8_redact.json`: the git fixture as `--redact` writes it
 *   (`report/finding.go` `Redact(100)`: `Secret` and the secret in `Match`
 *   become `REDACTED`, nothing else changes, the commit message neither),
 *   plus the AWS key committed again later.
 * - `gitleaks-7.5_git-history.json`: Gitleaks 7.5.0 on DefectDojo's own
 *   repository (DefectDojo `unittests/scans/gitleaks/version_7.5.0.json`):
 *   AWS's documentation key, each place found in two commits.
 * - `gitleaks-7_deletions.json`: Gitleaks' own test expectation
 *   `test_data/test_local_repo_two_leaks_deletion.json` (6 and 7, with
 *   `operation` and `lineNumber: -1` for deleted lines).
 */
const fixture = (name: string) =>
  readJson(path.join(__dirname, '__fixtures__', 'gitleaks', name)) as Array<
    Record<string, any>
  >;

const SECRET = 'EXAMPLEtokenValue0123456789abcdef';

const leak = (overrides: Record<string, unknown> = {}) => ({
  RuleID: 'github-pat',
  Description: 'Uncovered a GitHub Personal Access Token',
  StartLine: 4,
  EndLine: 4,
  StartColumn: 10,
  EndColumn: 50,
  Match: `token = "${SECRET}"`,
  Secret: SECRET,
  File: 'scripts/release.sh',
  Commit: 'abc123',
  Author: 'Dana',
  Email: 'dana@example.com',
  Date: '2024-01-01T00:00:00Z',
  Message: 'release script',
  Tags: [],
  Entropy: 4.2,
  Fingerprint: 'abc123:scripts/release.sh:github-pat:4',
  ...overrides,
});

/** A Gitleaks 7 leak, as `scan/leak.go` writes it. */
const leak7 = (overrides: Record<string, unknown> = {}) => ({
  line: `export GITHUB_TOKEN="${SECRET}"`,
  lineNumber: 3,
  offender: SECRET,
  offenderEntropy: -1,
  commit: 'd54ce70d0cf883054ed256db46406a5df551f000',
  repo: '.',
  repoURL: '',
  leakURL: '',
  rule: 'Github',
  commitMessage: 'saving bashrc to git\n',
  author: 'John Doe',
  email: 'john.doe@example.com',
  file: '.bashrc',
  date: '2020-04-04T15:52:59-07:00',
  tags: 'key, Github',
  ...overrides,
});

const keyOf = (
  ruleId: string,
  file: string,
  secret: string | undefined,
  commit?: string,
  startLine?: number,
) =>
  identityKey(
    ...gitleaksIdentityParts({ ruleId, file, secret, commit, startLine }),
  );

const parseError = (document: unknown) =>
  parseErrorOf(gitleaksParser, document);

const normalizedKeys = (document: unknown) =>
  Array.from(normalizeFindings(gitleaksParser.parse(document).findings)).map(
    normalized => normalized.finding.identityKey,
  );

/** Documents of the formats auto-detection tries around this one. */
const otherFormats = foreignDocuments([
  'sarif',
  'trivy',
  'grype',
  'cyclonedx',
  'osv-scanner',
  'semgrep',
]);

describe('gitleaksParser', () => {
  describe('corpus', () => {
    it('reads every Gitleaks corpus file: one finding per secret and file, the secret redacted', () => {
      for (const file of corpusFiles('gitleaks')) {
        const document = readJson(file) as Array<Record<string, any>>;
        expect(gitleaksParser.detect(document)).toBe(true);
        const report = gitleaksParser.parse(document);
        const leaks = new Set(
          document.map(item => [item.RuleID, item.File, item.Secret].join('|')),
        );
        expect(report.findings).toHaveLength(leaks.size);
        const serialized = JSON.stringify(report);
        for (const item of document) {
          expect(serialized).not.toContain(item.Secret);
        }
      }
    });

    it('reads gitleaks-8_json_simple.json: one finding, "a secret" redacted', () => {
      for (const file of corpusFiles('gitleaks').filter(
        name => path.basename(name) === 'gitleaks-8_json_simple.json',
      )) {
        const report = gitleaksParser.parse(readJson(file));
        expect(JSON.stringify(report)).not.toContain('a secret');
        expect(report).toEqual({
          format: 'gitleaks',
          scanner: 'gitleaks',
          findings: [
            expect.objectContaining({
              identityKey: identityKey(
                'test-rule',
                'auth.py',
                'secret',
                gitleaksSecretTag('test-rule', 'a secret'),
              ),
              title: 'test-rule in auth.py',
              severity: 'high',
              status: 'open',
              ruleId: 'test-rule',
              vulnerabilityIds: [],
              cwes: [],
              location: { file: 'auth.py', startLine: 1, endLine: 2 },
            }),
          ],
        });
      }
    });

    it("gives Gitleaks' SARIF of the same scan the same identity, through the call sarif.ts makes", () => {
      const [json] = corpusFiles('gitleaks').filter(
        name => path.basename(name) === 'gitleaks-8_json_simple.json',
      );
      const [sarif] = corpusFiles('sarif').filter(
        name => path.basename(name) === 'gitleaks-8_simple.sarif',
      );
      if (!json || !sarif) return;
      const result = (readJson(sarif) as any).runs[0].results[0];
      const physical = result.locations[0].physicalLocation;
      expect(
        identityKey(
          ...gitleaksIdentityParts({
            ruleId: result.ruleId,
            file: physical.artifactLocation.uri,
            secret: physical.region.snippet.text,
            commit: result.partialFingerprints.commitSha,
            startLine: physical.region.startLine,
          }),
        ),
      ).toBe(gitleaksParser.parse(readJson(json)).findings[0].identityKey);
    });
  });

  describe('git scan fixture (Gitleaks 8)', () => {
    const document = fixture('gitleaks-8_git.json');
    const report = gitleaksParser.parse(document);

    it('never lets a secret through, not even in the commit message', () => {
      const serialized = JSON.stringify(report);
      expect(serialized).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(serialized).not.toContain('EXAMPLEc5b4a39281706f5e4d3c2b1a0');
      expect(serialized).toContain('[REDACTED]');
    });

    it('reads the AWS key', () => {
      expect(report.findings[0]).toEqual({
        identityKey: identityKey(
          'aws-access-token',
          'deploy/terraform/provider.tf',
          'secret',
          gitleaksSecretTag('aws-access-token', 'AKIAIOSFODNN7EXAMPLE'),
        ),
        title:
          'Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms in deploy/terraform/provider.tf',
        description: [
          'Gitleaks rule `aws-access-token` matched (Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms.): `aws_access_key_id = [REDACTED]`',
          [
            '- Commit: `4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d`',
            '- Author: Dana Developer',
            '- Date: 2024-02-11T09:14:51Z',
            '- Commit message: add terraform provider config with key [REDACTED]',
            '- Link: [https://github.com/example/shop/blob/4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d/deploy/terraform/provider.tf#L12](https://github.com/example/shop/blob/4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d/deploy/terraform/provider.tf#L12)',
          ].join('\n'),
          'The secret is not stored here. Revoke or rotate it: deleting it from the code does not make it safe.',
        ].join('\n\n'),
        severity: 'high',
        status: 'open',
        ruleId: 'aws-access-token',
        vulnerabilityIds: [],
        cwes: [],
        location: {
          file: 'deploy/terraform/provider.tf',
          startLine: 12,
          endLine: 12,
        },
      });
    });

    it('normalizes Windows paths and lists tags', () => {
      expect(report.findings[1].location?.file).toBe('config/.env.production');
      expect(report.findings[1].title).toBe(
        'Detected a Generic API Key, potentially exposing access to various services and sensitive operations in config/.env.production',
      );
      expect(report.findings[1].description).toContain('- Tags: key, API');
      expect(report.findings[1].description).toContain(
        '`PAYMENT_API_KEY="[REDACTED]"`',
      );
    });
  });

  describe('--no-git scan fixture (Gitleaks 8)', () => {
    const report = gitleaksParser.parse(fixture('gitleaks-8_no-git.json'));

    it('makes one finding of one secret twice in a file, at its first line, listing both', () => {
      expect(report.findings.map(f => f.identityKey)).toEqual([
        identityKey(
          'generic-api-key',
          'charts/web/values.yaml',
          'secret',
          gitleaksSecretTag(
            'generic-api-key',
            'EXAMPLE0a1b2c3d4e5f60718293a4b5c6d7e8f',
          ),
        ),
      ]);
      expect(report.findings[0].location).toEqual({
        file: 'charts/web/values.yaml',
        startLine: 7,
        endLine: 7,
      });
    });

    it('puts a match with backticks in a longer code span and leaves out empty commit fields', () => {
      expect(report.findings[0].description).toBe(
        [
          'Gitleaks rule `generic-api-key` matched (Detected a Generic API Key, potentially exposing access to various services and sensitive operations.): `` api_key: `[REDACTED]` ``',
          'Gitleaks reports this secret in 2 places of this file:\n\n- line 7\n- line 19',
          'The secret is not stored here. Revoke or rotate it: deleting it from the code does not make it safe.',
        ].join('\n\n'),
      );
    });
  });

  describe('--redact fixture (Gitleaks 8)', () => {
    const report = gitleaksParser.parse(fixture('gitleaks-8_redact.json'));

    it("keys each leak by Gitleaks' own fingerprint: rule, file, commit and line", () => {
      expect(report.findings.map(f => f.identityKey)).toEqual([
        keyOf(
          'aws-access-token',
          'deploy/terraform/provider.tf',
          'REDACTED',
          '4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d',
          12,
        ),
        identityKey(
          'generic-api-key',
          'config/.env.production',
          'line',
          '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b',
          '3',
        ),
        keyOf(
          'aws-access-token',
          'deploy/terraform/provider.tf',
          'REDACTED',
          'c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a',
          14,
        ),
      ]);
    });

    it('leaves out the commit message, which Gitleaks does not redact', () => {
      expect(JSON.stringify(report)).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(report.findings[0].description).toBe(
        [
          'Gitleaks rule `aws-access-token` matched (Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms.): `aws_access_key_id = [REDACTED]`',
          [
            '- Commit: `4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d`',
            '- Author: Dana Developer',
            '- Date: 2024-02-11T09:14:51Z',
            '- Link: [https://github.com/example/shop/blob/4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d/deploy/terraform/provider.tf#L12](https://github.com/example/shop/blob/4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d/deploy/terraform/provider.tf#L12)',
          ].join('\n'),
          'The secret is not stored here. Revoke or rotate it: deleting it from the code does not make it safe.',
        ].join('\n\n'),
      );
    });

    it('hides what --redact=75 leaves of the secret, and keys it as redacted', () => {
      // report/finding.go MaskSecret: the first quarter, then "...".
      const masked = 'EXAMPLEt...';
      const [finding] = gitleaksParser.parse([
        leak({
          Secret: masked,
          Match: `token = "${masked}"`,
          Message: `add token ${SECRET}`,
        }),
      ]).findings;
      const serialized = JSON.stringify(finding);
      expect(serialized).not.toContain('EXAMPLEt');
      expect(finding.description).toContain('`token = "[REDACTED]"`');
      expect(finding.identityKey).toBe(
        identityKey('github-pat', 'scripts/release.sh', 'line', 'abc123', '4'),
      );
    });
  });

  describe('Gitleaks 7 git history fixture (7.5.0)', () => {
    const document = fixture('gitleaks-7.5_git-history.json');
    const report = gitleaksParser.parse(document);
    const awsTag = gitleaksSecretTag('AWS Access Key', 'AKIAIOSFODNN7EXAMPLE');
    const dir = 'dojo/unittests/scans/gitlab_secret_detection_report';

    it('makes one finding of each secret in each file, whatever commits found it', () => {
      expect(document).toHaveLength(8);
      expect(report.findings.map(f => f.identityKey)).toEqual([
        identityKey(
          'AWS Access Key',
          `${dir}/gitlab_secret_detection_report_1_vuln.json`,
          'secret',
          awsTag,
        ),
        identityKey(
          'Asymmetric Private Key',
          `${dir}/gitlab_secret_detection_report_3_vuln.json`,
          'secret',
          gitleaksSecretTag(
            'Asymmetric Private Key',
            '-----BEGIN OPENSSH PRIVATE KEY-----',
          ),
        ),
        identityKey(
          'AWS Access Key',
          `${dir}/gitlab_secret_detection_report_3_vuln.json`,
          'secret',
          awsTag,
        ),
        identityKey(
          'AWS Access Key',
          'dojo/unittests/tools/test_gitlab_secret_detection_report_parser.py',
          'secret',
          awsTag,
        ),
      ]);
    });

    it('shows the earliest commit and lists every place, with no secret', () => {
      const serialized = JSON.stringify(report);
      expect(serialized).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(serialized).not.toContain('BEGIN OPENSSH');
      expect(report.findings[0]).toEqual({
        identityKey: report.findings[0].identityKey,
        title: `AWS Access Key in ${dir}/gitlab_secret_detection_report_1_vuln.json`,
        description: [
          'Gitleaks rule `AWS Access Key` matched: `"raw_source_code_extract": "[REDACTED]",`',
          [
            '- Commit: `6d127980966808f7413935678e079dcd7fedf9c2`',
            '- Author: Bhurinat Wangsutthitham',
            '- Date: 2021-07-15T22:00:32+07:00',
            '- Commit message: feat: added GitLab secret detection report parser (#4605)',
            '- Tags: key, AWS',
          ].join('\n'),
          [
            'Gitleaks reports this secret in 2 places of this file:',
            '',
            '- line 13, commit `6d127980966808f7413935678e079dcd7fedf9c2`, 2021-07-15T22:00:32+07:00',
            '- line 13, commit `8bbcdfd743c5695bdd7d3bc21aa9417131a7ab12`, 2021-07-27T11:19:31-05:00',
          ].join('\n'),
          'The secret is not stored here. Revoke or rotate it: deleting it from the code does not make it safe.',
        ].join('\n\n'),
        severity: 'high',
        status: 'open',
        ruleId: 'AWS Access Key',
        vulnerabilityIds: [],
        cwes: [],
        location: {
          file: `${dir}/gitlab_secret_detection_report_1_vuln.json`,
          startLine: 13,
        },
      });
    });
  });

  describe('Gitleaks 6 and 7 deletions fixture', () => {
    const report = gitleaksParser.parse(fixture('gitleaks-7_deletions.json'));

    it('joins the commits that added and removed one secret, earliest first', () => {
      expect(report.findings.map(f => f.identityKey)).toEqual([
        keyOf('AWS Access Key', 'secrets.md', 'AKIALALEMEL33243OLIB'),
        keyOf('AWS Access Key', 'secrets.md', 'AKIALALEMEL33243OLIA'),
      ]);
      const [, olia] = report.findings;
      expect(olia.location).toEqual({ file: 'secrets.md', startLine: 3 });
      expect(olia.description).toContain(
        [
          'Gitleaks reports this secret in 4 places of this file:',
          '',
          '- line 3, commit `b10b3e2cb320a8c211fda94c4567299d37de7776`, 2019-10-25T12:58:39-04:00',
          '- commit `17471a5fda722a9e423f1a0d3f0d267ea009d41c`, 2019-10-25T13:01:27-04:00 (the commit removed it)',
          '- line 5, commit `17471a5fda722a9e423f1a0d3f0d267ea009d41c`, 2019-10-25T13:01:27-04:00',
          '- commit `996865bb912f3bc45898a370a13aadb315014b55`, 2019-10-25T13:07:41-04:00 (the commit removed it)',
        ].join('\n'),
      );
      expect(JSON.stringify(report)).not.toContain('AKIALALEMEL33243OLI');
    });
  });

  describe('Gitleaks 4 to 7', () => {
    it('splits the tags, drops the zero date of a scan without git, and links the leak', () => {
      const [finding] = gitleaksParser.parse([
        leak7({
          commit: '',
          commitMessage: '',
          author: '',
          date: '0001-01-01T00:00:00Z',
          leakURL:
            'https://github.com/example/dotfiles/blob/d54ce70/.bashrc#L3',
        }),
      ]).findings;
      expect(finding.description).toBe(
        [
          'Gitleaks rule `Github` matched: `export GITHUB_TOKEN="[REDACTED]"`',
          [
            '- Tags: key, Github',
            '- Link: [https://github.com/example/dotfiles/blob/d54ce70/.bashrc#L3](https://github.com/example/dotfiles/blob/d54ce70/.bashrc#L3)',
          ].join('\n'),
          'The secret is not stored here. Revoke or rotate it: deleting it from the code does not make it safe.',
        ].join('\n\n'),
      );
      expect(finding.title).toBe('Github in .bashrc');
    });

    it('reads Gitleaks 4 leaks, which have no line number', () => {
      const v4: Record<string, unknown> = leak7();
      delete v4.lineNumber;
      delete v4.offenderEntropy;
      const [finding] = gitleaksParser.parse([v4]).findings;
      expect(finding.location).toEqual({ file: '.bashrc' });
      expect(finding.identityKey).toBe(keyOf('Github', '.bashrc', SECRET));
    });

    it('hides the start of a secret that Gitleaks 4 cut off with the line', () => {
      // manager.go SendLeaks: a line longer than 200 characters is cut to
      // 199 and "..." is appended.
      const line = `${'x'.repeat(185)}TOKEN=${SECRET}; rest of a long line`;
      const cut = `${line.slice(0, 199)}...`;
      expect(cut).toContain(SECRET.slice(0, 8));
      const [finding] = gitleaksParser.parse([
        leak7({ line: cut, offender: SECRET }),
      ]).findings;
      expect(finding.description).not.toContain(SECRET.slice(0, 4));
      expect(finding.description).toContain('TOKEN=[REDACTED]...');
    });

    it('keys a redacted Gitleaks 7 report by commit and line', () => {
      const [finding] = gitleaksParser.parse([
        leak7({
          offender: 'REDACTED',
          line: 'export GITHUB_TOKEN="REDACTED"',
        }),
      ]).findings;
      expect(finding.identityKey).toBe(
        identityKey(
          'Github',
          '.bashrc',
          'line',
          'd54ce70d0cf883054ed256db46406a5df551f000',
          '3',
        ),
      );
      expect(finding.description).not.toContain('Commit message');
    });
  });

  describe('identity', () => {
    const key = (overrides: Record<string, unknown>) =>
      gitleaksParser.parse([leak(overrides)]).findings[0].identityKey;

    it('is the rule, the file and a 16-bit tag of the secret, nothing of the secret itself', () => {
      expect(key({})).toBe(
        identityKey(
          'github-pat',
          'scripts/release.sh',
          'secret',
          gitleaksSecretTag('github-pat', SECRET),
        ),
      );
      expect(gitleaksSecretTag('github-pat', SECRET)).toMatch(/^[0-9a-f]{4}$/);
      expect(key({})).not.toContain(SECRET);
    });

    it('survives line shifts, a new commit (rebase) and a reformatted line', () => {
      expect(
        key({
          StartLine: 40,
          EndLine: 41,
          StartColumn: 3,
          Fingerprint: 'def456:scripts/release.sh:github-pat:40',
          Commit: 'def456',
          Match: `export TOKEN=${SECRET}`,
        }),
      ).toBe(key({}));
    });

    it('changes with the rule, the file or the secret', () => {
      const base = key({});
      expect(key({ RuleID: 'generic-api-key' })).not.toBe(base);
      expect(key({ File: 'scripts/deploy.sh' })).not.toBe(base);
      expect(key({ Secret: 'EXAMPLEotherToken0123456789abcdef' })).not.toBe(
        base,
      );
    });

    it('uses the symlink path that the location shows, as the SARIF report does', () => {
      const [finding] = gitleaksParser.parse([
        leak({ File: 'shared/release.sh', SymlinkFile: 'scripts/release.sh' }),
      ]).findings;
      expect(finding.identityKey).toBe(key({}));
      expect(finding.location?.file).toBe('scripts/release.sh');
      expect(finding.description).toContain(
        '- Symlink to: `shared/release.sh`',
      );
    });
  });

  describe('observations (through normalizeFindings)', () => {
    it('makes one observation of a leak the report repeats byte for byte', () => {
      expect(normalizedKeys([leak(), leak()])).toEqual([
        keyOf('github-pat', 'scripts/release.sh', SECRET),
      ]);
    });

    it('numbers two secrets whose tags collide, and loses neither', () => {
      const tag = gitleaksSecretTag('github-pat', SECRET);
      let other = '';
      for (let n = 0; other === ''; n++) {
        const candidate = `EXAMPLEcollision${n}`;
        if (gitleaksSecretTag('github-pat', candidate) === tag) {
          other = candidate;
        }
      }
      const document = [
        leak(),
        leak({ Secret: other, Match: `token = "${other}"`, StartLine: 9 }),
      ];
      const parts = gitleaksIdentityParts({
        ruleId: 'github-pat',
        file: 'scripts/release.sh',
        secret: SECRET,
        commit: 'abc123',
        startLine: 4,
      });
      expect(normalizedKeys(document)).toEqual([
        identityKey(...parts),
        identityKey(...parts, '#2'),
      ]);
      expect(JSON.stringify(gitleaksParser.parse(document))).not.toContain(
        other,
      );
    });

    it('gives the same observations when Gitleaks lists the leaks in another order', () => {
      for (const name of [
        'gitleaks-7.5_git-history.json',
        'gitleaks-7_deletions.json',
        'gitleaks-8_no-git.json',
      ]) {
        const document = fixture(name);
        const observations = (items: unknown[]) =>
          Array.from(normalizeFindings(gitleaksParser.parse(items).findings))
            .map(({ identityHash, contentHash }) => [identityHash, contentHash])
            .sort();
        expect(observations([...document].reverse())).toEqual(
          observations(document),
        );
        expect(observations(document)).toEqual(observations(document));
      }
    });
  });

  describe('documents', () => {
    it('reads an empty array as zero findings', () => {
      expect(gitleaksParser.parse([])).toEqual({
        format: 'gitleaks',
        scanner: 'gitleaks',
        findings: [],
      });
    });

    it('uses the rule id as title when the description is empty, and keeps no line 0', () => {
      const [finding] = gitleaksParser.parse([
        leak({ Description: '', StartLine: 0, EndLine: 0 }),
      ]).findings;
      expect(finding.title).toBe('github-pat in scripts/release.sh');
      expect(finding.location).toEqual({ file: 'scripts/release.sh' });
    });

    it('redacts a secret wherever it appears', () => {
      const report = gitleaksParser.parse([
        leak({
          File: `leaks/${SECRET}.txt`,
          Description: `rule about ${SECRET}`,
          Author: SECRET,
          Date: SECRET,
          Message: `msg ${SECRET}`,
          Tags: [SECRET],
          Commit: SECRET,
          Link: `https://example.com/${SECRET}`,
        }),
      ]);
      expect(JSON.stringify(report)).not.toContain(SECRET);
      expect(report.findings[0].location?.file).toBe('leaks/[REDACTED].txt');
    });

    it('names the JSON path of what is wrong', () => {
      expect(parseError({}).message).toBe('Gitleaks JSON: expected an array');
      expect(parseError([leak(), leak({ File: 3 })]).message).toBe(
        'Gitleaks JSON: [1].File: expected a string',
      );
      expect(parseError([leak({ RuleID: undefined })]).message).toBe(
        'Gitleaks JSON: [0].RuleID: expected a string',
      );
      expect(parseError([leak({ StartLine: '4' })]).message).toBe(
        'Gitleaks JSON: [0].StartLine: expected a number',
      );
      expect(parseError([leak({ Tags: ['a', 1] })]).message).toBe(
        'Gitleaks JSON: [0].Tags[1]: expected a string',
      );
      expect(parseError([leak(), 'x']).message).toBe(
        'Gitleaks JSON: [1]: expected an object',
      );
      expect(parseError([leak7(), leak7({ rule: 7 })]).message).toBe(
        'Gitleaks JSON: [1].rule: expected a string',
      );
      expect(parseError([leak7({ lineNumber: '3' })]).message).toBe(
        'Gitleaks JSON: [0].lineNumber: expected a number',
      );
      expect(parseError([leak7({ tags: ['key'] })]).message).toBe(
        'Gitleaks JSON: [0].tags: expected a string',
      );
    });
  });

  describe('detect', () => {
    it('accepts Gitleaks 8 and 4 to 7 reports, the empty one included', () => {
      expect(gitleaksParser.detect([])).toBe(true);
      for (const name of [
        'gitleaks-8_git.json',
        'gitleaks-8_redact.json',
        'gitleaks-7.5_git-history.json',
        'gitleaks-7_deletions.json',
      ]) {
        expect([name, gitleaksParser.detect(fixture(name))]).toEqual([
          name,
          true,
        ]);
      }
      expect(gitleaksParser.detect([{ RuleID: 'x', Match: 'y' }])).toBe(true);
      expect(gitleaksParser.detect([{ RuleID: 'x', Secret: 'y' }])).toBe(true);
      expect(gitleaksParser.detect([{ rule: 'x', offender: 'y' }])).toBe(true);
      expect(gitleaksParser.detect([{ rule: 'x', line: 'y' }])).toBe(true);
    });

    it('rejects other arrays and objects', () => {
      expect(gitleaksParser.detect([{ RuleID: 'x' }])).toBe(false);
      expect(gitleaksParser.detect([{ rule: 'x' }])).toBe(false);
      expect(gitleaksParser.detect([{ Secret: 'y', Match: 'z' }])).toBe(false);
      expect(gitleaksParser.detect([{ offender: 'y', line: 'z' }])).toBe(false);
      expect(gitleaksParser.detect([1])).toBe(false);
      expect(gitleaksParser.detect({ RuleID: 'x', Secret: 'y' })).toBe(false);
      expect(gitleaksParser.detect(null)).toBe(false);
    });

    it('rejects SARIF, Trivy, Grype, CycloneDX, OSV and Semgrep documents', () => {
      for (const [name, document] of otherFormats) {
        expect([name, gitleaksParser.detect(document)]).toEqual([name, false]);
      }
    });

    it('is not claimed by the other parsers in this group', () => {
      for (const name of [
        'gitleaks-8_git.json',
        'gitleaks-7.5_git-history.json',
      ]) {
        const document = fixture(name);
        expect(semgrepParser.detect(document)).toBe(false);
        expect(osvParser.detect(document)).toBe(false);
        expect(cyclonedxParser.detect(document)).toBe(false);
      }
    });
  });

  describe('robustness', () => {
    it('returns or throws ReportParseError for arbitrary JSON', () => {
      expect(() =>
        fc.assert(
          arbitraryJsonProperty(gitleaksParser, [
            document => [document],
            document => [leak7(), document],
          ]),
          { numRuns: 300 },
        ),
      ).not.toThrow();
    });

    it.each([
      'gitleaks-8_git.json',
      'gitleaks-8_redact.json',
      'gitleaks-7.5_git-history.json',
      'gitleaks-7_deletions.json',
    ])(
      'returns or throws ReportParseError when any value of %s is replaced',
      name => {
        const document = fixture(name);
        expect(() =>
          fc.assert(replacedValueProperty(gitleaksParser, document), {
            numRuns: 500,
          }),
        ).not.toThrow();
      },
    );

    it.each([
      [
        'Gitleaks 8',
        (secret: string, before: string, after: string) =>
          leak({
            Secret: secret,
            Match: `${before}${secret}${after}`,
            Message: `${after}${secret}`,
          }),
      ],
      [
        'Gitleaks 7',
        (secret: string, before: string, after: string) =>
          leak7({
            offender: secret,
            line: `${before}${secret}${after}`,
            commitMessage: `${after}${secret}`,
            tags: `${secret}, key`,
          }),
      ],
    ])('never outputs a %s secret of 4 or more characters', (_, make) => {
      fc.assert(
        fc.property(
          // "S" keeps the secret from being a run of hex digits of a tag
          fc.string({ minLength: 3, maxLength: 12 }).map(s => `S${s}`),
          fc.string({ maxLength: 10 }),
          fc.string({ maxLength: 10 }),
          (secret, before, after) => {
            const report = gitleaksParser.parse([
              make(secret, before, after),
              make(secret, after, before),
            ]);
            for (const finding of report.findings) {
              for (const text of [
                finding.title,
                finding.description,
                finding.identityKey,
                finding.location?.file ?? '',
              ]) {
                expect(text).not.toContain(secret);
              }
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
