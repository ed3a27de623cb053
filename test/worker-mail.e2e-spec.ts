import { MailJobName, MailQueue, MailSeal } from '@app/queue';
import { createTestDatabase, SmtpSink, type TestDatabase } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { startWorker, testWorkerEnv, type TestWorker } from './support/worker.js';

describe('the worker sending mail from the queue', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let worker: TestWorker;
  let queue: MailQueue;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    worker = await startWorker(testWorkerEnv(database, { SMTP_URL: sink.url }));
    queue = new MailQueue(worker.config.redis, new MailSeal(worker.config.mailSealKey));
  });

  afterAll(async () => {
    await queue?.close();
    await worker?.close();
    await sink?.stop();
  });

  const waitUntilDone = async (jobId: string) => {
    for (let i = 0; i < 200; i += 1) {
      if ((await queue.queue.getJobState(jobId)) === 'completed') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`job ${jobId} did not complete`);
  };

  it('delivers a queued mail over SMTP with its sender, recipients, subject and text', async () => {
    const subject = `Welcome ${randomUUID()}`;
    await queue.send({ to: ['dana@example.com', 'eli@example.com'], subject, text: '모닥에 오신 것을 환영합니다' });
    const mail = await sink.waitFor((m) => m.subject === subject);
    expect(mail.from).toBe('no-reply@modak.test');
    expect(mail.to).toEqual(['dana@example.com', 'eli@example.com']);
    expect(mail.text.trim()).toBe('모닥에 오신 것을 환영합니다');
  });

  it('sends a job queued before mail was sealed as it is', async () => {
    const subject = `Legacy ${randomUUID()}`;
    await queue.queue.add(MailJobName.Send, { to: ['gil@example.com'], subject, text: 'plain' } as never);
    const mail = await sink.waitFor((m) => m.subject === subject);
    expect(mail.text.trim()).toBe('plain');
  });

  it('retries while the SMTP server refuses mail and delivers once it is back, exactly once', async () => {
    const subject = `Retry ${randomUUID()}`;
    const jobId = `test-${randomUUID()}`;
    sink.down();
    await queue.send({ to: ['fay@example.com'], subject, text: 'hello' }, { jobId });
    // The first attempt fails at once; the job waits for its backoff, kept in Redis.
    for (let i = 0; i < 100 && (await queue.queue.getJob(jobId))?.attemptsMade === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const job = await queue.queue.getJob(jobId);
    expect(job?.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(sink.messages.filter((m) => m.subject === subject)).toHaveLength(0);
    // What waits in Redis is sealed: the recipients, not the subject or the text.
    expect(job!.data.to).toEqual(['fay@example.com']);
    expect(JSON.stringify(job!.data)).not.toContain(subject);
    expect(JSON.stringify(job!.data)).not.toContain('hello');

    sink.up();
    await sink.waitFor((m) => m.subject === subject, 15_000);
    await waitUntilDone(jobId);
    // Done: the job keeps its id (for the check below) and nothing of the mail.
    expect((await queue.queue.getJob(jobId))!.data).toEqual({ to: ['fay@example.com'], sealed: '' });
    // The same job id again is a no-op: a change is never mailed twice.
    await queue.send({ to: ['fay@example.com'], subject, text: 'hello' }, { jobId });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.messages.filter((m) => m.subject === subject)).toHaveLength(1);
  });
});
