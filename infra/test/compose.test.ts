import Ajv2020 from 'ajv/dist/2020';
import { accessSync, constants, readFileSync } from 'node:fs';
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

  test.each(APP)('%s: the database URLs name the primary and the replica with their credentials', (name) => {
    const environment = services[name]!.environment!;
    const expected = {
      scheme: 'postgres:',
      port: '5432',
      user: primary.POSTGRES_USER,
      password: primary.POSTGRES_PASSWORD,
      path: `/${primary.POSTGRES_DB}`,
    };
    expect(endpoint(environment.DATABASE_URL!)).toEqual({ ...expected, host: 'postgres-primary' });
    if (name !== 'migrate')
      expect(endpoint(environment.DATABASE_REPLICA_URLS!)).toEqual({ ...expected, host: 'postgres-replica' });
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

  test("every long-running service but the worker has a health check; the worker and the job turn the image's off", () => {
    for (const name of ['postgres-primary', 'postgres-replica', 'redis', 'mailpit', 'api'])
      expect([name, healthChecked(name)]).toEqual([name, true]);
    for (const name of ['worker', 'migrate']) expect(services[name]!.healthcheck).toEqual({ disable: true });
    expect(services.api!.healthcheck!.test).toEqual(['CMD', 'node', '/app/healthcheck.mjs']);
    expect(readFileSync(path.join(DOCKER, 'healthcheck.mjs'), 'utf8')).toContain('/health/live');
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
    expect(conditions('worker')).toEqual({ ...started, mailpit: 'service_healthy' });
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
