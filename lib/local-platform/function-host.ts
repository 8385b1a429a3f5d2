import { createWriteStream, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface FunctionSpec {
  readonly name: string;
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly env: Record<string, string>;
}

export class FunctionError extends Error {
  override readonly name = 'FunctionError';
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Runs a handler like Lambda does: in its own execution environment (a worker thread with its
 * own process.env), loaded once, one invocation at a time, killed and replaced on timeout.
 * Its stdout/stderr go to `<logDir>/<name>.log`.
 */
export class LocalFunction {
  private worker?: Worker;
  private ready?: Promise<void>;
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private readonly log: WriteStream;

  constructor(
    private readonly spec: FunctionSpec,
    logDir: string,
  ) {
    this.log = createWriteStream(path.join(logDir, `${spec.name}.log`), { flags: 'a' });
  }

  /** Invokes the handler; invocations are serialised like one concurrent execution. */
  invoke(event: unknown): Promise<unknown> {
    const run = this.queue.then(() => this.invokeNow(event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    await worker?.terminate();
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  private async invokeNow(event: unknown): Promise<unknown> {
    const worker = await this.start();
    const id = ++this.nextId;
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new FunctionError(`${this.spec.name} timed out after ${this.spec.timeoutSeconds} s`));
        void this.recycle();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, event, deadline: Date.now() + timeoutMs });
    });
  }

  private start(): Promise<Worker> {
    if (!this.ready) {
      const worker = new Worker(path.join(__dirname, 'function-worker.ts'), {
        env: this.spec.env,
        workerData: { entry: this.spec.entry, functionName: this.spec.name },
        stdout: true,
        stderr: true,
      });
      worker.stdout.pipe(this.log, { end: false });
      worker.stderr.pipe(this.log, { end: false });
      this.worker = worker;
      this.ready = new Promise<void>((resolve, reject) => {
        worker.on('message', (message: Record<string, unknown>) => {
          if (message.ready) return resolve();
          if (message.initError) {
            const { message: text } = message.initError as { message: string };
            return reject(new FunctionError(`${this.spec.name} failed to start: ${text}`));
          }
          this.settle(message as { id: number; ok: boolean; result?: unknown; error?: { message: string } });
        });
        worker.on('error', (error) => {
          reject(error);
          this.failAll(error);
        });
        worker.on('exit', () => {
          if (this.worker === worker) {
            this.worker = undefined;
            this.ready = undefined;
          }
          this.failAll(new FunctionError(`${this.spec.name} execution environment exited`));
        });
      });
      this.ready.catch(() => this.recycle());
    }
    return this.ready.then(() => this.worker!);
  }

  private settle(message: { id: number; ok: boolean; result?: unknown; error?: { message: string } }): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new FunctionError(message.error?.message ?? 'handler failed'));
  }

  private failAll(error: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }

  private async recycle(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    await worker?.terminate();
  }
}
