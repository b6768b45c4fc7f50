import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import { corpusFiles, readJson } from '../../__testUtils__/corpus';
import {
  allPaths,
  arbitraryJsonProperty,
  JsonPath,
  parseErrorOf,
  replaceAt,
  replacedValueProperty,
} from '../../__testUtils__/parserProperties';
import {
  SCANNER_TOKEN,
  startPluginBackend,
} from '../../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../../__testUtils__/testDatabases';
import { LazyJsonArray } from '../json/LazyJsonArray';
import { readJsonReport } from '../json/readJsonReport';
import { normalizeFindings } from '../NormalizedFinding';
import { gitleaksParser } from './gitleaks';
import { gitleaksSecretTag } from './gitleaksIdentity';
import { digest, identityKey, normalizeSnippet } from './identity';
import { ReportParseError } from './ReportParseError';
import { sarifParser } from './sarif';
import { ParsedFinding, ParsedReport } from './types';

const fixtureDir = path.join(__dirname, '__fixtures__', 'sarif');
const fixture = (name: string): any => readJson(path.join(fixtureDir, name));
const parse = (document: unknown): ParsedReport => sarifParser.parse(document);

/** Every startLine/endLine in the document moved down by `by` lines. */
function shiftLines(document: any, by: number): any {
  return JSON.parse(JSON.stringify(document), (key, value) =>
    (key === 'startLine' || key === 'endLine') && typeof value === 'number'
      ? value + by
      : value,
  );
}

/** A one-run SARIF document around the given rules and results. */
function sarif(results: unknown[], rules: unknown[] = [], name = 'Tool') {
  return {
    version: '2.1.0',
    runs: [{ tool: { driver: { name, rules } }, results }],
  };
}

const parseError = (document: unknown) => parseErrorOf(sarifParser, document);

