/** One request made under load, as its client saw it. */
export interface Sample {
  /** What the request was for, e.g. `GET /boards/:id`. */
  name: string;
  /** The HTTP status; 0 when no answer came (refused, reset, timed out). */
  status: number;
  /** The problem+json `code` of an error answer, or the network error's code. */
  code?: string;
  /** Which instance answered, when a load balancer says so. */
  upstream?: string;
  /** The `Retry-After` header of the answer, when it had one. */
  retryAfter?: string;
  client: number;
  startedAt: number;
  endedAt: number;
}

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests walk answers freely, as json() does
  body: any;
  headers: Headers;
}

export interface LoadRequest {
  method?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as a JSON body. */
  json?: unknown;
  headers?: Record<string, string>;
}

export interface LoadClient {
  /** 0-based, stable for the whole run. */
  readonly index: number;
  /** How many steps this client has finished. */
  readonly iteration: number;
  /** Makes a request, reads its whole body and records it as a sample named `name`. Never throws. */
  request(name: string, url: string, init?: LoadRequest): Promise<Answer>;
}

/** A client's step: a few requests that belong together (write, then read it back). Called until the load stops. */
export type Step = (client: LoadClient) => Promise<void>;

export interface LoadOptions {
  clients: number;
  /** Pause after each step, so that the load is steady rather than saturating a small machine. */
  thinkMs?: number;
  /** A request that takes longer than this counts as unanswered. */
  requestTimeoutMs?: number;
}

const NO_ANSWER = 0;

/**
 * `clients` concurrent clients, each running `step` in a loop until `stop()`, every request recorded with its status.
 * Assertions are made on the samples afterwards; a step that throws is kept in `failures` (a broken expectation
 * inside a step, such as a read-back that did not find its write).
 */
export class Load {
  readonly samples: Sample[] = [];
  readonly failures: { client: number; at: number; error: Error }[] = [];
  private stopping = false;
  private readonly loops: Promise<void>[];

  private constructor(
    step: Step,
    private readonly options: Required<LoadOptions>,
  ) {
    this.loops = Array.from({ length: options.clients }, (_, index) => this.run(index, step));
  }

  static start(step: Step, options: LoadOptions): Load {
    return new Load(step, { thinkMs: 5, requestTimeoutMs: 15_000, ...options });
  }

  /** Stops starting steps, waits for those under way, and returns every sample. */
  async stop(): Promise<Sample[]> {
    this.stopping = true;
    await Promise.all(this.loops);
    return this.samples;
  }

  /** Samples by status (`{ '200': 812, '503': 40 }`), optionally only those matching `filter`. */
  statuses(filter: (sample: Sample) => boolean = () => true): Record<string, number> {
    return tally(this.samples.filter(filter), (sample) => String(sample.status));
  }

  /** Samples by name and status (`{ 'GET /boards 200': 400 }`), for reports. */
  summary(filter: (sample: Sample) => boolean = () => true): Record<string, number> {
    return tally(this.samples.filter(filter), (sample) => `${sample.name} ${sample.status}`);
  }

  /**
   * The samples that did not succeed (not 2xx) by name, status, error code and instance (`{ 'POST /tasks 503
   * DEPENDENCY_UNAVAILABLE via 1': 2 }`): `{}` when every one did.
   */
  errors(filter: (sample: Sample) => boolean = () => true): Record<string, number> {
    return tally(
      this.samples.filter((sample) => filter(sample) && !succeeded(sample)),
      (sample) =>
        [sample.name, String(sample.status), sample.code, sample.upstream && `via ${sample.upstream}`]
          .filter(Boolean)
          .join(' '),
    );
  }

  private async run(index: number, step: Step): Promise<void> {
    let iteration = 0;
    const client: LoadClient = {
      index,
      get iteration() {
        return iteration;
      },
      request: (name, url, init) => this.request(index, name, url, init),
    };
    while (!this.stopping) {
      try {
        await step(client);
      } catch (error) {
        this.failures.push({ client: index, at: Date.now(), error: error as Error });
      }
      iteration += 1;
      if (this.options.thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.thinkMs));
    }
  }

  private async request(client: number, name: string, url: string, init: LoadRequest = {}): Promise<Answer> {
    const startedAt = Date.now();
    try {
      const response = await fetch(url, {
        method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      const text = await response.text();
      const body: unknown = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      const code =
        response.status >= 400 && typeof body === 'object' && body !== null
          ? (body as { code?: string }).code
          : undefined;
      this.samples.push({
        name,
        status: response.status,
        code,
        upstream: response.headers.get('x-upstream') ?? undefined,
        retryAfter: response.headers.get('retry-after') ?? undefined,
        client,
        startedAt,
        endedAt: Date.now(),
      });
      return { status: response.status, body, headers: response.headers };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      const code = cause?.code ?? (error as Error).name;
      this.samples.push({ name, status: NO_ANSWER, code, client, startedAt, endedAt: Date.now() });
      return { status: NO_ANSWER, body: undefined, headers: new Headers() };
    }
  }
}

function tally<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

export const succeeded = (sample: Sample): boolean => sample.status >= 200 && sample.status < 300;
