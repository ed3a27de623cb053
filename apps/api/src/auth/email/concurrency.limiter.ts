/** Thrown when the queue is full: the caller should answer 503 and let the client retry. */
export class QueueFullError extends Error {
  constructor() {
    super('too many tasks waiting');
    this.name = 'QueueFullError';
  }
}

/** Runs at most `capacity` tasks at once; up to `maxQueued` more wait in order, and any beyond are refused. */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly capacity: number,
    readonly maxQueued = Number.POSITIVE_INFINITY,
  ) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next in line, so the cap holds exactly.
    if (this.running < this.capacity) this.running += 1;
    else if (this.waiting.length >= this.maxQueued) throw new QueueFullError();
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
