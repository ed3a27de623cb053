import { RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  IpAddresses,
  IpProtocol,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ModakConfig } from '../config';
import { SecurityGroups } from '../constructs/security-groups';

export interface NetworkStackProps extends StackProps {
  config: ModakConfig;
}

/**
 * A dual-stack VPC over the configured zones: public subnets for the load balancer and the NAT gateways, private
 * subnets (egress through NAT) for the tasks, isolated subnets for PostgreSQL and Redis; and the security groups.
 */
export class NetworkStack extends Stack {
  readonly vpc: Vpc;
  readonly securityGroups: SecurityGroups;
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.zones = config.availabilityZones;

    const flowLogs = new LogGroup(this, 'FlowLogs', {
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(config.vpcCidr),
      ipProtocol: IpProtocol.DUAL_STACK,
      availabilityZones: config.availabilityZones,
      natGateways: config.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // Image layers come from S3: through the gateway endpoint they skip the NAT gateways (and their per-GB fee).
      gatewayEndpoints: { S3: { service: GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        All: { destination: FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: FlowLogTrafficType.ALL },
      },
      restrictDefaultSecurityGroup: true,
    });
    Validations.of(this.vpc).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason:
        'The zones are configured (context availabilityZones) rather than looked up, so that synthesis needs no AWS credentials.',
    });
    this.securityGroups = new SecurityGroups(this, 'SecurityGroups', { vpc: this.vpc });
  }

  /** The configured zones: the stack's own would be looked up in the account (AWS credentials at synth time). */
  override get availabilityZones(): string[] {
    return this.zones;
  }
}
