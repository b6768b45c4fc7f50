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
import { digest, identityKey, normalizeSnippet } from './identity';
import { osvParser } from './osv';
import { semgrepParser } from './semgrep';

const fixture = (name: string) =>
  readJson(path.join(__dirname, '__fixtures__', 'semgrep', name));

const CHECK_ID = 'python.lang.security.audit.eval-detected.eval-detected';

/** One Semgrep result; `extra` overrides merge into its `extra`. */
function result(
  overrides: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  return {
    check_id: CHECK_ID,
    path: 'app/util.py',
    start: { line: 10, col: 5, offset: 200 },
    end: { line: 11, col: 20, offset: 240 },
    extra: {
      message:
        'Detected the use of eval(). eval() can be dangerous if used to evaluate dynamic content.',
      metadata: {
        cwe: [
          "CWE-95: Improper Neutralization of Directives in Dynamically Evaluated Code ('Eval Injection')",
        ],
        references: [],
      },
      severity: 'WARNING',
      fingerprint: 'requires login',
      lines: '    value = eval(\n        expression)',
      ...extra,
    },
    ...overrides,
  };
}

const report = (...results: unknown[]) => ({
  results,
  errors: [],
  paths: { scanned: [] },
  version: '1.90.0',
});

const parseError = (document: unknown) => parseErrorOf(semgrepParser, document);

const normalizedKeys = (document: unknown) =>
  Array.from(normalizeFindings(semgrepParser.parse(document).findings)).map(
    normalized => normalized.finding.identityKey,
  );

/** Documents of the formats auto-detection tries around this one. */
const otherFormats = foreignDocuments([
  'sarif',
  'trivy',
  'grype',
  'cyclonedx',
  'osv-scanner',
  'gitleaks',
]);

