import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTasks1795435515454 implements MigrationInterface {
  name = 'CreateTasks1795435515454';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."task_status" AS ENUM('TODO', 'IN_PROGRESS', 'DONE')`);
    await queryRunner.query(
      `CREATE TABLE "tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "creator_id" uuid NOT NULL, "assignee_id" uuid, "title" character varying(200) NOT NULL, "description" text NOT NULL DEFAULT '', "status" "public"."task_status" NOT NULL DEFAULT 'TODO', "due_at" TIMESTAMP(3) WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "tasks_creator_list_idx" ON "tasks"  ("creator_id", "created_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "tasks_assignee_list_idx" ON "tasks"  ("assignee_id", "created_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "tasks_list_idx" ON "tasks"  ("created_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."task_event_type" AS ENUM('CREATED', 'UPDATED', 'STATUS_CHANGED', 'ASSIGNED', 'DELETED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "task_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "task_id" uuid NOT NULL, "actor_id" uuid NOT NULL, "type" "public"."task_event_type" NOT NULL, "changes" jsonb NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5ad150da47d65e2346ff40169cd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "task_events_task_idx" ON "task_events"  ("task_id", "created_at", "id") `);
    await queryRunner.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "tasks_creator_id_fkey" FOREIGN KEY ("creator_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "tasks_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "task_events" ADD CONSTRAINT "task_events_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "task_events" ADD CONSTRAINT "task_events_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "task_events" DROP CONSTRAINT "task_events_actor_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "task_events" DROP CONSTRAINT "task_events_task_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "tasks_assignee_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "tasks_creator_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."task_events_task_idx"`);
    await queryRunner.query(`DROP TABLE "task_events"`);
    await queryRunner.query(`DROP TYPE "public"."task_event_type"`);
    await queryRunner.query(`DROP INDEX "public"."tasks_list_idx"`);
    await queryRunner.query(`DROP INDEX "public"."tasks_assignee_list_idx"`);
    await queryRunner.query(`DROP INDEX "public"."tasks_creator_list_idx"`);
    await queryRunner.query(`DROP TABLE "tasks"`);
    await queryRunner.query(`DROP TYPE "public"."task_status"`);
  }
}
