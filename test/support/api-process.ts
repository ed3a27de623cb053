import type { Env } from '@app/core';
import { freePort } from '@app/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The built api, as production runs it (`npm run build` writes it). */
export const BUILT_API = path.resolve(__dirname, '../../dist/apps/api/src/main.js');

const OUTPUT_LINES = 200;

// Apis still running when the test process ends (a crash, an interrupted run) go with it, not on as orphans.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ApiProcessOptions {
  /** Which probe must answer 200 before the api counts as started: `ready` needs the primary and Redis. */
  waitFor?: 'live' | 'ready';
  timeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The built api running as an OS process of its own, as one task of a deployment: its own passport registry, its own
 * pools, its own signal handlers. Several of them are instances behind a load balancer.
 */
export class ApiProcess {
  private readonly output: string[] = [];
  private readonly exit: Promise<Exit>;
  private exitSeen?: Exit;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    // Whole lines only: a chunk may end in the middle of one.
    const keep = () => {
      let partial = '';
      return (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        this.output.push(...lines.filter(Boolean));
        this.output.splice(0, Math.max(this.output.length - OUTPUT_LINES, 0));
      };
    };
    child.stdout?.on('data', keep());
    child.stderr?.on('data', keep());
    running.add(child);
    this.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.exitSeen = { code, signal };
        resolve(this.exitSeen);
      }),
    );
  }

  /**
   * Starts `node dist/apps/api/src/main.js` with exactly `env` (nothing of the test process's environment leaks in)
   * on a free port of 127.0.0.1, and resolves once the chosen probe answers 200.
   */
  static async start(env: Env, options: ApiProcessOptions = {}): Promise<ApiProcess> {
    if (!existsSync(BUILT_API)) {
      throw new Error(
        `${path.relative(process.cwd(), BUILT_API)} is missing: run \`npm run build\` before these tests`,
      );
    }
    const port = await freePort();
    // A silent api still keeps its errors (its log goes to recentOutput and loggedErrors, never to the console):
    // a 500 under a fault is explained by the error the api logged with it.
    const logLevel = !env.LOG_LEVEL || env.LOG_LEVEL === 'silent' ? 'error' : env.LOG_LEVEL;
    const child = spawn(process.execPath, ['--enable-source-maps', BUILT_API], {
      env: { PATH: process.env.PATH, ...env, LOG_LEVEL: logLevel, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new ApiProcess(port, child);
    try {
      await api.waitUntil(options.waitFor ?? 'ready', options.timeoutMs ?? 20_000);
    } catch (error) {
      await api.kill();
      throw error;
    }
    return api;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the process printed lately (its logs go to stdout at LOG_LEVEL), for failure messages. */
  recentOutput(): string {
    return this.output.join('\n');
  }

  /** The errors the api logged lately (pino level 50 and above), one line each: `message: ErrorType: detail`. */
  loggedErrors(): string[] {
    return this.output.flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { type?: string; message?: string } };
        if ((entry.level ?? 0) < 50) return [];
        return [[entry.msg, entry.err?.type, entry.err?.message].filter(Boolean).join(': ')];
      } catch {
        return [];
      }
    });
  }

  /** Sends SIGTERM (or `signal`) and resolves with how the process ended; SIGKILLs it after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<Exit> {
    if (this.exitSeen) return this.exitSeen;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const exit = await Promise.race([this.exit, late]);
    clearTimeout(timer);
    if (exit === 'late') {
      await this.kill();
      throw new Error(`the api did not exit within ${timeoutMs} ms of ${signal}:\n${this.recentOutput()}`);
    }
    return exit;
  }

  /** Resolves when the process ends by itself (or by a signal sent elsewhere). */
  exited(): Promise<Exit> {
    return this.exit;
  }

  /** Ends the process at once (cleanup after a failed test). */
  async kill(): Promise<void> {
    if (this.exitSeen) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  private async waitUntil(probe: 'live' | 'ready', timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitSeen) {
        throw new Error(`the api exited with ${this.exitSeen.code ?? this.exitSeen.signal}:\n${this.recentOutput()}`);
      }
      try {
        const response = await fetch(`${this.url}/health/${probe}`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) return;
        await response.arrayBuffer();
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`the api did not answer /health/${probe} within ${timeoutMs} ms:\n${this.recentOutput()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
