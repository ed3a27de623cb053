import Ajv2020 from 'ajv/dist/2020';
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY, REQUIRED_IN_PRODUCTION } from './support/app-contract';

/**
 * docker/compose.yml cannot be run here (no Docker engine): it is checked against the Compose Specification's JSON
 * schema (vendored in docker/schema/), and its wiring is checked against what the app needs.
 */
const DOCKER = path.join(REPOSITORY, 'docker');
const source = readFileSync(path.join(DOCKER, 'compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
}
// Compose resolves anchors and merge keys (<<) before it validates; so does the parser here.
const compose = parse(source, { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const { services } = compose;
const APP = ['api', 'worker', 'migrate'] as const;

describe('the Compose Specification schema', () => {
  const schema = JSON.parse(readFileSync(path.join(DOCKER, 'schema', 'compose-spec.json'), 'utf8')) as object;
  // The schema declares union types ("type": ["boolean", "string"]) and a few untyped keywords; both are valid JSON Schema.
  const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictTypes: false }).compile(schema);

  test('accepts the file', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('would reject a misspelt key or a bad depends_on condition', () => {
    expect(validate({ services: { api: { imagee: 'modak:local' } } })).toBe(false);
    expect(validate({ services: { api: { image: 'x', depends_on: { db: { condition: 'service_ready' } } } } })).toBe(
      false,
    );
  });
});

test('the whole stack: PostgreSQL primary and replica, Redis, a mail catcher, the migration job, api and worker', () => {
  expect(Object.keys(services).sort()).toEqual([
    'api',
    'mailpit',
    'migrate',
    'postgres-primary',
    'postgres-replica',
    'redis',
    'worker',
  ]);
  expect(services['postgres-primary']!.image).toMatch(/^postgres:17/);
  expect(services['postgres-replica']!.image).toBe(services['postgres-primary']!.image);
});

test('one image, built from docker/Dockerfile, runs the api, the worker and the migration job', () => {
  for (const name of APP) {
    const service = services[name]!;
    expect(service.image).toBe('modak:local');
    expect(path.resolve(DOCKER, service.build!.context)).toBe(REPOSITORY);
    accessSync(path.join(REPOSITORY, service.build!.dockerfile));
  }
  expect(services.api!.command).toEqual(['api']);
  expect(services.worker!.command).toEqual(['worker']);
  expect(services.migrate!.command).toEqual(['migrate', 'run']);
  expect(services.migrate!.restart).toBe('no');
});

describe('environment', () => {
  test.each(APP)('%s: every variable its configuration requires in production is set', (name) => {
    const environment = services[name]!.environment!;
    expect(REQUIRED_IN_PRODUCTION[name].filter((variable) => !environment[variable])).toEqual([]);
    expect(environment.NODE_ENV).toBe('production');
  });

  const primary = services['postgres-primary']!.environment!;
  const endpoint = (url: string) => {
    const parsed = new URL(url);
    return {
      scheme: parsed.protocol,
      host: parsed.hostname,
      port: parsed.port,
      user: parsed.username,
      password: parsed.password,
      path: parsed.pathname,
    };
  };

  const database = (host: string, user: string, password: string) => ({
    scheme: 'postgres:',
    host,
    port: '5432',
    user,
    password,
    path: `/${primary.POSTGRES_DB}`,
  });

  test('the migration job logs in as the owner of the schema, and is given the login role it makes for the api', () => {
    const environment = services.migrate!.environment!;
    expect(endpoint(environment.DATABASE_URL!)).toEqual(
      database('postgres-primary', primary.POSTGRES_USER!, primary.POSTGRES_PASSWORD!),
    );
    expect(environment.DATABASE_REPLICA_URLS).toBeUndefined();
    expect([environment.DATABASE_APP_USER, environment.DATABASE_APP_PASSWORD]).toEqual([
      'modak_app',
      'modak-app-local',
    ]);
  });

  test('the api logs in to the primary and the replica as that role, never as the owner', () => {
    const { DATABASE_APP_USER: user, DATABASE_APP_PASSWORD: password } = services.migrate!.environment!;
    const environment = services.api!.environment!;
    expect(endpoint(environment.DATABASE_URL!)).toEqual(database('postgres-primary', user!, password!));
    expect(endpoint(environment.DATABASE_REPLICA_URLS!)).toEqual(database('postgres-replica', user!, password!));
    expect(user).not.toBe(primary.POSTGRES_USER);
    expect(password).not.toBe(primary.POSTGRES_PASSWORD);
  });

  test('the worker has no database: no URL, no credentials', () => {
    expect(Object.keys(services.worker!.environment!).filter((name) => /^(DATABASE|DB|PG)_?/.test(name))).toEqual([]);
    expect(JSON.stringify(services.worker)).not.toContain('postgres');
  });

  test('Redis and SMTP URLs name their services and ports', () => {
    for (const name of ['api', 'worker']) expect(services[name]!.environment!.REDIS_URL).toBe('redis://redis:6379');
    expect(endpoint(services.worker!.environment!.SMTP_URL!)).toMatchObject({
      scheme: 'smtp:',
      host: 'mailpit',
      port: '1025',
    });
  });

  test('the api sets TRUST_PROXY explicitly, to false: nothing proxies it here, so X-Forwarded-For is not trusted', () => {
    // Published straight on loopback (no load balancer in front), unlike ECS behind the ALB, where it is 'true'.
    expect(services.api!.environment).toHaveProperty('TRUST_PROXY', 'false');
  });

  test('the JWT secret comes from whoever starts the stack: compose refuses to start without it, no default', () => {
    const secret = services.api!.environment!.JWT_SECRET!;
    expect(secret).toMatch(/^\$\{JWT_SECRET:\?[^}]*openssl rand[^}]*\}$/);
  });

  test('the replica clones the primary with the replication role the primary creates', () => {
    expect(services['postgres-replica']!.environment!.REPLICATION_PASSWORD).toBe(primary.REPLICATION_PASSWORD);
    expect(services['postgres-replica']!.environment!.PRIMARY_HOST).toBe('postgres-primary');
    const init = readFileSync(path.join(DOCKER, 'postgres', 'primary-init.sh'), 'utf8');
    const clone = readFileSync(path.join(DOCKER, 'postgres', 'replica-entrypoint.sh'), 'utf8');
    expect(init).toMatch(/CREATE ROLE replicator WITH REPLICATION LOGIN/);
    expect(init).toMatch(/pg_create_physical_replication_slot\('replica'\)/);
    expect(init).toMatch(/host replication replicator/);
    expect(clone).toMatch(/pg_basebackup[\s\S]*--username=replicator[\s\S]*--slot=replica[\s\S]*--write-recovery-conf/);
  });
});

