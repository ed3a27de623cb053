import pg from 'pg';

/** Reads the current password from where it is kept. */
export type PasswordRead = () => Promise<string>;

/**
 * The database password of a pool whose password rotates: handed to every new connection (pg asks for it each time),
 * read again once it is older than `maxAgeMs` or as soon as the server refused it, so that a rotation needs no restart.
 * Connections already open are not affected by a rotation (PostgreSQL checks a password only when a connection opens).
 * While the store cannot be read, the last password read keeps serving.
 */
export class RotatingPassword {
  private cached?: { value: string; readAt: number };
  private reading?: Promise<string>;

  constructor(
    private readonly read: PasswordRead,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The password for a new connection. */
  current(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() - cached.readAt < this.maxAgeMs) return Promise.resolve(cached.value);
    this.reading ??= this.read()
      .then(
        (value) => {
          this.cached = { value, readAt: this.now() };
          return value;
        },
        (error: unknown) => {
          if (cached) return cached.value;
          throw error;
        },
      )
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** The server refused the password (it was rotated): the next connection reads it again. */
  refused(): void {
    if (this.cached) this.cached = { ...this.cached, readAt: Number.NEGATIVE_INFINITY };
  }
}

/** Reads the `password` field of a Secrets Manager secret (JSON, as RDS and its rotation write it). */
export function secretsManagerPassword(secretId: string): PasswordRead {
  let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
  return async () => {
    // Loaded on first use: a process without a rotating password never loads the SDK.
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    client ??= new SecretsManagerClient({ maxAttempts: 2 });
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const password = (JSON.parse(SecretString ?? '{}') as { password?: unknown }).password;
    if (typeof password !== 'string' || password.length === 0) throw new Error(`${secretId} holds no password`);
    return password;
  };
}

/**
 * pg's Client, with `password` asked for at each connection. (A `password` option would not do: the password in a
 * connection URL wins over it, even an empty one.)
 */
export function clientWithPassword(password: RotatingPassword): typeof pg.Client {
  return class extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // pg calls a function-valued password before each authentication (Client#_getPassword).
      (this as { password?: unknown }).password = () => password.current();
    }
  };
}