describe('sarifParser.detect', () => {
  it.each([
    ['version 2.1.0 with runs', { version: '2.1.0', runs: [] }],
    [
      'a SARIF $schema without version',
      { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', runs: [] },
    ],
  ])('accepts %s', (_, document) => {
    expect(sarifParser.detect(document)).toBe(true);
  });

  it.each([
    ['no runs', { version: '2.1.0' }],
    ['runs that are not an array', { version: '2.1.0', runs: {} }],
    ['another version and no schema', { version: '2.0.0', runs: [] }],
    ['a CycloneDX document', { bomFormat: 'CycloneDX', specVersion: '1.6' }],
    ['an array', [{ version: '2.1.0', runs: [] }]],
    ['null', null],
    ['a string', 'sarif'],
  ])('rejects %s', (_, document) => {
    expect(sarifParser.detect(document)).toBe(false);
  });

  it('accepts every own fixture', () => {
    for (const name of [
      'codeql-2.12_extensions.sarif',
      'eslint_suppressions_kinds.sarif',
      'gitleaks-8_secrets.sarif',
      'multi-run_locations.sarif',
      'semgrep_snippets.sarif',
      'severity_levels.sarif',
      'mobsfscan-0.0.8_multi-location.sarif',
      'njsscan-0.2.3_multi-location.sarif',
      'flawfinder-2.0.19_colliding-fingerprints.sarif',
      'blackduck_nested-fingerprints.sarif',
    ]) {
      expect(sarifParser.detect(fixture(name))).toBe(true);
    }
  });

  it('names the format', () => {
    expect(sarifParser.format).toBe('sarif');
    expect(sarifParser.label).toBe('SARIF');
  });
});

function checkCodeql25472Results(report: ParsedReport) {
  expect(report.scanner).toBe('codeql');
  expect(report.findings).toHaveLength(72);
  expect(new Set(report.findings.map(f => f.identityKey)).size).toBe(72);
  expect(report.findings[0]).toMatchObject({
    ruleId: 'py/empty-except',
    title: 'Empty except',
    severity: 'low',
    cwes: ['CWE-390'],
    location: { file: 'good/db_init.py', startLine: 39, endLine: 39 },
  });
  // The contextRegion snippet is shown, fenced.
  expect(report.findings[0].description).toContain(
    "```\n    try:\n        os.remove('db_users.sqlite')",
  );
  expect(report.findings[59]).toMatchObject({
    ruleId: 'py/sql-injection',
    title: 'SQL query built from user-controlled sources',
    severity: 'high',
    cwes: ['CWE-89'],
    location: { file: 'bad/libuser.py', startLine: 12, endLine: 12 },
  });
  expect(report.findings[59].identityKey).toContain('primaryLocationLineHash=');
}

function checkCodeql2121RulesInExtensions0Results(report: ParsedReport) {
  expect(report).toEqual({
    format: 'sarif',
    scanner: 'codeql',
    findings: [],
    warnings: [],
  });
}

function checkEslint825WithSuppressions(report: ParsedReport) {
  expect(report.scanner).toBe('eslint');
  expect(report.findings).toHaveLength(5);
  expect(new Set(report.findings.map(f => f.ruleId))).toEqual(
    new Set(['@typescript-eslint/no-unused-vars']),
  );
  expect(report.findings.map(f => f.severity)).toEqual(Array(5).fill('medium'));
  expect(report.findings[0]).toMatchObject({
    title: 'Disallow unused variables',
    description: "'locale' is defined but never used.",
    location: {
      file: 'home/stefanf/workspace/SecObserve/frontend/src/App.tsx',
      startLine: 19,
      endLine: 19,
    },
  });
}

function checkGitleaks8Simple(report: ParsedReport, raw: any) {
  const secret: string =
    raw.runs[0].results[0].locations[0].physicalLocation.region.snippet.text;
  expect(secret).toBe('a secret');
  expect(report.scanner).toBe('gitleaks');
  expect(report.findings).toHaveLength(1);
  const serialized = JSON.stringify(report);
  expect(serialized).not.toContain(secret);
  expect(serialized).not.toContain(digest(normalizeSnippet(secret)));
  expect(report.findings[0]).toMatchObject({
    ruleId: 'test-rule',
    title:
      'test-rule has detected secret for file auth.py at commit 0000000000000000.',
    severity: 'medium',
    location: { file: 'auth.py', startLine: 1, endLine: 2 },
  });
  expect(report.findings[0].description).not.toContain('```');
  // The Gitleaks rule: rule, file and a salted tag of the secret; the
  // commit is left out, as in Gitleaks' JSON report.
  expect(report.findings[0].identityKey).toBe(
    identityKey(
      'test-rule',
      'auth.py',
      'secret',
      gitleaksSecretTag('test-rule', 'a secret'),
    ),
  );
  const json = corpusFiles('gitleaks').find(file =>
    file.endsWith('gitleaks-8_json_simple.json'),
  );
  if (json) {
    // The same leak in Gitleaks' JSON report is the same finding.
    expect(gitleaksParser.parse(readJson(json)).findings[0].identityKey).toBe(
      report.findings[0].identityKey,
    );
  }
}

function checkSemgrepOss169SecuritySeverity(report: ParsedReport, raw: any) {
  expect(report.scanner).toBe('semgrep-oss');
  expect(report.findings).toHaveLength(77);
  const bySeverity: Record<string, number> = {};
  for (const finding of report.findings) {
    bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
  }
  expect(bySeverity).toEqual({ critical: 34, high: 1, medium: 42 });
  // Each severity is the rule's security-severity name.
  const ruleSeverity = new Map<string, string>(
    raw.runs[0].tool.driver.rules.map((rule: any) => [
      rule.id,
      rule.properties['security-severity'].toLowerCase(),
    ]),
  );
  for (const finding of report.findings) {
    expect(finding.severity).toBe(ruleSeverity.get(finding.ruleId!));
  }
  expect(report.findings[0]).toMatchObject({
    title:
      "Improper limitation of a pathname to a restricted directory ('Path Traversal')",
    severity: 'medium',
    cwes: ['CWE-22'],
    location: { file: 'Gruntfile.js', startLine: 75, endLine: 75 },
  });
  expect(report.findings[19]).toMatchObject({
    title: 'Use of hard-coded credentials',
    severity: 'high',
    cwes: ['CWE-798'],
    location: { file: 'lib/insecurity.ts', startLine: 56 },
  });
  expect(report.findings[0].identityKey).toContain('matchBasedId/v1=');
}

function checkTrivyAlpine310(report: ParsedReport) {
  expect(report.scanner).toBe('trivy');
  expect(report.findings.map(f => f.vulnerabilityIds)).toEqual([
    ['CVE-2019-1549'],
    ['CVE-2019-1551'],
    ['CVE-2019-1549'],
    ['CVE-2019-1551'],
  ]);
  expect(report.findings.map(f => f.package?.name)).toEqual([
    'libcrypto1.1',
    'libcrypto1.1',
    'libssl1.1',
    'libssl1.1',
  ]);
  // security-severity 5.3 -> medium.
  expect(report.findings.map(f => f.severity)).toEqual(Array(4).fill('medium'));
  // Same CVE in two packages of one image: two findings.
  expect(new Set(report.findings.map(f => f.identityKey)).size).toBe(4);
  expect(report.findings[0]).toMatchObject({
    ruleId: 'CVE-2019-1549',
    title: 'openssl: information disclosure in fork()',
    package: {
      name: 'libcrypto1.1',
      version: '1.1.1c-r0',
      fixedVersion: '1.1.1d-r0',
    },
    location: {
      file: 'testdata/fixtures/images/alpine-310.tar.gz',
      startLine: 1,
      image: 'testdata/fixtures/images/alpine-310.tar.gz',
    },
  });
}

/** What each corpus file must parse to, beyond the checks every file gets. */
const corpusChecks: Record<string, (report: ParsedReport, raw: any) => void> = {
  'codeql-2.5.4_72-results.sarif': checkCodeql25472Results,
  'codeql-2.12.1_rules-in-extensions_0-results.sarif':
    checkCodeql2121RulesInExtensions0Results,
  'eslint-8.25_with-suppressions.sarif': checkEslint825WithSuppressions,
  'gitleaks-8_simple.sarif': checkGitleaks8Simple,
  'semgrep-oss-1.69_security-severity.sarif':
    checkSemgrepOss169SecuritySeverity,
  'trivy_alpine-310.sarif': checkTrivyAlpine310,
};

describe('sarifParser on the scanner corpus', () => {
  for (const file of corpusFiles('sarif')) {
    const name = path.basename(file);
    it(`parses ${name}`, () => {
      const raw = readJson(file);
      expect(sarifParser.detect(raw)).toBe(true);
      const report = parse(raw);
      expect(report.format).toBe('sarif');
      for (const finding of report.findings) {
        expect(finding.status).toBe('open');
        expect(finding.title.length).toBeGreaterThan(0);
        expect(finding.title.length).toBeLessThanOrEqual(200);
        expect(finding.severity).not.toBe('unknown');
      }
      corpusChecks[name]?.(report, raw);
    });
  }
});

describe('sarifParser rules', () => {
  it('finds rules in tool.extensions by toolComponent.index', () => {
    const report = parse(fixture('codeql-2.12_extensions.sarif'));
    expect(report.scanner).toBe('codeql');
    expect(report.findings).toHaveLength(4);
    const [sql, xss, unused, suffixed] = report.findings;
    expect(sql).toMatchObject({
      ruleId: 'js/sql-injection',
      title: 'Database query built from user-controlled sources',
      severity: 'high',
      cwes: ['CWE-89', 'CWE-90', 'CWE-943'],
      vulnerabilityIds: [],
      location: {
        file: 'packages/server/src/routes/search.js',
        startLine: 14,
        endLine: 14,
      },
    });
    expect(sql.description).toBe(
      [
        'This query string depends on a [user-provided value](1).',
        '# Database query built from user-controlled sources\nIf a database query is built from user-provided data without sufficient sanitization, a malicious user may be able to run malicious database queries.\n\n## References\n* Common Weakness Enumeration: [CWE-89](https://cwe.mitre.org/data/definitions/89.html).',
      ].join('\n\n'),
    );
    expect(xss).toMatchObject({
      ruleId: 'js/reflected-xss',
      title: 'Reflected cross-site scripting',
      severity: 'medium', // security-severity 6.1 beats the error level
      cwes: ['CWE-79', 'CWE-116'],
      // artifactLocation with only an index into run.artifacts
      location: {
        file: 'packages/server/src/routes/search.js',
        startLine: 22,
        endLine: 24,
      },
    });
    expect(unused).toMatchObject({
      ruleId: 'js/unused-local-variable',
      title: 'Unused variable, import, function or class',
      severity: 'low', // defaultConfiguration.level note
      cwes: [],
    });
    // 'js/sql-injection/1' falls back to the base rule id.
    expect(suffixed).toMatchObject({
      ruleId: 'js/sql-injection',
      title: 'Database query built from user-controlled sources',
      severity: 'high',
      location: { file: 'packages/server/src/util.js', startLine: 40 },
    });
  });

  it('uses rule.index inside the named tool component, not the driver', () => {
    const document = fixture('codeql-2.12_extensions.sarif');
    const run = document.runs[0];
    run.tool.driver.rules = [
      { id: 'driver/first', shortDescription: { text: 'Driver first' } },
      { id: 'driver/second', shortDescription: { text: 'Driver second' } },
    ];
    run.results = [
      {
        rule: { index: 1, toolComponent: { index: 1 } },
        message: { text: 'by index only' },
      },
      { ruleIndex: 1, message: { text: 'driver by index' } },
      {
        rule: { id: 'js/reflected-xss', toolComponent: { name: 'nope' } },
        message: { text: 'unknown component, found by id' },
      },
    ];
    const titles = parse(document).findings.map(f => [f.ruleId, f.title]);
    expect(titles).toEqual([
      ['js/sql-injection', 'Database query built from user-controlled sources'],
      ['driver/second', 'Driver second'],
      ['js/reflected-xss', 'Reflected cross-site scripting'],
    ]);
  });

  it('falls back to rule.name, then the first message line, for the title', () => {
    const longLine = 'x'.repeat(250);
    const report = parse(
      sarif(
        [
          { ruleId: 'named', message: { text: 'm' } },
          { ruleId: 'missing', message: { text: '\n  First line  \nsecond' } },
          { ruleId: 'long', message: { text: longLine } },
        ],
        [{ id: 'named', name: 'NamedRule' }],
      ),
    );
    const [named, missing, long] = report.findings;
    expect(named.title).toBe('NamedRule');
    expect(missing.title).toBe('First line');
    expect(long.title).toHaveLength(200);
    expect(long.title).toBe(`${'x'.repeat(199)}…`);
  });

  it('formats a message from the rule messageStrings and its arguments', () => {
    const report = parse(fixture('multi-run_locations.sarif'));
    expect(report.findings[1].description).toBe(
      'Configuration file Web.config is missing the X-Frame-Options setting.',
    );
  });
});

describe('sarifParser identity', () => {
  it('keeps the identityKey when lines shift and partialFingerprints exist', () => {
    const document = fixture('codeql-2.12_extensions.sarif');
    const before = parse(document).findings.map(f => f.identityKey);
    const after = parse(shiftLines(document, 7)).findings.map(
      f => f.identityKey,
    );
    const moved = parse(shiftLines(document, 7)).findings;
    expect(moved[0].location?.startLine).toBe(21);
    expect(after).toEqual(before);
  });

  it('keeps the identityKey when lines shift and fingerprints exist', () => {
    const document = fixture('multi-run_locations.sarif');
    const before = parse(document).findings[0];
    const after = parse(shiftLines(document, 12)).findings[0];
    expect(after.location?.startLine).toBe(70);
    expect(after.identityKey).toBe(before.identityKey);
    expect(before.identityKey).toBe(
      identityKey(
        'semgrep-oss',
        'python.django.security.injection.raw-html-format.raw-html-format',
        'fingerprints',
        'matchBasedId/v1=3f0c9e1d2b7a_0',
      ),
    );
  });

  it('keeps the identityKey when lines shift and a snippet exists', () => {
    const document = fixture('semgrep_snippets.sarif');
    const before = parse(document).findings;
    const after = parse(shiftLines(document, 3)).findings;
    expect(after[0].location?.startLine).toBe(34);
    expect(after[0].identityKey).toBe(before[0].identityKey);
    expect(before[0].identityKey).toBe(
      identityKey(
        'semgrep-oss',
        'javascript.express.security.audit.xss.direct-response-write',
        'location',
        'src/routes/profile.js',
        undefined,
        'snippet',
        digest("res.send('<h1>' + req.query.name + '</h1>');"),
      ),
    );
    // Without fingerprints or a snippet the line is all there is.
    expect(after[1].identityKey).not.toBe(before[1].identityKey);
    expect(before[1].identityKey).toBe(
      identityKey(
        'semgrep-oss',
        'python.lang.security.audit.eval-detected',
        'location',
        'tools/calc.py',
        undefined,
        'line',
        8,
      ),
    );
  });

  it('ignores snippet whitespace, message, level and severity', () => {
    const document = fixture('semgrep_snippets.sarif');
    const before = parse(document).findings[0];
    const changed = fixture('semgrep_snippets.sarif');
    const result = changed.runs[0].results[0];
    result.locations[0].physicalLocation.region.snippet.text =
      "\tres.send('<h1>' +   req.query.name\n + '</h1>');  ";
    result.message.text = 'Reworded by a newer Semgrep';
    result.level = 'error';
    changed.runs[0].tool.driver.rules[0].properties['security-severity'] =
      'LOW';
    const after = parse(changed).findings[0];
    expect(after.severity).toBe('low');
    expect(after.identityKey).toBe(before.identityKey);

    result.locations[0].physicalLocation.region.snippet.text =
      "res.send('<h1>' + escape(req.query.name) + '</h1>');";
    expect(parse(changed).findings[0].identityKey).not.toBe(before.identityKey);
  });

  it('uses all fingerprints sorted by key, without the location', () => {
    const report = parse(
      sarif([
        {
          ruleId: 'r1',
          message: { text: 'm' },
          fingerprints: { 'b/v1': 'two', 'a/v1': 'one' },
          partialFingerprints: { ignored: 'yes' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'a.js' },
                region: { startLine: 3 },
              },
            },
          ],
        },
      ]),
    );
    expect(report.findings[0].identityKey).toBe(
      identityKey('tool', 'r1', 'fingerprints', 'a/v1=one', 'b/v1=two'),
    );
  });

  it('ignores the "requires login" placeholders of logged-out Semgrep CE', () => {
    const result = (line: number) => ({
      ruleId: 'python.lang.security.audit.eval-detected',
      message: { text: 'Detected the use of eval().' },
      fingerprints: { 'matchBasedId/v1': 'requires login' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'app.py' },
            region: { startLine: line, snippet: { text: 'requires login' } },
          },
        },
      ],
    });
    const [first, second] = parse(
      sarif([result(3), result(9)], [], 'Semgrep OSS'),
    ).findings;
    expect(first.identityKey).toBe(
      identityKey(
        'semgrep-oss',
        'python.lang.security.audit.eval-detected',
        'location',
        'app.py',
        undefined,
        'line',
        3,
      ),
    );
    expect(second.identityKey).not.toBe(first.identityKey);
    expect(first.description).toBe('Detected the use of eval().');
  });

  it('adds the file to partialFingerprints, whose line hashes repeat across files', () => {
    const result = (uri: string) => ({
      ruleId: 'py/flask-debug',
      message: { text: 'A Flask app appears to be run in debug mode.' },
      partialFingerprints: { primaryLocationLineHash: 'ab12:1' },
      locations: [{ physicalLocation: { artifactLocation: { uri } } }],
    });
    const [good, bad] = parse(
      sarif([result('good/vulpy.py'), result('bad/vulpy.py')], [], 'CodeQL'),
    ).findings;
    expect(good.identityKey).toBe(
      identityKey(
        'codeql',
        'py/flask-debug',
        'partialFingerprints',
        'good/vulpy.py',
        'primaryLocationLineHash=ab12:1',
      ),
    );
    expect(bad.identityKey).not.toBe(good.identityKey);
  });

  it('puts each run’s own tool slug in its identityKeys', () => {
    const report = parse(fixture('multi-run_locations.sarif'));
    expect(report.scanner).toBe('semgrep-oss');
    expect(report.findings.map(f => f.identityKey.split('\u001f')[0])).toEqual([
      'semgrep-oss',
      'codeql',
    ]);
    expect(report.findings[1].identityKey).toBe(
      identityKey(
        'codeql',
        'cs/web/missing-x-frame-options',
        'location',
        'Shop.Web',
        undefined,
        'line',
        undefined,
      ),
    );
  });
});