describe('health checks and start order', () => {
  const healthChecked = (name: string) =>
    services[name]!.healthcheck?.test !== undefined && services[name]!.healthcheck?.disable !== true;

  test("every long-running service has a health check; the worker its own, the one-off job turns the image's off", () => {
    for (const name of ['postgres-primary', 'postgres-replica', 'redis', 'mailpit', 'api', 'worker'])
      expect([name, healthChecked(name)]).toEqual([name, true]);
    expect(services.migrate!.healthcheck).toEqual({ disable: true });
    expect(services.api!.healthcheck!.test).toEqual(['CMD', 'node', '/app/healthcheck.mjs']);
    expect(services.worker!.healthcheck!.test).toEqual(['CMD', 'node', '/app/healthcheck.mjs', 'worker']);
    expect(services.worker!.environment!.WORKER_HEALTH_PORT).toBe('3001');
    expect(services['postgres-replica']!.healthcheck!.test!.join(' ')).toContain('pg_is_in_recovery()');
  });

  test('conditions: healthy dependencies are health-checked, completed ones are one-shot jobs', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency]).toBeDefined();
        if (condition === 'service_healthy')
          expect([name, dependency, healthChecked(dependency)]).toEqual([name, dependency, true]);
        if (condition === 'service_completed_successfully')
          expect([name, dependency, services[dependency]!.restart]).toEqual([name, dependency, 'no']);
      }
    }
  });

  test('the migration runs on a healthy primary; api and worker start after it, with what they talk to healthy', () => {
    const conditions = (name: string) =>
      Object.fromEntries(
        Object.entries(services[name]!.depends_on!).map(([dependency, { condition }]) => [dependency, condition]),
      );
    expect(conditions('postgres-replica')).toEqual({ 'postgres-primary': 'service_healthy' });
    expect(conditions('migrate')).toEqual({ 'postgres-primary': 'service_healthy' });
    const started = {
      migrate: 'service_completed_successfully',
      'postgres-replica': 'service_healthy',
      redis: 'service_healthy',
    };
    expect(conditions('api')).toEqual(started);
    // No PostgreSQL for the worker; it starts after the migration all the same, as a release's worker does on ECS.
    expect(conditions('worker')).toEqual({
      migrate: 'service_completed_successfully',
      redis: 'service_healthy',
      mailpit: 'service_healthy',
    });
  });
});

