import { requestContext, type RequestContext } from '@app/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const CONTEXT = Symbol('modak.requestContext');

type WithContext = FastifyRequest & { [CONTEXT]?: RequestContext };

/**
 * Opens the request context (request id, route template; later the client's identity) around everything that serves
 * the request. Fastify runs the body parser's continuation in the socket's async context, not the hook's, so the
 * context is entered again before validation (as @fastify/request-context does).
 */
export function registerRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: WithContext, _reply, done) => {
    const route = request.routeOptions.url;
    const context: RequestContext = {
      requestId: String(request.id),
      route: route === undefined ? undefined : `${request.method} ${route}`,
    };
    request[CONTEXT] = context;
    requestContext.run(context, done);
  });
  fastify.addHook('preValidation', (request: WithContext, _reply, done) => {
    const context = request[CONTEXT];
    if (!context || requestContext.current() === context) return done();
    requestContext.run(context, done);
  });
}
