import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { clientNetwork } from './client-network.util.js';
import type { ClientInfo } from '../sessions/session.store.js';

/** The caller's address (the first hop before the ALB), its network for rate limits, and its user agent. */
export const Client = createParamDecorator((_data: unknown, context: ExecutionContext): ClientInfo => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return { ip: request.ip, network: clientNetwork(request.ip), userAgent: request.headers['user-agent'] ?? '' };
});
