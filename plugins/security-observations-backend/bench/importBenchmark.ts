/**
 * `yarn bench:import`: times the whole import path (HTTP request to commit)
 * into Postgres and SQLite for generated SARIF, Trivy and CycloneDX (VEX)
 * reports of 10k and 100k findings, new and re-imported, with the server's
 * peak RSS; compares the identical re-import with the new import (goal:
 * at most half), in time and in CPU (the server's and, for a Postgres on
 * this machine, its backends': what the import costs whatever else the
 * machine runs), and on Postgres the new import with this machine's
 * bulk-insert bound (one unnest INSERT of the same rows). An identical
 * re-import is recognized by the report's hash and not parsed; the same
 * report with one byte added (a newline) is read in full, and is timed too
 * (all unchanged, so it writes no rows either). Prints medians; compare the
 * ratios, which machine noise affects least.
 *
 *   SECURITY_OBSERVATIONS_BENCH_POSTGRES_URL  Postgres server (default local)
 *   BENCH_RUNS                                runs per case (default 5; 3 at 100k)
 *   BENCH_ONLY                                cases, e.g. trivy:10000,sarif:10000
 *   BENCH_DATABASES                           default postgres,sqlite
 */
import { ForkedServer } from './forkedServer';
import os from 'node:os';
import path from 'node:path';
import {
  generateCycloneDx,
  generateSarif,
  generateTrivy,
} from './generateReports';

const BENCH_TOKEN = 'bench-scanner-token-0123456789';
const BENCH_ENTITY = 'component:default/bench-service';
const MB = 1024 * 1024;

type Database = 'postgres' | 'sqlite';

interface Case {
  format: 'sarif' | 'trivy' | 'cyclonedx';
  findings: number;
  newTarget: number;
  reimportTarget?: number;
  rssTarget?: number;
}

/** An identical re-import costs at most this share of the new import. */
const REIMPORT_RATIO_GOAL = 0.5;

const CASES: Case[] = [
  { format: 'sarif', findings: 10_000, newTarget: 1000, reimportTarget: 500 },
  { format: 'trivy', findings: 10_000, newTarget: 1000, reimportTarget: 500 },
  {
    format: 'cyclonedx',
    findings: 10_000,
    newTarget: 1000,
    reimportTarget: 500,
  },
  {
    format: 'sarif',
    findings: 100_000,
    newTarget: 10_000,
    rssTarget: 600 * MB,
  },
  {
    format: 'trivy',
    findings: 100_000,
    newTarget: 10_000,
    rssTarget: 600 * MB,
  },
];

const GENERATORS: Record<Case['format'], (count: number) => string> = {
  sarif: generateSarif,
  trivy: generateTrivy,
  cyclonedx: generateCycloneDx,
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

class Server {
  private constructor(private readonly process: ForkedServer) {}

  static async start(database: Database): Promise<Server> {
    return new Server(
      await ForkedServer.start(path.join(__dirname, 'server.ts'), {
        execArgv: ['--expose-gc'],
        env: { BENCH_DATABASE: database },
      }),
    );
  }

  get port() {
    return this.process.port;
  }

  ask<T>(message: { type: string } & Record<string, unknown>): Promise<T> {
    return this.process.ask<T>(message);
  }

  /**
   * CPU milliseconds the import path used: the server process and, for a
   * Postgres on this machine, its database's backends.
   */
  async cpu(): Promise<() => Promise<number>> {
    type Cpu = { server: number; database: Record<string, number> };
    const before = await this.ask<Cpu>({ type: 'cpu' });
    return async () => {
      const after = await this.ask<Cpu>({ type: 'cpu' });
      let used = after.server - before.server;
      for (const [pid, ms] of Object.entries(after.database)) {
        used += ms - (before.database[pid] ?? 0);
      }
      return used;
    };
  }

  async post(format: string, body: Buffer) {
    const started = process.hrtime.bigint();
    const response = await fetch(
      `http://127.0.0.1:${this.port}/api/security-observations/v1/imports?entityRef=${BENCH_ENTITY}&format=${format}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${BENCH_TOKEN}`,
          'content-type': 'application/json',
        },
        body,
      },
    );
    const answer = await response.json();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.status !== 201) {
      throw new Error(
        `import failed: ${response.status} ${JSON.stringify(answer)}`,
      );
    }
    return { ms, counts: answer.counts };
  }

  stop() {
    this.process.stop();
  }
}

