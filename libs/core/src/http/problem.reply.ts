import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/problem.document.js';

const logger = new Logger('Problem');

/** Writes `error` as problem+json on `reply`; the one place that does, for Nest's filter and Fastify's own handlers. */
export function replyWithProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { problem, headers, unexpected } = toProblem(error, String(request.id));
  if (unexpected) {
    logger.error({ err: error, requestId: problem.requestId, route: request.routeOptions.url }, 'unhandled error');
  } else if (problem.status >= 500) {
    logger.warn({ err: error, requestId: problem.requestId, code: problem.code }, problem.detail);
  }
  if (reply.sent) return reply;
  return reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}
