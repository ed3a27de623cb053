import { NotFoundError, Public } from '@app/core';
import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MetricsService } from './metrics.service.js';

@Public()
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /**
   * Prometheus text format, for scrapers inside the VPC. A request that came through the load balancer (it always
   * adds X-Forwarded-For) is answered as if the route did not exist, whatever path encoding it used to get here.
   */
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  async scrape(@Headers('x-forwarded-for') forwardedFor?: string): Promise<string> {
    if (forwardedFor !== undefined) throw new NotFoundError('Route');
    return this.metrics.registry.metrics();
  }
}
