/** One answer of `/health/ready`: its HTTP status (0: no answer) and the `status` it reported. */
export interface ReadinessSample {
  instance: number;
  at: number;
  httpStatus: number;
  status: string;
}

/**
 * Polls `/health/ready` of each instance every `intervalMs` for as long as it runs, as an orchestrator does, and keeps
 * every answer: a fault's effect on readiness is then read off the timeline.
 */
export class ReadinessWatch {
  readonly samples: ReadinessSample[] = [];
  private stopping = false;
  private readonly loops: Promise<void>[];

  constructor(urls: string[], intervalMs = 100) {
    this.loops = urls.map((url, instance) => this.poll(url, instance, intervalMs));
  }

  async stop(): Promise<ReadinessSample[]> {
    this.stopping = true;
    await Promise.all(this.loops);
    return this.samples;
  }

  /**
   * The answers of one instance in order, repeats collapsed: `['ok 200', 'degraded 200', 'ok 200']`. Probes that got no
   * answer in time are left out: on a busy machine that says more about the machine than about the api.
   */
  timeline(instance: number): string[] {
    const statuses = this.samples.filter((s) => s.instance === instance && s.httpStatus !== 0).map(readinessLabel);
    return statuses.filter((status, i) => i === 0 || status !== statuses[i - 1]);
  }

  /** The latest answer of an instance. */
  latest(instance: number): ReadinessSample | undefined {
    return this.samples.filter((s) => s.instance === instance).at(-1);
  }

  private async poll(url: string, instance: number, intervalMs: number): Promise<void> {
    while (!this.stopping) {
      const at = Date.now();
      let httpStatus = 0;
      let status = 'no answer';
      try {
        const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3_000) });
        httpStatus = response.status;
        status = ((await response.json()) as { status: string }).status;
      } catch {
        // refused or timed out: recorded as no answer
      }
      this.samples.push({ instance, at, httpStatus, status });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** `ok 200`, `degraded 200`, `unavailable 503`, `no answer 0`. */
export const readinessLabel = (sample: ReadinessSample): string => `${sample.status} ${sample.httpStatus}`;
