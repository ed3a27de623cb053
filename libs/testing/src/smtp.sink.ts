import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  receivedAt: Date;
}

/**
 * A real SMTP server on 127.0.0.1 that keeps every message it accepts, for tests. `down()` makes it refuse mail
 * (421, as a server under maintenance does) until `up()`.
 */
export class SmtpSink {
  readonly messages: CapturedMail[] = [];
  private refusing = false;
  private waiters: { match: (mail: CapturedMail) => boolean; resolve: (mail: CapturedMail) => void }[] = [];

  private constructor(private readonly server: SMTPServer) {}

  static async start(): Promise<SmtpSink> {
    const server = new SMTPServer({
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      logger: false,
      onMailFrom: (_address, _session, callback) =>
        sink.refusing ? callback(Object.assign(new Error('Service not available'), { responseCode: 421 })) : callback(),
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            sink.capture({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : undefined,
              receivedAt: new Date(),
            });
            callback();
          })
          .catch(callback);
      },
    });
    const sink = new SmtpSink(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  down(): void {
    this.refusing = true;
  }

  up(): void {
    this.refusing = false;
  }

  clear(): void {
    this.messages.length = 0;
  }

  /** Mail sent to `address` so far (compared case-insensitively, as mail systems do). */
  to(address: string): CapturedMail[] {
    const wanted = address.toLowerCase();
    return this.messages.filter((mail) => mail.to.some((recipient) => recipient.toLowerCase() === wanted));
  }

  /** Resolves with the first message (already received or arriving) that matches; rejects after `timeoutMs`. */
  waitFor(match: (mail: CapturedMail) => boolean, timeoutMs = 10_000): Promise<CapturedMail> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching mail within ${timeoutMs} ms (received ${this.messages.length})`));
      }, timeoutMs);
      waiter.resolve = (mail) => {
        clearTimeout(timer);
        resolve(mail);
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private capture(mail: CapturedMail): void {
    this.messages.push(mail);
    const matched = this.waiters.filter((waiter) => waiter.match(mail));
    this.waiters = this.waiters.filter((waiter) => !matched.includes(waiter));
    for (const waiter of matched) waiter.resolve(mail);
  }
}
