import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusDir } from '../../__testUtils__/corpus';
import { reportParsers } from '../parsers';
import { LazyJsonArray } from './LazyJsonArray';
import { FileReportBytes } from './ReportBytes';
import { ReportJsonError } from './ReportJsonError';
import { readJsonReport } from './readJsonReport';

/** The document with every lazy array read into a plain array. */
function materialize(value: unknown): unknown {
  if (value instanceof LazyJsonArray || Array.isArray(value)) {
    return Array.from(value, materialize);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, materialize(item)]),
    );
  }
  return value;
}

function reportFiles(): string[] {
  const roots = [path.resolve(__dirname, '../parsers/__fixtures__'), corpusDir];
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(json|sarif)$/.test(entry.name)) files.push(full);
    }
  };
  roots.forEach(walk);
  return files.sort();
}

/** Valid JSON whose keys are the ones that lead to lazy arrays. */
const reportLike = fc.letrec(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom(
        'runs',
        'results',
        'Results',
        'Vulnerabilities',
        'Secrets',
        'matches',
        'components',
        'vulnerabilities',
        'tool',
        'a"\\b',
      ),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

function outcome(read: () => unknown): 'ok' | 'error' {
  try {
    read();
    return 'ok';
  } catch {
    return 'error';
  }
}

/** The text in a temporary file read through windows of `windowBytes`. */
async function spilled(text: string, windowBytes: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'so-test-'));
  const file = path.join(dir, 'report.json');
  fs.writeFileSync(file, text);
  const handle = await fs.promises.open(file, 'r');
  return {
    bytes: new FileReportBytes(
      file,
      handle,
      Buffer.byteLength(text),
      windowBytes,
    ),
    dir,
  };
}

describe('readJsonReport', () => {
  it.each(
    reportFiles().map(file => [
      path
        .relative(path.resolve(__dirname, '../../..'), file)
        .replace(/^(\.\.\/)+/, ''),
      file,
    ]),
  )(
    'parses %s exactly as JSON.parse does, and detects the same format',
    (_name, file) => {
      const bytes = fs.readFileSync(file);
      const whole = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
      const { document, preview } = readJsonReport(bytes);

      expect(materialize(document)).toEqual(whole);
      const detected = reportParsers.filter(p => p.detect(whole));
      expect(reportParsers.filter(p => p.detect(preview))).toEqual(detected);
      for (const parser of detected) {
        expect(parser.parse(document)).toEqual(parser.parse(whole));
      }
    },
  );

  it('keeps the findings arrays lazy and the rest plain', () => {
    const { document } = readJsonReport(
      Buffer.from(
        JSON.stringify({
          runs: [{ tool: { driver: { rules: [{ id: 'r' }] } }, results: [{}] }],
          Results: [{ Vulnerabilities: [{ x: [1] }], Packages: [] }],
        }),
      ),
    ) as { document: any };
    expect(document.runs).toBeInstanceOf(Array);
    expect(document.runs[0].tool.driver.rules).toEqual([{ id: 'r' }]);
    expect(document.runs[0].results).toBeInstanceOf(LazyJsonArray);
    expect(document.Results[0].Vulnerabilities).toBeInstanceOf(LazyJsonArray);
    expect(document.Results[0].Packages).toEqual([]);
    // Nothing inside an element is lazy: it is parsed whole when reached.
    expect(document.Results[0].Vulnerabilities.at(0)).toEqual({ x: [1] });
  });

  it('gives a preview with the first element of each large array', () => {
    const { preview } = readJsonReport(
      Buffer.from('\uFEFF[{"RuleID":"a"}, {"RuleID":"b"}]'),
    );
    expect(preview).toEqual([{ RuleID: 'a' }]);
  });

  it('reads any JSON value, however formatted, as JSON.parse does', () => {
    fc.assert(
      fc.property(reportLike, fc.constantFrom(0, 1, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const { document } = readJsonReport(Buffer.from(text));
        expect(materialize(document)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a report spilled to a file through small windows alike', async () => {
    // Windows of a few bytes put every token and string across window
    // edges; the same must come out as from memory.
    const samples = fc.sample(
      fc.tuple(reportLike, fc.integer({ min: 1, max: 9 })),
      { numRuns: 60, seed: 4242 },
    );
    for (const [value, windowBytes] of samples) {
      const text = JSON.stringify(value, null, 1);
      const { bytes, dir } = await spilled(text, windowBytes);
      try {
        expect(materialize(readJsonReport(bytes).document)).toEqual(
          JSON.parse(text),
        );
      } finally {
        await bytes.close();
      }
      expect(fs.existsSync(dir)).toBe(false);
    }
    const corpusFile = reportFiles().find(file => file.endsWith('.sarif'))!;
    const text = fs.readFileSync(corpusFile, 'utf8');
    const { bytes } = await spilled(text, 4096);
    try {
      const parser = reportParsers.find(p => p.format === 'sarif')!;
      expect(parser.parse(readJsonReport(bytes).document)).toEqual(
        parser.parse(JSON.parse(text)),
      );
    } finally {
      await bytes.close();
    }
  });

  it('refuses exactly the broken texts that JSON.parse refuses', () => {
    const broken = fc
      .tuple(
        reportLike.map(value => JSON.stringify(value, null, 1)),
        fc.nat(),
        fc.constantFrom('', ',', ']', '}', '[', '{', '"', ':', 'x', '\\'),
        fc.nat(3),
      )
      .map(([text, at, insert, cut]) => {
        const position = text.length ? at % text.length : 0;
        return text.slice(0, position) + insert + text.slice(position + cut);
      });
    fc.assert(
      fc.property(broken, text => {
        expect(
          outcome(() =>
            materialize(readJsonReport(Buffer.from(text)).document),
          ),
        ).toBe(outcome(() => JSON.parse(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['', 'Unexpected end of input at position 0'],
    ['{"runs": [', 'Unexpected end of input at position 10'],
    [
      '{"runs": [{}',
      "Expected ',' or ']' but found end of input at position 12",
    ],
    ['[{"a": 1},]', "Unexpected ']' after ',' at position 10"],
    ['{"a" 1}', "Expected ':' but found '1' at position 5"],
    ['{"a": 1} x', "Unexpected 'x' after the JSON value at position 9"],
    ['{"a": "open', 'Unterminated string at position 6'],
  ])('says where %j breaks', (text, problem) => {
    expect(() => readJsonReport(Buffer.from(text))).toThrow(
      new ReportJsonError(problem),
    );
  });

  it('names the byte offset of a broken element without quoting it', () => {
    const text =
      '[{"RuleID": "a"}, {"RuleID": "b", "Secret": AKIAZZZZ7EXAMPLEKEY1}]';
    const { document } = readJsonReport(Buffer.from(text));
    const read = () => Array.from(document as LazyJsonArray);
    expect(read).toThrow(ReportJsonError);
    expect(read).not.toThrow(/AKIA/);
    // V8 points at a piece of up to 10 characters before the token.
    const message = (() => {
      try {
        read();
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    const position = Number(/near position (\d+)$/.exec(message)?.[1]);
    expect(position).toBeGreaterThanOrEqual(text.indexOf('AKIA') - 10);
    expect(position).toBeLessThanOrEqual(text.indexOf('AKIA'));
  });
});
