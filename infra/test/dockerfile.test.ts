import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPOSITORY } from './support/app-contract';
import { NODE_OPTIONS } from '../lib/runtime';

/** docker/Dockerfile and .dockerignore, read as instructions (no Docker engine here to build them). */
interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string;
  instructions: Instruction[];
}

const dockerfile = readFileSync(path.join(REPOSITORY, 'docker', 'Dockerfile'), 'utf8');
const instructions: Instruction[] = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line.length > 0 && !line.startsWith('#'))
  .map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
const stages: Stage[] = [];
for (const instruction of instructions) {
  if (instruction.keyword === 'FROM') {
    const [from, , name] = instruction.args.split(/\s+/);
    stages.push({ from: from!, name: name ?? String(stages.length), instructions: [] });
  } else {
    stages.at(-1)?.instructions.push(instruction);
  }
}
const runtime = stages.at(-1)!;
const all = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword).map((i) => i.args);
const one = (stage: Stage, keyword: string) => {
  const found = all(stage, keyword);
  expect([keyword, found.length]).toEqual([keyword, 1]);
  return found[0]!;
};

test('multi-stage on a Node LTS slim image: production dependencies, build, runtime', () => {
  expect(instructions.find((instruction) => instruction.keyword === 'ARG')!.args).toMatch(
    /^NODE_IMAGE=node:(22|24)-bookworm-slim$/,
  );
  expect(stages.map((stage) => stage.name)).toEqual(['base', 'production-dependencies', 'build', 'runtime']);
  for (const stage of stages) expect(['${NODE_IMAGE}', 'base']).toContain(stage.from);
  expect(runtime.from).toBe('${NODE_IMAGE}');
});

test('production dependencies only: `npm ci --omit=dev`, copied from that stage, and no install in the runtime', () => {
  const dependencies = stages.find((stage) => stage.name === 'production-dependencies')!;
  expect(all(dependencies, 'RUN').join(' ')).toMatch(/npm ci --omit=dev --ignore-scripts/);
  expect(all(runtime, 'COPY')).toContain('--from=production-dependencies /app/node_modules ./node_modules');
  expect(all(runtime, 'RUN').join(' ')).not.toMatch(/npm (ci|install)/);
  expect(all(runtime, 'COPY').filter((args) => args.includes('node_modules'))).toHaveLength(1);
});

test('the runtime holds the compiled api, worker and libs, and the entrypoint; runs them as the non-root user', () => {
  const copies = all(runtime, 'COPY');
  for (const copied of [
    '/app/dist/apps/api ./dist/apps/api',
    '/app/dist/apps/worker ./dist/apps/worker',
    '/app/dist/libs ./dist/libs',
  ]) {
    expect(copies).toContain(`--from=build ${copied}`);
  }
  expect(copies).toContain('docker/entrypoint.mjs docker/healthcheck.mjs ./');
  expect(one(runtime, 'USER')).toBe('node');
  const last = runtime.instructions.map((instruction) => instruction.keyword);
  expect(last.lastIndexOf('COPY')).toBeLessThan(last.indexOf('USER'));
  expect(last.lastIndexOf('RUN')).toBeLessThan(last.indexOf('USER'));
});

test('one image, three programs: the entrypoint chooses by argument, the api by default', () => {
  expect(one(runtime, 'ENTRYPOINT')).toBe('["node", "/app/entrypoint.mjs"]');
  expect(one(runtime, 'CMD')).toBe('["api"]');
  expect(one(runtime, 'EXPOSE')).toBe('3000');
  expect(one(runtime, 'ENV')).toMatch(/NODE_ENV=production/);
  // The heap bounds that the task definitions set (infra/lib/runtime.ts) are the image's.
  expect(one(runtime, 'ENV')).toContain(`NODE_OPTIONS="${NODE_OPTIONS}"`);
  // The programs the entrypoint runs are where nest builds them.
  const nest = JSON.parse(readFileSync(path.join(REPOSITORY, 'nest-cli.json'), 'utf8')) as {
    projects: Record<string, { entryFile: string }>;
  };
  const entrypoint = readFileSync(path.join(REPOSITORY, 'docker', 'entrypoint.mjs'), 'utf8');
  for (const project of ['api', 'worker'])
    expect(entrypoint).toContain(`'dist/${nest.projects[project]!.entryFile}.js'`);
  expect(entrypoint).toContain("'dist/libs/database/src/migrations.main.js'");
  readFileSync(path.join(REPOSITORY, 'libs', 'database', 'src', 'migrations.main.ts'));
});

test('HEALTHCHECK on /health/live', () => {
  expect(one(runtime, 'HEALTHCHECK')).toMatch(
    /^--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD \["node", "\/app\/healthcheck.mjs"\]$/,
  );
  expect(readFileSync(path.join(REPOSITORY, 'docker', 'healthcheck.mjs'), 'utf8')).toContain('/health/live');
});

test('RDS certificate authorities are trusted, so that the database URL can verify the server', () => {
  expect(all(runtime, 'ADD').join(' ')).toContain(
    'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem',
  );
  expect(one(runtime, 'ENV')).toContain('NODE_EXTRA_CA_CERTS=/etc/ssl/certs/rds-global-bundle.pem');
});

describe('.dockerignore', () => {
  const patterns = readFileSync(path.join(REPOSITORY, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const toRegExp = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .split('**/')
        .map((part) => part.replace(/\*/g, '[^/]*'))
        .join('(.*/)?')}(/.*)?$`,
    );
  /** Docker's rule: the last pattern that matches a path decides; `!` re-includes. */
  const ignored = (file: string) =>
    patterns.reduce((decision, pattern) => {
      const negated = pattern.startsWith('!');
      return toRegExp(negated ? pattern.slice(1) : pattern).test(file) ? !negated : decision;
    }, false);

  test('keeps out dependencies, builds, local data, secrets, VCS and the infrastructure', () => {
    for (const file of [
      'node_modules/x',
      'apps/api/node_modules/x',
      'dist/apps/api/src/main.js',
      '.git/HEAD',
      '.data/jwt-secret',
      '.env',
      '.env.local',
      'infra/cdk.json',
      'infra/node_modules/aws-cdk-lib/index.js',
      'docker/compose.yml',
      'test/smoke.e2e-spec.ts',
    ]) {
      expect([file, ignored(file)]).toEqual([file, true]);
    }
  });

  test('lets in everything the Dockerfile copies from the context', () => {
    const sources = all(
      stages.find((stage) => stage.name === 'build')!,
      'COPY',
    )
      .concat(
        all(
          stages.find((stage) => stage.name === 'production-dependencies')!,
          'COPY',
        ),
        all(runtime, 'COPY'),
      )
      .filter((args) => !args.startsWith('--from'))
      .flatMap((args) => args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) expect([source, ignored(source)]).toEqual([source, false]);
  });
});
