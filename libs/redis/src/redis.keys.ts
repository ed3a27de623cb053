/** Builds namespaced keys: `<prefix>:<context>:<part>:...`, e.g. `modak:auth:session:<hash>`. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  key(context: string, ...parts: (string | number)[]): string {
    return [this.prefix, context, ...parts].join(':');
  }
}
