import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LoggingOptions {
  level: string;
  /** Name of the process, written on every line (`api`, `worker`). */
  service: string;
}

/** Pino JSON logs with the request id on every line of a request; secrets and tokens are redacted. */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        PinoLoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            messageKey: 'msg',
            // Fastify has already chosen the id (echoed X-Request-Id or a new UUID) and middie copies it onto req.
            genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
            customAttributeKeys: { reqId: 'requestId' },
            quietReqLogger: true,
            // Load-balancer probes and scrapes every few seconds would drown the log.
            autoLogging: {
              ignore: (req: IncomingMessage & { originalUrl?: string }) =>
                /^\/(health|metrics)/.test(req.originalUrl ?? req.url ?? ''),
            },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                method: req.method,
                url: req.url.replace(/([?&](code|state|token|access_token|refresh_token)=)[^&]*/gi, '$1[redacted]'),
              }),
              res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
            },
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'res.headers["set-cookie"]',
                '*.password',
                '*.refreshToken',
                '*.accessToken',
              ],
              censor: '[redacted]',
            },
          },
        }),
      ],
    };
  }
}