describe('sarifParser locations', () => {
  it('normalizes URIs and defaults endLine to startLine', () => {
    const [semgrep, calc] = parse(fixture('semgrep_snippets.sarif')).findings;
    expect(semgrep.location).toEqual({
      file: 'src/routes/profile.js',
      startLine: 31,
      endLine: 31,
    });
    expect(calc.location).toEqual({
      file: 'tools/calc.py',
      startLine: 8,
      endLine: 8,
    });
    const [onlyStart] = parse(
      sarif([
        {
          ruleId: 'r',
          message: { text: 'm' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'lib/x.go', uriBaseId: '%SRCROOT%' },
                region: { startLine: 12 },
              },
            },
          ],
        },
      ]),
    ).findings;
    expect(onlyStart.location).toEqual({
      file: 'lib/x.go',
      startLine: 12,
      endLine: 12,
    });
  });

  it('makes absolute file URIs relative to originalUriBaseIds', () => {
    const [semgrep, codeql] = parse(
      fixture('multi-run_locations.sarif'),
    ).findings;
    expect(semgrep.location).toEqual({
      file: 'shop/views.py',
      startLine: 58,
      endLine: 60,
    });
    // Logical location only: no file.
    expect(codeql.location).toBeUndefined();
    expect(codeql).toMatchObject({
      severity: 'high',
      cwes: ['CWE-451', 'CWE-829'],
      title: 'Missing X-Frame-Options HTTP header',
    });
  });

  it('shows the snippet as a fenced code block', () => {
    const [semgrep] = parse(fixture('semgrep_snippets.sarif')).findings;
    expect(semgrep.description).toBe(
      [
        'Detected directly writing to a Response object from user-defined input.',
        'Detected directly writing to a Response object from user-defined input.\n\n<b>References:</b>\n - [Semgrep Rule](https://semgrep.dev/r/javascript.express.security.audit.xss.direct-response-write)',
        "```\n    res.send('<h1>' + req.query.name + '</h1>');\n```",
      ].join('\n\n'),
    );
    const [withTicks] = parse(
      sarif([
        {
          ruleId: 'r',
          message: { text: 'm' },
          locations: [
            {
              physicalLocation: {
                region: { startLine: 1, snippet: { text: 'a ``` b' } },
              },
            },
          ],
        },
      ]),
    ).findings;
    expect(withTicks.description).toBe('m\n\n````\na ``` b\n````');
  });
});

describe('sarifParser suppressions and kinds', () => {
  it('skips accepted or status-less suppressions and pass/notApplicable', () => {
    const report = parse(fixture('eslint_suppressions_kinds.sarif'));
    expect(report.findings.map(f => f.description)).toEqual([
      'kept: under review',
      'kept: rejected',
      'kept: empty suppressions',
      'kept: fail',
      'kept: open',
      'kept: review',
      'kept: informational',
    ]);
    expect(report.findings.map(f => f.severity)).toEqual([
      'medium',
      'medium',
      'medium',
      'high',
      'medium',
      'low',
      'none',
    ]);
    expect(report.findings.map(f => f.location?.startLine)).toEqual([
      4, 5, 6, 9, 10, 11, 12,
    ]);
  });
});

describe('sarifParser severity', () => {
  it('prefers security-severity of the result, then the rule, then the level', () => {
    const report = parse(fixture('severity_levels.sarif'));
    expect(report.scanner).toBe('trivy');
    expect(
      report.findings.map(f => [f.ruleId, f.package?.name, f.severity]),
    ).toEqual([
      ['CVE-2023-0464', 'libcrypto3', 'high'], // rule 7.5 beats level note
      ['CVE-2023-0464', 'libssl3', 'high'],
      ['GHSA-c2qf-rxjj-qqgw', 'semver', 'critical'], // result 9.8 beats rule 5.3
      ['DS002', undefined, 'medium'], // result level warning
      ['DS026', undefined, 'medium'], // no level anywhere: warning
      ['DS002', undefined, 'high'], // defaultConfiguration error
    ]);
    expect(report.findings[2]).toMatchObject({
      vulnerabilityIds: ['GHSA-c2qf-rxjj-qqgw'],
      package: {
        name: 'semver',
        version: '5.7.1',
        fixedVersion: '7.5.2, 6.3.1, 5.7.2',
      },
      location: {
        file: 'app/package-lock.json',
        startLine: 1520,
        endLine: 1523,
        image: 'alpine:3.17.2',
      },
    });
    expect(report.findings[0].identityKey).not.toBe(
      report.findings[1].identityKey,
    );
  });

  it.each([
    ['9.0', 'critical'],
    ['8.9', 'high'],
    ['7.0', 'high'],
    ['6.9', 'medium'],
    ['4.0', 'medium'],
    ['3.9', 'low'],
    ['0.1', 'low'],
    ['0', 'none'],
    [10, 'critical'],
    [5, 'medium'],
    ['CRITICAL', 'critical'],
    ['High', 'high'],
    ['not a score', 'low'], // falls back to the level: note
    ['', 'low'],
  ])('maps security-severity %p to %s', (score, expected) => {
    const report = parse(
      sarif(
        [{ ruleId: 'r', level: 'note', message: { text: 'm' } }],
        [{ id: 'r', properties: { 'security-severity': score } }],
      ),
    );
    expect(report.findings[0].severity).toBe(expected);
  });

  it.each([
    ['error', 'high'],
    ['warning', 'medium'],
    ['note', 'low'],
    ['none', 'none'],
  ])('maps level %s to %s', (level, expected) => {
    const report = parse(sarif([{ ruleId: 'r', level, message: {} }]));
    expect(report.findings[0].severity).toBe(expected);
  });
});

describe('sarifParser ids', () => {
  it.each([
    ['CVE-2021-44228', ['CVE-2021-44228']],
    ['cve-2021-44228', ['CVE-2021-44228']],
    ['GHSA-JFH8-C2JP-5V3Q', ['GHSA-jfh8-c2jp-5v3q']],
    ['GO-2022-0969', ['GO-2022-0969']],
    ['RUSTSEC-2021-0078', ['RUSTSEC-2021-0078']],
    ['PYSEC-2021-19', ['PYSEC-2021-19']],
    ['OSV-2020-111', ['OSV-2020-111']],
    ['js/sql-injection', []],
    ['MY-CVE-RULE', []],
  ])('reads vulnerability ids from ruleId %s', (ruleId, expected) => {
    const report = parse(sarif([{ ruleId, message: { text: 'm' } }]));
    expect(report.findings[0].vulnerabilityIds).toEqual(expected);
  });

  it('reads CWEs from tags in both notations, de-duplicated', () => {
    const report = parse(
      sarif(
        [{ ruleId: 'r', message: { text: 'm' } }],
        [
          {
            id: 'r',
            properties: {
              tags: [
                'external/cwe/cwe-079',
                "CWE-79: Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
                'CWE-89',
                'OWASP-A03:2021 - Injection',
                'external/owasp/owasp-a1',
                'cwe-1333',
                42,
              ],
            },
          },
        ],
      ),
    );
    expect(report.findings[0].cwes).toEqual(['CWE-79', 'CWE-89', 'CWE-1333']);
  });
});

