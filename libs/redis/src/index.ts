export * from './rate.limiter.js';
export * from './redis.keys.js';
export * from './redis.client.js';
export * from './redis.config.js';
export * from './redis.module.js';