describe('semgrepParser', () => {
  describe('corpus', () => {
    it('reads every Semgrep corpus file', () => {
      for (const file of corpusFiles('semgrep')) {
        const document = readJson(file) as any;
        expect(semgrepParser.detect(document)).toBe(true);
        expect(osvParser.detect(document)).toBe(false);
        const parsed = semgrepParser.parse(document);
        expect(parsed.scanner).toBe('semgrep');
        expect(parsed.findings).toHaveLength(document.results.length);
      }
    });

    it('reads semgrep-1.30_json.json: five findings identified by fingerprint', () => {
      for (const file of corpusFiles('semgrep').filter(
        name => path.basename(name) === 'semgrep-1.30_json.json',
      )) {
        const parsed = semgrepParser.parse(readJson(file));
        expect(parsed.findings).toHaveLength(5);
        const checkId =
          'go.lang.security.audit.net.formatted-template-string.formatted-template-string';
        expect(parsed.findings[0]).toMatchObject({
          identityKey: identityKey(
            checkId,
            'test.go',
            'f900d4624c2a2c2cae7cb9c94c4fb9df53a242700f19122be398d33598deb554a3fa3af3ba3864af95c90694505624e04e9e1c86fb96338f1feb40bd8b07ef2e_0',
          ),
          title:
            "Found a formatted template string passed to 'template.HTML()'.",
          severity: 'medium',
          status: 'open',
          ruleId: checkId,
          cwes: ['CWE-79'],
          location: { file: 'test.go', startLine: 27 },
        });
        expect(parsed.findings.map(f => f.location?.startLine)).toEqual([
          27, 54, 61, 67, 77,
        ]);
        expect(new Set(parsed.findings.map(f => f.identityKey)).size).toBe(5);
        expect(parsed.findings[3].description).toContain(
          '```\n    tmpl, err := fmt.Printf(',
        );
      }
    });
  });

  describe('logged-out fixture (Semgrep 1.85)', () => {
    const parsed = semgrepParser.parse(fixture('semgrep-1.85_logged-out.json'));
    const sqlCheck =
      'python.lang.security.audit.formatted-sql-query.formatted-sql-query';

    it('reads every result', () => {
      expect(parsed).toMatchObject({ format: 'semgrep', scanner: 'semgrep' });
      expect(parsed.findings.map(f => [f.title, f.severity])).toEqual([
        ['Detected possible formatted SQL query.', 'medium'],
        ['Detected user input entering a `subprocess` call unsafely.', 'high'],
        ['detected-generic-secret', 'low'],
      ]);
    });

    it('falls back to the start line when fingerprint and lines require login', () => {
      expect(parsed.findings[0]).toEqual({
        identityKey: identityKey(sqlCheck, 'app/db.py', 42),
        title: 'Detected possible formatted SQL query.',
        description: [
          'Detected possible formatted SQL query. Use parameterized queries instead.',
          `**Rule:** [${sqlCheck}](https://semgrep.dev/r/${sqlCheck})`,
          '**OWASP:** A01:2017 - Injection; A03:2021 - Injection',
          '**References:**\n\n- [https://stackoverflow.com/questions/775296/mysql-parameterized-queries](https://stackoverflow.com/questions/775296/mysql-parameterized-queries)',
        ].join('\n\n'),
        severity: 'medium',
        status: 'open',
        ruleId: sqlCheck,
        vulnerabilityIds: [],
        cwes: ['CWE-89'],
        location: { file: 'app/db.py', startLine: 42, endLine: 42 },
      });
      expect(parsed.findings[0].description).not.toContain('requires login');
    });

    it('reads a CWE given as a string and normalizes ./ paths', () => {
      expect(parsed.findings[1].cwes).toEqual(['CWE-78']);
      expect(parsed.findings[2]).toMatchObject({
        cwes: ['CWE-798'],
        location: { file: 'settings/local.py', startLine: 3, endLine: 3 },
        description: [
          '**Rule:** `generic.secrets.security.detected-generic-secret.detected-generic-secret`',
          '_The matched code is not shown: this rule finds secrets._',
        ].join('\n\n'),
      });
    });
  });

  describe('logged-in fixture (Semgrep 1.101)', () => {
    const document = fixture('semgrep-1.101_logged-in.json') as any;
    const parsed = semgrepParser.parse(document);

    it('uses the fingerprint for identity and the newer severity names', () => {
      expect(parsed.findings[0]).toMatchObject({
        identityKey: identityKey(
          'javascript.express.security.audit.xss.direct-response-write.direct-response-write',
          'src/server/render.js',
          document.results[0].extra.fingerprint,
        ),
        severity: 'high',
        cwes: ['CWE-79'],
      });
      expect(parsed.findings[1]).toMatchObject({
        severity: 'low',
        title: 'found alert() call; should this be in production code?',
        location: { file: 'src/client/debug.js', startLine: 5, endLine: 5 },
      });
    });

    it('shows the code and the suggested fix in fenced blocks', () => {
      expect(parsed.findings[0].description).toContain(
        '```\n  res.send(`<h1>Hello ${req.query.name}</h1>`);\n```',
      );
      expect(parsed.findings[1].description).toBe(
        [
          'found alert() call; should this be in production code?',
          '**Rule:** `javascript.lang.best-practice.leftover_debugging.javascript-alert`',
          '```\nalert("debug");\n```',
          '**Suggested fix:**\n\n```\nconsole.debug("debug");\n```',
        ].join('\n\n'),
      );
    });
  });

  describe('secrets rules', () => {
    it('never show the matched code, but still identify by it', () => {
      const code = 'AWS_SECRET = "EXAMPLEwJalrXUtnFEMIK7MDENGbPxRfiCY"';
      for (const [checkId, cwe] of [
        ['generic.secrets.security.detected-aws-secret-key.x', 'CWE-200'],
        ['python.lang.security.audit.hardcoded-password.x', 'CWE-798: Use'],
        ['config.secret-in-env.x', 'CWE-200'],
      ]) {
        const [finding] = semgrepParser.parse(
          report(
            result(
              { check_id: checkId },
              { lines: code, fix: code, metadata: { cwe } },
            ),
          ),
        ).findings;
        expect(JSON.stringify(finding)).not.toContain('EXAMPLEwJalr');
        expect(finding.identityKey).toBe(
          identityKey(checkId, 'app/util.py', digest(normalizeSnippet(code))),
        );
      }
    });
  });

  describe('severity', () => {
    it.each([
      ['ERROR', 'high'],
      ['WARNING', 'medium'],
      ['INFO', 'low'],
      ['CRITICAL', 'critical'],
      ['HIGH', 'high'],
      ['MEDIUM', 'medium'],
      ['LOW', 'low'],
      ['INVENTORY', 'unknown'],
    ])('maps %s to %s', (severity, expected) => {
      expect(
        semgrepParser.parse(report(result({}, { severity }))).findings[0]
          .severity,
      ).toBe(expected);
    });
  });

  describe('title', () => {
    const titleOf = (message: string) =>
      semgrepParser.parse(report(result({}, { message }))).findings[0].title;

    it('is the first sentence of the first line', () => {
      expect(
        titleOf(
          'Detected the use of eval(). eval() can be dangerous if used to evaluate dynamic content.',
        ),
      ).toBe('Detected the use of eval().');
      expect(titleOf('\n  Avoid os.system here\nUse subprocess.run.')).toBe(
        'Avoid os.system here',
      );
      expect(titleOf('No full stop at all')).toBe('No full stop at all');
    });

    it('is at most 200 characters', () => {
      const title = titleOf('x'.repeat(300));
      expect(title).toHaveLength(200);
      expect(title.endsWith('…')).toBe(true);
      expect(titleOf('y'.repeat(200))).toBe('y'.repeat(200));
    });

    it("is the check id's last segment when the message is empty", () => {
      expect(titleOf('   ')).toBe('eval-detected');
    });
  });

  describe('identity', () => {
    const key = (
      overrides: Record<string, unknown>,
      extra: Record<string, unknown> = {},
    ) =>
      semgrepParser.parse(report(result(overrides, extra))).findings[0]
        .identityKey;

    it('survives a line shift when the code lines are available', () => {
      const shifted = {
        start: { line: 57, col: 5, offset: 1500 },
        end: { line: 58, col: 20, offset: 1540 },
      };
      expect(key(shifted)).toBe(key({}));
      // Reformatting whitespace does not change it either.
      expect(key(shifted, { lines: 'value = eval( expression)' })).toBe(
        key({}),
      );
      expect(key({})).toBe(
        identityKey(
          CHECK_ID,
          'app/util.py',
          digest(normalizeSnippet('    value = eval(\n        expression)')),
        ),
      );
      expect(key({}, { lines: 'value = eval(other)' })).not.toBe(key({}));
    });

    it('prefers the fingerprint, which also survives a line shift', () => {
      const fingerprint = { fingerprint: 'abc123_0' };
      expect(key({ start: { line: 99 } }, fingerprint)).toBe(
        identityKey(CHECK_ID, 'app/util.py', 'abc123_0'),
      );
      expect(key({}, { fingerprint: '' })).toBe(key({}));
    });

    it('falls back to the start line when nothing better is given', () => {
      expect(key({}, { lines: 'requires login' })).toBe(
        identityKey(CHECK_ID, 'app/util.py', 10),
      );
      expect(
        key({ start: { line: 11 } }, { lines: 'requires login' }),
      ).not.toBe(key({}, { lines: 'requires login' }));
    });

    it('keeps two matches of the same code in one file apart: the second is numbered', () => {
      const parts = [
        CHECK_ID,
        'app/util.py',
        digest(normalizeSnippet('    value = eval(\n        expression)')),
      ];
      expect(
        normalizedKeys(report(result(), result({ start: { line: 30 } }))),
      ).toEqual([identityKey(...parts), identityKey(...parts, '#2')]);
    });

    it('makes one observation of a result the report repeats byte for byte', () => {
      const document = fixture('semgrep-0.x_repeated-result.json') as any;
      expect(document.results).toHaveLength(2);
      expect(JSON.stringify(document.results[1])).toBe(
        JSON.stringify(document.results[0]),
      );
      expect(semgrepParser.parse(document).findings).toHaveLength(2);
      expect(normalizedKeys(document)).toEqual([
        identityKey(
          'java.lang.security.audit.cbc-padding-oracle.cbc-padding-oracle',
          'src/main/java/org/owasp/benchmark/testcode/BenchmarkTest01150.java',
          digest(
            normalizeSnippet(
              '\t\t\tjavax.crypto.Cipher c = javax.crypto.Cipher.getInstance("DES/CBC/PKCS5Padding");',
            ),
          ),
        ),
      ]);
    });
  });

  describe('Supply Chain (Semgrep 1.122)', () => {
    const document = fixture('semgrep-1.122_supply-chain.json') as any;
    const parsed = semgrepParser.parse(document);
    const YAML_RULE = 'ssc-3ee2e6e6-0d1f-4a3b-9b0c-5b1d1f2c8a47';
    const GIN_RULE = 'ssc-parity-0ddf890152a281f12fd6d01c3953da8d88ce2e7b';
    const LODASH_RULE = 'ssc-7f1e2a44-5c9b-4d2e-8a6f-0b3c9d1e7a52';
    const advisories = (rule: string) =>
      `https://semgrep.dev/orgs/-/supply-chain/advisories?q=${rule}`;
    const byRule = (rule: string) =>
      parsed.findings.find(finding => finding.ruleId === rule)!;

    /** The fixture with each Supply Chain result changed by `change`. */
    const changed = (change: (result: any) => void) => {
      const copy = structuredClone(document);
      copy.results.filter((r: any) => r.extra.sca_info).forEach(change);
      return copy;
    };

    it('makes one package finding per vulnerable package, after the code findings', () => {
      expect(document.results).toHaveLength(5);
      expect(parsed.findings.map(f => f.ruleId)).toEqual([
        'python.lang.security.deserialization.avoid-pyyaml-load.avoid-pyyaml-load',
        YAML_RULE,
        GIN_RULE,
        LODASH_RULE,
      ]);
      expect(parsed.warnings).toEqual([]);
    });

    it('reads a reachable package: the advisory ids, the purl, the fix, the lockfile, and each place that reaches it', () => {
      expect(byRule(YAML_RULE)).toEqual({
        identityKey: identityKey(YAML_RULE, 'pypi', 'pyyaml', 'poetry.lock'),
        title: 'CVE-2020-14343 in pyyaml 5.3.1',
        description: [
          'Affected versions of pyyaml are vulnerable to Improper Input Validation: the full_load method and FullLoader allow arbitrary code execution from untrusted YAML.',
          [
            '**Reachable:** your code uses the vulnerable part of the package:',
            '',
            '- `app/importers/fixtures.py` line 41',
            '- `app/settings/loader.py` line 18',
          ].join('\n'),
          [
            '- Package: `pyyaml` 5.3.1 (pypi, direct dependency)',
            '- Lockfile: `poetry.lock` line 412',
            '- Vulnerable versions: `< 5.4`',
            '- Fixed in: 5.4',
            '- Reachable if: you call `yaml.load()` or `yaml.full_load()` with untrusted input',
          ].join('\n'),
          `**Rule:** [${YAML_RULE}](${advisories(YAML_RULE)})`,
          '**OWASP:** A06:2021 - Vulnerable and Outdated Components',
          '**References:**\n\n- [https://github.com/advisories/GHSA-8q59-q68h-6hv4](https://github.com/advisories/GHSA-8q59-q68h-6hv4)\n- [https://nvd.nist.gov/vuln/detail/CVE-2020-14343](https://nvd.nist.gov/vuln/detail/CVE-2020-14343)',
        ].join('\n\n'),
        severity: 'critical',
        status: 'open',
        ruleId: YAML_RULE,
        vulnerabilityIds: ['CVE-2020-14343', 'GHSA-8q59-q68h-6hv4'],
        cwes: ['CWE-20'],
        package: {
          purl: 'pkg:pypi/pyyaml@5.3.1',
          name: 'pyyaml',
          version: '5.3.1',
          fixedVersion: '5.4',
        },
        location: { file: 'poetry.lock', startLine: 412 },
      });
    });

    it("reads Semgrep's documented example: a Go module without reachability analysis", () => {
      expect(byRule(GIN_RULE)).toMatchObject({
        identityKey: identityKey(
          GIN_RULE,
          'gomod',
          'github.com/gin-gonic/gin',
          'go.mod',
        ),
        title: 'CVE-2023-29401 in github.com/gin-gonic/gin 1.6.3',
        severity: 'medium',
        vulnerabilityIds: ['CVE-2023-29401', 'GHSA-2c4m-59x9-fr2g'],
        cwes: ['CWE-494'],
        package: {
          purl: 'pkg:golang/github.com/gin-gonic/gin@1.6.3',
          name: 'github.com/gin-gonic/gin',
          version: '1.6.3',
          fixedVersion: '1.9.1',
        },
        location: { file: 'go.mod', startLine: 6 },
      });
      expect(byRule(GIN_RULE).description).toContain(
        '**Reachability not analyzed:** the advisory has no reachability rule; the version alone matched.',
      );
      expect(byRule(GIN_RULE).description).toContain(
        '- Package: `github.com/gin-gonic/gin` 1.6.3 (gomod, transitive dependency)',
      );
    });

    it("says so when Semgrep's reachability analysis found no use, and takes Semgrep's primary advisory id first", () => {
      expect(byRule(LODASH_RULE)).toMatchObject({
        title: 'GHSA-p6mc-m468-83gw in lodash 4.17.15',
        severity: 'high',
        vulnerabilityIds: ['GHSA-p6mc-m468-83gw', 'CVE-2020-8203'],
        package: { purl: 'pkg:npm/lodash@4.17.15', fixedVersion: '4.17.19' },
        location: { file: 'web/package-lock.json', startLine: 8623 },
      });
      expect(byRule(LODASH_RULE).description).toContain(
        "**Unreachable:** Semgrep's reachability analysis found no use of the vulnerable part of the package.",
      );
    });

    it('keeps the identity when the package is upgraded, becomes reachable or is used elsewhere', () => {
      const keys = (doc: unknown) =>
        semgrepParser
          .parse(doc)
          .findings.map(f => f.identityKey)
          .sort();
      const base = keys(document);
      expect(
        keys(
          changed(r => {
            r.extra.sca_info.dependency_match.found_dependency.version =
              '5.3.2';
            r.extra.sca_info.reachable = !r.extra.sca_info.reachable;
            r.start.line += 10;
            r.extra.sca_info.dependency_match.found_dependency.line_number += 3;
          }),
        ),
      ).toEqual(base);
      const moved = keys(
        changed(r => {
          const found = r.extra.sca_info.dependency_match.found_dependency;
          found.lockfile_path = `services/${found.lockfile_path}`;
        }),
      );
      expect(moved).not.toContain(
        identityKey(YAML_RULE, 'pypi', 'pyyaml', 'poetry.lock'),
      );
      expect(moved).toContain(
        identityKey(YAML_RULE, 'pypi', 'pyyaml', 'services/poetry.lock'),
      );
    });

    it('gives the same observations whatever the order of the results', () => {
      const observations = (doc: any) =>
        Array.from(normalizeFindings(semgrepParser.parse(doc).findings))
          .map(({ identityHash, contentHash }) => [identityHash, contentHash])
          .sort();
      const reversed = structuredClone(document);
      reversed.results.reverse();
      expect(observations(reversed)).toEqual(observations(document));
    });

    it('makes one observation of a repeated result, and numbers a second version of the package in the same lockfile', () => {
      const lodash = document.results[4];
      const older = structuredClone(lodash);
      older.extra.sca_info.dependency_match.found_dependency.version = '4.17.4';
      const doc = report(lodash, structuredClone(lodash), older);
      const key = identityKey(
        LODASH_RULE,
        'npm',
        'lodash',
        'web/package-lock.json',
      );
      expect(normalizedKeys(doc)).toEqual([
        key,
        identityKey(
          LODASH_RULE,
          'npm',
          'lodash',
          'web/package-lock.json',
          '#2',
        ),
      ]);
    });

    it('skips a fix version of an unexpected shape with a warning, and keeps the finding', () => {
      const lodash = structuredClone(document.results[4]);
      lodash.extra.metadata['sca-fix-versions'] = ['4.17.19', { lodash: 19 }];
      const reading = semgrepParser.parse(report(lodash));
      expect(reading.findings).toHaveLength(1);
      expect(reading.findings[0].package?.fixedVersion).toBeUndefined();
      expect(reading.warnings).toEqual([
        {
          path: 'results[0].extra.metadata.sca-fix-versions[0]',
          message: 'expected an object of package and version; skipped',
        },
        {
          path: 'results[0].extra.metadata.sca-fix-versions[1].lodash',
          message: 'expected a version string; skipped',
        },
      ]);
    });

    it('names the JSON path of what is wrong in sca_info', () => {
      const lodash = () => structuredClone(document.results[4]);
      const notBoolean = lodash();
      notBoolean.extra.sca_info.reachable = 'no';
      expect(parseError(report(result(), notBoolean)).message).toBe(
        'Semgrep JSON: results[1].extra.sca_info.reachable: expected a boolean',
      );
      const noPackage = lodash();
      delete noPackage.extra.sca_info.dependency_match.found_dependency.package;
      expect(parseError(report(noPackage)).message).toBe(
        'Semgrep JSON: results[0].extra.sca_info.dependency_match.found_dependency.package: expected a string',
      );
      const noMatch = lodash();
      delete noMatch.extra.sca_info.dependency_match;
      expect(parseError(report(noMatch)).message).toBe(
        'Semgrep JSON: results[0].extra.sca_info.dependency_match: expected an object',
      );
    });
  });

  describe('errors', () => {
    it('names the JSON path of what is wrong', () => {
      expect(parseError(report(result(), result({ path: 42 }))).message).toBe(
        'Semgrep JSON: results[1].path: expected a string',
      );
      expect(parseError(report(result({ check_id: null }))).message).toBe(
        'Semgrep JSON: results[0].check_id: expected a string',
      );
      expect(parseError(report(result({ start: { col: 1 } }))).message).toBe(
        'Semgrep JSON: results[0].start.line: expected a number',
      );
      expect(parseError(report(result({ extra: undefined }))).message).toBe(
        'Semgrep JSON: results[0].extra: expected an object',
      );
      expect(
        parseError(report(result({}, { metadata: { cwe: [89] } }))).message,
      ).toBe(
        'Semgrep JSON: results[0].extra.metadata.cwe[0]: expected a string',
      );
      expect(parseError({ results: 'none' }).message).toBe(
        'Semgrep JSON: results: expected an array',
      );
      expect(parseError([]).message).toBe('Semgrep JSON: expected an object');
    });

    it('reads an empty report as zero findings', () => {
      expect(semgrepParser.parse(report())).toEqual({
        format: 'semgrep',
        scanner: 'semgrep',
        findings: [],
        warnings: [],
      });
    });
  });

  describe('detect', () => {
    it('accepts Semgrep documents, empty ones by their errors, paths or version', () => {
      expect(
        semgrepParser.detect(fixture('semgrep-1.85_logged-out.json')),
      ).toBe(true);
      expect(semgrepParser.detect(report(result()))).toBe(true);
      expect(semgrepParser.detect({ results: [], errors: [] })).toBe(true);
      expect(semgrepParser.detect({ results: [], paths: {} })).toBe(true);
      expect(semgrepParser.detect({ results: [], version: '1.0.0' })).toBe(
        true,
      );
    });

    it('rejects OSV-Scanner documents', () => {
      for (const name of [
        'osv-scanner-v1_npm-pypi.json',
        'osv-scanner-v1.0_go-no-groups.json',
      ]) {
        const document = readJson(
          path.join(__dirname, '__fixtures__', 'osv', name),
        );
        expect(semgrepParser.detect(document)).toBe(false);
        expect(osvParser.detect(document)).toBe(true);
      }
      for (const file of corpusFiles('osv-scanner')) {
        expect(semgrepParser.detect(readJson(file))).toBe(false);
      }
      expect(semgrepParser.detect({ results: [] })).toBe(false);
      expect(
        semgrepParser.detect({ results: [], experimental_config: {} }),
      ).toBe(false);
      expect(
        semgrepParser.detect({ results: [{ source: {}, packages: [] }] }),
      ).toBe(false);
    });

    it('rejects other documents', () => {
      expect(semgrepParser.detect({ results: [{ path: 'a' }] })).toBe(false);
      expect(semgrepParser.detect({ results: [], errors: {} })).toBe(false);
      expect(semgrepParser.detect({ results: [], version: 2 })).toBe(false);
      expect(semgrepParser.detect([])).toBe(false);
      expect(semgrepParser.detect('results')).toBe(false);
    });

    it('rejects SARIF, Trivy, Grype, CycloneDX, OSV and Gitleaks documents', () => {
      for (const [name, document] of otherFormats) {
        expect([name, semgrepParser.detect(document)]).toEqual([name, false]);
      }
    });

    it('accepts Supply Chain reports and reports that repeat a result', () => {
      expect(
        semgrepParser.detect(fixture('semgrep-1.122_supply-chain.json')),
      ).toBe(true);
      expect(
        semgrepParser.detect(fixture('semgrep-0.x_repeated-result.json')),
      ).toBe(true);
      expect(osvParser.detect(fixture('semgrep-1.122_supply-chain.json'))).toBe(
        false,
      );
    });

    it('is not claimed by the other parsers in this group', () => {
      const document = fixture('semgrep-1.101_logged-in.json');
      expect(osvParser.detect(document)).toBe(false);
      expect(cyclonedxParser.detect(document)).toBe(false);
      expect(gitleaksParser.detect(document)).toBe(false);
      expect(osvParser.detect(report())).toBe(false);
    });
  });

  describe('robustness', () => {
    it('returns or throws ReportParseError for arbitrary JSON', () => {
      expect(() =>
        fc.assert(
          arbitraryJsonProperty(semgrepParser, [
            document => ({ results: [document] }),
            document => report(result({}, { metadata: document })),
            document => report(result({}, { sca_info: document })),
            document =>
              report(
                result(
                  {},
                  {
                    sca_info: {
                      reachable: true,
                      dependency_match: {
                        found_dependency: {
                          package: 'pyyaml',
                          ecosystem: 'pypi',
                        },
                      },
                    },
                    metadata: { 'sca-fix-versions': document },
                  },
                ),
              ),
          ]),
          { numRuns: 300 },
        ),
      ).not.toThrow();
    });

    it.each([
      'semgrep-1.85_logged-out.json',
      'semgrep-1.122_supply-chain.json',
      'semgrep-0.x_repeated-result.json',
    ])(
      'returns or throws ReportParseError when any value of %s is replaced',
      name => {
        const document = fixture(name);
        expect(() =>
          fc.assert(replacedValueProperty(semgrepParser, document), {
            numRuns: 500,
          }),
        ).not.toThrow();
      },
    );
  });
});
