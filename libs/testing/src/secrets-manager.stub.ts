import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server that answers AWS Secrets Manager's GetSecretValue (the JSON 1.1 protocol the AWS SDK speaks) for the
 * secrets it holds, and counts the reads. Point the SDK at it with AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
export class SecretsManagerStub {
  private readonly secrets = new Map<string, { value: string; versionId: string }>();
  /** SecretIds read, in order. */
  readonly reads: string[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<SecretsManagerStub> {
    const server = createServer();
    const stub = new SecretsManagerStub(server);
    server.on('request', (request, response) => {
      void stub.answer(request).then(({ status, body, errorType }) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
          ...(errorType && { 'x-amzn-errortype': errorType }),
        });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stores a new version of `secretId` (as a rotation's final step does). */
  put(secretId: string, value: Record<string, unknown>): void {
    this.secrets.set(secretId, { value: JSON.stringify(value), versionId: randomUUID() });
  }

  private async answer(
    request: IncomingMessage,
  ): Promise<{ status: number; body: Record<string, unknown>; errorType?: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      return { status: 400, errorType: 'UnknownOperationException', body: { __type: 'UnknownOperationException' } };
    }
    const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
    const secret = SecretId === undefined ? undefined : this.secrets.get(SecretId);
    if (!SecretId || !secret) {
      const __type = 'ResourceNotFoundException';
      return { status: 400, errorType: __type, body: { __type, message: "Secrets Manager can't find the secret." } };
    }
    this.reads.push(SecretId);
    return {
      status: 200,
      body: {
        ARN: `arn:aws:secretsmanager:ap-northeast-2:000000000000:secret:${SecretId}`,
        Name: SecretId,
        VersionId: secret.versionId,
        SecretString: secret.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      },
    };
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}
