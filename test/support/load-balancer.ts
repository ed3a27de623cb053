import { once } from 'node:events';
import {
  Agent,
  createServer,
  request as forward,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

// Headers about one connection, not the message: each side of the balancer has its own.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);
const withoutHopByHop = (headers: IncomingHttpHeaders): IncomingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));

export interface LoadBalancerOptions {
  /**
   * Probe each instance's `/health/ready` this often, as the ALB's target group does: two failed probes in a row
   * (no 200 within two seconds) take an instance out of rotation, one good probe puts it back. Unset: no health
   * checks, every instance always gets its turn.
   */
  healthCheckIntervalMs?: number;
}

const UNHEALTHY_THRESHOLD = 2;
const HEALTH_CHECK_TIMEOUT_MS = 2_000;

/** One request the load balancer passed on, as it saw it. */
export interface Forwarded {
  upstream: number;
  status: number;
  startedAt: number;
  endedAt: number;
}

/** One readiness probe of an instance. */
export interface HealthCheck {
  upstream: number;
  /** When the probe was sent. */
  at: number;
  status: number;
  body: string;
}

/**
 * A small round-robin HTTP load balancer in front of api instances, behaving as the ALB does where it matters here:
 * it appends the client's address to `X-Forwarded-For` (the api trusts one hop), takes an instance out of rotation when
 * its readiness fails, sends to every instance when none is healthy (the ALB fails open), and answers 502 when an
 * instance it chose does not answer. Every answer names the instance in `X-Upstream` (its index).
 */
export class LoadBalancer {
  readonly forwarded: Forwarded[] = [];
  readonly healthChecks: HealthCheck[] = [];
  private readonly healthy: boolean[];
  private readonly failedChecks: number[];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private next = 0;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;

  private constructor(
    private readonly upstreams: string[],
    private readonly server: Server,
  ) {
    this.healthy = upstreams.map(() => true);
    this.failedChecks = upstreams.map(() => 0);
  }

  static async start(upstreams: string[], options: LoadBalancerOptions = {}): Promise<LoadBalancer> {
    const server = createServer();
    const balancer = new LoadBalancer(upstreams, server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => balancer.route(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    if (options.healthCheckIntervalMs) {
      await balancer.checkAll();
      balancer.timer = setInterval(() => {
        balancer.checking ??= balancer.checkAll().finally(() => (balancer.checking = undefined));
      }, options.healthCheckIntervalMs);
    }
    return balancer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Whether the instance is in rotation now. */
  inRotation(upstream: number): boolean {
    return this.healthy[upstream];
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    this.server.closeAllConnections();
    this.server.close();
    this.agent.destroy();
  }

  private pick(): number {
    const failOpen = !this.healthy.some(Boolean);
    for (let i = 0; i < this.upstreams.length; i += 1) {
      const candidate = (this.next + i) % this.upstreams.length;
      if (failOpen || this.healthy[candidate]) {
        this.next = (candidate + 1) % this.upstreams.length;
        return candidate;
      }
    }
    throw new Error('no upstream configured');
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    const upstream = this.pick();
    const startedAt = Date.now();
    const target = new URL(request.url ?? '/', this.upstreams[upstream]);
    const client = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const previous = request.headers['x-forwarded-for'];
    const headers = {
      ...withoutHopByHop(request.headers),
      host: target.host,
      'x-forwarded-for': previous ? `${String(previous)}, ${client}` : client,
    };
    const outgoing = forward(target, { method: request.method, headers, agent: this.agent }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, {
        ...withoutHopByHop(answer.headers),
        'x-upstream': String(upstream),
      });
      answer.pipe(response);
      answer.once('end', () =>
        this.forwarded.push({ upstream, status: answer.statusCode ?? 502, startedAt, endedAt: Date.now() }),
      );
    });
    outgoing.once('error', () => {
      this.forwarded.push({ upstream, status: 502, startedAt, endedAt: Date.now() });
      if (!response.headersSent) response.writeHead(502, { 'x-upstream': String(upstream) });
      response.end();
    });
    request.pipe(outgoing);
  }

  private async checkAll(): Promise<void> {
    await Promise.all(
      this.upstreams.map(async (base, upstream) => {
        const at = Date.now();
        let status = 0;
        let body = '';
        try {
          const answer = await fetch(`${base}/health/ready`, {
            signal: AbortSignal.timeout(HEALTH_CHECK_TIMEOUT_MS),
          });
          status = answer.status;
          body = await answer.text();
        } catch {
          // no answer in time: a failed check
        }
        this.healthChecks.push({ upstream, at, status, body });
        this.failedChecks[upstream] = status === 200 ? 0 : this.failedChecks[upstream] + 1;
        this.healthy[upstream] = this.failedChecks[upstream] < UNHEALTHY_THRESHOLD;
      }),
    );
  }
}
