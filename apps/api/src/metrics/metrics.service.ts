import { Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of this process: HTTP timings, Node's own, and the database pools and routing. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(database: Database) {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    const nodes = () => [database.primary, ...database.replicas];
    new Gauge({
      name: 'db_pool_connections',
      help: 'Connections in each PostgreSQL pool, by state',
      labelNames: ['node', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const node of nodes()) {
          const stats = node.poolStats();
          if (!stats) continue;
          this.set({ node: node.name, state: 'total' }, stats.total);
          this.set({ node: node.name, state: 'idle' }, stats.idle);
          // Works waiting for admission to the pool (the pool itself does not queue them).
          this.set({ node: node.name, state: 'waiting' }, stats.waiting);
        }
      },
    });
    const shedSeen = new Map<string, number>();
    new Counter({
      name: 'db_shed_total',
      help: 'Database works refused with 503 OVERLOADED because no client of the pool freed up within the wait bound',
      labelNames: ['node'],
      registers: [this.registry],
      collect() {
        for (const node of nodes()) {
          const shed = node.poolStats()?.shed;
          if (shed === undefined) continue;
          this.inc({ node: node.name }, shed - (shedSeen.get(node.name) ?? 0));
          shedSeen.set(node.name, shed);
        }
      },
    });
    new Gauge({
      name: 'db_node_up',
      help: '1 when the PostgreSQL node answers and is in rotation',
      labelNames: ['node'],
      registers: [this.registry],
      collect() {
        for (const node of nodes()) this.set({ node: node.name }, node.available ? 1 : 0);
      },
    });
    const seen = { replica: 0, primary: 0, fallback: 0 };
    new Counter({
      name: 'db_reads_total',
      help: 'Plain reads by the node that served them; fallback counts replica failures retried on the primary',
      labelNames: ['served_by'],
      registers: [this.registry],
      collect() {
        const { replicaReads, primaryReads, fallbacks } = database.counters;
        this.inc({ served_by: 'replica' }, replicaReads - seen.replica);
        this.inc({ served_by: 'primary' }, primaryReads - seen.primary);
        this.inc({ served_by: 'fallback' }, fallbacks - seen.fallback);
        Object.assign(seen, { replica: replicaReads, primary: primaryReads, fallback: fallbacks });
      },
    });
  }

  /** Called for every answered request (Fastify `onResponse`). Unmatched URLs share one label. */
  observe(request: FastifyRequest, reply: FastifyReply): void {
    this.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1_000,
    );
  }
}
