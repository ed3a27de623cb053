import { KAKAO_LOCAL_REDIRECT_URI } from './kakao-stub.fixtures.js';
import { KakaoStub } from './kakao-stub.server.js';

// Runs the Kakao stub for local work: `KAKAO_STUB_PORT` (default 8089); `KAKAO_STUB_LOGIN_PAGE=0` approves logins
// as the full-consent user at once instead of showing the user picker.
const port = Number(process.env.KAKAO_STUB_PORT ?? 8089);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`KAKAO_STUB_PORT must be a port number, got ${process.env.KAKAO_STUB_PORT}`);
  process.exit(1);
}
const redirectUri = KAKAO_LOCAL_REDIRECT_URI;
const stub = await KakaoStub.start({
  port,
  redirectUris: [redirectUri],
  loginPage: process.env.KAKAO_STUB_LOGIN_PAGE !== '0',
});

console.log(`Kakao stub listening on ${stub.url}. Point the API at it with:\n`);
for (const [name, value] of Object.entries(stub.env(redirectUri))) console.log(`${name}=${value}`);
console.log(
  `\nTest controls: ${stub.url}/__stub/ (next-login, tokens, codes, delay, fail, fail-unlinks, unlinks, ` +
    'unlink-callback, rate-limit, requests, reset)',
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stub.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
