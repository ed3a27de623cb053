import { z } from 'zod';

/** Thrown when the environment does not describe a runnable process; its message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** A URL whose scheme is one of `protocols`. */
export const urlVar = (...protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a ${protocols.map((p) => `${p}://`).join(' or ')} URL` },
  );

/** A comma-separated list, empty entries dropped. */
export const listVar = (item: z.ZodType<string, string>) =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    )
    .pipe(z.array(item));

/** An integer in [min, max]. */
export const intVar = (fallback: number, min: number, max: number) =>
  z.coerce.number({ message: 'must be an integer' }).int('must be an integer').min(min).max(max).default(fallback);

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** A rate limit written `<count>/<duration>`, e.g. `10/15m`: at most 10 events per 15 minutes. */
export const rateVar = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,6}\/\d{1,4}[smh]$/, 'must be <count>/<duration>, e.g. 10/15m')
    .default(fallback)
    .transform((value) => {
      const [, count, amount, unit] = /^(\d+)\/(\d+)([smh])$/.exec(value)!;
      return { limit: Number(count), windowMs: Number(amount) * DURATION_UNITS[unit] };
    });

export const boolVar = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

/** What a variable is for, and its default as a person reads it when the value alone would not say (README). */
export type VarDoc = string | { meaning: string; default: string };

/** One piece of the environment: the variables a lib or app owns and the names that have embedded defaults. */
export interface EnvPiece<S extends z.ZodRawShape> {
  shape: S;
  /** Variables whose defaults only make sense on a laptop; production must set them. */
  embeddedDefaults?: readonly string[];
  /** Every variable's documentation: the README's configuration table is generated from it (env.docs.ts). */
  docs: Readonly<Record<string, VarDoc>>;
}

export const envPiece = <S extends z.ZodRawShape>(piece: EnvPiece<S>): EnvPiece<S> => piece;

type OutputOf<P> = P extends { shape: infer S extends z.ZodRawShape } ? z.infer<z.ZodObject<S>> : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** The typed result of {@link parseEnv}: every piece's variables, parsed. */
export type ParsedEnv<P extends readonly EnvPiece<z.ZodRawShape>[]> = UnionToIntersection<OutputOf<P[number]>>;

export const coreEnv = envPiece({
  shape: {
    NODE_ENV: z.enum(NODE_ENVS, { message: `must be one of ${NODE_ENVS.join(', ')}` }).default('development'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be a pino level' })
      .default('info'),
  },
  docs: {
    NODE_ENV: '`development`, `test` or `production`',
    LOG_LEVEL: 'pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
  },
});

/**
 * Validates `env` against the pieces. Empty strings count as unset. Throws a {@link ConfigError} naming the first
 * variable that is missing or malformed, and, in production, any variable that would fall back to an embedded default.
 */
export function parseEnv<const P extends readonly EnvPiece<z.ZodRawShape>[]>(env: Env, ...pieces: P): ParsedEnv<P> {
  const shape = Object.assign({}, ...pieces.map((piece) => piece.shape)) as z.ZodRawShape;
  const present = Object.fromEntries(
    Object.keys(shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const result = z.object(shape).safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const reason = issue?.code === 'invalid_type' && present[variable] === undefined ? 'is required' : issue?.message;
    throw new ConfigError(variable, reason ?? 'is invalid');
  }
  if (result.data.NODE_ENV === 'production') {
    for (const variable of pieces.flatMap((piece) => piece.embeddedDefaults ?? [])) {
      if (present[variable] === undefined) {
        throw new ConfigError(variable, 'must be set when NODE_ENV=production (embedded defaults are for development)');
      }
    }
  }
  return result.data as ParsedEnv<P>;
}
