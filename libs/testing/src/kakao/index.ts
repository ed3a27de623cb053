export * from './kakao-stub.client.js';
export * from './kakao-stub.fixtures.js';
export { createPkcePair, pkceChallenge, type PkcePair } from './kakao-stub.pkce.js';
export * from './kakao-stub.server.js';
export * from './kakao-stub.types.js';
export { KAKAO_UNLINK_CALLBACK_TIMEOUT_MS } from './kakao-unlink.callback.js';
