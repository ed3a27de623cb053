import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ModakConfig } from '../config';
import { Postgres } from '../constructs/postgres';
import { Redis } from '../constructs/redis';
import type { NetworkStack } from './network-stack';

export interface DataStackProps extends StackProps {
  config: ModakConfig;
  network: NetworkStack;
}

/** What holds state: PostgreSQL (primary and read replica) and Redis, in the isolated subnets. */
export class DataStack extends Stack {
  readonly postgres: Postgres;
  readonly redis: Redis;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    const { config, network } = props;
    this.postgres = new Postgres(this, 'Postgres', {
      config,
      vpc: network.vpc,
      securityGroup: network.securityGroups.database,
    });
    this.redis = new Redis(this, 'Redis', { config, vpc: network.vpc, securityGroup: network.securityGroups.cache });
  }
}
