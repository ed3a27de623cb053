import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';

/** Load-balancer probes and scrapes every few seconds would drown the log. */
const UNLOGGED = /^\/(health|metrics)(\/|\?|$)/;
/** Query parameters that may carry a secret (the Kakao callback's code and state, a token by mistake). */
const SECRET_PARAMETERS = /([?&](code|state|token|access_token|refresh_token)=)[^&]*/gi;

/**
 * One JSON line per answered request (`request completed`, with the method, the URL without secrets, the status and
 * the time taken), written straight from Fastify's `onResponse`: no per-request child logger, no middleware.
 */
export function registerRequestLog(fastify: FastifyInstance, logger: Pino): void {
  if (!logger.isLevelEnabled('info')) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    const { url } = request;
    if (!UNLOGGED.test(url)) {
      logger.info(
        {
          requestId: request.id,
          req: {
            method: request.method,
            url: url.includes('?') ? url.replace(SECRET_PARAMETERS, '$1[redacted]') : url,
          },
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    }
    done();
  });
}