describe('sarifParser secrets', () => {
  const document = fixture('gitleaks-8_secrets.sarif');
  const secrets: string[] = document.runs.flatMap((run: any) =>
    run.results.map(
      (result: any) =>
        result.locations[0].physicalLocation.region.snippet.text as string,
    ),
  );
  const report = parse(document);

  it('finds the three secrets in the fixture', () => {
    expect(secrets).toHaveLength(3);
    expect(report.findings).toHaveLength(3);
    expect(report.scanner).toBe('gitleaks');
  });

  it('lets no secret, nor a digest of it, into any field', () => {
    const serialized = JSON.stringify(report);
    for (const secret of secrets) {
      expect(serialized).not.toContain(secret);
      expect(serialized).not.toContain(digest(normalizeSnippet(secret)));
      expect(serialized).not.toContain(digest(secret));
    }
    expect(serialized).not.toContain('FAKE-KEY-MATERIAL-FOR-TESTS-ONLY');
    for (const finding of report.findings) {
      expect(finding.description).not.toContain('```');
    }
  });

  it('redacts the secret from the message of a rule tagged secrets', () => {
    const finding = report.findings[2];
    expect(finding).toMatchObject({
      ruleId:
        'generic.secrets.security.detected-generic-api-key.detected-generic-api-key',
      title: 'Generic API key detected',
      description: 'Generic API key detected: [REDACTED] in payments.js',
      severity: 'high',
      cwes: ['CWE-798'],
    });
    expect(finding.identityKey).toBe(
      identityKey(
        'semgrep-oss',
        'generic.secrets.security.detected-generic-api-key.detected-generic-api-key',
        'location',
        'src/payments.js',
        undefined,
        'line',
        4,
      ),
    );
  });

  it('keys Gitleaks findings by the Gitleaks rule: rule, file and a tag of the secret', () => {
    const [aws, key] = report.findings;
    expect(aws.title).toBe(
      'Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms.',
    );
    expect(aws.identityKey).toBe(
      identityKey(
        'aws-access-token',
        'config/settings.py',
        'secret',
        gitleaksSecretTag('aws-access-token', secrets[0]),
      ),
    );
    expect(key.identityKey).toBe(
      identityKey(
        'private-key',
        'deploy/id_rsa',
        'secret',
        gitleaksSecretTag('private-key', secrets[1]),
      ),
    );
    expect(key.location).toEqual({
      file: 'deploy/id_rsa',
      startLine: 1,
      endLine: 3,
    });
  });

  it('gives a leak the identity that Gitleaks JSON gives it, redacted or not', () => {
    const aws = document.runs[0].results[0];
    const region = aws.locations[0].physicalLocation.region;
    const leak = (secret: string) => [
      {
        RuleID: 'aws-access-token',
        Description: 'AWS credentials',
        StartLine: region.startLine,
        EndLine: region.endLine,
        StartColumn: region.startColumn,
        EndColumn: region.endColumn,
        Match: `aws_access_key_id = ${secret}`,
        Secret: secret,
        File: 'config/settings.py',
        SymlinkFile: '',
        Commit: aws.partialFingerprints.commitSha,
        Entropy: 3.68,
        Author: 'Dev Example',
        Email: 'dev@example.com',
        Date: '2024-03-01T10:22:11Z',
        Message: 'add settings',
        Tags: [],
        Fingerprint: `${aws.partialFingerprints.commitSha}:config/settings.py:aws-access-token:12`,
      },
    ];
    const fromJson = (secret: string) =>
      gitleaksParser.parse(leak(secret)).findings[0].identityKey;
    expect(report.findings[0].identityKey).toBe(fromJson(secrets[0]));

    // `gitleaks --redact` writes REDACTED where the secret was: the rule
    // then keys the leak by its commit and line.
    const redacted = structuredClone(document);
    redacted.runs[0].results[0].locations[0].physicalLocation.region.snippet.text =
      'REDACTED';
    const [finding] = parse(redacted).findings;
    expect(finding.identityKey).toBe(
      identityKey(
        'aws-access-token',
        'config/settings.py',
        'line',
        aws.partialFingerprints.commitSha,
        '12',
      ),
    );
    expect(finding.identityKey).toBe(fromJson('REDACTED'));
  });

  it('redacts each line of a multi-line secret', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nFAKE-KEY-MATERIAL-FOR-TESTS-ONLY\n-----END OPENSSH PRIVATE KEY-----';
    const [finding] = parse(
      sarif(
        [
          {
            ruleId: 'private-key',
            message: {
              text: 'Key body FAKE-KEY-MATERIAL-FOR-TESTS-ONLY found in id_rsa',
            },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'id_rsa' },
                  region: { startLine: 1, snippet: { text: key } },
                },
              },
            ],
          },
        ],
        [],
        'gitleaks',
      ),
    ).findings;
    expect(finding.description).toBe('Key body [REDACTED] found in id_rsa');
    expect(finding.title).toBe('Key body [REDACTED] found in id_rsa');
  });

  it('redacts a secret that a long title would otherwise cut in half', () => {
    const secret = 'ghp_fakeTokenForTests0123456789abcdef';
    const message = `${'a'.repeat(180)} ${secret} tail`;
    const [finding] = parse(
      sarif(
        [
          {
            ruleId: 'github-pat',
            message: { text: message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'x.env' },
                  region: { startLine: 2, snippet: { text: secret } },
                },
              },
            ],
          },
        ],
        [],
        'TruffleHog',
      ),
    ).findings;
    expect(finding.title).toBe(`${'a'.repeat(180)} [REDACTED] tail`);
    expect(JSON.stringify(finding)).not.toContain('ghp_fake');
  });
});

describe('sarifParser errors', () => {
  const result = (extra: object = {}) => ({
    ruleId: 'r',
    message: { text: 'm' },
    ...extra,
  });

  it.each<[string, unknown, string, string]>([
    ['a non-object document', [1, 2], '', 'SARIF: expected a JSON object'],
    [
      'an unsupported version',
      { version: '2.0.0', runs: [] },
      'version',
      'SARIF: version: unsupported version "2.0.0"; only SARIF 2.1.x is supported',
    ],
    [
      'a missing version',
      { runs: [] },
      'version',
      'SARIF: version: missing; expected "2.1.0"',
    ],
    [
      'a numeric version',
      { version: 2.1, runs: [] },
      'version',
      'SARIF: version: expected a string',
    ],
    [
      'missing runs',
      { version: '2.1.0' },
      'runs',
      'SARIF: runs: expected an array',
    ],
    [
      'a run without a tool name',
      { version: '2.1.0', runs: [{ tool: { driver: {} } }] },
      'runs[0].tool.driver.name',
      'SARIF: runs[0].tool.driver.name: expected a string',
    ],
    [
      'results that are not an array',
      {
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'x' } }, results: {} }],
      },
      'runs[0].results',
      'SARIF: runs[0].results: expected an array',
    ],
    [
      'a run that is not an object',
      { version: '2.1.0', runs: ['CodeQL'] },
      'runs[0]',
      'SARIF: runs[0]: expected an object',
    ],
    [
      'a run without a tool',
      { version: '2.1.0', runs: [{ results: [] }] },
      'runs[0].tool',
      'SARIF: runs[0].tool: expected an object',
    ],
    [
      'a result that is not an object',
      sarif([result(), 'oops']),
      'runs[0].results[1]',
      'SARIF: runs[0].results[1]: expected an object',
    ],
  ])('rejects %s', (_, document, errorPath, message) => {
    const error = parseError(document);
    expect(error.path).toBe(errorPath);
    expect(error.formatLabel).toBe('SARIF');
    expect(error.message).toBe(message);
  });

  it('accepts a missing version when the $schema names SARIF 2.1', () => {
    const report = parse({
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      runs: [{ tool: { driver: { name: 'x' } } }],
    });
    expect(report).toEqual({
      format: 'sarif',
      scanner: 'x',
      findings: [],
      warnings: [],
    });
  });

  it('names the scanner "sarif" when there are no runs', () => {
    expect(parse({ version: '2.1.0', runs: [] }).scanner).toBe('sarif');
  });
});

/** `['runs', 0, 'results']` -> `runs[0].results`, as warnings spell paths. */
const jsonPath = (keys: JsonPath): string =>
  keys.reduce<string>((joined, key) => {
    if (typeof key === 'number') return `${joined}[${key}]`;
    return joined ? `${joined}.${key}` : key;
  }, '');

/** The JSON path where parsing refuses the document; undefined when it reads it. */
function refusal(document: unknown): string | undefined {
  try {
    parse(document);
    return undefined;
  } catch (error) {
    if (!(error instanceof ReportParseError)) throw error;
    return error.path;
  }
}

/** The identity keys the store gets: after `normalizeFindings`. */
const storedKeys = (findings: Iterable<ParsedFinding>): string[] =>
  Array.from(normalizeFindings(findings), ({ finding }) => finding.identityKey);

/** A physical location in `uri` at `line`, with an optional snippet. */
const at = (uri: string, line: number, snippet?: string) => ({
  physicalLocation: {
    artifactLocation: { uri },
    region: {
      startLine: line,
      ...(snippet ? { snippet: { text: snippet } } : {}),
    },
  },
});

/** The document as the import route hands it over: results read lazily. */
const lazily = (document: unknown): unknown =>
  readJsonReport(Buffer.from(JSON.stringify(document))).document;

