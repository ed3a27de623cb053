import { type DynamicModule, Inject, Injectable, type LoggerService, Module } from '@nestjs/common';
import pino, { type Logger as Pino } from 'pino';
import { requestContext } from '../context/request.context.js';

export interface LoggingOptions {
  level: string;
  /** Name of the process, written on every line (`api`, `worker`). */
  service: string;
  /**
   * Readable lines for a person at a terminal (pino-pretty, a development dependency): development only. Otherwise,
   * as in production, one JSON object a line, which CloudWatch reads (embedded metrics included).
   */
  pretty?: boolean;
}

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
export const ACCESS_LOGGER = Symbol('ACCESS_LOGGER');

/** Where a secret could sit in a logged object: never written, whatever logs it. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.refreshToken',
  '*.accessToken',
];

/**
 * The process's pino logger: JSON lines with the service name, and the request id of the request being served on
 * every line written while serving it (read from the request context, so no per-request child logger is built).
 */
export function createRootLogger(options: LoggingOptions): Pino {
  return pino({
    ...lineFormat(options),
    mixin: (line: object) => {
      const requestId = requestContext.current()?.requestId;
      return requestId && !('requestId' in line) ? { requestId } : {};
    },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}

/**
 * The access log's writer: the same lines without the redaction pass and the mixin, which cost more than the rest of
 * writing a line. Its one caller writes the request id itself and never a secret (no headers, no body; a URL's secret
 * parameters are cut before it is logged).
 */
export function createAccessLogger(options: LoggingOptions): Pino {
  return pino(lineFormat(options));
}

export const lineFormat = (options: LoggingOptions) => ({
  level: options.level,
  base: { service: options.service },
  messageKey: 'msg',
  ...(options.pretty && {
    transport: {
      target: 'pino-pretty',
      options: {
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service,context',
        messageFormat: '{service} {context}: {msg}',
        messageKey: 'msg',
      },
    },
  }),
});

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's logger interface over pino. Nest's `Logger` passes the instance's context as the last parameter; a first
 * argument that is an object is merged into the line (`logger.warn({ userId }, 'message')`), an Error goes under `err`.
 */
@Injectable()
export class AppLogger implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly pino: Pino) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let rest = params;
    if (params.length > 0) {
      fields.context = params.at(-1);
      rest = params.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, message.message, ...rest);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message }, ...(rest as [string]));
    } else if (level === 'error' && typeof rest[0] === 'string' && rest[0].includes('\n    at ')) {
      // Nest's own exception handlers call error(message, stack, context).
      const err = new Error(String(message));
      err.stack = rest[0];
      this.pino.error({ ...fields, err });
    } else {
      this.pino[level](fields, String(message), ...rest);
    }
  }
}

/** Pino JSON logs with the request id on every line of a request; secrets and tokens are redacted. */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: [
        { provide: ROOT_LOGGER, useValue: createRootLogger(options) },
        { provide: ACCESS_LOGGER, useValue: createAccessLogger(options) },
        AppLogger,
      ],
      exports: [ROOT_LOGGER, ACCESS_LOGGER, AppLogger],
    };
  }
}
