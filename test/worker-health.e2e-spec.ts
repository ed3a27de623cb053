import { MailQueue, MailSeal, QueueName } from '@app/queue';
import { createTestDatabase, RedisServer, type TestDatabase } from '@app/testing';
import { QueueMetrics } from '../apps/worker/src/health/queue-metrics.service.js';
import { WorkerHealth } from '../apps/worker/src/health/worker-health.service.js';
import { MailProcessor } from '../apps/worker/src/mail/mail.processor.js';
import { eventually } from './support/http.js';
import { startWorker, testWorkerEnv, type TestWorker } from './support/worker.js';

// The worker on a Redis of its own (taken away below), with no database configured at all.
describe('the worker reports its health and its queues', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let worker: TestWorker;
  let health: string;

  const metricLines = () => worker.app.get(QueueMetrics).collect();
  const queueLine = async (queue: QueueName) =>
    (await metricLines()).find((line) => line.Queue === queue) as Record<string, number> | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await RedisServer.start();
    worker = await startWorker(testWorkerEnv(database, { REDIS_URL: redis.url }));
    health = `http://127.0.0.1:${worker.app.get(WorkerHealth).port}/health/live`;
  });

  afterAll(async () => {
    await worker?.close();
    await redis?.stop();
  });

  it('starts without DATABASE_URL and answers its health check on loopback', async () => {
    expect(testWorkerEnv(database).DATABASE_URL).toBeUndefined();
    const response = await fetch(health);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', queues: { mail: true, kakao: true }, redis: 'up' });
    expect((await fetch(health.replace('/health/live', '/other'))).status).toBe(404);
  });

  it('reports a heartbeat, and per queue the backlog and the jobs that used up their attempts', async () => {
    const lines = await metricLines();
    expect(lines[0]).toMatchObject({ WorkerHeartbeat: 1 });
    expect(lines.map((line) => line.Queue).filter(Boolean)).toEqual(Object.values(QueueName));
    const before = (await queueLine(QueueName.Mail))!;

    // A job for later, and a job sealed with another key (no attempt can open it, so it fails at once).
    const producer = new MailQueue(worker.config.redis, new MailSeal('another key, not the worker one'.repeat(2)));
    try {
      await producer.send({ to: ['later@modak.test'], subject: 's', text: 't' }, { delay: 3_600_000 });
      await producer.send({ to: ['unopenable@modak.test'], subject: 's', text: 't' });
      await eventually(async () => (await queueLine(QueueName.Mail))!.QueueFailedJobs === before.QueueFailedJobs + 1);
      expect((await queueLine(QueueName.Mail))!.QueueBacklog).toBe(before.QueueBacklog + 1);
    } finally {
      await producer.close();
    }
    const line = (await queueLine(QueueName.Mail)) as unknown as { _aws: { CloudWatchMetrics: unknown[] } };
    expect(line._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Modak',
        Dimensions: [['Queue']],
        Metrics: [
          { Name: 'QueueBacklog', Unit: 'Count' },
          { Name: 'QueueFailedJobs', Unit: 'Count' },
        ],
      },
    ]);
  });

  it('stays live but degraded while Redis is away, with no heartbeat, and recovers when it returns', async () => {
    await redis.stop();
    try {
      const response = await fetch(health);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'degraded', redis: 'down' });
      expect(await metricLines()).toEqual([]);
    } finally {
      await redis.start();
    }
    await eventually(async () => ((await (await fetch(health)).json()) as { status: string }).status === 'ok');
    expect(await metricLines()).toContainEqual(expect.objectContaining({ WorkerHeartbeat: 1 }));
  });

  it('fails its health check once a queue is no longer consumed', async () => {
    await worker.app.get(MailProcessor).onApplicationShutdown();
    const response = await fetch(health);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'down', queues: { mail: false, kakao: true } });
  });
});
