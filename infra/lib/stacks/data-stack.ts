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

/**
 * What holds state: PostgreSQL (primary and read replica) and Redis, in the isolated subnets, and the database
 * credentials (the master user's, and the api role's with its rotation).
 */
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
      rotationSecurityGroup: network.securityGroups.rotation,
    });
    this.redis = new Redis(this, 'Redis', { config, vpc: network.vpc, securityGroup: network.securityGroups.cache });
  }
}
