import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { SyncRunReport } from '../../sync/SyncEngine';
import { SyncWorkerMessage, SyncWorkerOptions } from './syncWorker';

/**
 * A tracker sync in a child process (syncWorker.ts), as a backend replica
 * that can be killed with SIGKILL: no handler, no `finally`, no pending
 * write of it survives, exactly as when a pod is OOM-killed.
 */
export class SyncWorkerProcess {
  /** The run in progress: its answer, or the child's death, settles it. */
  private pending?: {
    resolve(report: SyncRunReport): void;
    reject(error: Error): void;
  };

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: any) => {
      if (message?.type !== 'synced' || !this.pending) return;
      const { resolve, reject } = this.pending;
      this.pending = undefined;
      if (message.error) reject(new Error(message.error));
      else resolve(message.value);
    });
    child.on('exit', (code, signal) => {
      this.pending?.reject(
        new Error(`the sync worker died: ${signal ?? code}`),
      );
      this.pending = undefined;
    });
  }

  static start(options: SyncWorkerOptions): Promise<SyncWorkerProcess> {
    const child = fork(path.join(__dirname, 'syncWorker.ts'), {
      execArgv: [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      ],
      env: { ...process.env, SYNC_WORKER_OPTIONS: JSON.stringify(options) },
      // It writes nothing but warnings, to stderr.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`the sync worker exited with ${code} on start-up`));
      child.once('error', reject);
      child.once('exit', onExit);
      // The node transform talks over IPC too ('watch' messages).
      const onMessage = (message: any) => {
        if (message?.type !== 'ready') return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(new SyncWorkerProcess(child));
      };
      child.on('message', onMessage);
    });
  }

  /**
   * One run of the engine in the child. Rejects when the child dies first,
   * which is what a test that kills it mid-run waits for.
   */
  sync(): Promise<SyncRunReport> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.send({ type: 'sync' });
    });
  }

  /** Dies at once, as `kill -9` does. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Ends the child and waits for it (killed or not). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise(resolve => this.child.once('exit', resolve));
    this.send({ type: 'stop' });
    await exited;
  }

  private send(message: SyncWorkerMessage) {
    this.child.send(message);
  }
}
