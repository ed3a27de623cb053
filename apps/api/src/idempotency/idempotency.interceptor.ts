import { AppError, ErrorCode, type AuthUser } from '@app/core';
import { Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { IdempotencyStore } from './idempotency.store.js';

const HEADER = 'idempotency-key';
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on a POST (IETF draft): the first request with a key runs and its answer is kept 24 h; the same
 * key with the same payload replays that answer, with another payload answers 422, and while the first is still in
 * flight answers 409. Keys belong to the caller, so two users never share one. Without Redis a request that carries a
 * key answers 503 with Retry-After: running it unguarded could create the duplicate the key exists to prevent.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const key = request.headers[HEADER];
    if (key === undefined) return next.handle();
    return from(this.handle(request, http.getResponse<FastifyReply>(), key, next));
  }

  private async handle(
    request: FastifyRequest & { user?: AuthUser },
    reply: FastifyReply,
    key: string | string[],
    next: CallHandler,
  ): Promise<unknown> {
    if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
      throw new AppError(ErrorCode.ValidationFailed, 'The request is not valid; see errors', {
        errors: [{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' }],
      });
    }
    const scope = request.user?.id ?? 'anonymous';
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.routeOptions.url ?? request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('base64url');
    const claim = await this.store.claim(scope, key, fingerprint);
    switch (claim.kind) {
      case 'other-payload':
        throw new AppError(ErrorCode.UnprocessableEntity, 'This Idempotency-Key was used with another request');
      case 'in-flight':
        throw new AppError(ErrorCode.Conflict, 'A request with this Idempotency-Key is still being processed', {
          headers: { 'retry-after': '1' },
        });
      case 'replay':
        reply.header('idempotent-replayed', 'true');
        return claim.answer.body;
      case 'claimed':
        break;
    }
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await this.store.release(scope, key).catch(() => undefined);
      throw error;
    }
    // The work is committed: failing to keep its answer must not turn it into an error that the client retries into a
    // duplicate. The claim stays in flight (409 to a retry) until it expires.
    await this.store
      .complete(scope, key, { body })
      .catch((error: Error) =>
        this.logger.warn(`could not keep the answer of an idempotent request: ${error.message}`),
      );
    return body;
  }
}
