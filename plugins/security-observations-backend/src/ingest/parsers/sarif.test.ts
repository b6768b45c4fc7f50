import path from 'node:path';
import fc from 'fast-check';
import { corpusFiles, readJson } from '../../__testUtils__/corpus';
import { parseErrorOf } from '../../__testUtils__/parserProperties';
import { digest, identityKey, normalizeSnippet } from './identity';
import { ReportParseError } from './ReportParseError';
import { sarifParser } from './sarif';
import { ParsedReport } from './types';

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
  expect(report.findings[0].identityKey).toContain(
    'commitSha=0000000000000000',
  );
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

  it('keys secrets by fingerprints, else rule, path and line', () => {
    const [aws, key] = report.findings;
    expect(aws.title).toBe(
      'Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms.',
    );
    expect(aws.identityKey).toBe(
      identityKey(
        'gitleaks',
        'aws-access-token',
        'partialFingerprints',
        'config/settings.py',
        'author=Dev Example',
        'commitMessage=add settings',
        'commitSha=6f2d1a9c0b7e4d3f2a1b0c9d8e7f6a5b4c3d2e1f',
        'date=2024-03-01T10:22:11Z',
        'email=dev@example.com',
      ),
    );
    expect(key.identityKey).toBe(
      identityKey(
        'gitleaks',
        'private-key',
        'location',
        'deploy/id_rsa',
        undefined,
        'line',
        1,
      ),
    );
    expect(key.location).toEqual({
      file: 'deploy/id_rsa',
      startLine: 1,
      endLine: 3,
    });
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
      'locations that are not an array',
      sarif([result(), result(), result(), result({ locations: {} })]),
      'runs[0].results[3].locations',
      'SARIF: runs[0].results[3].locations: expected an array',
    ],
    [
      'a result that is not an object',
      sarif([result(), 'oops']),
      'runs[0].results[1]',
      'SARIF: runs[0].results[1]: expected an object',
    ],
    [
      'a startLine that is not a number',
      sarif([
        result({
          locations: [{ physicalLocation: { region: { startLine: '3' } } }],
        }),
      ]),
      'runs[0].results[0].locations[0].physicalLocation.region.startLine',
      'SARIF: runs[0].results[0].locations[0].physicalLocation.region.startLine: expected a number',
    ],
    [
      'a fingerprint that is not a string',
      sarif([result({ fingerprints: { v1: 7 } })]),
      'runs[0].results[0].fingerprints.v1',
      'SARIF: runs[0].results[0].fingerprints.v1: expected a string',
    ],
    [
      'suppressions that are not an array',
      sarif([result({ suppressions: 'yes' })]),
      'runs[0].results[0].suppressions',
      'SARIF: runs[0].results[0].suppressions: expected an array',
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
    expect(report).toEqual({ format: 'sarif', scanner: 'x', findings: [] });
  });

  it('names the scanner "sarif" when there are no runs', () => {
    expect(parse({ version: '2.1.0', runs: [] }).scanner).toBe('sarif');
  });
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
});
