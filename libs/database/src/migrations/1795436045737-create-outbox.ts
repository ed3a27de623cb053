import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOutbox1795436045737 implements MigrationInterface {
  name = 'CreateOutbox1795436045737';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(50) NOT NULL, "payload" jsonb NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "dispatched_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "outbox_pending_idx" ON "outbox"  ("created_at") WHERE "dispatched_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."outbox_pending_idx"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
  }
}
