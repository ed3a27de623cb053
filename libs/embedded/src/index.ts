export * from './binaries.js';
export * from './postgres-cluster.js';
