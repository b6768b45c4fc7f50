/**
 * `yarn bench:load`: the backend under load, on Postgres and on SQLite.
 *
 * 1. Twenty uploads of 10k-finding Trivy reports for twenty entities, all
 *    at once, while readers list, summarize and trend those entities.
 * 2. Five uploads into one scope at once, of overlapping reports: they must
 *    serialize into the state of the last one, with no duplicates.
 * Then every scope is counted in the database: each expected observation
 * stored exactly once. Prints throughput, p50/p95/p99 latencies and the
 * backend's peak RSS; a broken expectation exits non-zero.
 *
 *   LOAD_DATABASES   postgres,sqlite (default both)
 *   LOAD_READERS     concurrent readers during the uploads (default 4)
 *   SECURITY_OBSERVATIONS_BENCH_POSTGRES_URL  Postgres server (default local)
 */
import path from 'node:path';
import { ForkedServer } from './forkedServer';
import { generateTrivy } from './generateReports';
import type { StoredCounts } from './load/loadServer';
import {
  FINDINGS,
  LOAD_TOKEN,
  PARALLEL_ENTITIES,
  SAME_SCOPE_UNION,
  SAME_SCOPE_UPLOADS,
  SHARED_ENTITY,
  loadEntityNames,
  sameScopeReports,
} from './load/loadScenario';

const MB = 1024 * 1024;

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
};

const ms = (value: number) => `${Math.round(value)} ms`;

class LoadServer {
  private constructor(private readonly process: ForkedServer) {}

  static async start(database: string): Promise<LoadServer> {
    return new LoadServer(
      await ForkedServer.start(path.join(__dirname, 'load', 'loadServer.ts'), {
        env: { LOAD_DATABASE: database },
      }),
    );
  }

  ask<T>(type: string): Promise<T> {
    return this.process.ask<T>({ type });
  }

  private url(route: string) {
    return `http://127.0.0.1:${this.process.port}/api/security-observations${route}`;
  }

