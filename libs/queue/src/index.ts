export * from './kakao.queue.js';
export * from './mail.seal.js';
export * from './mail.queue.js';
export * from './queue.connection.js';
export * from './queue.contract.js';
