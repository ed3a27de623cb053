import { Public } from '@app/core';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthService, type Readiness } from './health.service.js';

/** Probes for the load balancer and the orchestrator, outside /api/v1. */
@Public()
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** 200 while the process runs. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when the task can serve (ok or degraded); 503 when a required dependency is down or the task is draining. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const readiness = await this.health.readiness();
    reply.header('cache-control', 'no-store');
    if (readiness.status === 'unavailable' || readiness.status === 'draining') reply.status(503);
    return readiness;
  }
}
