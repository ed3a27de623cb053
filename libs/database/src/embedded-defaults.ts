/** Where `npm start` runs its embedded PostgreSQL primary and replica (see @app/embedded). */
export const EMBEDDED_PORTS = { primary: 54320, replica: 54321 } as const;
export const EMBEDDED_CREDENTIALS = { user: 'modak', password: 'modak', database: 'modak' } as const;

const url = (port: number) =>
  `postgres://${EMBEDDED_CREDENTIALS.user}:${EMBEDDED_CREDENTIALS.password}@127.0.0.1:${port}/${EMBEDDED_CREDENTIALS.database}`;

export const EMBEDDED_PRIMARY_URL = url(EMBEDDED_PORTS.primary);
export const EMBEDDED_REPLICA_URL = url(EMBEDDED_PORTS.replica);
