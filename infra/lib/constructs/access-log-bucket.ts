import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** A private bucket for the load balancer's access logs, emptied of logs older than the retention. */
export class AccessLogBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: { retention: RetentionDays }) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      // Load balancers can write access logs only to buckets encrypted with S3-managed keys.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.retention) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket holds access logs itself; logging the access to it would need another bucket whose access is not logged either.',
    });
  }
}
