import { createWriteStream, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface FunctionSpec {
  readonly name: string;
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly env: Record<string, string>;
  /**
   * Execution environments at most: Lambda runs concurrent invocations in environments of their
   * own, created when every existing one is busy. Further invocations wait for a free one.
   * @default 1
   */
  readonly maxConcurrency?: number;
}

export class FunctionError extends Error {
  override readonly name = 'FunctionError';
}

/**
 * The worker and the handlers are TypeScript: a worker needs tsx's loader. A process started by
 * tsx (`npm start`) passes it on in its execArgv; one started otherwise (jest) gets it added.
 */
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const WORKER_EXEC_ARGV = process.execArgv.includes(TSX_LOADER) ? process.execArgv : [...process.execArgv, '--import', TSX_LOADER];

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  /** The worker running it: only its end fails this invocation. */
  worker: Worker;
}

/**
 * Runs a handler like Lambda does: each invocation in an execution environment of its own (a
 * worker thread with its own process.env, the handler loaded once per environment), one
 * invocation at a time per environment, up to `maxConcurrency` environments side by side; an
 * environment is killed and replaced on timeout. Every environment's stdout/stderr go to
 * `<logDir>/<name>.log`.
 */
export class LocalFunction {
  private readonly environments: ExecutionEnvironment[] = [];
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiting: ((environment: ExecutionEnvironment) => void)[] = [];
  private readonly log: WriteStream;

  constructor(
    private readonly spec: FunctionSpec,
    logDir: string,
  ) {
    this.log = createWriteStream(path.join(logDir, `${spec.name}.log`), { flags: 'a' });
  }

  /** Invokes the handler in a free execution environment (a new one if all are busy and there is room). */
  async invoke(event: unknown): Promise<unknown> {
    const environment = await this.acquire();
    try {
      return await environment.invoke(event);
    } finally {
      const next = this.waiting.shift();
      if (next) next(environment);
      else this.idle.push(environment);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.environments.map((environment) => environment.stop()));
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  private acquire(): Promise<ExecutionEnvironment> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.environments.length < (this.spec.maxConcurrency ?? 1)) {
      const environment = new ExecutionEnvironment(this.spec, this.log);
      this.environments.push(environment);
      return Promise.resolve(environment);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** One execution environment: a worker thread that loads the handler once and runs one invocation at a time. */
class ExecutionEnvironment {
  /** The worker and its handler loaded; cleared the moment it ends, so the next invocation starts a new one. */
  private current?: { readonly worker: Worker; readonly ready: Promise<Worker> };
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly spec: FunctionSpec,
    private readonly log: WriteStream,
  ) {}

  /** Terminates the worker; the next invocation starts a new one (a cold start). */
  async stop(): Promise<void> {
    const worker = this.current?.worker;
    this.current = undefined;
    await worker?.terminate();
  }

  async invoke(event: unknown): Promise<unknown> {
    let worker = await this.start();
    // It crashed after loading (the end of an earlier invocation): this one gets a new environment.
    while (this.current?.worker !== worker) worker = await this.start();
    const id = ++this.nextId;
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(this.invokeError(`${this.spec.name} timed out after ${this.spec.timeoutSeconds} s`));
        this.retire(worker);
        void worker.terminate();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, worker });
      worker.postMessage({ id, event, deadline: Date.now() + timeoutMs });
    });
  }

  private start(): Promise<Worker> {
    if (this.current) return this.current.ready;
    const worker = new Worker(path.join(__dirname, 'function-worker.ts'), {
      env: this.spec.env,
      workerData: { entry: this.spec.entry, functionName: this.spec.name },
      stdout: true,
      stderr: true,
      execArgv: WORKER_EXEC_ARGV,
    });
    worker.stdout.pipe(this.log, { end: false });
    worker.stderr.pipe(this.log, { end: false });
    const ready = new Promise<Worker>((resolve, reject) => {
      worker.on('message', (message: Record<string, unknown>) => {
        if (message.ready) return resolve(worker);
        if (message.initError) {
          const { message: text } = message.initError as { message: string };
          return reject(this.invokeError(`${this.spec.name} failed to start: ${text}`));
        }
        this.settle(message as { id: number; ok: boolean; result?: unknown; error?: { message: string } });
      });
      // A crash (an uncaught exception, process.exit) ends the environment at once: what it was
      // running fails, and the next invocation gets a new one, as Lambda replaces a runtime that exited.
      worker.on('error', (error) => {
        this.retire(worker);
        reject(error);
        this.failAll(worker, `${this.spec.name} execution environment crashed: ${error.message}`);
      });
      worker.on('exit', (code) => {
        this.retire(worker);
        reject(new FunctionError(`${this.spec.name} execution environment exited before it was ready`));
        this.failAll(worker, `${this.spec.name} execution environment exited with code ${code}`);
      });
    });
    ready.catch(() => {
      this.retire(worker);
      void worker.terminate();
    });
    this.current = { worker, ready };
    return ready;
  }

  private retire(worker: Worker): void {
    if (this.current?.worker === worker) this.current = undefined;
  }

  private settle(message: { id: number; ok: boolean; result?: unknown; error?: { message: string } }): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(this.invokeError(message.error?.message ?? 'handler failed'));
  }

  /**
   * A failed invocation, also written to the function's log as the Lambda runtime does ("Invoke
   * Error", level ERROR), so the log shows timeouts, crashes and start failures the handler cannot log.
   */
  private invokeError(message: string): FunctionError {
    if (this.log.writable) {
      const line = { level: 'ERROR', timestamp: new Date().toISOString(), service: this.spec.name, message: 'Invoke Error', error: { name: 'FunctionError', message } };
      this.log.write(`${JSON.stringify(line)}\n`);
    }
    return new FunctionError(message);
  }

  /** Fails the invocations a worker that ended was running (logged once, like a runtime exit in Lambda). */
  private failAll(worker: Worker, message: string): void {
    const running = [...this.pending].filter(([, pending]) => pending.worker === worker);
    if (running.length === 0) return;
    const error = this.invokeError(message);
    for (const [id, pending] of running) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }
}
