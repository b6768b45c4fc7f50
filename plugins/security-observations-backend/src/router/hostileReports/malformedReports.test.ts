import {
  allPaths,
  JsonPath,
  replaceAt,
} from '../../__testUtils__/parserProperties';
import { createTestDatabases } from '../../__testUtils__/testDatabases';
import { MAX_JSON_DEPTH } from '../../ingest/json/readJsonReport';
import { MAX_XML_DEPTH } from '../../ingest/xml/XmlStream';
import { refused, useHostileBackend } from './__testUtils__/hostileBackend';
import { minimalReports } from './__testUtils__/minimalReports';

jest.setTimeout(60_000);

/** A JSON path as the parsers' messages spell it: `runs[0].results`. */
function spelled(path: JsonPath): string {
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${key}`,
    )
    .join('');
}

/** A value of another JSON type than `value`, as a broken scanner writes it. */
function wrongType(value: unknown): unknown {
  if (Array.isArray(value)) return 'not an array';
  if (typeof value === 'object' && value !== null) return 'not an object';
  if (typeof value === 'string') return 42;
  return 'not a number';
}

const sarif = (runs: unknown) =>
  JSON.stringify({
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs,
  });

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('malformed reports, on %s', id => {
  const backend = useHostileBackend(databases, id);

  it('imports the minimal report of each format (the base the cases break)', async () => {
    for (const { format, document } of minimalReports) {
      const res = await backend().post(JSON.stringify(document), {
        query: { source: `minimal-${format}` },
      });
      expect({
        format,
        status: res.status,
        findings: res.body.findings,
      }).toEqual({ format, status: 201, findings: 1 });
    }
  });

  it('refuses a truncated report of each format with the byte where it ends', async () => {
    for (const { format, document } of minimalReports) {
      const text = JSON.stringify(document, null, 2);
      for (const cut of [1, Math.floor(text.length / 2), text.length - 1]) {
        const refusal = await backend().refusal(() =>
          backend().post(text.slice(0, cut)),
        );
        expect(refusal).toEqual(
          refused(400, /^The report is not valid JSON: .* at position \d+$/),
        );
        const message = refusal.message!;
        const position = Number(/position (\d+)$/.exec(message)![1]);
        expect({ format, cut, position }).toEqual({
          format,
          cut,
          position: expect.any(Number),
        });
        expect(position).toBeLessThanOrEqual(cut);
      }
    }
  });

  it.each([
    [
      'a bad escape',
      '{"version": "2.1.0", "ru\\xns": []}',
      'Bad escaped character',
    ],
    ['a bad unicode escape', '{"Results\\u12": []}', 'Bad Unicode escape'],
    ['a control character', '{"m\u0001\\n": 1}', 'Bad control character'],
  ])(
    'refuses %s in a key with the byte where it is',
    async (_name, text, problem) => {
      expect(await backend().refusal(() => backend().post(text))).toEqual(
        refused(
          400,
          new RegExp(
            `^The report is not valid JSON: ${problem}.* at position \\d+`,
          ),
        ),
      );
    },
  );

  it('names the path of a value of the wrong type, at every level of each format, or imports without it', async () => {
    const outcomes: Record<string, number> = {};
    const problems: Array<Record<string, unknown>> = [];
    for (const { format, label, document } of minimalReports) {
      for (const path of allPaths(document)) {
        const at = replaceAt(document, path, wrongType(leaf(document, path)));
        const refusal = await backend().refusal(() =>
          backend().post(JSON.stringify(at), {
            query: { format, source: `wrong-type-${format}` },
          }),
        );
        outcomes[refusal.status] = (outcomes[refusal.status] ?? 0) + 1;
        // Imported: the value was an optional part, skipped (with a
        // warning) or not read.
        if (refusal.status === 201) continue;
        const message = refusal.message ?? '';
        // The message names the broken value or the part that holds it
        // (a report whose root is broken has no path to name).
        const namesWhere =
          path.length === 0 ||
          message.startsWith(`${label}: expected`) ||
          ancestorsOrSelf(path).some(step =>
            message.startsWith(`${label}: ${spelled(step)}`),
          );
        if (
          refusal.status !== 400 ||
          !message.startsWith(`${label}: `) ||
          !namesWhere ||
          refusal.answering !== true ||
          Object.keys(refusal.tableChanges).length > 0
        ) {
          problems.push({ where: `${format} ${spelled(path)}`, ...refusal });
        }
      }
    }
    expect(problems).toEqual([]);
    // Both happen: required parts refused, optional ones skipped.
    expect(outcomes[400]).toBeGreaterThan(20);
    expect(outcomes[201]).toBeGreaterThan(0);
  });

  it.each([
    [
      'SARIF',
      { version: '2.1.0', runs: 'CodeQL' },
      'SARIF: runs: expected an array',
    ],
    [
      'SARIF',
      {
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        version: '2.1.0',
      },
      'SARIF: runs: expected an array',
    ],
    [
      'Trivy',
      { SchemaVersion: 2, Results: { Target: 'alpine' } },
      'Trivy JSON: Results: expected an array',
    ],
    [
      'Grype',
      { matches: 'none', descriptor: { name: 'grype', version: '0.74.0' } },
      'Grype JSON: matches: expected an array',
    ],
    [
      'OSV-Scanner',
      { results: 'none', experimental_config: {} },
      'OSV-Scanner JSON: results: expected an array',
    ],
    [
      'Semgrep',
      { version: '1.85.0', results: {}, errors: [], paths: {} },
      'Semgrep JSON: results: expected an array',
    ],
  ])(
    'answers a %s report whose top level is broken with where it breaks, not "unknown format"',
    async (_name, document, message) => {
      expect(
        await backend().refusal(() => backend().post(JSON.stringify(document))),
      ).toEqual(refused(400, message));
    },
  );

  describe('SARIF runs', () => {
    it('imports a log with no runs as no findings (SARIF: the tool ran nothing)', async () => {
      const res = await backend().post(sarif([]), {
        query: { source: 'no-runs' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ format: 'sarif', findings: 0 });
    });

    it.each([
      [
        'null runs (the tool failed to start)',
        null,
        'SARIF: runs: expected an array',
      ],
      [
        'a run that is a string',
        ['CodeQL'],
        'SARIF: runs[0]: expected an object',
      ],
      [
        'a run without its tool',
        [{ results: [] }],
        'SARIF: runs[0].tool: expected an object',
      ],
    ])('refuses %s', async (_name, runs, message) => {
      expect(
        await backend().refusal(() => backend().post(sarif(runs))),
      ).toEqual(refused(400, message));
    });

    it('imports 10,000 runs of one result each', async () => {
      const runs = Array.from({ length: 10_000 }, (_, index) => ({
        tool: { driver: { name: 'eslint' } },
        results: [
          {
            ruleId: 'no-eval',
            message: { text: `eval can be harmful (${index})` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: `src/module${index}.js` },
                  region: { startLine: 1 },
                },
              },
            ],
          },
        ],
      }));
      const started = Date.now();
      const res = await backend().post(sarif(runs), {
        query: { source: 'ten-thousand-runs' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ findings: 10_000, scanner: 'eslint' });
      expect(Date.now() - started).toBeLessThan(30_000);
    });

    it('imports results that have none of the optional fields', async () => {
      // SARIF requires only a result's message; ruleId, level, locations,
      // fingerprints, partialFingerprints, properties are all optional.
      const res = await backend().post(
        sarif([
          {
            tool: { driver: { name: 'minimal' } },
            results: [
              { message: { text: 'first' } },
              { message: { text: 'second' } },
            ],
          },
        ]),
        { query: { source: 'bare-results' } },
      );
      expect(res.status).toBe(201);
      expect(res.body.findings).toBe(2);
      const titles = (await backend().observations({ scanner: 'minimal' })).map(
        o => o.title,
      );
      expect(titles.sort()).toEqual(['first', 'second']);
    });
  });

  describe('nesting', () => {
    const DEEP = 100_000;

    it.each([
      ['arrays', `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`],
      ['objects', `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`],
      [
        'a SARIF result',
        sarif([
          { tool: { driver: { name: 'x' } }, results: ['__DEEP__'] },
        ]).replace('"__DEEP__"', '['.repeat(DEEP) + ']'.repeat(DEEP)),
      ],
    ])(
      'refuses JSON %s nested 100,000 deep, quickly and without a stack overflow',
      async (_name, text) => {
        const started = Date.now();
        expect(await backend().refusal(() => backend().post(text))).toEqual(
          refused(
            400,
            new RegExp(
              `^The report nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels at position \\d+: no report format needs that$`,
            ),
          ),
        );
        expect(Date.now() - started).toBeLessThan(5_000);
      },
    );

    it('refuses XML nested 100,000 deep, quickly (the parser costs depth per element)', async () => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components>${'<component>'.repeat(
        DEEP,
      )}${'</component>'.repeat(DEEP)}</components></bom>`;
      const started = Date.now();
      expect(
        await backend().refusal(() =>
          backend().post(xml, { contentType: 'application/xml' }),
        ),
      ).toEqual(
        refused(
          400,
          new RegExp(
            `^CycloneDX XML: .*elements nest deeper than ${MAX_XML_DEPTH} levels at line 2, column \\d+: no report format needs that$`,
          ),
        ),
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});

function leaf(document: unknown, path: JsonPath): unknown {
  return path.reduce<any>((value, key) => value[key], document);
}

function ancestorsOrSelf(path: JsonPath): JsonPath[] {
  return path.map((_, index) => path.slice(0, index + 1));
}
