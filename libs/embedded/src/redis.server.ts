import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { freePort } from './free-port.util.js';

const READY_TIMEOUT_MS = 10_000;

export interface RedisServerOptions {
  /** Where it listens (127.0.0.1); a free port when unset. */
  port?: number;
  /**
   * Keep the dataset in this folder with an append-only file synced on every write (as a production Redis with AOF
   * persistence does): a server killed and started again comes back with every acknowledged write. Unset: in memory
   * only, and a restart comes back empty.
   */
  dataDir?: string;
}

/**
 * A Redis server of its own, run from the machine's `redis-server`: for `npm start` when no Redis answers, and for
 * tests that take Redis away and bring it back: `stop()` kills it as a crash would (or shuts it down with SIGTERM),
 * `start()` serves again on the same port, with an empty dataset unless it persists to a `dataDir`.
 */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(options.port ?? (await freePort()), options);
    await server.start();
    return server;
  }

  /** `redis://127.0.0.1:<port>`, for REDIS_URL. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.process) return;
    const persistence = this.options.dataDir
      ? ['--dir', this.options.dataDir, '--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    this.process = child;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await answers(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    if (child.exitCode === null) {
      child.kill(signal);
      await once(child, 'exit');
    }
  }

  /** Whether `redis-server` can be run here (it is on the PATH). */
  static installed(): boolean {
    return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
