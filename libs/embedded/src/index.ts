export * from './binaries.js';
export * from './postgres-cluster.js';
export * from './free-port.js';
export * from './redis-server.js';
