/**
 * `yarn bench:import`: times the whole import path (HTTP request to commit)
 * into Postgres for generated SARIF and Trivy reports of 10k and 100k
 * findings, new and re-imported, with the server's peak RSS, and compares
 * with this machine's bulk-insert bound (one unnest INSERT of the same rows).
 * Prints medians; compare the ratios, which machine noise affects least.
 *
 *   SECURITY_OBSERVATIONS_BENCH_POSTGRES_URL  Postgres server (default local)
 *   BENCH_RUNS                                runs per case (default 5; 3 at 100k)
 *   BENCH_ONLY                                one case, e.g. trivy:10000
 */
import { ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { generateSarif, generateTrivy } from './generateReports';

const BENCH_TOKEN = 'bench-scanner-token-0123456789';
const BENCH_ENTITY = 'component:default/bench-service';
const MB = 1024 * 1024;

interface Case {
  format: 'sarif' | 'trivy';
  findings: number;
  newTarget: number;
  reimportTarget?: number;
  rssTarget?: number;
}

const CASES: Case[] = [
  { format: 'sarif', findings: 10_000, newTarget: 1000, reimportTarget: 500 },
  { format: 'trivy', findings: 10_000, newTarget: 1000, reimportTarget: 500 },
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

class Server {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static start(): Promise<Server> {
    const child = fork(path.join(__dirname, 'server.ts'), {
      execArgv: [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      ],
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', code => reject(new Error(`server exited ${code}`)));
      // The node transform also talks over IPC ('watch' messages).
      const onMessage = (message: any) => {
        if (message?.type === 'ready') {
          child.off('message', onMessage);
          resolve(new Server(child, message.value));
        }
      };
      child.on('message', onMessage);
    });
  }

  ask<T>(message: Record<string, unknown>): Promise<T> {
    return new Promise(resolve => {
      const onMessage = (reply: any) => {
        if (reply.type === message.type) {
          this.child.off('message', onMessage);
          resolve(reply.value);
        }
      };
      this.child.on('message', onMessage);
      this.child.send(message);
    });
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
    this.child.send({ type: 'stop' });
  }
}

async function main() {
  const rows: string[] = [];
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const only = process.env.BENCH_ONLY; // e.g. "trivy:10000"
  for (const c of CASES.filter(
    candidate => !only || only === `${candidate.format}:${candidate.findings}`,
  )) {
    const runs = Number(
      process.env.BENCH_RUNS ?? (c.findings > 10_000 ? 3 : 5),
    );
    const report =
      c.format === 'sarif'
        ? generateSarif(c.findings)
        : generateTrivy(c.findings);
    const body = Buffer.from(report);
    // A fresh server per case: V8 keeps the heap it grew, so an earlier
    // case would raise the next one's peak.
    const server = await Server.start();
    const idle = await server.ask<number>({ type: 'peak' });
    const newTimes: number[] = [];
    const reimportTimes: number[] = [];
    const boundTimes: number[] = [];
    let peak = 0;
    try {
      for (let run = 0; run < runs; run++) {
        await server.ask({ type: 'truncate' });
        await server.ask({ type: 'resetPeak' });
        const created = await server.post(c.format, body);
        peak = Math.max(peak, await server.ask<number>({ type: 'peak' }));
        if (created.counts.new !== c.findings) {
          throw new Error(
            `expected ${c.findings} new, got ${JSON.stringify(created.counts)}`,
          );
        }
        newTimes.push(created.ms);
        const again = await server.post(c.format, body);
        if (again.counts.unchanged !== c.findings) {
          throw new Error(
            `expected ${c.findings} unchanged, got ${JSON.stringify(
              again.counts,
            )}`,
          );
        }
        reimportTimes.push(again.ms);
      }
      // The bound last: building its arrays grows the server's heap too.
      for (let run = 0; run < runs; run++) {
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
    const boundMs = median(boundTimes);
    const rss = `${Math.round(peak / MB)} MB${
      c.rssTarget
        ? ` (target ${c.rssTarget / MB} MB: ${verdict(peak <= c.rssTarget)})`
        : ''
    }; idle ${Math.round(idle / MB)} MB`;
    rows.push(
      [
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
        rss,
        fmt(boundMs),
        `${(newMs / boundMs).toFixed(2)}× (goal ≤ 2×)`,
        String(runs),
      ].join(' | '),
    );
    // eslint-disable-next-line no-console
    console.log(`done: ${c.format} ${c.findings}`);
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(
      os.totalmem() / 1024 ** 3,
    )} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
    '',
    '| format | findings | report | new import (median) | identical re-import (median) | server peak RSS during the imports | unnest bound (median) | new / bound | runs |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(row => `| ${row} |`),
  ];
  // eslint-disable-next-line no-console
  console.log(`\n${lines.join('\n')}`);
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
