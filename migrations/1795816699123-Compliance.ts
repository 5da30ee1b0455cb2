import { MigrationInterface, QueryRunner } from 'typeorm';

export class Compliance1795816699123 implements MigrationInterface {
  name = 'Compliance1795816699123';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "enforcement_action" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "farm_id" uuid NOT NULL, "token" character(42) NOT NULL, "kind" text NOT NULL, "params" jsonb NOT NULL, "reason" text NOT NULL, "requested_by" uuid NOT NULL, "idempotency_key" text NOT NULL, "request_hash" character(64) NOT NULL, "status" text NOT NULL DEFAULT 'pending', "chain_tx_id" bigint, "tx_hash" text, "failure" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_enforcement_action_key" UNIQUE ("requested_by", "idempotency_key"), CONSTRAINT "ck_enforcement_action_status" CHECK ("status" IN ('pending', 'confirmed', 'failed')), CONSTRAINT "ck_enforcement_action_kind" CHECK ("kind" IN ('wallet-freeze', 'token-freeze', 'forced-transfer', 'wallet-recovery', 'pause', 'unpause')), CONSTRAINT "PK_628bb9b94668d4be2aca50758ad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_enforcement_action_chain_tx" ON "enforcement_action"  ("chain_tx_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_enforcement_action_farm" ON "enforcement_action"  ("farm_id", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "indexed_block" ADD "block_time" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_entry_occurred_at" ON "audit_entry"  ("occurred_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_entry_action" ON "audit_entry"  ("action", "sequence") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_entry_subject" ON "audit_entry"  ("subject", "sequence") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_entry_actor" ON "audit_entry"  ("actor", "sequence") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_indexed_block_time" ON "indexed_block"  ("block_time") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_indexed_block_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_entry_actor"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_entry_subject"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_entry_action"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_entry_occurred_at"`);
    await queryRunner.query(`ALTER TABLE "indexed_block" DROP COLUMN "block_time"`);
    await queryRunner.query(`DROP INDEX "public"."ix_enforcement_action_farm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_enforcement_action_chain_tx"`);
    await queryRunner.query(`DROP TABLE "enforcement_action"`);
  }
}
