import path from 'node:path';
import fc from 'fast-check';
import { corpusFiles, readJson } from '../../__testUtils__/corpus';
import {
  arbitraryJsonProperty,
  foreignDocuments,
  parseErrorOf,
  replacedValueProperty,
} from '../../__testUtils__/parserProperties';
import { cyclonedxParser } from './cyclonedx';
import { gitleaksParser } from './gitleaks';
import { digest, identityKey } from './identity';
import { osvParser } from './osv';
import { semgrepParser } from './semgrep';

const fixture = (name: string) =>
  readJson(path.join(__dirname, '__fixtures__', 'gitleaks', name)) as Array<
    Record<string, any>
  >;

const leak = (overrides: Record<string, unknown> = {}) => ({
  RuleID: 'github-pat',
  Description: 'Uncovered a GitHub Personal Access Token',
  StartLine: 4,
  EndLine: 4,
  StartColumn: 10,
  EndColumn: 50,
  Match: 'token = "EXAMPLEtokenValue0123456789abcdef"',
  Secret: 'EXAMPLEtokenValue0123456789abcdef',
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

const parseError = (document: unknown) =>
  parseErrorOf(gitleaksParser, document);

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
    it('reads every Gitleaks corpus file with the secret redacted', () => {
      for (const file of corpusFiles('gitleaks')) {
        const document = readJson(file) as Array<Record<string, any>>;
        expect(gitleaksParser.detect(document)).toBe(true);
        const report = gitleaksParser.parse(document);
        expect(report.findings).toHaveLength(document.length);
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
                '0000000000000000',
                digest('line containing secret'),
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
  });

  describe('git scan fixture', () => {
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
          '4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d',
          digest('aws_access_key_id = [REDACTED]'),
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

  describe('--no-git scan fixture', () => {
    const report = gitleaksParser.parse(fixture('gitleaks-8_no-git.json'));

    it('has an empty commit in the identity and numbers the same line text repeated in a file', () => {
      const base = [
        'generic-api-key',
        'charts/web/values.yaml',
        '',
        digest('api_key: `[REDACTED]`'),
      ];
      expect(report.findings.map(f => f.identityKey)).toEqual([
        identityKey(...base),
        identityKey(...base, '#2'),
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
          'The secret is not stored here. Revoke or rotate it: deleting it from the code does not make it safe.',
        ].join('\n\n'),
      );
    });
  });

  describe('identity', () => {
    const key = (overrides: Record<string, unknown>) =>
      gitleaksParser.parse([leak(overrides)]).findings[0].identityKey;

    it('survives line shifts and contains no secret', () => {
      expect(key({ StartLine: 40, EndLine: 41, StartColumn: 3 })).toBe(key({}));
      expect(
        key({ Fingerprint: 'abc123:scripts/release.sh:github-pat:40' }),
      ).toBe(key({}));
      expect(key({})).not.toContain('EXAMPLEtokenValue0123456789abcdef');
      expect(key({})).toBe(
        identityKey(
          'github-pat',
          'scripts/release.sh',
          'abc123',
          digest('token = "[REDACTED]"'),
        ),
      );
    });

    it('is the same for a report made with --redact', () => {
      expect(key({ Secret: 'REDACTED', Match: 'token = "REDACTED"' })).toBe(
        key({}),
      );
    });

    it('changes with the rule, file, commit or line text', () => {
      const base = key({});
      expect(key({ RuleID: 'generic-api-key' })).not.toBe(base);
      expect(key({ File: 'scripts/deploy.sh' })).not.toBe(base);
      expect(key({ Commit: 'def456' })).not.toBe(base);
      expect(
        key({ Match: 'export TOKEN=EXAMPLEtokenValue0123456789abcdef' }),
      ).not.toBe(base);
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
      const secret = 'EXAMPLEtokenValue0123456789abcdef';
      const report = gitleaksParser.parse([
        leak({
          File: `leaks/${secret}.txt`,
          Description: `rule about ${secret}`,
          Author: secret,
          Date: secret,
          Message: `msg ${secret}`,
          Tags: [secret],
          Commit: secret,
        }),
      ]);
      expect(JSON.stringify(report)).not.toContain(secret);
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
    });
  });

  describe('detect', () => {
    it('accepts Gitleaks reports, the empty one included', () => {
      expect(gitleaksParser.detect([])).toBe(true);
      expect(gitleaksParser.detect(fixture('gitleaks-8_git.json'))).toBe(true);
      expect(gitleaksParser.detect([{ RuleID: 'x', Match: 'y' }])).toBe(true);
      expect(gitleaksParser.detect([{ RuleID: 'x', Secret: 'y' }])).toBe(true);
    });

    it('rejects other arrays and objects', () => {
      expect(gitleaksParser.detect([{ RuleID: 'x' }])).toBe(false);
      expect(gitleaksParser.detect([{ Secret: 'y', Match: 'z' }])).toBe(false);
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
      const document = fixture('gitleaks-8_git.json');
      expect(semgrepParser.detect(document)).toBe(false);
      expect(osvParser.detect(document)).toBe(false);
      expect(cyclonedxParser.detect(document)).toBe(false);
    });
  });

  describe('robustness', () => {
    it('returns or throws ReportParseError for arbitrary JSON', () => {
      expect(() =>
        fc.assert(
          arbitraryJsonProperty(gitleaksParser, [document => [document]]),
          { numRuns: 300 },
        ),
      ).not.toThrow();
    });

    it('returns or throws ReportParseError when any value of a fixture is replaced', () => {
      const document = fixture('gitleaks-8_git.json');
      expect(() =>
        fc.assert(replacedValueProperty(gitleaksParser, document), {
          numRuns: 500,
        }),
      ).not.toThrow();
    });

    it('never outputs a secret of 4 or more characters', () => {
      fc.assert(
        fc.property(
          // "S" keeps the secret from being a run of hex digits of a digest
          fc.string({ minLength: 3, maxLength: 12 }).map(s => `S${s}`),
          fc.string({ maxLength: 10 }),
          fc.string({ maxLength: 10 }),
          (secret, before, after) => {
            const report = gitleaksParser.parse([
              leak({
                Secret: secret,
                Match: `${before}${secret}${after}`,
                Message: `${after}${secret}`,
              }),
            ]);
            const finding = report.findings[0];
            for (const text of [
              finding.title,
              finding.description,
              finding.identityKey,
              finding.location?.file ?? '',
            ]) {
              expect(text).not.toContain(secret);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
