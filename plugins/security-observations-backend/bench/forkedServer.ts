import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';

/**
 * A benchmark's backend in a process of its own, so that its peak RSS is
 * the backend's alone, driven over IPC: the script sends
 * `{ type: 'ready', value: port }` once it listens, and answers each
 * message with one of the same `type`.
 */
export class ForkedServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static start(
    script: string,
    options: { env?: Record<string, string>; execArgv?: string[] } = {},
  ): Promise<ForkedServer> {
    const child = fork(script, {
      execArgv: [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        ...(options.execArgv ?? []),
      ],
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', code => reject(new Error(`server exited ${code}`)));
      // The node transform also talks over IPC ('watch' messages).
      const onMessage = (message: any) => {
        if (message?.type === 'ready') {
          child.off('message', onMessage);
          resolve(new ForkedServer(child, message.value));
        }
      };
      child.on('message', onMessage);
    });
  }

  ask<T>(message: { type: string } & Record<string, unknown>): Promise<T> {
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

  stop() {
    this.child.send({ type: 'stop' });
  }
}

/** This process's peak resident set size in bytes (Linux: VmHWM). */
export function peakRssBytes(): number {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
}
