'use strict';
/**
 * The scenario canary's handler (CloudWatch Synthetics, Node.js runtime; no browser is started). Each run reads the
 * canary account's credentials from Secrets Manager and runs the product's smoke scenario (scripts/smoke/scenario.mjs,
 * bundled beside this file as scenario.mjs) against the public API: a step that fails throws, and so fails the run.
 *
 * CommonJS, so that `require` finds the AWS SDK the Lambda runtime ships (through NODE_PATH); the scenario is an ES
 * module and is loaded with import(). The password is never logged.
 */
const { GetSecretValueCommand, SecretsManagerClient } = require('@aws-sdk/client-secrets-manager');

/** The address of the secret's placeholder: the secret is created with it, and an operator puts the real account. */
const PLACEHOLDER_EMAIL = 'canary@example.invalid';

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** `{ email, password }` from the secret's JSON; throws, naming the secret, when it is malformed or a placeholder. */
async function readCredentials(secretId) {
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  let credentials;
  try {
    credentials = JSON.parse(SecretString ?? '');
  } catch {
    throw new Error(`the secret ${secretId} is not JSON of the form {"email": "...", "password": "..."}`);
  }
  const { email, password } = credentials ?? {};
  if (typeof email !== 'string' || !email || typeof password !== 'string' || !password) {
    throw new Error(`the secret ${secretId} needs a non-empty "email" and "password"`);
  }
  if (email === PLACEHOLDER_EMAIL) {
    throw new Error(
      `the secret ${secretId} still holds its placeholder: put the canary account in it (docs/deploy.md)`,
    );
  }
  return { email, password };
}

exports.handler = async () => {
  const baseUrl = requiredEnv('MODAK_BASE_URL');
  const { email, password } = await readCredentials(requiredEnv('MODAK_CANARY_SECRET_ID'));
  const { runScenario } = await import('./scenario.mjs');
  const started = Date.now();
  await runScenario({ baseUrl, email, password, log: (...parts) => console.log('[scenario]', ...parts) });
  return `the scenario passed against ${baseUrl} in ${Date.now() - started} ms`;
};