describe('sarifParser with several locations in one result', () => {
  const DIVA = 'app/src/main/java/jakhar/aseem/diva/';

  it('makes each location of a mobsfscan result its own finding', () => {
    const report = parse(fixture('mobsfscan-0.0.8_multi-location.sarif'));
    expect(report.scanner).toBe('mobsfscan');
    expect(
      report.findings.map(f => [
        f.ruleId,
        f.location?.file?.replace(DIVA, ''),
        f.location?.startLine,
        f.location?.endLine,
      ]),
    ).toEqual([
      ['android_logging', 'InsecureDataStorage2Activity.java', 57, 57],
      ['android_logging', 'InsecureDataStorage2Activity.java', 71, 71],
      ['android_logging', 'InsecureDataStorage3Activity.java', 72, 72],
      ['android_logging', 'InsecureDataStorage4Activity.java', 71, 71],
      ['android_logging', 'LogActivity.java', 50, 58],
      ['android_logging', 'LogActivity.java', 56, 56],
      ['android_logging', 'SQLInjectionActivity.java', 61, 61],
      ['android_logging', 'SQLInjectionActivity.java', 85, 85],
      ['android_hidden_ui', 'AccessControl3NotesActivity.java', 72, 72],
      ['android_hidden_ui', 'AccessControl3NotesActivity.java', 73, 73],
      ['sqlite_injection', 'InsecureDataStorage2Activity.java', 67, 67],
      ['sqlite_injection', 'SQLInjectionActivity.java', 70, 70],
      // "Missing Best Practice" at `./`: about the app, not a file.
      ['android_detect_tapjacking', undefined, 1, 1],
      ['android_prevent_screenshot', undefined, 1, 1],
      ['android_safetynet_api', undefined, 1, 1],
      ['android_root_detection', undefined, 1, 1],
      ['android_certificate_transparency', undefined, 1, 1],
      ['android_certificate_pinning', undefined, 1, 1],
    ]);
    // Every place is its own observation: nothing numbered, nothing merged.
    expect(new Set(storedKeys(report.findings)).size).toBe(18);
    expect(storedKeys(report.findings).join()).not.toContain('#');

    const [first, second] = report.findings;
    expect(first).toMatchObject({
      title: 'AndroidLogging',
      severity: 'low',
      cwes: ['CWE-532'],
    });
    // Each finding shows its own place's code.
    expect(first.description).toContain(
      'Error occurred while creating database: ',
    );
    expect(second.description).toContain(
      'Error occurred while inserting into database: ',
    );
    expect(second.description).not.toContain('while creating database');
    expect(report.findings[8]).toMatchObject({
      severity: 'high',
      cwes: ['CWE-919'],
    });
    expect(report.findings[10]).toMatchObject({
      severity: 'medium', // no level anywhere: warning
      cwes: ['CWE-78'],
    });
  });

  it('makes each location of an njsscan result its own finding', () => {
    const report = parse(fixture('njsscan-0.2.3_multi-location.sarif'));
    expect(report.scanner).toBe('nodejsscan');
    expect(
      report.findings.map(f => [
        f.ruleId,
        f.location?.file,
        f.location?.startLine,
        f.severity,
        f.cwes,
      ]),
    ).toEqual([
      [
        'node_insecure_random_generator',
        'src/index.js',
        321,
        'medium',
        ['CWE-327'],
      ],
      ['node_password', 'src/index.js', 235, 'high', ['CWE-798']],
      ['node_password', 'src/index.js', 239, 'high', ['CWE-798']],
    ]);
    expect(new Set(storedKeys(report.findings)).size).toBe(3);
  });

  it('keys each place by its own snippet, so the places survive a line shift', () => {
    const document = fixture('mobsfscan-0.0.8_multi-location.sarif');
    const before = parse(document).findings.map(f => f.identityKey);
    const after = parse(shiftLines(document, 9)).findings;
    expect(after[0].location?.startLine).toBe(66);
    expect(after.map(f => f.identityKey)).toEqual(before);
    expect(before[1]).toBe(
      identityKey(
        'mobsfscan',
        'android_logging',
        'location',
        `${DIVA}InsecureDataStorage2Activity.java`,
        undefined,
        'snippet',
        digest(
          'Log.d("Diva", "Error occurred while inserting into database: " + e.getMessage());',
        ),
      ),
    );
  });

  it('adds each place to fingerprints the result gives for all of its places', () => {
    const report = parse(
      sarif(
        [
          {
            ruleId: 'r',
            message: { text: 'm' },
            fingerprints: { 'hash/v1': 'abc' },
            locations: [at('a.js', 3), at('b.js', 9)],
          },
          {
            ruleId: 'r',
            message: { text: 'm' },
            partialFingerprints: { primaryLocationLineHash: 'ff:1' },
            locations: [at('c.js', 1), at('d.js', 2)],
          },
        ],
        [],
        'Tool',
      ),
    );
    expect(report.findings.map(f => f.identityKey)).toEqual([
      identityKey('tool', 'r', 'fingerprints at', 'a.js', 'hash/v1=abc'),
      identityKey('tool', 'r', 'fingerprints at', 'b.js', 'hash/v1=abc'),
      identityKey(
        'tool',
        'r',
        'partialFingerprints',
        'c.js',
        'primaryLocationLineHash=ff:1',
      ),
      identityKey(
        'tool',
        'r',
        'partialFingerprints',
        'd.js',
        'primaryLocationLineHash=ff:1',
      ),
    ]);
  });

  it('keeps one finding for relatedLocations and codeFlows, and for no location', () => {
    const report = parse(
      sarif([
        {
          ruleId: 'js/sql-injection',
          message: { text: 'Query built from a [user value](1).' },
          locations: [at('routes/search.js', 14)],
          relatedLocations: [{ id: 1, ...at('routes/search.js', 9) }],
          codeFlows: [
            {
              threadFlows: [
                {
                  locations: [
                    { location: at('routes/search.js', 9) },
                    { location: at('routes/search.js', 14) },
                  ],
                },
              ],
            },
          ],
        },
        { ruleId: 'no-location', message: { text: 'about the project' } },
      ]),
    );
    expect(report.findings.map(f => [f.ruleId, f.location])).toEqual([
      [
        'js/sql-injection',
        { file: 'routes/search.js', startLine: 14, endLine: 14 },
      ],
      ['no-location', undefined],
    ]);
  });
});

