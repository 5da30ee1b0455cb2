import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tokenization requests wait for compliance: `requested` and `rejected` states, the decision
 * (who, when, why), and no outbox transaction until the request is approved.
 */
export class TokenizationReview1795820000000 implements MigrationInterface {
  name = 'TokenizationReview1795820000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "farm_token" DROP CONSTRAINT "ck_farm_token_status"`);
    await queryRunner.query(`ALTER TABLE "farm_token" ADD "decided_by" uuid`);
    await queryRunner.query(`ALTER TABLE "farm_token" ADD "decided_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "farm_token" ADD "decision_reason" text`);
    await queryRunner.query(`ALTER TABLE "farm_token" ALTER COLUMN "chain_tx_id" DROP NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "farm_token" ALTER COLUMN "status" SET DEFAULT 'requested'`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm_token" ADD CONSTRAINT "ck_farm_token_status" CHECK ("status" IN ('requested', 'rejected', 'pending', 'confirmed', 'failed'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm_token" ADD CONSTRAINT "ck_farm_token_chain_tx" CHECK ("status" IN ('requested', 'rejected') OR "chain_tx_id" IS NOT NULL)`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm_token" ADD CONSTRAINT "ck_farm_token_rejection_reason" CHECK ("status" <> 'rejected' OR "decision_reason" IS NOT NULL)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Requests never sent to the chain have no place in the old table.
    await queryRunner.query(`DELETE FROM "farm_token" WHERE "status" IN ('requested', 'rejected')`);
    await queryRunner.query(
      `ALTER TABLE "farm_token" DROP CONSTRAINT "ck_farm_token_rejection_reason"`,
    );
    await queryRunner.query(`ALTER TABLE "farm_token" DROP CONSTRAINT "ck_farm_token_chain_tx"`);
    await queryRunner.query(`ALTER TABLE "farm_token" DROP CONSTRAINT "ck_farm_token_status"`);
    await queryRunner.query(
      `ALTER TABLE "farm_token" ADD CONSTRAINT "ck_farm_token_status" CHECK ("status" IN ('pending', 'confirmed', 'failed'))`,
    );
    await queryRunner.query(`ALTER TABLE "farm_token" ALTER COLUMN "status" SET DEFAULT 'pending'`);
    await queryRunner.query(`ALTER TABLE "farm_token" ALTER COLUMN "chain_tx_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "farm_token" DROP COLUMN "decision_reason"`);
    await queryRunner.query(`ALTER TABLE "farm_token" DROP COLUMN "decided_at"`);
    await queryRunner.query(`ALTER TABLE "farm_token" DROP COLUMN "decided_by"`);
  }
}
