import { runMain } from '@app/core';
import { createTestDatabase, freePort, type TestDatabase } from '@app/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { serveApi } from '../apps/api/src/api.bootstrap.js';
import { startWorker, testWorkerEnv } from './support/worker.js';
import { testApiEnv } from './support/api.js';

describe('booting', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  const boot = async (env: Record<string, string | undefined>) => {
    const io = { lines: [] as string[], codes: [] as number[] };
    let app: NestFastifyApplication | undefined;
    await runMain(
      async () => {
        app = await serveApi(env);
      },
      { error: (line) => io.lines.push(line), exit: (code) => io.codes.push(code) },
    );
    return { ...io, app };
  };

  it.each([
    [
      'DATABASE_URL',
      'mysql://root@127.0.0.1/modak',
      'Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL',
    ],
    ['PORT', 'eighty', 'Invalid configuration: PORT must be an integer'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'Invalid configuration: REDIS_URL must be a redis:// or rediss:// URL'],
    ['JWT_SECRET', 'change-me', 'Invalid configuration: JWT_SECRET must be at least 32 random bytes'],
    [
      'JWT_SECRET',
      'compose-only-5a0f8e2c7d1b49e6a3c8f0d2b7e4a916c5d3',
      'Invalid configuration: JWT_SECRET is a published key',
    ],
    ['CORS_ORIGINS', 'https://spa.example/app', 'Invalid configuration: CORS_ORIGINS must be origins'],
  ])('stops with one line naming %s when it is malformed', async (variable, value, line) => {
    const port = await freePort();
    const { lines, codes, app } = await boot(testApiEnv(database, { PORT: String(port), [variable]: value }));
    expect(codes).toEqual([1]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(line);
    expect(lines[0]).not.toContain('\n');
    expect(app).toBeUndefined();
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });

  it('refuses embedded defaults in production and names the first one missing', async () => {
    const env = testApiEnv(database, { NODE_ENV: 'production', CORS_ORIGINS: undefined });
    const { lines, codes } = await boot(env);
    expect(codes).toEqual([1]);
    expect(lines[0]).toBe(
      'Invalid configuration: CORS_ORIGINS must be set when NODE_ENV=production (embedded defaults are for development)',
    );
  });

  it('serves with a valid environment, HSTS on in production', async () => {
    const port = await freePort();
    const env = testApiEnv(database, {
      NODE_ENV: 'production',
      PORT: String(port),
      REDIS_URL: testApiEnv(database).REDIS_URL,
      FRONTEND_URL: 'https://modak.example/',
      CORS_ORIGINS: 'https://modak.example',
      MAIL_SEAL_KEY: 'a-production-mail-seal-key-of-enough-random-characters',
    });
    const { lines, codes, app } = await boot(env);
    try {
      expect(lines).toEqual([]);
      expect(codes).toEqual([]);
      const response = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(response.status).toBe(200);
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    } finally {
      process.removeAllListeners('SIGTERM');
      process.removeAllListeners('SIGINT');
      await app?.close();
    }
  });

  it('names the worker variable that is malformed', async () => {
    const lines: string[] = [];
    await runMain(() => startWorker(testWorkerEnv(database, { SMTP_URL: 'mail.example:25' })), {
      error: (line) => lines.push(line),
      exit: () => undefined,
    });
    expect(lines).toEqual(['Invalid configuration: SMTP_URL must be a smtp:// or smtps:// URL']);
  });
});
