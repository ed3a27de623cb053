export * from './factories/index.js';
export * from './kakao/index.js';
export * from './migrated.cluster.js';
export * from './smtp.sink.js';
export * from './test.stack.js';
export { RedisServer, type RedisServerOptions } from '@app/embedded';
export * from './secrets-manager.stub.js';
