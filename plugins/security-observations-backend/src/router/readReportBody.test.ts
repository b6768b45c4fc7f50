import { Request } from 'express';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readJsonReport } from '../ingest/json/readJsonReport';
import { FileReportBytes, MemoryReportBytes } from '../ingest/json/ReportBytes';
import { readReportBody } from './readReportBody';

const limits = {
  maxReportBytes: 1024 * 1024,
  maxDecompressedReportBytes: 2 * 1024 * 1024,
};

/** A request whose body arrives in chunks of 1 kB, like a socket's. */
function request(body: Buffer, headers: Record<string, string>): Request {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += 1024) {
    chunks.push(body.subarray(i, i + 1024));
  }
  return Object.assign(Readable.from(chunks), {
    headers: { 'content-type': 'application/json', ...headers },
  }) as unknown as Request;
}

/** Our spill directories in the temporary directory. */
function spillDirs(): string[] {
  return fs
    .readdirSync(os.tmpdir())
    .filter(name => name.startsWith('security-observations-report-'));
}

const report = Buffer.from(
  JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: 'registry.example.com/payments/api:2.0.0',
    Results: [
      {
        Target: 'registry.example.com/payments/api:2.0.0 (alpine 3.19.1)',
        Vulnerabilities: Array.from({ length: 60 }, (_, i) => ({
          VulnerabilityID: `CVE-2024-${1000 + i}`,
          PkgName: `lib${i}`,
          Description: 'A crafted input can cause an out-of-bounds write.',
        })),
      },
    ],
  }),
);

describe('readReportBody', () => {
  it('keeps a report under the threshold in memory', async () => {
    const bytes = await readReportBody(request(report, {}), limits);
    expect(bytes).toBeInstanceOf(MemoryReportBytes);
    expect(bytes.text(0, bytes.length)).toBe(report.toString());
  });

  it.each([
    ['plain', {}, report],
    ['gzip', { 'content-encoding': 'gzip' }, gzipSync(report)],
  ])(
    'spills a %s report over the threshold to a private temporary file, deleted on close',
    async (_name, headers, body) => {
      const before = spillDirs();
      const bytes = await readReportBody(request(body, headers), limits, 2048);
      expect(bytes).toBeInstanceOf(FileReportBytes);
      expect(bytes.length).toBe(report.length);
      const [dir] = spillDirs().filter(name => !before.includes(name));
      const file = path.join(os.tmpdir(), dir, 'report.json');
      expect(fs.readFileSync(file)).toEqual(report);
      // Readable by the backend's user only: reports can hold secrets.
      expect(fs.statSync(file).mode & 0o077).toBe(0);
      expect(readJsonReport(bytes).document).toMatchObject({
        ArtifactName: 'registry.example.com/payments/api:2.0.0',
      });

      await bytes.close();
      expect(fs.existsSync(path.join(os.tmpdir(), dir))).toBe(false);
    },
  );

  it('deletes a spilled file when the body turns out too large', async () => {
    const before = spillDirs();
    const bomb = gzipSync(Buffer.alloc(3 * 1024 * 1024, ' '));
    await expect(
      readReportBody(
        request(bomb, { 'content-encoding': 'gzip' }),
        limits,
        4096,
      ),
    ).rejects.toThrow('The decompressed report exceeds the limit of 2 MB');
    expect(spillDirs().filter(name => !before.includes(name))).toEqual([]);
  });

  it.each([
    'application/json',
    'application/sarif+json',
    'application/vnd.cyclonedx+json; charset=utf-8',
    'application/xml',
    'text/xml; charset=UTF-8',
    'application/vnd.cyclonedx+xml',
  ])('accepts a report posted as %s', async contentType => {
    const xml = Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"/>\n',
    );
    const bytes = await readReportBody(
      request(xml, { 'content-type': contentType }),
      limits,
    );
    expect(bytes.text(0, bytes.length)).toBe(xml.toString());
  });

  it('refuses other content types, naming the accepted ones', async () => {
    await expect(
      readReportBody(request(report, { 'content-type': 'text/plain' }), limits),
    ).rejects.toThrow(
      "Content-Type must be one of application/json, application/sarif+json, application/vnd.cyclonedx+json, application/xml, text/xml, application/vnd.cyclonedx+xml, got 'text/plain'",
    );
  });

  it('says when a gzip body is not gzip', async () => {
    await expect(
      readReportBody(
        request(Buffer.from('{"not": "gzip"}'), { 'content-encoding': 'gzip' }),
        limits,
      ),
    ).rejects.toThrow(
      'Content-Encoding is gzip but the body is not valid gzip',
    );
  });
});
