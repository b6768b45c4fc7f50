import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabases } from '../../__testUtils__/testDatabases';
import { MAX_REPORT_FINDINGS } from '../../ingest/ReportLimitError';
import { STORED_TEXT_LIMITS } from '../../ingest/storableText';
import {
  HostileBackend,
  refused,
  useHostileBackend,
} from './__testUtils__/hostileBackend';
import { minimalReports } from './__testUtils__/minimalReports';

jest.setTimeout(60_000);

const documentOf = (format: string) =>
  structuredClone(
    minimalReports.find(r => r.format === format)!.document,
  ) as any;

/** A SARIF log of one CodeQL-like result, with the given parts. */
function sarifResult(parts: {
  ruleId?: string;
  message?: string;
  uri?: string;
  rule?: Record<string, unknown>;
  driverName?: string;
  run?: Record<string, unknown>;
}) {
  return JSON.stringify({
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: parts.driverName ?? 'CodeQL',
            rules: [{ id: parts.ruleId ?? 'js/xss', ...parts.rule }],
          },
        },
        ...parts.run,
        results: [
          {
            ruleId: parts.ruleId ?? 'js/xss',
            message: { text: parts.message ?? 'Cross-site scripting' },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: parts.uri ?? 'src/render.js' },
                  region: { startLine: 7 },
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

/** A Trivy report of one vulnerability with the given fields. */
function trivyVulnerability(fields: Record<string, unknown>) {
  const document = documentOf('trivy');
  Object.assign(document.Results[0].Vulnerabilities[0], fields);
  return JSON.stringify(document);
}

/** The one observation of a scope, read back through the API. */
async function storedOne(backend: HostileBackend, source: string) {
  const items = (await backend.observations()).filter(o => o.source === source);
  expect(items).toHaveLength(1);
  return items[0];
}

/** Inserts `members` at the start of every object of the JSON text. */
function withMembersEverywhere(json: string, members: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    out += char;
    if (inString) {
      if (char === '\\') out += json[++i];
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{') {
      out += json[i + 1] === '}' ? members : `${members},`;
    }
  }
  return out;
}

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'hostile content in reports, on %s',
  id => {
    const backend = useHostileBackend(databases, id);

    describe('prototype keys', () => {
      it.each([
        [
          'objects',
          '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}',
        ],
        [
          'strings',
          '"__proto__":"polluted","constructor":"polluted","prototype":"polluted"',
        ],
        [
          'arrays',
          '"__proto__":[{"polluted":true}],"constructor":[],"prototype":[1]',
        ],
      ])(
        'imports each format with __proto__, constructor and prototype (%s) in every object as plain data',
        async (_name, members) => {
          for (const { format, document } of minimalReports) {
            const source = `proto-${format}`;
            const clean = await backend().post(JSON.stringify(document), {
              query: { source },
            });
            expect(clean.status).toBe(201);
            const before = await storedOne(backend(), source);

            const hostile = withMembersEverywhere(
              JSON.stringify(document),
              members,
            );
            expect(JSON.parse(hostile)).not.toEqual(document);
            const res = await backend().post(hostile, { query: { source } });
            expect({
              format,
              status: res.status,
              error: res.body.error,
            }).toEqual({
              format,
              status: 201,
              error: undefined,
            });
            // The same finding: the keys were data nobody reads.
            expect({ format, counts: res.body.counts }).toEqual({
              format,
              counts: {
                new: 0,
                updated: 0,
                unchanged: 1,
                resolved: 0,
                reopened: 0,
              },
            });
            expect(await storedOne(backend(), source)).toEqual(
              expect.objectContaining({ id: before.id, title: before.title }),
            );
            // The backend runs in this process: no object got the key.
            expect(({} as any).polluted).toBeUndefined();
            expect((Object.prototype as any).polluted).toBeUndefined();
          }
        },
      );

      it('takes prototype keys in names as plain text', async () => {
        const res = await backend().post(
          sarifResult({
            ruleId: '__proto__',
            message: 'constructor',
            uri: 'prototype',
          }),
          { query: { source: 'proto-names' } },
        );
        expect(res.status).toBe(201);
        const stored = await storedOne(backend(), 'proto-names');
        expect(stored).toMatchObject({
          ruleId: '__proto__',
          title: 'constructor',
          location: expect.objectContaining({ file: 'prototype' }),
        });
        expect(({} as any).polluted).toBeUndefined();
      });
    });

    describe('markup', () => {
      const script = '<script>alert(document.cookie)</script>';
      const img = '<img src=x onerror="alert(1)">';

      it('stores HTML and script in titles, rule ids, paths and descriptions as text, unchanged', async () => {
        const sarif = await backend().post(
          sarifResult({
            ruleId: `js/${img}`,
            message: `XSS ${script} & "quotes" 'here'`,
            uri: `src/${img}/a.js`,
            rule: {
              fullDescription: {
                text: `See ${script} [x](javascript:alert(1))`,
              },
            },
          }),
          { query: { source: 'markup-sarif' } },
        );
        expect(sarif.status).toBe(201);
        const fromSarif = await storedOne(backend(), 'markup-sarif');
        expect(fromSarif.title).toBe(`XSS ${script} & "quotes" 'here'`);
        expect(fromSarif.ruleId).toBe(`js/${img}`);
        expect(fromSarif.location.file).toBe(`src/${img}/a.js`);
        expect(fromSarif.description).toContain(
          `See ${script} [x](javascript:alert(1))`,
        );

        const trivy = await backend().post(
          trivyVulnerability({
            Title: `${img} in openssl`,
            Description: `<iframe src="https://evil.example"></iframe>${script}`,
            PkgName: `openssl${script}`,
          }),
          { query: { source: 'markup-trivy' } },
        );
        expect(trivy.status).toBe(201);
        const fromTrivy = await storedOne(backend(), 'markup-trivy');
        // Trivy titles are the vulnerability id and its title.
        expect(fromTrivy.title).toBe(`CVE-2024-0727: ${img} in openssl`);
        expect(fromTrivy.package.name).toBe(`openssl${script}`);
        expect(fromTrivy.description).toContain(
          `<iframe src="https://evil.example"></iframe>${script}`,
        );
      });
    });

    describe('paths that point outside the report', () => {
      const secret = `planted-secret-${process.pid}-${Date.now()}`;
      let plantedDir: string;
      let planted: string;
      const opened: string[] = [];
      const spies: jest.SpyInstance[] = [];

      beforeAll(() => {
        plantedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'so-planted-'));
        planted = path.join(plantedDir, 'passwd');
        fs.writeFileSync(planted, `root:x:0:0:${secret}:/root:/bin/sh\n`);
      });
      afterAll(() => fs.rmSync(plantedDir, { recursive: true, force: true }));

      beforeEach(() => {
        opened.length = 0;
        // The backend runs in this process: every way it could read a file
        // by path is watched.
        const record =
          (name: string) =>
          (...args: unknown[]) => {
            opened.push(`${name} ${String(args[0])}`);
          };
        for (const name of [
          'openSync',
          'readFileSync',
          'statSync',
          'existsSync',
          'createReadStream',
          'open',
          'readFile',
          'stat',
        ] as const) {
          const original = (fs as any)[name];
          spies.push(
            jest
              .spyOn(fs, name as any)
              .mockImplementation((...args: unknown[]) => {
                record(`fs.${name}`)(...args);
                return original.apply(fs, args);
              }),
          );
        }
        for (const name of ['open', 'readFile', 'stat'] as const) {
          const original = (fs.promises as any)[name];
          spies.push(
            jest
              .spyOn(fs.promises, name as any)
              .mockImplementation((...args: unknown[]) => {
                record(`fs.promises.${name}`)(...args);
                return original.apply(fs.promises, args);
              }),
          );
        }
      });
      afterEach(() => {
        spies.splice(0).forEach(spy => spy.mockRestore());
      });

      it('stores traversal paths and file: URIs as text and never reads them', async () => {
        // The watch works: this process's modules share one `fs`.
        fs.readFileSync(planted);
        expect(opened).toContain(`fs.readFileSync ${planted}`);
        opened.length = 0;

        const traversal = path.relative(process.cwd(), planted);
        expect(traversal.startsWith('..')).toBe(true);
        const uris = [
          traversal,
          `../../../../../../../../..${planted}`,
          `file://${planted}`,
          `file:///../../../..${planted}`,
          '../../etc/passwd',
        ];
        for (const [index, uri] of uris.entries()) {
          const res = await backend().post(
            sarifResult({
              uri,
              run: {
                originalUriBaseIds: {
                  SRCROOT: { uri: `file://${plantedDir}/` },
                },
                artifacts: [{ location: { uri: `file://${planted}` } }],
              },
            }),
            { query: { source: `traversal-${index}` } },
          );
          expect({ uri, status: res.status }).toEqual({ uri, status: 201 });
          const stored = await storedOne(backend(), `traversal-${index}`);
          expect(JSON.stringify(stored)).not.toContain(secret);
          expect(stored.location.file).toContain(
            uri.endsWith('etc/passwd') ? 'etc/passwd' : path.basename(planted),
          );
        }
        const gitleaks = documentOf('gitleaks');
        gitleaks[0].File = traversal;
        const leak = await backend().post(JSON.stringify(gitleaks), {
          query: { source: 'traversal-gitleaks' },
        });
        expect(leak.status).toBe(201);
        expect(JSON.stringify(leak.body)).not.toContain(secret);
        expect(
          JSON.stringify(await storedOne(backend(), 'traversal-gitleaks')),
        ).not.toContain(secret);

        expect(opened.filter(call => call.includes(plantedDir))).toEqual([]);
      });
    });

    describe('characters', () => {
      it('returns astral-plane characters (emoji, math letters, CJK extensions) unchanged', async () => {
        const text = 'Leak 🔥 of 𝕏 token 𠀀 by 👩‍💻 (🇩🇪)';
        const res = await backend().post(
          trivyVulnerability({ Title: text, PkgName: 'pkg-😀' }),
          { query: { source: 'emoji-trivy' } },
        );
        expect(res.status).toBe(201);
        const stored = await storedOne(backend(), 'emoji-trivy');
        expect(stored.title).toBe(`CVE-2024-0727: ${text}`);
        expect(stored.package.name).toBe('pkg-😀');

        const sarif = await backend().post(
          sarifResult({ message: text, uri: 'src/😀/𝕏.js', ruleId: 'rule-🔥' }),
          { query: { source: 'emoji-sarif' } },
        );
        expect(sarif.status).toBe(201);
        const fromSarif = await storedOne(backend(), 'emoji-sarif');
        expect(fromSarif).toMatchObject({
          title: text,
          ruleId: 'rule-🔥',
          location: expect.objectContaining({ file: 'src/😀/𝕏.js' }),
        });
        // The same report again is the same, unchanged observation.
        const again = await backend().post(
          sarifResult({ message: text, uri: 'src/😀/𝕏.js', ruleId: 'rule-🔥' }),
          { query: { source: 'emoji-sarif' } },
        );
        expect(again.body.counts.unchanged).toBe(1);
      });

      it('never cuts an emoji in half where a title is shortened', async () => {
        // SARIF titles are cut at 200 characters; the 199th and 200th are
        // the two halves of an emoji here.
        const message = `${'a'.repeat(198)}😀${'b'.repeat(50)}`;
        const res = await backend().post(sarifResult({ message }), {
          query: { source: 'emoji-cut' },
        });
        expect(res.status).toBe(201);
        const { title } = await storedOne(backend(), 'emoji-cut');
        expect(title).toBe(`${'a'.repeat(198)}…`);
      });

      it('stores NUL characters and lone surrogates, which Postgres refuses, as U+FFFD', async () => {
        const res = await backend().post(
          sarifResult({
            message: 'before\u0000after \ud800 alone',
            ruleId: 'rule\u0000id',
            uri: 'src/a%00b.js',
          }),
          { query: { source: 'nul' } },
        );
        expect({ status: res.status, error: res.body.error }).toEqual({
          status: 201,
          error: undefined,
        });
        expect(await storedOne(backend(), 'nul')).toMatchObject({
          title: 'before\ufffdafter \ufffd alone',
          ruleId: 'rule\ufffdid',
          location: expect.objectContaining({ file: 'src/a\ufffdb.js' }),
        });
      });
    });

    describe('sizes', () => {
      it('keeps the first 1,000 characters of a million-character title', async () => {
        const res = await backend().post(
          trivyVulnerability({ Title: `Overflow ${'A'.repeat(1_000_000)}` }),
          { query: { source: 'huge-title' } },
        );
        expect(res.status).toBe(201);
        const { title } = await storedOne(backend(), 'huge-title');
        expect(title).toHaveLength(STORED_TEXT_LIMITS.title);
        const kept = 'CVE-2024-0727: Overflow ';
        expect(title).toBe(
          `${kept}${'A'.repeat(STORED_TEXT_LIMITS.title - kept.length - 1)}…`,
        );
      });

      it('cuts every other text to what its column holds, on Postgres too', async () => {
        const long = (char: string) => char.repeat(1_000_000);
        const res = await backend().post(
          sarifResult({
            driverName: long('d'),
            ruleId: long('r'),
            uri: `src/${long('p')}`,
            message: 'Long parts',
            rule: { help: { text: long('h') } },
          }),
          { query: { source: 'huge-parts' } },
        );
        expect({ status: res.status, error: res.body.error }).toEqual({
          status: 201,
          error: undefined,
        });
        expect(res.body.scanner).toHaveLength(128);
        const stored = await storedOne(backend(), 'huge-parts');
        expect(stored.ruleId).toHaveLength(STORED_TEXT_LIMITS.ruleId);
        expect(stored.location.file).toHaveLength(STORED_TEXT_LIMITS.location);
        expect(stored.description.length).toBeLessThanOrEqual(
          STORED_TEXT_LIMITS.description,
        );
      });

      it.each([
        [
          'a Gitleaks array of a million one-byte entries',
          `[${'0,'.repeat(999_999)}0]`,
          'gitleaks',
        ],
        [
          'a SARIF run of a million minimal results',
          `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tiny"}},"results":[${'{"message":{"text":"x"}},'.repeat(
            999_999,
          )}{"message":{"text":"x"}}]}]}`,
          'sarif',
        ],
      ])(
        'refuses %s by the findings limit, quickly and in bounded memory',
        async (_name, body, format) => {
          let peak = process.memoryUsage().rss;
          const start = { rss: peak, time: Date.now() };
          const sampler = setInterval(() => {
            peak = Math.max(peak, process.memoryUsage().rss);
          }, 20);
          try {
            expect(
              await backend().refusal(() =>
                backend().post(body, { query: { format } }),
              ),
            ).toEqual(
              refused(
                400,
                new RegExp(
                  `^The report lists more than ${MAX_REPORT_FINDINGS.toLocaleString(
                    'en-US',
                  )} findings or components \\(at position \\d+, in ${
                    format === 'sarif'
                      ? 'runs\\[0\\]\\.results'
                      : 'the top-level array'
                  }\\); an import takes at most that many: split the report`,
                ),
              ),
            );
          } finally {
            clearInterval(sampler);
          }
          expect(Date.now() - start.time).toBeLessThan(15_000);
          // The body itself is 2 to 25 MB, held by the test client and the
          // server; the refusal holds no copy per entry.
          expect(peak - start.rss).toBeLessThan(400 * 1024 * 1024);
        },
      );
    });

    describe('scope parameters', () => {
      it.each([
        ['branch', { branch: 'main\u0000' }],
        ['scanner', { scanner: 'trivy\u0000' }],
        ['source', { source: '\u0000' }],
      ])('refuses a NUL character in %s, naming it', async (field, query) => {
        expect(
          await backend().refusal(() =>
            backend().post(JSON.stringify(documentOf('trivy')), { query }),
          ),
        ).toEqual(
          refused(
            400,
            `${field}: contains a NUL character (U+0000, %00), which is never valid here`,
          ),
        );
      });
    });
  },
);
