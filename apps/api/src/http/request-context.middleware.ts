import { requestContext } from '@app/core';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Opens the request context (request id, later the client's identity) around everything that serves the request. */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: IncomingMessage & { id?: string }, _res: ServerResponse, next: () => void): void {
    requestContext.run({ requestId: req.id ?? '' }, next);
  }
}
