import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When an account was closed: its personal data is erased, the row stays for the posts and tasks that name it. */
export class UsersClosedAt1796464800000 implements MigrationInterface {
  name = 'UsersClosedAt1796464800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "closed_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "closed_at"`);
  }
}
