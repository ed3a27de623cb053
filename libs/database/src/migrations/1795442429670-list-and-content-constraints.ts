import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ListAndContentConstraints1795442429670 implements MigrationInterface {
  name = 'ListAndContentConstraints1795442429670';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "created_at" TYPE TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "users_list_idx" ON "users"  ("created_at", "id") `);
    await queryRunner.query(
      `ALTER TABLE "boards" ADD CONSTRAINT "boards_content_length" CHECK (char_length("content") BETWEEN 1 AND 20000)`,
    );
    await queryRunner.query(
      `ALTER TABLE "boards" ADD CONSTRAINT "boards_title_length" CHECK (char_length("title") BETWEEN 1 AND 200)`,
    );
    await queryRunner.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "tasks_description_length" CHECK (char_length("description") <= 20000)`,
    );
    await queryRunner.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "tasks_title_length" CHECK (char_length("title") BETWEEN 1 AND 200)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "tasks_title_length"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "tasks_description_length"`);
    await queryRunner.query(`ALTER TABLE "boards" DROP CONSTRAINT "boards_title_length"`);
    await queryRunner.query(`ALTER TABLE "boards" DROP CONSTRAINT "boards_content_length"`);
    await queryRunner.query(`DROP INDEX "public"."users_list_idx"`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "created_at" TYPE TIMESTAMP(6) WITH TIME ZONE`);
  }
}