test('published ports: the api on its PORT and the mail UI, on loopback only; the data stores stay inside', () => {
  const published = Object.fromEntries(
    Object.entries(services)
      .filter(([, service]) => service.ports)
      .map(([name, service]) => [name, service.ports]),
  );
  expect(published).toEqual({
    api: [`127.0.0.1:3000:${services.api!.environment!.PORT}`],
    mailpit: ['127.0.0.1:8025:8025'],
  });
});

test('mounted scripts exist and are executable; named volumes are declared', () => {
  for (const service of Object.values(services)) {
    for (const volume of service.volumes ?? []) {
      const [source] = volume.split(':');
      if (source!.startsWith('.')) accessSync(path.resolve(DOCKER, source!), constants.X_OK);
      else expect(compose.volumes).toHaveProperty(source!);
    }
  }
});

describe('docker/healthcheck.mjs, run by node as the container runs it', () => {
  let answer = 200;
  const paths: string[] = [];
  let server: Server;
  let port: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(request.url === '/health/live' ? answer : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = String((server.address() as AddressInfo).port);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    answer = 200;
    paths.length = 0;
  });

  const check = (args: string[], env: Record<string, string>) =>
    new Promise<number>((resolve) =>
      execFile(process.execPath, [path.join(DOCKER, 'healthcheck.mjs'), ...args], { env }, (error) =>
        resolve(error ? Number(error.code) : 0),
      ),
    );

  test("without an argument, the api's /health/live on PORT", async () => {
    expect(await check([], { PORT: port, WORKER_HEALTH_PORT: '1' })).toBe(0);
    expect(paths).toEqual(['/health/live']);
    answer = 503;
    expect(await check([], { PORT: port })).toBe(1);
  });

  test("with `worker`, the worker's /health/live on WORKER_HEALTH_PORT, not PORT", async () => {
    expect(await check(['worker'], { PORT: '1', WORKER_HEALTH_PORT: port })).toBe(0);
    expect(paths).toEqual(['/health/live']);
    answer = 503;
    expect(await check(['worker'], { PORT: '1', WORKER_HEALTH_PORT: port })).toBe(1);
  });

  test('unhealthy when nothing listens, and an unknown target is an error, not a probe', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = String((closed.address() as AddressInfo).port);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await check(['worker'], { WORKER_HEALTH_PORT: unused })).toBe(1);
    expect(await check(['scheduler'], { PORT: port, WORKER_HEALTH_PORT: port })).toBe(2);
    expect(paths).toEqual([]);
  });
});
