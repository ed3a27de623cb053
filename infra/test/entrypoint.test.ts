import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPOSITORY } from './support/app-contract';

/**
 * docker/entrypoint.mjs and docker/healthcheck.mjs, run by node as the image runs them, with stand-ins for the
 * compiled programs that print what they were given.
 */
const DOCKER = path.join(REPOSITORY, 'docker');
const app = mkdtempSync(path.join(tmpdir(), 'modak-entrypoint-'));
const PROGRAMS = {
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
  migrate: 'dist/libs/database/src/migrations.main.js',
};

beforeAll(() => {
  copyFileSync(path.join(DOCKER, 'entrypoint.mjs'), path.join(app, 'entrypoint.mjs'));
  for (const [name, program] of Object.entries(PROGRAMS)) {
    mkdirSync(path.join(app, path.dirname(program)), { recursive: true });
    writeFileSync(
      path.join(app, program),
      `const { DATABASE_URL, DATABASE_REPLICA_URLS, REDIS_URL } = process.env;
console.log(JSON.stringify({ program: ${JSON.stringify(name)}, argv: process.argv.slice(2), DATABASE_URL, DATABASE_REPLICA_URLS, REDIS_URL }));`,
    );
  }
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) => {
  const result = spawnSync(process.execPath, [path.join(app, 'entrypoint.mjs'), ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  return {
    status: result.status,
    stderr: result.stderr,
    output: result.status === 0 ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined,
  };
};

const ECS_PARTS = {
  DB_HOST: 'modak-primary.abc.ap-northeast-2.rds.amazonaws.com',
  DB_PORT: '5432',
  DB_NAME: 'modak',
  DB_USER: 'modak',
  DB_PASSWORD: 'p@ss:w/rd%41?#',
  DB_REPLICA_HOSTS: 'modak-replica.abc.ap-northeast-2.rds.amazonaws.com',
  REDIS_HOST: 'master.modak.abc.apn2.cache.amazonaws.com',
  REDIS_PORT: '6379',
  REDIS_AUTH_TOKEN: 'token0123456789',
};

test.each(Object.keys(PROGRAMS))('`%s` runs its program with the arguments that follow', (command) => {
  expect(run([command, 'run', '--flag'])).toMatchObject({
    status: 0,
    output: { program: command, argv: ['run', '--flag'] },
  });
});

test('on ECS, the URLs are composed from their parts, every part escaped', () => {
  const { output } = run(['api'], ECS_PARTS);
  expect(output).toMatchObject({
    DATABASE_URL:
      'postgres://modak:p%40ss%3Aw%2Frd%2541%3F%23@modak-primary.abc.ap-northeast-2.rds.amazonaws.com:5432/modak?sslmode=verify-full',
    DATABASE_REPLICA_URLS:
      'postgres://modak:p%40ss%3Aw%2Frd%2541%3F%23@modak-replica.abc.ap-northeast-2.rds.amazonaws.com:5432/modak?sslmode=verify-full',
    REDIS_URL: 'rediss://:token0123456789@master.modak.abc.apn2.cache.amazonaws.com:6379',
  });
  // What the app's parser (WHATWG URL, then decodeURIComponent) reads back is the password itself.
  expect(decodeURIComponent(new URL(output!.DATABASE_URL as string).password)).toBe(ECS_PARTS.DB_PASSWORD);
});

test('on ECS the worker gets Redis alone: no database URL is composed, and none is required', () => {
  const redis = Object.fromEntries(Object.entries(ECS_PARTS).filter(([name]) => !name.startsWith('DB_')));
  expect(Object.keys(redis)).toEqual(['REDIS_HOST', 'REDIS_PORT', 'REDIS_AUTH_TOKEN']);
  expect(run(['worker'], redis)).toEqual({
    status: 0,
    stderr: '',
    output: {
      program: 'worker',
      argv: [],
      REDIS_URL: 'rediss://:token0123456789@master.modak.abc.apn2.cache.amazonaws.com:6379',
    },
  });
});

test('URLs that are set are used as they are (compose, a laptop)', () => {
  const given = { DATABASE_URL: 'postgres://modak:modak@db:5432/modak', REDIS_URL: 'redis://redis:6379' };
  expect(run(['worker'], { ...ECS_PARTS, ...given }).output).toMatchObject(given);
  expect(run(['worker'], given).output).toEqual({ program: 'worker', argv: [], ...given });
});

test('a missing part is named, and the program does not start', () => {
  const { DB_PASSWORD: _, ...withoutPassword } = ECS_PARTS;
  expect(run(['api'], withoutPassword)).toMatchObject({
    status: 1,
    stderr: expect.stringContaining('DB_PASSWORD is required'),
  });
});

test('an unknown command prints the usage and exits 2', () => {
  expect(run(['shell'])).toMatchObject({ status: 2, stderr: expect.stringContaining('usage: api | worker | migrate') });
  expect(run([])).toMatchObject({ status: 2 });
});

describe('healthcheck.mjs', () => {
  let server: Server;
  let status = 200;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/health/live' ? status : 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => new Promise((resolve) => server.close(resolve)));

  const check = (port: number) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [path.join(DOCKER, 'healthcheck.mjs')], {
        env: { PORT: String(port) },
        stdio: 'ignore',
      });
      child.on('exit', resolve);
    });

  test('exits 0 when /health/live answers 200, 1 otherwise or when nothing listens', async () => {
    const { port } = server.address() as AddressInfo;
    status = 200;
    expect(await check(port)).toBe(0);
    status = 503;
    expect(await check(port)).toBe(1);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await check(unused)).toBe(1);
  });
});