describe('sarifParser with fingerprints that repeat in a report', () => {
  const flawfinder = fixture('flawfinder-2.0.19_colliding-fingerprints.sarif');
  const contextHash = (result: any): string =>
    `contextHash/v1=${result.fingerprints['contextHash/v1']}`;

  it('puts the file into Flawfinder fingerprints, which hash the line text', () => {
    const report = parse(flawfinder);
    expect(report.scanner).toBe('flawfinder');
    const results = flawfinder.runs[0].results.filter(
      (result: any) => result.kind !== 'pass',
    );
    expect(results).toHaveLength(53);
    expect(report.findings.map(f => f.identityKey)).toEqual(
      results.map((result: any) =>
        identityKey(
          'flawfinder',
          result.ruleId,
          'fingerprints at',
          result.locations[0].physicalLocation.artifactLocation.uri,
          contextHash(result),
        ),
      ),
    );
  });

  it('loses none of the identical lines: repeats in one file are numbered', () => {
    const normalized = Array.from(
      normalizeFindings(parse(flawfinder).findings),
    );
    expect(normalized).toHaveLength(53);
    expect(new Set(normalized.map(n => n.identityHash)).size).toBe(53);
    expect(
      normalized
        .filter(n => n.finding.identityKey.endsWith('#2'))
        .map(n => [n.finding.location?.file, n.finding.location?.startLine]),
    ).toEqual([
      ['src/tree/param.cc', 75],
      ['src/data/data.cc', 1059],
      ['src/common/io.cc', 48],
      ['src/common/io.cc', 137],
    ]);
  });

  it('keeps every identity when the same line appears in another file', () => {
    const copied = structuredClone(flawfinder);
    const sscanf = structuredClone(copied.runs[0].results[2]);
    sscanf.locations[0].physicalLocation.artifactLocation.uri =
      'src/metric/elementwise_metric.cc';
    copied.runs[0].results.push(sscanf);
    const before = storedKeys(parse(flawfinder).findings);
    const after = storedKeys(parse(copied).findings);
    expect(after.slice(0, 53)).toEqual(before);
    expect(after[53]).toBe(
      identityKey(
        'flawfinder',
        'FF1021',
        'fingerprints at',
        'src/metric/elementwise_metric.cc',
        contextHash(sscanf),
      ),
    );
  });

  it('keeps every identity when lines shift', () => {
    expect(
      parse(shiftLines(flawfinder, 40)).findings.map(f => f.identityKey),
    ).toEqual(parse(flawfinder).findings.map(f => f.identityKey));
  });

  it('reads severity from the level and the rule, not from rank', () => {
    const report = parse(flawfinder);
    const [first, second] = flawfinder.runs[0].results;
    expect(first.rank).toBe(second.rank);
    expect(report.findings[0].severity).toBe('high'); // no level: the rule's error
    expect(report.findings[1].severity).toBe('medium'); // level warning
    expect(report.findings[2].severity).toBe('low'); // level note, rank 0
    expect(report.findings[52].severity).toBe('high'); // level error, rank 0.8
  });

  it('reads CWEs from the rule relationships to the CWE taxonomy', () => {
    const report = parse(flawfinder);
    expect(report.findings[0].cwes).toEqual(['CWE-327']);
    expect(report.findings.find(f => f.ruleId === 'FF1013')?.cwes).toEqual([
      'CWE-119',
      'CWE-120',
    ]);
  });

  /** Fingerprints of a tool that does not hash line text, some repeated. */
  const analyzer = (extra: object[] = []) =>
    sarif(
      [
        {
          ruleId: 'CA2100',
          message: { text: 'm' },
          fingerprints: { 'hash/v1': 'same' },
          locations: [at('src/Orders.cs', 10)],
        },
        {
          ruleId: 'CA2100',
          message: { text: 'm' },
          fingerprints: { 'hash/v1': 'unique' },
          locations: [at('src/Orders.cs', 20)],
        },
        {
          ruleId: 'CA2100',
          message: { text: 'm' },
          fingerprints: { 'hash/v1': 'same' },
          locations: [at('src/Users.cs', 30)],
        },
        ...extra,
      ],
      [],
      'Roslyn Analyzers',
    );

  it('adds the place to fingerprints the report repeats, the first one included', () => {
    const keys = parse(analyzer()).findings.map(f => f.identityKey);
    expect(keys).toEqual([
      identityKey(
        'roslyn-analyzers',
        'CA2100',
        'fingerprints at',
        'src/Orders.cs',
        'hash/v1=same',
      ),
      identityKey(
        'roslyn-analyzers',
        'CA2100',
        'fingerprints',
        'hash/v1=unique',
      ),
      identityKey(
        'roslyn-analyzers',
        'CA2100',
        'fingerprints at',
        'src/Users.cs',
        'hash/v1=same',
      ),
    ]);
  });

  it('counts neither other rules, suppressed results nor repeats at the same place', () => {
    const plain = identityKey(
      'roslyn-analyzers',
      'CA2100',
      'fingerprints',
      'hash/v1=unique',
    );
    const repeat = (extra: object) => ({
      ruleId: 'CA2100',
      message: { text: 'm' },
      fingerprints: { 'hash/v1': 'unique' },
      locations: [at('src/Other.cs', 1)],
      ...extra,
    });
    for (const extra of [
      { ruleId: 'CA3001' },
      { suppressions: [{ kind: 'inSource' }] },
      { kind: 'pass' },
      { locations: [at('src/Orders.cs', 20)] },
    ]) {
      expect(parse(analyzer([repeat(extra)])).findings[1].identityKey).toBe(
        plain,
      );
    }
  });

  it('reads the results twice only for a report with fingerprints, and streams', () => {
    const codeql = lazily(fixture('codeql-2.12_extensions.sarif'));
    const lineText = lazily(flawfinder);
    const repeating = lazily(analyzer());
    const reads = jest.spyOn(LazyJsonArray.prototype, 'at');
    try {
      // partialFingerprints only: each result is read once.
      sarifParser.parse(codeql);
      expect(reads).toHaveBeenCalledTimes(4);
      reads.mockClear();
      // Line-text fingerprints always carry the file: no census either.
      sarifParser.parse(lineText);
      expect(reads).toHaveBeenCalledTimes(54);
      reads.mockClear();

      const findings = sarifParser.read(repeating).findings[Symbol.iterator]();
      const first = findings.next().value;
      // The census read the three results' fingerprints, then the first
      // result was read again and its finding produced, before the others.
      expect(reads).toHaveBeenCalledTimes(4);
      const keys = [first, findings.next().value, findings.next().value].map(
        finding => finding!.identityKey,
      );
      expect(findings.next().done).toBe(true);
      expect(keys).toEqual(parse(analyzer()).findings.map(f => f.identityKey));
    } finally {
      reads.mockRestore();
    }
  });
});

describe('sarifParser with file-wide hashes in partialFingerprints', () => {
  /**
   * A ShiftLeft Scan result (DefectDojo's `bash-report.sarif`): its
   * `scanFileHash` hashes the file's absolute path, the same for every
   * finding in the file.
   */
  const shellcheck = (scanFileHash: string) =>
    sarif(
      [
        {
          message: {
            markdown: '',
            text: 'You need spaces around the comparison operator.',
          },
          level: 'note',
          locations: [
            {
              physicalLocation: {
                region: {
                  snippet: { text: '  if [ $DBTYPE=="mysql" ]; then\n' },
                  startLine: 410,
                },
                artifactLocation: {
                  uri: 'file:///home/damien/dd/entrypoint_scripts/common/dojo-shared-resources.sh',
                },
              },
            },
          ],
          properties: {
            issue_confidence: 'MEDIUM',
            issue_severity: 'LOW',
            issue_tags: {},
          },
          baselineState: 'new',
          partialFingerprints: {
            scanPrimaryLocationHash: 'e65e9fa644d89079',
            scanFileHash,
          },
          ruleId: '2077',
          ruleIndex: 0,
        },
      ],
      [{ id: '2077', defaultConfiguration: { level: 'note' } }],
      'Shell Script Analysis',
    );

  it('leaves ShiftLeft Scan’s scanFileHash out of the identity', () => {
    const [finding] = parse(shellcheck('4ee28649c65c392d')).findings;
    expect(finding.identityKey).toBe(
      identityKey(
        'shell-script-analysis',
        '2077',
        'partialFingerprints',
        'home/damien/dd/entrypoint_scripts/common/dojo-shared-resources.sh',
        'scanPrimaryLocationHash=e65e9fa644d89079',
      ),
    );
    // The checkout moved: the file hash changed, the finding did not.
    expect(parse(shellcheck('0123456789abcdef')).findings[0].identityKey).toBe(
      finding.identityKey,
    );
  });

  it.each(['fileHash/v1', 'artifactSha256', 'FileContentHash'])(
    'leaves a %s partial fingerprint out of the identity',
    name => {
      const [finding] = parse(
        sarif([
          {
            ruleId: 'r',
            message: { text: 'm' },
            partialFingerprints: { [name]: 'f00d', 'lineHash/v1': 'a1' },
            locations: [at('src/a.py', 5)],
          },
        ]),
      ).findings;
      expect(finding.identityKey).toBe(
        identityKey(
          'tool',
          'r',
          'partialFingerprints',
          'src/a.py',
          'lineHash/v1=a1',
        ),
      );
    },
  );

  it('leaves out a value that is the hash of a whole artifact of the run', () => {
    const document: any = sarif([
      {
        ruleId: 'r',
        message: { text: 'm' },
        partialFingerprints: { 'contentHash/v1': 'C0FFEE' },
        locations: [at('src/a.py', 5, 'eval(data)')],
      },
    ]);
    document.runs[0].artifacts = [
      { location: { uri: 'src/a.py' }, hashes: { 'sha-256': 'c0ffee' } },
    ];
    const [finding] = parse(document).findings;
    // Nothing else is left: the snippet keys it.
    expect(finding.identityKey).toBe(
      identityKey(
        'tool',
        'r',
        'location',
        'src/a.py',
        undefined,
        'snippet',
        digest('eval(data)'),
      ),
    );
  });
});

