import http from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import {
  READER_TOKEN,
  SCANNER_TOKEN,
} from '../../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../../__testUtils__/testDatabases';
import {
  ENTITY_REF,
  HostileBackend,
  IMPORTS,
  refused,
  useHostileBackend,
} from './__testUtils__/hostileBackend';
import { minimalReports } from './__testUtils__/minimalReports';

jest.setTimeout(60_000);

const LIMITS = { maxReportSizeMb: 0.1, maxDecompressedSizeMb: 0.2 };

const trivy = Buffer.from(
  JSON.stringify(minimalReports.find(r => r.format === 'trivy')!.document),
);

const cyclonedxXml = Buffer.from(
  `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <components>
    <component type="library" bom-ref="pkg:npm/lodash@4.17.20">
      <name>lodash</name><version>4.17.20</version>
      <purl>pkg:npm/lodash@4.17.20</purl>
    </component>
  </components>
  <vulnerabilities>
    <vulnerability>
      <id>CVE-2021-23337</id>
      <ratings><rating><severity>high</severity></rating></ratings>
      <affects><target><ref>pkg:npm/lodash@4.17.20</ref></target></affects>
    </vulnerability>
  </vulnerabilities>
</bom>
`,
);

/** The body in chunks with no Content-Length, as a streaming client sends it. */
function postChunked(
  backend: HostileBackend,
  chunks: Buffer[],
): Promise<{ status: number; body: any }> {
  const { port } = (backend.server as http.Server).address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        port,
        method: 'POST',
        path: `${IMPORTS}?entityRef=${encodeURIComponent(ENTITY_REF)}`,
        headers: {
          Authorization: `Bearer ${SCANNER_TOKEN}`,
          'Content-Type': 'application/json',
          'Transfer-Encoding': 'chunked',
        },
      },
      res => {
        const parts: Buffer[] = [];
        res.on('data', part => parts.push(part));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            body: JSON.parse(Buffer.concat(parts).toString()),
          }),
        );
      },
    );
    // The server may answer before the body is sent whole.
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'the request around a report, on %s',
  id => {
    const backend = useHostileBackend(databases, id, {
      securityObservations: { imports: LIMITS },
    });

    describe('size', () => {
      it('refuses a body over the size limit with 413, naming the limit and what to do', async () => {
        const body = Buffer.concat([trivy, Buffer.alloc(110 * 1024, ' ')]);
        expect(await backend().refusal(() => backend().post(body))).toEqual(
          refused(
            413,
            'The report exceeds the limit of 0.1 MB; compress it with gzip (Content-Encoding: gzip) or raise securityObservations.imports.maxReportSizeMb',
          ),
        );
      });

      it('refuses a streamed body without Content-Length once it passes the limit', async () => {
        const chunk = Buffer.alloc(16 * 1024, ' ');
        expect(
          await backend().refusal(() =>
            postChunked(backend(), [trivy, ...Array(10).fill(chunk)]),
          ),
        ).toEqual(refused(413, /^The report exceeds the limit of 0.1 MB/));
      });

      it('refuses a small gzip body that expands past the decompressed limit', async () => {
        const bomb = gzipSync(
          Buffer.concat([trivy, Buffer.alloc(10 * 1024 * 1024, ' ')]),
        );
        expect(bomb.length).toBeLessThan(20 * 1024);
        expect(
          await backend().refusal(() =>
            backend().post(bomb, { contentEncoding: 'gzip' }),
          ),
        ).toEqual(
          refused(413, 'The decompressed report exceeds the limit of 0.2 MB'),
        );
      });

      it('refuses an empty body', async () => {
        expect(
          await backend().refusal(() => backend().post(Buffer.alloc(0))),
        ).toEqual(
          refused(400, 'The request has no body: post the report as the body'),
        );
      });
    });

    describe('content type and encoding', () => {
      it.each([
        ['text/plain', 'text/plain'],
        ['a form upload (curl -F)', 'multipart/form-data; boundary=x'],
        ['none', null],
      ])(
        'refuses the content type %s with 415, naming the accepted ones',
        async (_name, contentType) => {
          expect(
            await backend().refusal(() =>
              backend().post(trivy, { contentType }),
            ),
          ).toEqual(
            refused(
              415,
              /^Content-Type must be one of application\/json, application\/sarif\+json, .*, got '/,
            ),
          );
        },
      );

      it('refuses a charset other than UTF-8 with 415', async () => {
        expect(
          await backend().refusal(() =>
            backend().post(trivy, {
              contentType: 'application/json; charset=utf-16',
            }),
          ),
        ).toEqual(
          refused(
            415,
            'The report must be UTF-8, got charset=utf-16: convert it to UTF-8 (e.g. with iconv) and send charset=utf-8 or no charset',
          ),
        );
      });

      it.each(['br', 'deflate', 'gzip, br', 'compress'])(
        'refuses Content-Encoding %s with 415',
        async encoding => {
          expect(
            await backend().refusal(() =>
              backend().post(trivy, { contentEncoding: encoding }),
            ),
          ).toEqual(
            refused(
              415,
              `Content-Encoding must be gzip or none (identity), got '${encoding}'`,
            ),
          );
        },
      );

      it('refuses Content-Encoding gzip on a body that is not gzip', async () => {
        expect(
          await backend().refusal(() =>
            backend().post(trivy, { contentEncoding: 'gzip' }),
          ),
        ).toEqual(
          refused(
            400,
            /^Content-Encoding is gzip but the body is not valid gzip: /,
          ),
        );
      });

      it('refuses a gzip body cut short', async () => {
        const gzip = gzipSync(trivy);
        expect(
          await backend().refusal(() =>
            backend().post(gzip.subarray(0, gzip.length - 12), {
              contentEncoding: 'gzip',
            }),
          ),
        ).toEqual(
          refused(
            400,
            'Content-Encoding is gzip but the body is not valid gzip: unexpected end of file',
          ),
        );
      });

      it('says to add Content-Encoding: gzip to a gzip body sent without it', async () => {
        expect(
          await backend().refusal(() => backend().post(gzipSync(trivy))),
        ).toEqual(
          refused(
            415,
            "The body is gzip-compressed (it starts with the gzip bytes 1f 8b) but the request has no 'Content-Encoding: gzip' header: add it (curl: -H 'Content-Encoding: gzip'), or send the report uncompressed",
          ),
        );
      });

      it('says when a report is gzip-compressed twice', async () => {
        expect(
          await backend().refusal(() =>
            backend().post(gzipSync(gzipSync(trivy)), {
              contentEncoding: 'gzip',
            }),
          ),
        ).toEqual(refused(415, /^The report is compressed twice/));
      });
    });

    describe('text encoding', () => {
      it.each([
        ['a Latin-1 byte', Buffer.from([0xe9, 0x74, 0xe9])],
        ['a byte that never starts a character', Buffer.from([0xff, 0xfe])],
        ['a lone continuation byte', Buffer.from([0x80])],
        ['an overlong form of /', Buffer.from([0xc0, 0xaf])],
        ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80])],
      ])(
        'refuses invalid UTF-8 (%s), naming the byte and its position',
        async (_name, bad) => {
          const lead = `0x${bad[0].toString(16)}`;
          const before = Buffer.from(
            '{"SchemaVersion": 2, "ArtifactName": "registry.example.com/api',
          );
          const body = Buffer.concat([
            before,
            bad,
            Buffer.from('", "Results": []}'),
          ]);
          const refusal = await backend().refusal(() => backend().post(body));
          expect(refusal).toEqual(
            refused(
              400,
              new RegExp(
                `^The report is not valid UTF-8: byte ${lead} at position \\d+ does not begin a valid character\\. Reports must be UTF-8`,
              ),
            ),
          );
          const message = refusal.message!;
          expect(message).toContain(`at position ${before.length} `);
        },
      );

      it('refuses invalid UTF-8 in an XML report', async () => {
        const broken = Buffer.from(cyclonedxXml);
        broken[broken.indexOf('lodash</name>')] = 0xe9; // Latin-1 é
        expect(
          await backend().refusal(() =>
            backend().post(broken, { contentType: 'application/xml' }),
          ),
        ).toEqual(
          refused(
            400,
            /^The report is not valid UTF-8: byte 0xe9 at position \d+/,
          ),
        );
      });

      it('refuses a UTF-16 report, saying to convert it', async () => {
        const utf16 = Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from(trivy.toString(), 'utf16le'),
        ]);
        expect(await backend().refusal(() => backend().post(utf16))).toEqual(
          refused(
            400,
            'The report is UTF-16 (it starts with the byte order mark 0xff 0xfe); post it as UTF-8, e.g. converted with iconv -f UTF-16 -t UTF-8',
          ),
        );
      });

      it.each([
        ['JSON', trivy, 'application/json'],
        ['XML', cyclonedxXml, 'application/xml'],
      ])(
        'imports a %s report with a leading UTF-8 byte order mark as without one',
        async (format, report, contentType) => {
          const plain = await backend().post(report, {
            contentType,
            query: { source: `bom-${format}` },
          });
          expect(plain.status).toBe(201);
          const withBom = await backend().post(
            Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), report]),
            { contentType, query: { source: `bom-${format}` } },
          );
          expect(withBom.status).toBe(201);
          // The same report: the same observations, unchanged.
          expect(withBom.body.counts).toEqual({
            new: 0,
            updated: 0,
            unchanged: plain.body.findings,
            resolved: 0,
            reopened: 0,
          });
        },
      );
    });
  },
);

