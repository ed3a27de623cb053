import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
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
  env?: Record<string, string>;
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
const sources = Object.fromEntries(files.map((file) => [file, readFileSync(path.join(WORKFLOWS, file), 'utf8')]));
const workflows = Object.fromEntries(files.map((file) => [file, parse(sources[file]!) as Workflow]));
const ci = workflows['ci.yml']!;
const deploy = workflows['deploy.yml']!;
const runs = (job: Job) => job.steps.map((step) => step.run ?? '').join('\n');
const uses = (job: Job, action: string) => job.steps.filter((step) => step.uses?.startsWith(`${action}@`));

test('the two workflows, CI and Deploy', () => {
  expect(files).toEqual(['ci.yml', 'deploy.yml']);
  expect([ci.name, deploy.name]).toEqual(['CI', 'Deploy']);
});

test('one commit per action across the workflows', () => {
  const pins = new Map<string, Set<string>>();
  for (const source of Object.values(sources))
    for (const [, action, pin] of source.matchAll(/uses: ([\w-]+\/[\w-]+)@(\S+ # \S+)/g))
      pins.set(action!, (pins.get(action!) ?? new Set()).add(pin!));
  expect([...pins].filter(([, pinned]) => pinned.size > 1)).toEqual([]);
});

describe.each(files)('%s', (file) => {
  const workflow = workflows[file]!;
  const jobs = Object.entries(workflow.jobs);

  test('reads the repository and nothing more, unless a job asks for an OIDC token or reads the Actions runs', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [, job] of jobs) {
      if (job.permissions)
        expect([
          { contents: 'read', 'id-token': 'write' },
          { actions: 'read', contents: 'read' },
        ]).toContainEqual(job.permissions);
    }
  });

  test('every job has a timeout and runs on a pinned runner image', () => {
    for (const [name, job] of jobs) {
      expect([name, typeof job['timeout-minutes']]).toEqual([name, 'number']);
      expect(job['runs-on']).toMatch(/^ubuntu-\d+\.\d+$/);
    }
  });

  test("every action is pinned to a commit (a tag can be moved), with its release's version beside it", () => {
    const steps = jobs.flatMap(([, job]) => job.steps.filter((step) => step.uses));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
    const lines = sources[file]!.split('\n').filter((line) => /^\s*(- )?uses:/.test(line));
    expect(lines).toHaveLength(steps.length);
    for (const line of lines) expect(line).toMatch(/uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  test('checkouts keep no credentials in the workspace', () => {
    for (const [, job] of jobs)
      for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout@')))
        expect(step.with?.['persist-credentials']).toBe(false);
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

  test('the app job runs .ci/run, the one list of checks, with nothing of its own but the checkout and Node', () => {
    const app = ci.jobs.app!;
    expect(app.services).toBeUndefined();
    expect(app.steps.filter((step) => step.run).map((step) => step.run!.trim())).toEqual(['.ci/run']);
    expect(app.steps.map((step) => step.uses?.split('@')[0]).filter(Boolean)).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'actions/upload-artifact',
    ]);
    expect(app.steps.at(-1)).toMatchObject({ if: 'failure()' });
    accessSync(path.join(REPOSITORY, '.ci', 'run'), constants.X_OK);
  });

  describe('.ci/run', () => {
    const script = readFileSync(path.join(REPOSITORY, '.ci', 'run'), 'utf8');
    const lines = script.split('\n');
    /** The line of the first command (not a comment) that contains `text`. */
    const at = (text: string) => lines.findIndex((line) => !line.trimStart().startsWith('#') && line.includes(text));

    test('runs every check of CI, in order: install, static checks, build, drift, migrations, infra, start, tests', () => {
      const order = [
        'npm ci',
        'npm run lint',
        'npm run format:check',
        'npm run typecheck',
        'npm run build',
        'dist/apps/api/src/openapi.main.js',
        'diff -q docs/openapi.json',
        'openapi-typescript docs/openapi.json',
        'diff -q libs/api-client/src/schema.d.ts',
        'npm run migration:run',
        'npm run migration:check',
        'npm --prefix infra run synth',
        'npm --prefix infra test',
        'npm start',
        'http://127.0.0.1:3999/health/ready',
        'npm test',
      ].map((command) => [command, at(command)] as const);
      expect(order.filter(([, index]) => index < 0)).toEqual([]);
      expect(order.map(([command]) => command)).toEqual(
        [...order].sort(([, a], [, b]) => a - b).map(([command]) => command),
      );
      expect(lines[0]).toBe('#!/usr/bin/env bash');
      expect(script).toContain('set -euo pipefail');
    });

    test('keeps the places of the OpenAPI lint (after the client check) and the smoke scenario (while npm start serves)', () => {
      const mention = (name: RegExp) => lines.findIndex((line) => name.test(line));
      const lint = mention(/openapi lint/i);
      const smoke = mention(/smoke scenario/i);
      expect(lint).toBeGreaterThan(at('diff -q libs/api-client/src/schema.d.ts'));
      expect(lint).toBeLessThan(at('npm run migration:run'));
      expect(smoke).toBeGreaterThan(at('http://127.0.0.1:3999/health/ready'));
      expect(smoke).toBeLessThan(lines.findLastIndex((line) => line.trim() === 'stop_start'));
    });

    test("starts the machine's PostgreSQL and Redis as root or through sudo, and trusts loopback only if it must", () => {
      const services = script.slice(script.indexOf('step "services"'), script.indexOf('step "install"'));
      expect(services).toMatch(/as_root\(\) \{ if \[ "\$\(id -u\)" = 0 \]; then "\$@"; else sudo "\$@"; fi; \}/);
      expect(services).toContain('as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start');
      // Only when psql cannot connect as postgres without a password (-w never prompts).
      expect(services).toMatch(
        /if ! postgres_answers; then\n\s+as_root sed -i -e '1i host all all 127\.0\.0\.1\/32 trust'/,
      );
      expect(services).toContain('psql -h 127.0.0.1 -U postgres -d postgres -w');
      expect(services).toContain('apt_install redis-server');
      expect(services).toContain('apt_install chromium');
    });
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

  test('the image: compose validates the file, builds the image, and the stack comes up ready, the worker healthy', () => {
    const image = ci.jobs.image!;
    const script = runs(image);
    const at = (text: string) => script.indexOf(text);
    // Compose refuses to start without the two keys: this run's own, random and masked.
    expect(at('for name in JWT_SECRET MAIL_SEAL_KEY')).toBeGreaterThanOrEqual(0);
    expect(script).toContain('"$name=$value" >> "$GITHUB_ENV"');
    expect(script).toContain('::add-mask::');
    const order = [
      'for name in JWT_SECRET MAIL_SEAL_KEY',
      'docker compose --file docker/compose.yml config --quiet',
      'up --build --detach',
      'http://127.0.0.1:3000/health/ready',
      "ps --format '{{.Health}}' worker",
    ].map(at);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(script).toContain('[ "$health" = healthy ]');
    expect(image.steps.at(-1)).toMatchObject({
      if: 'always()',
      run: expect.stringContaining('down --volumes'),
    });
  });
});

describe('Deploy', () => {
  const order = Object.keys(deploy.jobs);
  const release = deploy.jobs.release!;
  const deployJob = deploy.jobs.deploy!;
  const stepIndex = (pattern: RegExp) => deployJob.steps.findIndex((step) => pattern.test(step.run ?? ''));
  const BUILD = "needs.release.outputs.build == 'true'";

  test('runs after CI on main, or by hand with an optional commit (a rollback)', () => {
    expect(deploy.on.workflow_run).toEqual({ workflows: ['CI'], types: ['completed'], branches: ['main'] });
    expect(deploy.on.workflow_dispatch.inputs).toHaveProperty('image_tag');
    expect(order).toEqual(['release', 'deploy', 'notify']);
  });

  test("after CI, only a successful run for a push to this repository's main (a fork's main never matches)", () => {
    // The `branches` filter matches a fork pull request's head branch by name: the job's condition is what decides.
    expect(release.if!.replace(/\s+/g, ' ').trim()).toBe(
      "github.event_name == 'workflow_dispatch' || (github.event.workflow_run.conclusion == 'success' && " +
        "github.event.workflow_run.event == 'push' && github.event.workflow_run.head_branch == 'main' && " +
        'github.event.workflow_run.head_repository.full_name == github.repository)',
    );
  });

  test('the release job asks GitHub with a read-only token: the Actions runs and the repository, nothing else', () => {
    expect(release.permissions).toEqual({ actions: 'read', contents: 'read' });
    expect(release.environment).toBeUndefined();
    expect(release.steps).toHaveLength(1);
    expect(release.steps[0]!.env).toMatchObject({
      GH_TOKEN: '${{ github.token }}',
      DISPATCH_REF: '${{ github.ref }}',
      REQUESTED_TAG: '${{ inputs.image_tag }}',
      RUN_HEAD_SHA: '${{ github.event.workflow_run.head_sha }}',
    });
  });

  describe('the release step, run against a stand-in for the gh CLI', () => {
    const REPO = 'modak-team/modak';
    const MAIN_HEAD = 'a'.repeat(40);
    const OLDER = 'b'.repeat(40);
    const script = release.steps[0]!.run!;
    const ciRun = (sha: string, overrides: Record<string, unknown> = {}) => ({
      head_sha: sha,
      head_branch: 'main',
      event: 'push',
      conclusion: 'success',
      head_repository: { full_name: REPO },
      ...overrides,
    });
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'modak-release-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs the step as the runner does (bash -e); `compare` undefined: GitHub does not know the commit (404). */
    function runStep(
      env: { EVENT: string; DISPATCH_REF?: string; REQUESTED_TAG?: string; RUN_HEAD_SHA?: string },
      github: { compare?: string; runs: object[] },
    ) {
      for (const name of ['compare.json', 'calls', 'output', 'summary']) rmSync(path.join(dir, name), { force: true });
      if (github.compare) writeFileSync(path.join(dir, 'compare.json'), JSON.stringify({ status: github.compare }));
      writeFileSync(path.join(dir, 'runs.json'), JSON.stringify({ workflow_runs: github.runs }));
      writeFileSync(
        path.join(dir, 'gh'),
        `#!/usr/bin/env bash
echo "$*" >> "${dir}/calls"
case "$*" in
  "api repos/${REPO}/compare/"*) cat "${dir}/compare.json" 2>/dev/null || { echo 'HTTP 404: Not Found' >&2; exit 1; } ;;
  "api --method GET repos/${REPO}/actions/workflows/ci.yml/runs "*) cat "${dir}/runs.json" ;;
  *) echo "unexpected gh call: $*" >&2; exit 1 ;;
esac
`,
        { mode: 0o755 },
      );
      const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], {
        encoding: 'utf8',
        env: {
          PATH: `${dir}:${process.env.PATH}`,
          GH_TOKEN: 'token',
          GITHUB_REPOSITORY: REPO,
          GITHUB_SHA: MAIN_HEAD,
          GITHUB_OUTPUT: path.join(dir, 'output'),
          GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
          DISPATCH_REF: 'refs/heads/main',
          REQUESTED_TAG: '',
          RUN_HEAD_SHA: '',
          ...env,
        },
      });
      const read = (name: string) =>
        existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), 'utf8') : '';
      return {
        status: result.status,
        errors: result.stdout + result.stderr,
        outputs: Object.fromEntries(
          read('output')
            .split('\n')
            .filter(Boolean)
            .map((line) => line.split('=') as [string, string]),
        ),
        calls: read('calls').split('\n').filter(Boolean),
      };
    }

    test("after CI: main's pushed commit, built, once GitHub confirms it is on main and CI passed on it", () => {
      const run = runStep(
        { EVENT: 'workflow_run', RUN_HEAD_SHA: MAIN_HEAD },
        { compare: 'identical', runs: [ciRun(MAIN_HEAD)] },
      );
      expect(run.status).toBe(0);
      expect(run.outputs).toEqual({ sha: MAIN_HEAD, image_tag: MAIN_HEAD, build: 'true' });
      expect(run.calls).toEqual([
        `api repos/${REPO}/compare/main...${MAIN_HEAD}`,
        `api --method GET repos/${REPO}/actions/workflows/ci.yml/runs -f head_sha=${MAIN_HEAD} -f branch=main -f event=push -f status=success`,
      ]);
    });

    test("by hand without a tag: main's head, built, only if CI passed on it", () => {
      expect(runStep({ EVENT: 'workflow_dispatch' }, { compare: 'identical', runs: [ciRun(MAIN_HEAD)] })).toMatchObject(
        {
          status: 0,
          outputs: { sha: MAIN_HEAD, build: 'true' },
        },
      );
      const untested = runStep({ EVENT: 'workflow_dispatch' }, { compare: 'identical', runs: [] });
      expect(untested.status).not.toBe(0);
      expect(untested.errors).toContain('CI has not passed');
      expect(untested.outputs).toEqual({});
    });

    test('by hand with a tag: an earlier commit of main that passed CI, deployed from its existing image', () => {
      const run = runStep(
        { EVENT: 'workflow_dispatch', REQUESTED_TAG: OLDER },
        { compare: 'behind', runs: [ciRun(OLDER)] },
      );
      expect(run.status).toBe(0);
      expect(run.outputs).toEqual({ sha: OLDER, image_tag: OLDER, build: 'false' });
    });

    test.each(['ahead', 'diverged'])('refuses a commit that is not on main (compared with main: %s)', (compare) => {
      const run = runStep({ EVENT: 'workflow_dispatch', REQUESTED_TAG: OLDER }, { compare, runs: [ciRun(OLDER)] });
      expect(run.status).not.toBe(0);
      expect(run.errors).toContain('is not a commit of main');
      expect(run.outputs).toEqual({});
      expect(run.calls).toHaveLength(1);
    });

    test('refuses a commit GitHub does not know', () => {
      const run = runStep({ EVENT: 'workflow_dispatch', REQUESTED_TAG: OLDER }, { runs: [ciRun(OLDER)] });
      expect(run.status).not.toBe(0);
      expect(run.outputs).toEqual({});
    });

    test.each([
      ['a pull request run', { event: 'pull_request' }],
      ["a fork's run", { head_repository: { full_name: 'someone/modak' } }],
      ['a failed run', { conclusion: 'failure' }],
      ["another branch's run", { head_branch: 'feature' }],
      ["another commit's run", { head_sha: MAIN_HEAD }],
    ])('refuses a commit whose only CI run is %s', (_, overrides) => {
      const run = runStep(
        { EVENT: 'workflow_dispatch', REQUESTED_TAG: OLDER },
        { compare: 'behind', runs: [ciRun(OLDER, overrides)] },
      );
      expect(run.status).not.toBe(0);
      expect(run.errors).toContain('CI has not passed');
      expect(run.outputs).toEqual({});
    });

    test('refuses a run by hand from any ref but main, before asking GitHub anything', () => {
      const run = runStep(
        { EVENT: 'workflow_dispatch', DISPATCH_REF: 'refs/heads/hotfix' },
        { compare: 'identical', runs: [ciRun(MAIN_HEAD)] },
      );
      expect(run.status).not.toBe(0);
      expect(run.errors).toContain('Deploy runs from main only');
      expect(run.calls).toEqual([]);
    });

    test.each(['v1.2.3', 'abc1234', `${OLDER}; rm -rf /`, OLDER.toUpperCase()])(
      'refuses an image tag that is not a full commit SHA (%s)',
      (tag) => {
        const run = runStep(
          { EVENT: 'workflow_dispatch', REQUESTED_TAG: tag },
          { compare: 'behind', runs: [ciRun(tag)] },
        );
        expect(run.status).not.toBe(0);
        expect(run.calls).toEqual([]);
      },
    );
  });

  test('one deploy at a time, never cancelled halfway', () => {
    expect(deploy.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
  });

  test('AWS access through an OIDC role, in the production environment, for one job that checks out the release', () => {
    expect(deployJob.needs).toBe('release');
    expect(deployJob.environment).toBe('production');
    expect(deployJob.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    for (const [name, job] of Object.entries(deploy.jobs))
      if (name !== 'deploy') expect([name, job.permissions?.['id-token']]).toEqual([name, undefined]);
    expect(uses(deployJob, 'aws-actions/configure-aws-credentials')).toEqual([
      expect.objectContaining({
        with: { 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}', 'aws-region': '${{ vars.AWS_REGION }}' },
      }),
    ]);
    expect(uses(deployJob, 'actions/checkout')).toEqual([
      expect.objectContaining({ with: { ref: '${{ needs.release.outputs.sha }}', 'persist-credentials': false } }),
    ]);
    expect(JSON.stringify(deploy)).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key/);
    // Nothing restored from a cache into the job that holds the production role, but the image's layers.
    expect(uses(deployJob, 'actions/setup-node')[0]!.with).toMatchObject({ 'package-manager-cache': false });
    expect(uses(deployJob, 'actions/setup-node')[0]!.with).not.toHaveProperty('cache');
  });

  test('builds the image from docker/Dockerfile and pushes it to ECR, tagged with the commit, unless one was chosen', () => {
    const builds = [
      ...uses(deployJob, 'aws-actions/amazon-ecr-login'),
      ...uses(deployJob, 'docker/setup-buildx-action'),
      ...uses(deployJob, 'docker/build-push-action'),
    ];
    expect(builds).toHaveLength(3);
    for (const step of builds) expect(step.if).toBe(BUILD);
    expect(uses(deployJob, 'docker/build-push-action')).toEqual([
      expect.objectContaining({
        with: expect.objectContaining({
          file: 'docker/Dockerfile',
          push: true,
          tags: '${{ steps.ecr.outputs.registry }}/modak:${{ needs.release.outputs.image_tag }}',
        }),
      }),
    ]);
    const build = deployJob.steps.findIndex((step) => step.uses?.startsWith('docker/build-push-action@'));
    expect(build).toBeLessThan(stepIndex(/aws ecr describe-images .*imageTag="\$IMAGE_TAG"/));
    expect(deployJob.env).toMatchObject({ IMAGE_TAG: '${{ needs.release.outputs.image_tag }}' });
  });

  test('migrates before it rolls the services, waits for them to be stable, checks readiness, then the smoke scenario gates the release', () => {
    const image = stepIndex(/aws ecr describe-images/);
    const platform = stepIndex(/cdk -- deploy Modak-Platform --exclusively/);
    const migrate = stepIndex(/^infra\/scripts\/run-migration\.sh$/);
    const roll = stepIndex(/cdk -- deploy Modak-App --exclusively/);
    const stable = stepIndex(/aws ecs wait services-stable --cluster modak --services modak-api modak-worker/);
    const ready = stepIndex(/\/health\/ready/);
    const smoke = stepIndex(/node scripts\/smoke\/main\.mjs "https:\/\/\$domain"/);
    const indices = [image, platform, migrate, roll, stable, ready, smoke];
    expect(indices.every((index) => index >= 0)).toBe(true);
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    for (const index of [platform, roll]) expect(deployJob.steps[index]!.run).toContain('-c imageTag="$IMAGE_TAG"');
    accessSync(path.join(REPOSITORY, 'infra', 'scripts', 'run-migration.sh'), constants.X_OK);
  });

  test('the gate signs in as the canary account from its secret, and the password never reaches the log', () => {
    const gate = deployJob.steps.find((step) => /scripts\/smoke\/main\.mjs/.test(step.run ?? ''))!;
    expect(gate.run).toContain('aws secretsmanager get-secret-value --secret-id modak/canary');
    const lines = gate.run!.split('\n');
    const mask = lines.findIndex((line) => line.includes('::add-mask::$SMOKE_PASSWORD'));
    expect(mask).toBeGreaterThan(lines.findIndex((line) => line.includes('SMOKE_PASSWORD=')));
    expect(mask).toBeLessThan(lines.findIndex((line) => line.includes('scripts/smoke/main.mjs')));
    accessSync(path.join(REPOSITORY, 'scripts', 'smoke', 'main.mjs'), constants.R_OK);
  });

  test('reports the outcome whatever it was, a refused release included', () => {
    expect(order.at(-1)).toBe('notify');
    expect(deploy.jobs.notify).toMatchObject({
      needs: ['release', 'deploy'],
      if: "always() && needs.release.result != 'skipped'",
    });
    expect(runs(deploy.jobs.notify!)).toContain('GITHUB_STEP_SUMMARY');
  });

  test("docs/deploy.md sets up the production environment's protection rules", () => {
    const docs = readFileSync(path.join(REPOSITORY, 'docs', 'deploy.md'), 'utf8');
    for (const setting of ['Deployment branches and tags', 'Required reviewers', 'Prevent self-review'])
      expect([setting, docs.includes(setting)]).toEqual([setting, true]);
  });
});
