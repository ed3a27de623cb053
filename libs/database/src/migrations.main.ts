/**
 * Schema migrations: `run` (then creates or updates the app's login role, DATABASE_APP_USER and DATABASE_APP_PASSWORD,
 * and grants it the app's privileges: see app-role.grants.ts), `revert`, `generate <Name>` (writes a migration from the difference between the entities
 * and the database) and `check` (fails when migrations are pending or the entities differ from the migrated schema).
 * Uses DATABASE_URL (the owner of the schema), or the embedded development primary that `npm start` runs.
 */
import { coreEnv, parseEnv } from '@app/core';
import { Logger } from '@nestjs/common';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { appRoleEnv, appRoleFrom, grantAppRole } from './app-role.grants.js';
import { databaseConfigFrom, databaseEnv } from './database.config.js';
import { createDataSource } from './data-source.factory.js';
import { EMBEDDED_PRIMARY_URL } from './embedded.defaults.js';

const MIGRATIONS_DIR = path.resolve('libs/database/src/migrations');

async function main(): Promise<number> {
  Logger.overrideLogger(['log', 'warn', 'error', 'fatal']);
  const [command, name] = process.argv.slice(2);
  const fallback = process.env.NODE_ENV === 'production' ? {} : { DATABASE_URL: EMBEDDED_PRIMARY_URL };
  const env = parseEnv({ ...fallback, ...process.env }, coreEnv, databaseEnv);
  const dataSource = createDataSource(env.DATABASE_URL, 'primary', databaseConfigFrom(env, 'modak-migrations'));
  await dataSource.initialize();
  try {
    switch (command) {
      case 'run': {
        const role = appRoleFrom(parseEnv({ ...fallback, ...process.env }, coreEnv, appRoleEnv));
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'schema is up to date');
        await dataSource.transaction((manager) => grantAppRole((text, params) => manager.query(text, params), role));
        console.log(`role ${role.user}: privileges granted`);
        return 0;
      }
      case 'revert':
        await dataSource.undoLastMigration({ transaction: 'each' });
        return 0;
      case 'generate':
        return await generate(dataSource, name);
      case 'check':
        return await check(dataSource);
      default:
        console.error('usage: migrations run | revert | generate <PascalCaseName> | check');
        return 2;
    }
  } finally {
    await dataSource.destroy();
  }
}

async function pendingSql(dataSource: DataSource): Promise<{ up: string[]; down: string[] }> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return {
    up: sql.upQueries.map((query) => query.query),
    down: sql.downQueries.map((query) => query.query).reverse(),
  };
}

async function check(dataSource: DataSource): Promise<number> {
  if (await dataSource.showMigrations()) {
    console.error('migration check failed: migrations are pending; run `npm run migration:run` first');
    return 1;
  }
  const { up } = await pendingSql(dataSource);
  if (up.length > 0) {
    console.error(`migration check failed: the entities differ from the migrated schema:\n${up.join(';\n')}`);
    console.error('write a migration: npm run migration:generate -- <Name>');
    return 1;
  }
  console.log('migration check passed: entities and migrations agree');
  return 0;
}

async function generate(dataSource: DataSource, name: string | undefined): Promise<number> {
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
    console.error('usage: migrations generate <PascalCaseName>');
    return 2;
  }
  const { up, down } = await pendingSql(dataSource);
  if (up.length === 0) {
    console.log('no changes: the entities match the schema');
    return 0;
  }
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const fileBase = `${timestamp}-${name.replace(/([a-z\d])([A-Z])/g, '$1-$2').toLowerCase()}`;
  const statements = (queries: string[]) =>
    queries
      .map((q) => `    await queryRunner.query(\`${q.replace(/[`\\]/g, '\\$&').replace(/\$\{/g, '\\${')}\`);`)
      .join('\n');
  const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${statements(up)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${statements(down)}
  }
}
`;
  await writeFile(path.join(MIGRATIONS_DIR, `${fileBase}.ts`), source);
  const indexPath = path.join(MIGRATIONS_DIR, 'index.ts');
  const index = await readFile(indexPath, 'utf8');
  const withImport = index.replace(
    /(\nexport const MIGRATIONS)/,
    `import { ${className} } from './${fileBase}.js';\n$1`,
  );
  await writeFile(
    indexPath,
    withImport.replace(
      /\[([^\]]*)\];/,
      (_, list: string) => `[${list.trim() ? `${list.trim().replace(/,$/, '')}, ` : ''}${className}];`,
    ),
  );
  console.log(`wrote libs/database/src/migrations/${fileBase}.ts (run prettier and read it before committing)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`migration failed: ${error.message}`);
    process.exit(1);
  },
);
