import { Template } from 'aws-cdk-lib/assertions';
import { createModak, type Modak } from '../../lib/modak';

export interface Synthesized extends Modak {
  templates: { network: Template; data: Template; edge: Template; platform: Template; services: Template };
}

/** The app as `npm run synth` builds it (cdk.json's context), with `context` on top, synthesized. */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const modak = createModak({ context });
  return {
    ...modak,
    templates: {
      network: Template.fromStack(modak.network),
      data: Template.fromStack(modak.data),
      edge: Template.fromStack(modak.edge),
      platform: Template.fromStack(modak.platform),
      services: Template.fromStack(modak.services),
    },
  };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;

/** The resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The only resource of one type. */
export function onlyResource(template: Template, type: string): { id: string; properties: Record<string, any> } {
  const entries = Object.entries(resourcesOf(template, type));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  const [id, resource] = entries[0]!;
  return { id, properties: resource.Properties ?? {} };
}

export interface Container {
  Name: string;
  Command?: string[];
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  [key: string]: unknown;
}

/** The container of the task definition of family `modak-<process>`. */
export function containerOf(template: Template, family: string): Container {
  const definitions = Object.values(resourcesOf(template, 'AWS::ECS::TaskDefinition')).filter(
    (resource) => resource.Properties?.Family === family,
  );
  if (definitions.length !== 1)
    throw new Error(`expected one task definition of family ${family}, found ${definitions.length}`);
  const containers = definitions[0]!.Properties!.ContainerDefinitions as Container[];
  if (containers.length !== 1) throw new Error(`expected one container in ${family}, found ${containers.length}`);
  return containers[0]!;
}

export const environmentOf = (container: Container): Record<string, unknown> =>
  Object.fromEntries((container.Environment ?? []).map((variable) => [variable.Name, variable.Value]));

export const secretNamesOf = (container: Container): string[] =>
  (container.Secrets ?? []).map((secret) => secret.Name).sort();
