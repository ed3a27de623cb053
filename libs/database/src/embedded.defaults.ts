/** Where `npm start` runs its embedded PostgreSQL primary and replica (see @app/embedded). */
export const EMBEDDED_PORTS = { primary: 54320, replica: 54321 } as const;
/** The owner of the embedded database, which runs the migrations. */
export const EMBEDDED_CREDENTIALS = { user: 'modak', password: 'modak', database: 'modak' } as const;
/** The role the api logs in as (see app-role.grants.ts); the migrations create it. */
export const EMBEDDED_APP_ROLE = { user: 'modak_app', password: 'modak-app-local' } as const;

/** A URL of the embedded cluster's database, as `who`. */
export const embeddedUrl = (port: number, who: { user: string; password: string } = EMBEDDED_CREDENTIALS): string =>
  `postgres://${who.user}:${who.password}@127.0.0.1:${port}/${EMBEDDED_CREDENTIALS.database}`;

export const EMBEDDED_PRIMARY_URL = embeddedUrl(EMBEDDED_PORTS.primary);