describe('sarifParser with a bent schema', () => {
  const blackDuck = fixture('blackduck_nested-fingerprints.sarif');

  it('keeps Black Duck findings whose fingerprints are objects, and warns', () => {
    const reading = sarifParser.read(blackDuck);
    expect(reading.warnings).toEqual([]);
    const findings = Array.from(reading.findings);
    expect(findings).toHaveLength(5);
    expect(reading.warnings).toEqual(
      [0, 1, 2, 3, 4].map(index => ({
        path: `runs[0].results[${index}].fingerprints.csvRowSha256`,
        message:
          'expected a string, found an object; skipped, the finding is identified without it',
      })),
    );
    expect(
      findings.map(f => [f.ruleId, f.vulnerabilityIds, f.cwes, f.severity]),
    ).toEqual([
      [
        'BDSA-2020-1001 (CVE-2020-11022)',
        ['CVE-2020-11022', 'BDSA-2020-1001'],
        ['CWE-79'],
        'medium',
      ],
      [
        'BDSA-2021-1002 (CVE-2021-23337)',
        ['CVE-2021-23337', 'BDSA-2021-1002'],
        ['CWE-78'],
        'high',
      ],
      [
        'BDSA-2019-1003 (CVE-2019-10744)',
        ['CVE-2019-10744', 'BDSA-2019-1003'],
        ['CWE-1321'],
        'high',
      ],
      ['BDSA-2022-1004', ['BDSA-2022-1004'], ['CWE-400'], 'low'],
      [
        'BDSA-2023-1005 (CVE-2023-26115)',
        ['CVE-2023-26115', 'BDSA-2023-1005'],
        ['CWE-1333'],
        'high',
      ],
    ]);
    expect(findings[1]).toMatchObject({
      title: 'BDSA-2021-1002 (CVE-2021-23337)',
      location: { file: 'npm/example-util-lib@4.17.20' },
      identityKey: identityKey(
        'example-application',
        'BDSA-2021-1002 (CVE-2021-23337)',
        'location',
        'npm/example-util-lib@4.17.20',
        undefined,
        'line',
        undefined,
      ),
    });
    expect(findings[1].description).toContain(
      'Lodash is vulnerable to command injection via the template function.',
    );
    expect(new Set(findings.map(f => f.identityKey)).size).toBe(5);
  });

  /** One result that uses every optional part the parser reads. */
  const complete = () => ({
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Tool',
            rules: [
              {
                id: 'r',
                name: 'Rule',
                shortDescription: { text: 'Short' },
                help: { text: 'Help', markdown: 'Help' },
                defaultConfiguration: { level: 'error' },
                properties: {
                  tags: ['security', 'external/cwe/cwe-079'],
                  'security-severity': '7.5',
                  cwe: 'CWE-80',
                },
                relationships: [
                  { target: { id: 'CWE-81', toolComponent: { name: 'CWE' } } },
                ],
                messageStrings: { default: { text: 'Message {0}' } },
              },
            ],
          },
          extensions: [{ name: 'pack', rules: [] }],
        },
        artifacts: [
          { location: { uri: 'src/a.js' }, hashes: { 'sha-256': 'abc' } },
        ],
        originalUriBaseIds: { SRCROOT: { uri: 'file:///work/' } },
        results: [
          {
            ruleId: 'r',
            ruleIndex: 0,
            rule: { id: 'r', index: 0, toolComponent: { name: 'Tool' } },
            kind: 'fail',
            level: 'warning',
            message: { id: 'default', arguments: ['x'] },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'src/a.js', index: 0 },
                  region: {
                    startLine: 3,
                    endLine: 4,
                    snippet: { text: 'eval(x)' },
                  },
                  contextRegion: { snippet: { text: 'f(); eval(x)' } },
                },
                logicalLocations: [{ name: 'f', fullyQualifiedName: 'a.f' }],
              },
            ],
            fingerprints: { 'hash/v1': 'h' },
            partialFingerprints: { primaryLocationLineHash: 'p:1' },
            suppressions: [{ status: 'rejected' }],
            properties: {
              tags: ['t'],
              'security-severity': '5.0',
              cwe: ['CWE-82'],
            },
          },
        ],
      },
    ],
  });
  const RUN: JsonPath = ['runs', 0];
  const RULE: JsonPath = [...RUN, 'tool', 'driver', 'rules', 0];
  const RESULT: JsonPath = [...RUN, 'results', 0];
  const LOCATION: JsonPath = [...RESULT, 'locations', 0];
  const REGION: JsonPath = [...LOCATION, 'physicalLocation', 'region'];

  it('reads the complete result without a warning', () => {
    const report = parse(complete());
    expect(report.warnings).toEqual([]);
    expect(report.findings).toEqual([
      expect.objectContaining({
        title: 'Short',
        description: 'Message x\n\nHelp\n\n```\neval(x)\n```',
        severity: 'medium',
        cwes: ['CWE-79', 'CWE-80', 'CWE-81', 'CWE-82'],
        location: { file: 'src/a.js', startLine: 3, endLine: 4 },
      }),
    ]);
  });

  it.each<[JsonPath, unknown]>([
    [[...RESULT, 'fingerprints', 'hash/v1'], { value: 'h' }],
    [[...RESULT, 'fingerprints'], 'h'],
    [[...RESULT, 'partialFingerprints', 'primaryLocationLineHash'], 7],
    [[...RESULT, 'partialFingerprints'], ['p:1']],
    [[...RESULT, 'locations'], {}],
    [LOCATION, 'src/a.js'],
    [[...LOCATION, 'physicalLocation'], 'src/a.js'],
    [[...LOCATION, 'physicalLocation', 'artifactLocation'], 'src/a.js'],
    [[...LOCATION, 'physicalLocation', 'artifactLocation', 'uri'], 42],
    [[...LOCATION, 'physicalLocation', 'contextRegion'], 1],
    [REGION, 3],
    [[...REGION, 'startLine'], '3'],
    [[...REGION, 'endLine'], '4'],
    [[...REGION, 'snippet'], 'eval(x)'],
    [[...REGION, 'snippet', 'text'], ['eval(x)']],
    [[...LOCATION, 'logicalLocations'], { name: 'f' }],
    [[...LOCATION, 'logicalLocations', 0], 'f'],
    [[...LOCATION, 'logicalLocations', 0, 'fullyQualifiedName'], 1],
    [[...RESULT, 'suppressions'], 'yes'],
    [[...RESULT, 'suppressions', 0], 'rejected'],
    [[...RESULT, 'suppressions', 0, 'status'], 1],
    [[...RESULT, 'kind'], 3],
    [[...RESULT, 'level'], 2],
    [[...RESULT, 'message'], 'Message x'],
    [[...RESULT, 'message', 'id'], 5],
    [[...RESULT, 'message', 'arguments'], 'x'],
    [[...RESULT, 'message', 'arguments', 0], 1],
    [[...RESULT, 'ruleId'], 5],
    [[...RESULT, 'ruleIndex'], '0'],
    [[...RESULT, 'rule'], 'r'],
    [[...RESULT, 'rule', 'toolComponent'], 'Tool'],
    [[...RESULT, 'rule', 'toolComponent', 'name'], 0],
    [[...RESULT, 'properties'], 'p'],
    [[...RESULT, 'properties', 'tags'], 't'],
    [[...RESULT, 'properties', 'tags', 0], 1],
    [[...RESULT, 'properties', 'security-severity'], { score: 5 }],
    [[...RESULT, 'properties', 'security-severity'], 'severe'],
    [[...RESULT, 'properties', 'cwe'], 82],
    [[...RESULT, 'properties', 'cwe', 0], 82],
    [[...RULE, 'id'], 1],
    [[...RULE, 'name'], 1],
    [[...RULE, 'shortDescription'], 'Short'],
    [[...RULE, 'shortDescription', 'text'], {}],
    [[...RULE, 'help'], 'Help'],
    [[...RULE, 'help', 'markdown'], 1],
    [[...RULE, 'defaultConfiguration'], 'error'],
    [[...RULE, 'defaultConfiguration', 'level'], 3],
    [[...RULE, 'properties'], []],
    [[...RULE, 'properties', 'cwe'], true],
    [[...RULE, 'relationships'], {}],
    [[...RULE, 'relationships', 0], 'CWE-81'],
    [[...RULE, 'relationships', 0, 'target'], 'CWE-81'],
    [[...RULE, 'relationships', 0, 'target', 'id'], {}],
    [[...RULE, 'messageStrings'], 'Message {0}'],
    [[...RULE, 'messageStrings', 'default'], 'Message {0}'],
    [[...RUN, 'tool', 'driver', 'rules'], {}],
    [RULE, 'r'],
    [[...RUN, 'tool', 'extensions'], {}],
    [[...RUN, 'tool', 'extensions', 0], 'pack'],
    [[...RUN, 'tool', 'extensions', 0, 'name'], 1],
    [[...RUN, 'artifacts'], {}],
    [[...RUN, 'artifacts', 0], 'src/a.js'],
    [[...RUN, 'artifacts', 0, 'hashes'], 'abc'],
    [[...RUN, 'originalUriBaseIds'], []],
    [[...RUN, 'originalUriBaseIds', 'SRCROOT'], 'file:///work/'],
    [[...RUN, 'originalUriBaseIds', 'SRCROOT', 'uri'], 1],
  ])(
    'keeps the finding when %j is %j, with a warning at that path',
    (where, value) => {
      const report = parse(replaceAt(complete(), where, value));
      expect(report.findings).toHaveLength(1);
      expect(report.warnings).toContainEqual({
        path: jsonPath(where),
        message: expect.stringMatching(/^(expected .+, found .+|neither .+); /),
      });
    },
  );

  /** Where a report may be refused: what makes it SARIF, its runs and results. */
  const REQUIRED =
    /^(?:|version|runs|runs\[\d+\](?:\.tool(?:\.driver(?:\.name)?)?|\.results(?:\[\d+\])?)?)$/;

  it.each([
    'blackduck_nested-fingerprints.sarif',
    'mobsfscan-0.0.8_multi-location.sarif',
    'codeql-2.12_extensions.sarif',
  ])('refuses %s with any value replaced only at a required part', name => {
    const document = fixture(name);
    const paths = allPaths(document);
    const READ = 'read, or refused at a required part';
    fc.assert(
      fc.property(fc.nat(), fc.jsonValue({ maxDepth: 3 }), (pick, value) => {
        const mutated = replaceAt(document, paths[pick % paths.length], value);
        const where = refusal(mutated);
        expect(
          where === undefined || REQUIRED.test(where)
            ? READ
            : `refused at ${where}`,
        ).toBe(READ);
      }),
      { numRuns: 400 },
    );
  });
});

describe('sarifParser and byte-identical duplicates', () => {
  it('gives a result the report lists twice one observation', () => {
    const document = fixture('mobsfscan-0.0.8_multi-location.sarif');
    const twice = structuredClone(document);
    twice.runs[0].results.push(structuredClone(document.runs[0].results[1]));
    expect(parse(twice).findings).toHaveLength(20);
    const hashes = (report: ParsedReport) =>
      Array.from(normalizeFindings(report.findings), n => n.identityHash);
    expect(hashes(parse(twice))).toEqual(hashes(parse(document)));
  });

  it('keeps the fingerprint identity of a result listed twice', () => {
    const document = fixture('multi-run_locations.sarif');
    const twice = structuredClone(document);
    twice.runs[0].results.push(structuredClone(document.runs[0].results[0]));
    expect(storedKeys(parse(twice).findings)).toEqual(
      storedKeys(parse(document).findings),
    );
  });
});

