export { Idempotent } from './idempotency.decorator.js';
export { IdempotencyModule } from './idempotency.module.js';
