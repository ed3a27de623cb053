import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBoards1795433010155 implements MigrationInterface {
  name = 'CreateBoards1795433010155';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "boards" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "author_id" uuid NOT NULL, "title" character varying(200) NOT NULL, "content" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_606923b0b068ef262dfdcd18f44" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "boards_author_list_idx" ON "boards"  ("author_id", "created_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "boards_list_idx" ON "boards"  ("created_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "boards" ADD CONSTRAINT "boards_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "boards" DROP CONSTRAINT "boards_author_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."boards_list_idx"`);
    await queryRunner.query(`DROP INDEX "public"."boards_author_list_idx"`);
    await queryRunner.query(`DROP TABLE "boards"`);
  }
}