describe('SARIF reports through the import route', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'imports the reports of mobsfscan, njsscan, Flawfinder and Black Duck once and idempotently, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPluginBackend({ knex });
      const post = (name: string) =>
        request(server)
          .post('/api/security-observations/v1/imports')
          // One scope per file, so files do not resolve each other.
          .query({ entityRef: 'component:default/payments-api', source: name })
          .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
          .set('Content-Type', 'application/json')
          .serialize((body: unknown) => body as string)
          .send(fs.readFileSync(path.join(fixtureDir, name)));
      const expected: Record<string, { findings: number; warnings: number }> = {
        'mobsfscan-0.0.8_multi-location.sarif': { findings: 18, warnings: 0 },
        'njsscan-0.2.3_multi-location.sarif': { findings: 3, warnings: 0 },
        'flawfinder-2.0.19_colliding-fingerprints.sarif': {
          findings: 53,
          warnings: 0,
        },
        'blackduck_nested-fingerprints.sarif': { findings: 5, warnings: 5 },
      };
      const answers: Record<string, any> = {};
      for (const [name, { findings, warnings }] of Object.entries(expected)) {
        const first = await post(name);
        answers[name] = first.body;
        expect({ name, status: first.status }).toEqual({ name, status: 201 });
        expect(first.body).toMatchObject({
          format: 'sarif',
          findings,
          counts: { new: findings },
        });
        expect(first.body.warnings ?? []).toHaveLength(warnings);
        const again = await post(name);
        expect({ name, counts: again.body.counts }).toEqual({
          name,
          counts: {
            new: 0,
            updated: 0,
            unchanged: findings,
            resolved: 0,
            reopened: 0,
          },
        });
      }
      expect(
        answers['blackduck_nested-fingerprints.sarif'].warnings[3],
      ).toEqual({
        path: 'runs[0].results[3].fingerprints.csvRowSha256',
        message:
          'expected a string, found an object; skipped, the finding is identified without it',
      });
      await knex.destroy();
    },
  );
});

describe('sarifParser properties', () => {
  /** Parses; returns the number of findings, or -1 for a ReportParseError. */
  const expectParsedOrReportParseError = (document: unknown): number => {
    try {
      const report = sarifParser.parse(document);
      expect(Array.isArray(report.findings)).toBe(true);
      return report.findings.length;
    } catch (error) {
      expect(error).toBeInstanceOf(ReportParseError);
      return -1;
    }
  };

  it('never throws anything but ReportParseError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), document => {
        expect(() => sarifParser.detect(document)).not.toThrow();
        expectParsedOrReportParseError(document);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but ReportParseError on SARIF-shaped JSON', () => {
    const anything = fc.jsonValue({ maxDepth: 2 });
    // Mostly well-typed values, now and then any JSON at all.
    const maybe = <T>(arbitrary: fc.Arbitrary<T>) =>
      fc.option(
        fc.oneof({ arbitrary, weight: 40 }, { arbitrary: anything, weight: 1 }),
        { nil: undefined },
      );
    const usually = <T>(arbitrary: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary, weight: 40 }, { arbitrary: anything, weight: 1 });
    const text = fc.record({ text: maybe(fc.string()) }, { requiredKeys: [] });
    const rule = fc.record(
      {
        id: maybe(fc.constantFrom('r', 'r/1', 'CVE-2020-1234')),
        name: maybe(fc.string()),
        shortDescription: maybe(text),
        help: maybe(text),
        defaultConfiguration: maybe(
          fc.record({ level: maybe(fc.constantFrom('error', 'note')) }),
        ),
        properties: maybe(
          fc.record(
            {
              'security-severity': maybe(
                fc.oneof(fc.double(), fc.string(), fc.constant('7.5')),
              ),
              tags: maybe(fc.array(fc.oneof(fc.string(), anything))),
            },
            { requiredKeys: [] },
          ),
        ),
        messageStrings: maybe(fc.dictionary(fc.string(), text)),
      },
      { requiredKeys: [] },
    );
    const region = fc.record(
      {
        startLine: maybe(fc.nat()),
        endLine: maybe(fc.nat()),
        snippet: maybe(text),
      },
      { requiredKeys: [] },
    );
    const location = fc.record(
      {
        physicalLocation: maybe(
          fc.record(
            {
              artifactLocation: maybe(
                fc.record(
                  { uri: maybe(fc.string()), index: maybe(fc.integer()) },
                  { requiredKeys: [] },
                ),
              ),
              region: maybe(region),
              contextRegion: maybe(region),
            },
            { requiredKeys: [] },
          ),
        ),
        logicalLocations: maybe(
          fc.array(fc.record({ name: maybe(fc.string()) })),
        ),
      },
      { requiredKeys: [] },
    );
    const result = fc.record(
      {
        ruleId: maybe(fc.constantFrom('r', 'r/1', 'CVE-2020-1234', 'x')),
        ruleIndex: maybe(fc.integer({ min: -2, max: 3 })),
        rule: maybe(
          fc.record(
            {
              id: maybe(fc.string()),
              index: maybe(fc.integer({ min: -1, max: 3 })),
              toolComponent: maybe(
                fc.record(
                  {
                    index: maybe(fc.integer({ min: -1, max: 2 })),
                    name: maybe(fc.string()),
                  },
                  { requiredKeys: [] },
                ),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        kind: maybe(fc.constantFrom('pass', 'fail', 'open')),
        level: maybe(fc.constantFrom('error', 'warning', 'note', 'none')),
        message: maybe(
          fc.record(
            {
              text: maybe(fc.string()),
              id: maybe(fc.string()),
              arguments: maybe(fc.array(fc.string())),
            },
            { requiredKeys: [] },
          ),
        ),
        locations: maybe(fc.array(location, { maxLength: 2 })),
        fingerprints: maybe(fc.dictionary(fc.string(), fc.string())),
        partialFingerprints: maybe(fc.dictionary(fc.string(), fc.string())),
        suppressions: maybe(
          fc.array(
            fc.record(
              {
                status: maybe(
                  fc.constantFrom('accepted', 'underReview', 'rejected'),
                ),
              },
              { requiredKeys: [] },
            ),
          ),
        ),
        properties: maybe(
          fc.record(
            { 'security-severity': maybe(fc.string()) },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    const uriBase = fc.record(
      { uri: maybe(fc.constantFrom('file:///src/', 'file:///', 'rel/')) },
      { requiredKeys: [] },
    );
    const run = fc.record(
      {
        tool: usually(
          fc.record(
            {
              driver: usually(
                fc.record(
                  {
                    name: usually(
                      fc.constantFrom('CodeQL', 'gitleaks', 'Trivy'),
                    ),
                    rules: maybe(fc.array(rule, { maxLength: 3 })),
                  },
                  { requiredKeys: ['name'] },
                ),
              ),
              extensions: maybe(
                fc.array(
                  fc.record({
                    name: maybe(fc.string()),
                    rules: maybe(fc.array(rule, { maxLength: 3 })),
                  }),
                  { maxLength: 2 },
                ),
              ),
            },
            { requiredKeys: ['driver'] },
          ),
        ),
        results: maybe(fc.array(result, { maxLength: 4 })),
        artifacts: maybe(
          fc.array(fc.record({ location: maybe(uriBase) }), { maxLength: 2 }),
        ),
        originalUriBaseIds: maybe(fc.dictionary(fc.string(), uriBase)),
        properties: maybe(anything),
      },
      { requiredKeys: ['tool'] },
    );
    const document = fc.record(
      {
        version: maybe(
          fc.oneof(
            { arbitrary: fc.constant('2.1.0'), weight: 8 },
            { arbitrary: fc.constant('2.0.0'), weight: 1 },
          ),
        ),
        $schema: maybe(
          fc.constant('https://json.schemastore.org/sarif-2.1.0.json'),
        ),
        runs: usually(fc.array(run, { maxLength: 2 })),
      },
      { requiredKeys: ['runs'] },
    );
    let withFindings = 0;
    let rejected = 0;
    fc.assert(
      fc.property(document, value => {
        // Through JSON, as the upload route hands documents over.
        const count = expectParsedOrReportParseError(
          JSON.parse(JSON.stringify(value)),
        );
        if (count > 0) withFindings++;
        if (count < 0) rejected++;
      }),
      { numRuns: 1000 },
    );
    // The generator reaches both the deep paths and the errors.
    expect(withFindings).toBeGreaterThan(30);
    expect(rejected).toBeGreaterThan(50);
  });

  it('returns or throws ReportParseError for any JSON as a result, location or fingerprints', () => {
    expect(() =>
      fc.assert(
        arbitraryJsonProperty(sarifParser, [
          value => sarif([value]),
          value =>
            sarif([
              { ruleId: 'r', message: { text: 'm' }, locations: [value] },
            ]),
          value =>
            sarif([{ ruleId: 'r', fingerprints: value, locations: [value] }]),
          value =>
            sarif(
              [{ ruleId: 'r', properties: value }],
              [{ id: 'r', properties: value, relationships: value }],
            ),
        ]),
        { numRuns: 300 },
      ),
    ).not.toThrow();
  });

  it.each([
    'mobsfscan-0.0.8_multi-location.sarif',
    'njsscan-0.2.3_multi-location.sarif',
    'flawfinder-2.0.19_colliding-fingerprints.sarif',
    'blackduck_nested-fingerprints.sarif',
  ])(
    'returns or throws ReportParseError with any value of %s replaced',
    name => {
      expect(() =>
        fc.assert(replacedValueProperty(sarifParser, fixture(name)), {
          numRuns: 300,
        }),
      ).not.toThrow();
    },
  );
});
