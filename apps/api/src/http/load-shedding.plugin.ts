import underPressure from '@fastify/under-pressure';
import { OverloadedError, PROBLEM_CONTENT_TYPE, toProblem } from '@app/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { getHeapStatistics } from 'node:v8';

export interface LoadSheddingConfig {
  /** Mean event-loop delay over a sample (ms) past which new requests are refused; 0 turns the check off. */
  maxEventLoopDelayMs: number;
  /** Heap in use, as a percentage of V8's heap limit, past which new requests are refused; 0 turns it off. */
  maxHeapUsedPercent: number;
}

/** Probes and scrapes always answer: readiness must tell draining from busy, and a busy task is still healthy. */
const EXEMPT = /^\/(health|metrics)(\/|$)/;

/**
 * Sheds load at the door, before any work is done for a request: while the event loop lags or the heap nears V8's
 * limit (sampled twice a second by @fastify/under-pressure), new requests answer 503 OVERLOADED with Retry-After at
 * once, as the database admission does for a busy pool. Requests already in flight finish. Register it after the
 * hooks that every answer needs (the request id).
 */
export async function registerLoadShedding(app: NestFastifyApplication, config: LoadSheddingConfig): Promise<void> {
  const heapLimit = getHeapStatistics().heap_size_limit;
  await app.register(underPressure, {
    sampleInterval: 500,
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    maxHeapUsedBytes: Math.floor((heapLimit * config.maxHeapUsedPercent) / 100),
    // Answering here ends the request: Fastify skips parsing and the route once a reply is sent.
    pressureHandler: (request: FastifyRequest, reply: FastifyReply, type: string) => {
      if (EXEMPT.test(request.url)) return;
      const { problem, headers } = toProblem(new OverloadedError(`process:${type}`), String(request.id));
      void reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
    },
  });
}