  async upload(entity: string, body: Buffer) {
    const started = performance.now();
    const response = await fetch(
      this.url(
        `/v1/imports?entityRef=component:default/${entity}&branch=main&format=trivy`,
      ),
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${LOAD_TOKEN}`,
          'content-type': 'application/json',
        },
        body,
      },
    );
    const answer = await response.json();
    if (response.status !== 201) {
      throw new Error(
        `upload for ${entity}: ${response.status} ${JSON.stringify(answer)}`,
      );
    }
    return {
      ms: performance.now() - started,
      counts: answer.counts as Record<string, number>,
    };
  }

  async read(route: string) {
    const started = performance.now();
    const response = await fetch(this.url(route), {
      headers: { authorization: `Bearer ${LOAD_TOKEN}` },
    });
    await response.arrayBuffer();
    if (response.status !== 200) {
      throw new Error(`GET ${route}: ${response.status}`);
    }
    return performance.now() - started;
  }

  stop() {
    this.process.stop();
  }
}

/** Readers that cycle through the Security tab's reads until stopped. */
function startReaders(server: LoadServer, readers: number) {
  const latencies: number[] = [];
  let stopped = false;
  const entities = loadEntityNames();
  const routes = (entity: string) => {
    const ref = encodeURIComponent(`component:default/${entity}`);
    return [
      `/v1/observations?entityRef=${ref}&limit=50`,
      `/v1/entities/${ref}/summary`,
      `/v1/entities/${ref}/trend?days=30`,
    ];
  };
  const loops = Array.from({ length: readers }, async (_, reader) => {
    for (let i = reader; !stopped; i++) {
      for (const route of routes(entities[i % entities.length])) {
        latencies.push(await server.read(route));
      }
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return latencies;
    },
  };
}

interface Outcome {
  database: string;
  lines: string[];
  problems: string[];
}

async function runOn(database: string): Promise<Outcome> {
  const problems: string[] = [];
  const lines: string[] = [];
  const report = Buffer.from(generateTrivy(FINDINGS));
  const windows = sameScopeReports();
  const server = await LoadServer.start(database);
  try {
    // 1. Twenty entities at once, with readers.
    const readers = startReaders(server, Number(process.env.LOAD_READERS ?? 4));
    const started = performance.now();
    const uploads = await Promise.all(
      Array.from({ length: PARALLEL_ENTITIES }, (_, i) =>
        server.upload(`load-${i + 1}`, report),
      ),
    );
    const wall = performance.now() - started;
    const reads = await readers.stop();
    const uploadTimes = uploads.map(upload => upload.ms);
    lines.push(
      `${PARALLEL_ENTITIES} concurrent uploads of ${FINDINGS.toLocaleString(
        'en-US',
      )} findings: ${(wall / 1000).toFixed(1)} s wall, ${Math.round(
        (PARALLEL_ENTITIES * FINDINGS) / (wall / 1000),
      ).toLocaleString('en-US')} findings/s; upload p50 ${ms(
        percentile(uploadTimes, 50),
      )}, p95 ${ms(percentile(uploadTimes, 95))}, p99 ${ms(
        percentile(uploadTimes, 99),
      )}`,
      `${reads.length} reads (list, summary, trend) meanwhile: p50 ${ms(
        percentile(reads, 50),
      )}, p95 ${ms(percentile(reads, 95))}, p99 ${ms(percentile(reads, 99))}`,
    );
    for (const [i, upload] of uploads.entries()) {
      if (upload.counts.new !== FINDINGS) {
        problems.push(
          `load-${i + 1}: ${JSON.stringify(
            upload.counts,
          )}, expected ${FINDINGS} new`,
        );
      }
    }

    // 2. One scope, five overlapping reports at once.
    const sameStarted = performance.now();
    const same = await Promise.all(
      windows.map(body => server.upload(SHARED_ENTITY, body)),
    );
    const sameWall = performance.now() - sameStarted;
    const created = same.reduce((sum, upload) => sum + upload.counts.new, 0);
    lines.push(
      `${SAME_SCOPE_UPLOADS} concurrent uploads into one scope: ${(
        sameWall / 1000
      ).toFixed(1)} s wall; ${created.toLocaleString(
        'en-US',
      )} created in all (expected ${SAME_SCOPE_UNION.toLocaleString('en-US')})`,
    );
    if (created !== SAME_SCOPE_UNION) {
      problems.push(
        `same scope: ${created} created in all, expected ${SAME_SCOPE_UNION}`,
      );
    }
    for (const upload of same) {
      const present =
        upload.counts.new +
        upload.counts.updated +
        upload.counts.unchanged +
        upload.counts.reopened;
      if (present !== FINDINGS) {
        problems.push(
          `same scope: an import counted ${present} present findings (${JSON.stringify(
            upload.counts,
          )}), expected ${FINDINGS}`,
        );
      }
    }

    // 3. Exactly once, counted in the database.
    const stored = await server.ask<StoredCounts[]>('verify');
    const expected = new Map(
      loadEntityNames().map(name => [
        `component:default/${name}`,
        name === SHARED_ENTITY
          ? { rows: SAME_SCOPE_UNION, active: FINDINGS }
          : { rows: FINDINGS, active: FINDINGS },
      ]),
    );
    for (const [entityRef, want] of expected) {
      const got = stored.find(row => row.entityRef === entityRef);
      if (
        !got ||
        got.rows !== want.rows ||
        got.identities !== want.rows ||
        got.active !== want.active
      ) {
        problems.push(
          `${entityRef}: stored ${JSON.stringify(got)}, expected ${
            want.rows
          } rows, each identity once, ${want.active} active`,
        );
      }
    }
    const total = stored.reduce((sum, row) => sum + row.rows, 0);
    lines.push(
      `verified: ${total.toLocaleString('en-US')} observations in ${
        stored.length
      } scopes, each expected one stored exactly once: ${
        problems.length === 0 ? 'ok' : 'FAILED'
      }`,
    );
    const peak = await server.ask<number>('peak');
    lines.push(`backend peak RSS: ${Math.round(peak / MB)} MB`);
  } finally {
    server.stop();
  }
  return { database, lines, problems };
}

async function main() {
  const databases = (process.env.LOAD_DATABASES ?? 'postgres,sqlite')
    .split(',')
    .map(name => name.trim())
    .filter(Boolean);
  let failed = false;
  for (const database of databases) {
    const outcome = await runOn(database);
    // eslint-disable-next-line no-console
    console.log(
      [`\n${database}`, ...outcome.lines.map(line => `  ${line}`)].join('\n'),
    );
    for (const problem of outcome.problems) {
      failed = true;
      // eslint-disable-next-line no-console
      console.error(`  PROBLEM: ${problem}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
