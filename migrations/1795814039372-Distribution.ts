import { MigrationInterface, QueryRunner } from 'typeorm';

export class Distribution1795814039372 implements MigrationInterface {
  name = 'Distribution1795814039372';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "distribution_tree_chunk" ("distribution_id" uuid NOT NULL, "chunk" integer NOT NULL, "nodes" bytea NOT NULL, CONSTRAINT "PK_a1759216b929c9df099271caf1e" PRIMARY KEY ("distribution_id", "chunk"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "distribution" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "farm_id" uuid NOT NULL, "token" character(42) NOT NULL, "epoch" bigint NOT NULL, "revenue_report_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'draft', "gross" numeric(78,0) NOT NULL, "platform_fee_bps" integer NOT NULL, "platform_fee" numeric(78,0) NOT NULL, "revenue_share_bps" integer NOT NULL, "operator_share" numeric(78,0) NOT NULL, "uptime_bps" integer NOT NULL, "sla_uptime_bps" integer NOT NULL, "sla_met" boolean NOT NULL, "sla_penalty_bps" integer NOT NULL, "sla_penalty" numeric(78,0) NOT NULL, "operator_fee" numeric(78,0) NOT NULL, "holders_share" numeric(78,0) NOT NULL, "dust_in" numeric(78,0), "distributable" numeric(78,0), "snapshot_block" bigint, "snapshot_block_time" TIMESTAMP WITH TIME ZONE, "supply" numeric(78,0), "holders" integer, "accounts" integer, "processed_accounts" integer NOT NULL DEFAULT '0', "paid" numeric(78,0), "dust_out" numeric(78,0), "root" text, "total_cumulative" numeric(78,0), "funding" numeric(78,0), "computed_at" TIMESTAMP WITH TIME ZONE, "publish_attempts" integer NOT NULL DEFAULT '0', "publish_tx_id" bigint, "publish_tx_hash" text, "publish_failure" text, "published_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_distribution_report" UNIQUE ("revenue_report_id"), CONSTRAINT "uq_distribution_farm_epoch" UNIQUE ("farm_id", "epoch"), CONSTRAINT "ck_distribution_dust" CHECK ("paid" IS NULL OR "paid" + "dust_out" = "distributable"), CONSTRAINT "ck_distribution_split" CHECK ("platform_fee" + "operator_fee" + "holders_share" = "gross" AND "operator_fee" + "sla_penalty" = "operator_share" AND "holders_share" >= 0), CONSTRAINT "PK_187eaf203ccf9018df51b40108c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_distribution_status" ON "distribution"  ("status") `);
    await queryRunner.query(
      `CREATE TABLE "distribution_entitlement" ("distribution_id" uuid NOT NULL, "account" character(42) NOT NULL, "balance" numeric(78,0) NOT NULL, "amount" numeric(78,0) NOT NULL, "cumulative" numeric(78,0) NOT NULL, "position" integer, CONSTRAINT "ck_distribution_entitlement_amounts" CHECK ("amount" >= 0 AND "cumulative" >= "amount"), CONSTRAINT "PK_1998ad346616c5e7f0212aee384" PRIMARY KEY ("distribution_id", "account"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_distribution_entitlement_account" ON "distribution_entitlement"  ("account", "distribution_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "revenue_report" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "farm_id" uuid NOT NULL, "epoch" bigint NOT NULL, "amount" numeric(78,0) NOT NULL, "evidence_ref" text NOT NULL, "reported_by" uuid NOT NULL, "expected_amount" numeric(78,0) NOT NULL, "deviation_bps" numeric(78,0), "tolerance_bps" integer NOT NULL, "skipped_epochs" integer NOT NULL DEFAULT '0', "status" text NOT NULL, "reviewed_by" uuid, "review_reason" text, "reviewed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_revenue_report_amount" CHECK ("amount" >= 0), CONSTRAINT "PK_2544e7859ab23617e5b9d9df338" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_revenue_report_farm_epoch" ON "revenue_report"  ("farm_id", "epoch") WHERE "status" <> 'rejected'`,
    );
    // By hand: random hashes do not compress; store tree chunks out of line as they are.
    await queryRunner.query(
      `ALTER TABLE "distribution_tree_chunk" ALTER COLUMN "nodes" SET STORAGE EXTERNAL`,
    );
    // By hand: a wallet's claimed revenue (RevenueClaimed carries the cumulative amount claimed).
    await queryRunner.query(
      `CREATE INDEX "ix_chain_event_revenue_claim" ON "chain_event" ("address", ("args"->>'account')) WHERE "name" = 'RevenueClaimed'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_chain_event_revenue_claim"`);
    await queryRunner.query(`DROP INDEX "public"."uq_revenue_report_farm_epoch"`);
    await queryRunner.query(`DROP TABLE "revenue_report"`);
    await queryRunner.query(`DROP INDEX "public"."ix_distribution_entitlement_account"`);
    await queryRunner.query(`DROP TABLE "distribution_entitlement"`);
    await queryRunner.query(`DROP INDEX "public"."ix_distribution_status"`);
    await queryRunner.query(`DROP TABLE "distribution"`);
    await queryRunner.query(`DROP TABLE "distribution_tree_chunk"`);
  }
}
