import cookie from '@fastify/cookie';
import {
  ACCESS_LOGGER,
  AppError,
  AppLogger,
  codeForStatus,
  deriveKey,
  ErrorCode,
  PROBLEM_CONTENT_TYPE,
  problemType,
  replyWithProblem,
} from '@app/core';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ApiConfig } from './api.config.js';
import { AppModule, type ModuleImport } from './app.module.js';
import { ShutdownState } from './health/shutdown.state.js';
import { MetricsService } from './metrics/metrics.service.js';
import { API_PREFIX, setupOpenApi } from './http/openapi.document.js';
import { registerLoadShedding } from './http/load-shedding.plugin.js';
import { registerRequestContext } from './http/request-context.hooks.js';
import { registerRequestLog } from './http/request-log.hooks.js';
import { securityHeaders } from './http/security.headers.js';

/** Idle keep-alive sockets outlive the ALB's 60 s idle timeout, so the ALB never reuses a socket we closed. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const HEADERS_TIMEOUT_MS = 66_000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Requests Node rejects before Fastify sees them (headers over 16 KiB, a malformed request line, a timeout) still get
 * problem+json, with a fresh request id.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const requestId = randomUUID();
  const body = JSON.stringify({
    type: problemType(codeForStatus(status)),
    title: STATUS_CODES[status],
    status,
    detail: status === 431 ? 'The request headers are too large' : 'The request could not be read',
    code: codeForStatus(status),
    requestId,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Keeps a client's X-Request-Id when it is sane, so a trace spans the SPA, the ALB and us; otherwise a new UUID. */
function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Assembles the api without starting it (no connections are opened before `init()`), which is enough to generate its
 * OpenAPI document.
 */
export async function buildApiApp(
  config: ApiConfig,
  extraImports: ModuleImport[] = [],
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // Behind the ALB: trust exactly one hop of X-Forwarded-For.
    trustProxy: config.http.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    bodyLimit: config.http.bodyLimitBytes,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: 30_000,
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    genReqId: requestIdOf,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    // The router's own refusals (a malformed URL, an over-long path parameter) are problem+json like every other,
    // without echoing the URL.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) =>
      void replyWithProblem(request, reply, new AppError(ErrorCode.BadRequest, 'The request URL could not be read')),
    routerOptions: { maxParamLength: 200 },
    // No Nest middleware: every per-request step is a Fastify hook, so middie's extra pass over each request is saved.
    skipMiddie: true,
  });
  // Bodies are JSON only (Fastify's own parser, with the body limit): a form or text/plain body, which a foreign page
  // can send without a CORS preflight, answers 415 instead of reaching a route.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config, extraImports), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(AppLogger));

  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  fastify.server.headersTimeout = HEADERS_TIMEOUT_MS;
  registerRequestContext(fastify);
  const shutdown = app.get(ShutdownState);
  const headers = securityHeaders({
    hsts: config.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers).header('x-request-id', request.id);
    // While draining, every answer closes its connection so that no keep-alive socket outlives the shutdown.
    if (shutdown.isDraining) void reply.header('connection', 'close');
    done();
  });
  await registerLoadShedding(app, config.http.loadShedding);
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observe(request, reply);
    done();
  });
  registerRequestLog(fastify, app.get(ACCESS_LOGGER));

  // Signed cookies (the Kakao sign-in state) use a key derived from the JWT secret.
  await app.register(cookie, {
    secret: deriveKey('cookies', config.auth.jwtSecret),
  });
  // Anything under /auth may carry tokens: never cached, errors included.
  fastify.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith(`/${API_PREFIX}/auth`)) reply.header('cache-control', 'no-store');
  });
  app.enableCors({
    origin: config.http.corsOrigins,
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'Location', 'Idempotent-Replayed'],
    maxAge: 600,
  });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  setupOpenApi(app);
  return app;
}

/** Builds the whole api (not yet listening): the same setup in production, in `npm start` and in the tests. */
export async function createApiApp(
  config: ApiConfig,
  extraImports: ModuleImport[] = [],
): Promise<NestFastifyApplication> {
  const app = await buildApiApp(config, extraImports);
  await app.init();
  return app;
}

/**
 * Stops the api without failing a request: readiness answers 503 at once, then after `drainMs` (time for the load
 * balancer to stop sending) the server stops accepting, in-flight requests finish, and only then do the pools and
 * Redis close (Nest closes the HTTP server before its shutdown hooks).
 */
export async function shutDownGracefully(
  app: NestFastifyApplication,
  drainMs: number,
  closeTimeoutMs = 25_000,
): Promise<void> {
  app.get(ShutdownState).begin();
  await new Promise((resolve) => setTimeout(resolve, drainMs));
  const server = app.getHttpServer();
  // Sockets that were busy when closing began go idle later: close them as they do, and cut any left at the deadline.
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => server.closeAllConnections(), closeTimeoutMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweeper);
    clearTimeout(deadline);
  }
}
