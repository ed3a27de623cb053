import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signups waiting for their address to be proven no longer sit in `users` (they wait in Redis, each with its own
 * password, and the account is created when the address is proven). The rows left from before are such signups:
 * nobody could sign in to them, and whoever made one may not own its address, so they go. A task assigned to one is
 * left unassigned. Their owners sign up again. Not reversible: the rows are not kept.
 */
export class PendingSignupsLeaveUsers1796457600000 implements MigrationInterface {
  name = 'PendingSignupsLeaveUsers1796457600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const pending = `SELECT "id" FROM "users" WHERE "email_verified_at" IS NULL AND "password_hash" IS NOT NULL`;
    await queryRunner.query(`UPDATE "tasks" SET "assignee_id" = NULL WHERE "assignee_id" IN (${pending})`);
    await queryRunner.query(`DELETE FROM "users" WHERE "id" IN (${pending})`);
  }

  public async down(): Promise<void> {
    // Nothing to restore: the rows were signups that never became accounts.
  }
}
