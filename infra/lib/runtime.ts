import { Duration } from 'aws-cdk-lib';

/**
 * What the infrastructure relies on about the image built from docker/Dockerfile and the app inside it.
 * Changing one of these in the app means changing it here.
 */
export const APP_PORT = 3000;
export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
/** SES SMTP submission with STARTTLS: SMTP_URL must name this port. */
export const SMTP_PORT = 587;
export const DATABASE_NAME = 'modak';
export const DATABASE_USER = 'modak';

/** 200 when the task can serve, 503 when a required dependency is down or the task is draining (the ALB's check). */
export const READINESS_PATH = '/health/ready';
/**
 * Prometheus metrics of the api, for a scraper inside the VPC (none runs in this stack: the alarms read the embedded
 * metrics below); the ALB answers 404 for it (and anything below it).
 */
export const METRICS_PATH = '/metrics';

/**
 * The CloudWatch namespace of the metrics the processes write as embedded-metric log lines (libs/core
 * METRICS_NAMESPACE), which CloudWatch extracts from the tasks' logs: the worker's `WorkerHeartbeat`, and per queue
 * (dimension `Queue`) `QueueBacklog` and `QueueFailedJobs`, each once a minute; the api's `OutboxOldestAgeSeconds`,
 * once a minute per task.
 */
export const METRICS_NAMESPACE = 'Modak';
/** The queues of the worker (libs/queue QueueName), the values of the `Queue` dimension. */
export const QUEUES = ['mail', 'kakao'] as const;

/**
 * Connections each api task opens to each PostgreSQL node, at most: its pool (DATABASE_POOL_SIZE, the app's default,
 * which the task definitions leave alone) and the connection of the node's health probe, which sits outside the pool.
 */
export const DATABASE_POOL_SIZE = 10;
export const DATABASE_CONNECTIONS_PER_TASK = DATABASE_POOL_SIZE + 1;

/**
 * Graceful shutdown of the api: on SIGTERM readiness fails for SHUTDOWN_DRAIN, then the server stops accepting and
 * lets in-flight requests finish. The target group's deregistration delay covers the drain; the container's stop
 * timeout (before SIGKILL) is above both.
 */
export const SHUTDOWN_DRAIN = Duration.seconds(15);
export const DEREGISTRATION_DELAY = Duration.seconds(30);
export const STOP_TIMEOUT = Duration.seconds(45);
/** The ALB's idle timeout; the app's keep-alive timeout (65 s) must stay above it. */
export const LOAD_BALANCER_IDLE_TIMEOUT = Duration.seconds(60);

/**
 * The V8 heap bounds of every process, as docker/Dockerfile's ENV sets them (a test checks they agree): the task
 * definitions set them too, so that the heap a task runs with is in its definition, next to its memory.
 */
export const NODE_OPTIONS = '--max-old-space-size=160 --max-semi-space-size=8';

/** The image's entrypoint commands (docker/entrypoint.mjs). */
export const COMMANDS = {
  api: ['api'],
  worker: ['worker'],
  migrate: ['migrate', 'run'],
} as const;

/** The image's container health check (GET /health/live), given to ECS too, which ignores the image's HEALTHCHECK. */
export const HEALTHCHECK_COMMAND = ['CMD', 'node', '/app/healthcheck.mjs'];
/**
 * The worker's container health check: the same script probes the worker's loopback health port (WORKER_HEALTH_PORT,
 * 3001 by default), which answers 503 once a queue is no longer consumed.
 */
export const WORKER_HEALTHCHECK_COMMAND = [...HEALTHCHECK_COMMAND, 'worker'];