async function main() {
  const rows: string[] = [];
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  // e.g. "trivy:10000" or "trivy:10000,sarif:10000"
  const only = process.env.BENCH_ONLY?.split(',').map(name => name.trim());
  const databases = (process.env.BENCH_DATABASES ?? 'postgres,sqlite')
    .split(',')
    .map(name => name.trim()) as Database[];
  const cases = CASES.filter(
    candidate =>
      !only || only.includes(`${candidate.format}:${candidate.findings}`),
  );
  for (const database of databases) {
    for (const c of cases) {
      rows.push(await runCase(database, c));
      // eslint-disable-next-line no-console
      console.log(`done: ${database} ${c.format} ${c.findings}`);
    }
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(
      os.totalmem() / 1024 ** 3,
    )} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
    '',
    '| database | format | findings | report | new import (median) | identical re-import (median) | re-import / new: time | re-import / new: CPU | a byte added, read in full / new: time | server peak RSS during the imports | unnest bound (median) | new / bound | runs |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(row => `| ${row} |`),
  ];
  // eslint-disable-next-line no-console
  console.log(`\n${lines.join('\n')}`);

  async function runCase(database: Database, c: Case): Promise<string> {
    const runs = Number(
      process.env.BENCH_RUNS ?? (c.findings > 10_000 ? 3 : 5),
    );
    const report = GENERATORS[c.format](c.findings);
    const body = Buffer.from(report);
    // A fresh server per case: V8 keeps the heap it grew, so an earlier
    // case would raise the next one's peak.
    const server = await Server.start(database);
    const idle = await server.ask<number>({ type: 'peak' });
    const newTimes: number[] = [];
    const reimportTimes: number[] = [];
    const readAgainRatios: number[] = [];
    /** The report with a newline added: the same findings, other bytes. */
    const longer = Buffer.concat([body, Buffer.from('\n')]);
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const newCpus: number[] = [];
    const reimportCpus: number[] = [];
    const boundTimes: number[] = [];
    let peak = 0;
    try {
      for (let run = 0; run < runs; run++) {
        await server.ask({ type: 'truncate' });
        await server.ask({ type: 'settle' });
        await server.ask({ type: 'resetPeak' });
        let cpuOf = await server.cpu();
        const created = await server.post(c.format, body);
        const newCpu = await cpuOf();
        peak = Math.max(peak, await server.ask<number>({ type: 'peak' }));
        if (created.counts.new !== c.findings) {
          throw new Error(
            `expected ${c.findings} new, got ${JSON.stringify(created.counts)}`,
          );
        }
        newTimes.push(created.ms);
        await server.ask({ type: 'settle' });
        cpuOf = await server.cpu();
        const again = await server.post(c.format, body);
        const reimportCpu = await cpuOf();
        if (again.counts.unchanged !== c.findings) {
          throw new Error(
            `expected ${c.findings} unchanged, got ${JSON.stringify(
              again.counts,
            )}`,
          );
        }
        reimportTimes.push(again.ms);
        // Per run, so that a slow moment of the machine weighs on both.
        ratios.push(again.ms / created.ms);
        cpuRatios.push(reimportCpu / newCpu);
        newCpus.push(newCpu);
        reimportCpus.push(reimportCpu);

        await server.ask({ type: 'settle' });
        const readAgain = await server.post(c.format, longer);
        if (readAgain.counts.unchanged !== c.findings) {
          throw new Error(
            `expected ${c.findings} unchanged, got ${JSON.stringify(
              readAgain.counts,
            )}`,
          );
        }
        readAgainRatios.push(readAgain.ms / created.ms);
      }
      // The bound last: building its arrays grows the server's heap too.
      for (let run = 0; run < runs && database === 'postgres'; run++) {
        await server.ask({ type: 'truncate' });
        boundTimes.push(
          await server.ask<number>({ type: 'bound', report, format: c.format }),
        );
      }
    } finally {
      server.stop();
    }

    const newMs = median(newTimes);
    const reimportMs = median(reimportTimes);
    const ratio = median(ratios);
    const cpuRatio = median(cpuRatios);
    const boundMs = boundTimes.length > 0 ? median(boundTimes) : undefined;
    const rss = `${Math.round(peak / MB)} MB${
      c.rssTarget
        ? ` (target ${c.rssTarget / MB} MB: ${verdict(peak <= c.rssTarget)})`
        : ''
    }; idle ${Math.round(idle / MB)} MB`;
    return [
      database,
      c.format,
      c.findings.toLocaleString('en-US'),
      `${(body.length / MB).toFixed(1)} MB`,
      `${fmt(newMs)} (target ${fmt(c.newTarget)}: ${verdict(
        newMs <= c.newTarget,
      )})`,
      c.reimportTarget
        ? `${fmt(reimportMs)} (target ${fmt(c.reimportTarget)}: ${verdict(
            reimportMs <= c.reimportTarget,
          )})`
        : fmt(reimportMs),
      `${ratio.toFixed(2)} (goal ≤ ${REIMPORT_RATIO_GOAL}: ${verdict(
        ratio <= REIMPORT_RATIO_GOAL,
      )})`,
      `${cpuRatio.toFixed(2)} (${fmt(median(reimportCpus))} of ${fmt(
        median(newCpus),
      )}; goal ≤ ${REIMPORT_RATIO_GOAL}: ${verdict(
        cpuRatio <= REIMPORT_RATIO_GOAL,
      )})`,
      median(readAgainRatios).toFixed(2),
      rss,
      boundMs === undefined ? '—' : fmt(boundMs),
      boundMs === undefined
        ? '—'
        : `${(newMs / boundMs).toFixed(2)}× (goal ≤ 2×)`,
      String(runs),
    ].join(' | ');
  }
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
