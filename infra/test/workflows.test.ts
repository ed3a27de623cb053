import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY } from './support/app-contract';

/** The GitHub workflows cannot run here: their structure is checked instead. */
interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  'runs-on': string;
  'timeout-minutes'?: number;
  environment?: string;
  permissions?: Record<string, string>;
  services?: Record<string, { image: string; options?: string; ports?: string[] }>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, any>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  jobs: Record<string, Job>;
}

const WORKFLOWS = path.join(REPOSITORY, '.github', 'workflows');
const files = readdirSync(WORKFLOWS)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();
const workflows = Object.fromEntries(
  files.map((file) => [file, parse(readFileSync(path.join(WORKFLOWS, file), 'utf8')) as Workflow]),
);
const ci = workflows['ci.yml']!;
const deploy = workflows['deploy.yml']!;
const runs = (job: Job) => job.steps.map((step) => step.run ?? '').join('\n');
const uses = (job: Job, action: string) => job.steps.filter((step) => step.uses?.startsWith(`${action}@`));

test('the two workflows, CI and Deploy', () => {
  expect(files).toEqual(['ci.yml', 'deploy.yml']);
  expect([ci.name, deploy.name]).toEqual(['CI', 'Deploy']);
});

describe.each(files)('%s', (file) => {
  const workflow = workflows[file]!;
  const jobs = Object.entries(workflow.jobs);

  test('reads the repository and nothing more, unless a job asks for an OIDC token', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [, job] of jobs) {
      if (job.permissions) expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    }
  });

  test('every job has a timeout and runs on a pinned runner image', () => {
    for (const [name, job] of jobs) {
      expect([name, typeof job['timeout-minutes']]).toEqual([name, 'number']);
      expect(job['runs-on']).toMatch(/^ubuntu-\d+\.\d+$/);
    }
  });

  test('actions are pinned to a release, never to a branch', () => {
    for (const [, job] of jobs) {
      for (const step of job.steps.filter((s) => s.uses))
        expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
    }
  });

  test('scripts never interpolate event data or inputs (they come in through env)', () => {
    for (const [, job] of jobs) {
      for (const step of job.steps.filter((s) => s.run))
        expect(step.run).not.toMatch(/\$\{\{\s*(github\.event|inputs|github\.head_ref)/);
    }
  });
});

describe('CI', () => {
  test('runs on pushes to main and on pull requests', () => {
    expect(ci.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
  });

  test('the app: lint, format, typecheck, build, migrations and tests, with PostgreSQL and Redis services', () => {
    const app = ci.jobs.app!;
    expect(Object.keys(app.services!).sort()).toEqual(['postgres', 'redis']);
    expect(app.services!.postgres!.image).toMatch(/^postgres:17/);
    for (const service of Object.values(app.services!)) expect(service.options).toMatch(/--health-cmd/);
    const script = runs(app);
    for (const command of [
      'npm ci',
      'npm run lint',
      'npm run format:check',
      'npm run typecheck',
      'npm run build',
      'npm run migration:run',
      'npm run migration:check',
      'npm test',
    ]) {
      expect(script).toContain(command);
    }
    expect(script.indexOf('npm run migration:run')).toBeLessThan(script.indexOf('npm test'));
  });

  test('the infrastructure: its own install, typecheck, synth and tests', () => {
    expect(runs(ci.jobs.infra!).split('\n')).toEqual(
      expect.arrayContaining([
        'npm --prefix infra ci',
        'npm --prefix infra run typecheck',
        'npm --prefix infra run synth',
        'npm --prefix infra test',
      ]),
    );
  });

  test('the image: compose validates the file, builds the image, and the stack comes up ready', () => {
    const script = runs(ci.jobs.image!);
    expect(script).toContain('docker compose --file docker/compose.yml config --quiet');
    expect(script).toContain('up --build --detach');
    expect(script).toContain('http://127.0.0.1:3000/health/ready');
    expect(ci.jobs.image!.steps.at(-1)).toMatchObject({
      if: 'always()',
      run: expect.stringContaining('down --volumes'),
    });
  });
});

describe('Deploy', () => {
  const order = Object.keys(deploy.jobs);
  const deployJob = deploy.jobs.deploy!;
  const stepIndex = (pattern: RegExp) => deployJob.steps.findIndex((step) => pattern.test(step.run ?? ''));

  test('runs after CI succeeds on main, or by hand with an image tag (rollback)', () => {
    expect(deploy.on.workflow_run).toEqual({ workflows: ['CI'], types: ['completed'], branches: ['main'] });
    expect(deploy.on.workflow_dispatch.inputs).toHaveProperty('image_tag');
    expect(deploy.jobs.release!.if).toContain("github.event.workflow_run.conclusion == 'success'");
  });

  test('one deploy at a time, never cancelled halfway', () => {
    expect(deploy.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
  });

  test('AWS access through an OIDC role, in the production environment', () => {
    for (const name of ['image', 'deploy']) {
      const job = deploy.jobs[name]!;
      expect(job.environment).toBe('production');
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      expect(uses(job, 'aws-actions/configure-aws-credentials')).toEqual([
        expect.objectContaining({
          with: { 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}', 'aws-region': '${{ vars.AWS_REGION }}' },
        }),
      ]);
    }
    expect(JSON.stringify(deploy)).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key/);
  });

  test('builds the image from docker/Dockerfile and pushes it to ECR, tagged with the commit', () => {
    const image = deploy.jobs.image!;
    expect(uses(image, 'aws-actions/amazon-ecr-login')).toHaveLength(1);
    expect(uses(image, 'docker/build-push-action')).toEqual([
      expect.objectContaining({
        with: expect.objectContaining({
          file: 'docker/Dockerfile',
          push: true,
          tags: '${{ steps.ecr.outputs.registry }}/modak:${{ needs.release.outputs.image_tag }}',
        }),
      }),
    ]);
  });

  test('migrates before it rolls the services, then waits for them to be stable and checks readiness', () => {
    const platform = stepIndex(/cdk -- deploy Modak-Platform --exclusively/);
    const migrate = stepIndex(/^infra\/scripts\/run-migration\.sh$/);
    const roll = stepIndex(/cdk -- deploy Modak-App --exclusively/);
    const stable = stepIndex(/aws ecs wait services-stable --cluster modak --services modak-api modak-worker/);
    const ready = stepIndex(/\/health\/ready/);
    expect([platform, migrate, roll, stable, ready].every((index) => index >= 0)).toBe(true);
    expect([platform, migrate, roll, stable, ready]).toEqual(
      [...[platform, migrate, roll, stable, ready]].sort((a, b) => a - b),
    );
    for (const index of [platform, roll]) expect(deployJob.steps[index]!.run).toContain('-c imageTag="$IMAGE_TAG"');
    accessSync(path.join(REPOSITORY, 'infra', 'scripts', 'run-migration.sh'), constants.X_OK);
  });

  test('reports the outcome whatever it was', () => {
    expect(order.at(-1)).toBe('notify');
    expect(deploy.jobs.notify).toMatchObject({
      needs: ['release', 'image', 'deploy'],
      if: expect.stringContaining('always()'),
    });
    expect(runs(deploy.jobs.notify!)).toContain('GITHUB_STEP_SUMMARY');
  });
});
