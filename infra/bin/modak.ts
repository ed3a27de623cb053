#!/usr/bin/env node
/**
 * The CDK app. `cdk deploy|diff` runs it (cdk.json), and `npm run synth` runs it offline with node alone, writing
 * cdk.out/. Either way it fails on any error or warning: from the constructs, from CloudFormation's validation, and
 * every cdk-nag finding that is not acknowledged (the validation plugins fail the synthesis only on errors).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../lib/config';
import { createModak } from '../lib/modak';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity?: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

try {
  const outdir = process.env.CDK_OUTDIR ?? 'cdk.out';
  const reportFile = path.join(outdir, 'validation-report.json');
  rmSync(reportFile, { force: true });
  const { app } = createModak({ outdir });
  const assembly = app.synth();
  const problems = assembly.stacks.flatMap((stack) =>
    stack.messages
      .filter((message) => message.level === 'error' || message.level === 'warning')
      .map((message) => `${message.level} ${message.id}: ${String(message.entry.data)}`),
  );
  if (existsSync(reportFile)) {
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ValidationReport;
    for (const plugin of report.pluginReports) {
      for (const violation of plugin.violations) {
        const where = violation.violatingConstructs.map((construct) => construct.constructPath).join(', ');
        problems.push(`${violation.severity ?? 'finding'} ${plugin.pluginName} ${violation.ruleName}: ${where}`);
      }
    }
  }
  if (problems.length > 0) {
    console.error(`synthesis reported ${problems.length} problem(s):\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.error(`synthesized ${assembly.stacks.map((stack) => stack.stackName).join(', ')} to ${assembly.directory}`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
