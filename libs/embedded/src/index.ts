export * from './postgres.binaries.js';
export * from './postgres.cluster.js';
export * from './free-port.util.js';
export * from './redis.server.js';
