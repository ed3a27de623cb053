import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readConfig } from './config';
import { AppStack } from './stacks/app-stack';
import { DataStack } from './stacks/data-stack';
import { EdgeStack } from './stacks/edge-stack';
import { NetworkStack } from './stacks/network-stack';
import { PlatformStack } from './stacks/platform-stack';

export interface Modak {
  app: App;
  network: NetworkStack;
  data: DataStack;
  edge: EdgeStack;
  platform: PlatformStack;
  /** The Modak-App stack: the services, their scaling and monitoring. */
  services: AppStack;
}

/** The context of cdk.json, which the `cdk` CLI passes to the app but a plain `node` run does not. */
export function cdkJsonContext(): Record<string, unknown> {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'cdk.json');
    if (existsSync(file)) {
      const cdkJson = JSON.parse(readFileSync(file, 'utf8')) as { context: Record<string, unknown> };
      return cdkJson.context;
    }
    if (path.dirname(dir) === dir) throw new Error(`no cdk.json above ${__dirname}`);
  }
}

/**
 * The Modak app: five stacks in deploy order, every resource tagged, and cdk-nag's AwsSolutions pack registered as a
 * validation plugin: synthesis fails on any finding that is not acknowledged (each acknowledgement carries its reason,
 * copied into the template's metadata).
 */
export function createModak(props: AppProps = {}): Modak {
  // Lowest precedence: the CLI's context (cdk.json and -c) overrides it.
  const app = new App({ ...props, context: { ...cdkJsonContext(), ...props.context } });
  const config = readConfig(app.node);
  const env = { account: config.account, region: config.region };

  const network = new NetworkStack(app, 'Modak-Network', { env, config });
  const data = new DataStack(app, 'Modak-Data', { env, config, network });
  const edge = new EdgeStack(app, 'Modak-Edge', { env, config, network });
  const platform = new PlatformStack(app, 'Modak-Platform', { env, config, network, data });
  const services = new AppStack(app, 'Modak-App', { env, config, network, data, edge, platform });

  Tags.of(app).add('project', 'modak');
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, network, data, edge, platform, services };
}