describe.each(databases.eachSupportedId())(
  'a scanner token the backend does not know, on %s',
  id => {
    // Backstage's credentials barrier answers before the plugin's router
    // unless the route is let through (it authenticates itself): with it
    // off, as when the plugin registers /v1/imports as such a path, the
    // plugin's error handler answers.
    const backend = useHostileBackend(databases, id, {
      backend: {
        auth: {
          dangerouslyDisableDefaultAuthPolicy: true,
          // The test backend's tokens, which this `backend` key replaces.
          externalAccess: [
            {
              type: 'static',
              options: { token: SCANNER_TOKEN, subject: 'ci-scanner' },
            },
            {
              type: 'static',
              options: { token: READER_TOKEN, subject: 'dashboards' },
            },
          ],
        },
      },
    });

    it.each([
      ['a wrong token', 'Bearer not-a-configured-token', 'Illegal token'],
      ['no token', undefined, 'Missing credentials'],
    ])(
      'answers %s with 401 saying where scanner tokens are configured',
      async (_name, authorization, problem) => {
        const refusal = await backend().refusal(() => {
          const req = request(backend().server)
            .post(IMPORTS)
            .query({ entityRef: ENTITY_REF })
            .set('Content-Type', 'application/json');
          if (authorization) req.set('Authorization', authorization);
          return req.send(trivy.toString());
        });
        expect(refusal).toEqual(
          refused(
            401,
            new RegExp(
              `^${problem}: scanners send 'Authorization: Bearer <token>'`,
            ),
          ),
        );
        const message = refusal.message!;
        expect(message).toContain('backend.auth.externalAccess');
      },
    );

    it('leaves the 401 of other routes as Backstage words it', async () => {
      const res = await request(backend().server)
        .get('/api/security-observations/v1/observations')
        .query({ entityRef: ENTITY_REF })
        .set('Authorization', 'Bearer not-a-configured-token');
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('Illegal token');
    });
  },
);
