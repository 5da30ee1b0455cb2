import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issuance: offerings (with the CHECK that makes an oversell impossible), each investor's
 * allocation in an offering, investors' orders, the stored first responses of idempotent
 * requests, and the cursor of chain-event consumers. By hand: expression indexes on indexed events
 * for the order's eligibility checks (the registry entry of a wallet, a wallet's freeze on a token).
 */
export class Issuance1795794638766 implements MigrationInterface {
  name = 'Issuance1795794638766';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "chain_event_consumer" ("name" text NOT NULL, "last_block" bigint NOT NULL DEFAULT '0', "last_log_index" integer NOT NULL DEFAULT '-1', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6400e776ff8afe63ea9ff4aaf65" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotent_request" ("user_id" uuid NOT NULL, "key" text NOT NULL, "request_hash" character(64) NOT NULL, "status_code" smallint NOT NULL, "response" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d102a740f526ebbb2d7c917aae9" PRIMARY KEY ("user_id", "key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "offering" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "farm_id" uuid NOT NULL, "token_address" character(42) NOT NULL, "price_per_fraction" numeric(78,0) NOT NULL, "fractions_offered" bigint NOT NULL, "remaining" bigint NOT NULL, "min_per_investor" bigint NOT NULL, "max_per_investor" bigint NOT NULL, "opens_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closes_at" TIMESTAMP WITH TIME ZONE NOT NULL, "payment_window_seconds" integer NOT NULL, "settlement_window_seconds" integer NOT NULL, "status" text NOT NULL DEFAULT 'draft', "version" integer NOT NULL DEFAULT '0', "chain_tx_id" bigint, "failure_reason" text, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "opened_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_offering_window" CHECK ("closes_at" > "opens_at"), CONSTRAINT "ck_offering_per_investor" CHECK ("min_per_investor" >= 1 AND "max_per_investor" >= "min_per_investor" AND "max_per_investor" <= "fractions_offered"), CONSTRAINT "ck_offering_price" CHECK ("price_per_fraction" > 0), CONSTRAINT "ck_offering_remaining" CHECK ("remaining" >= 0 AND "remaining" <= "fractions_offered"), CONSTRAINT "ck_offering_status" CHECK ("status" IN ('draft', 'opening', 'open', 'closed')), CONSTRAINT "PK_d42d2720ff82f75aae518b9347c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_9003c0c3252f3015a2dc4b4895" ON "offering"  ("farm_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_055ff821e2109cef0b6cd7f4e3" ON "offering"  ("chain_tx_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_offering_live_per_token" ON "offering"  ("token_address") WHERE "status" IN ('opening', 'open')`,
    );
    await queryRunner.query(
      `CREATE TABLE "investment_order" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "offering_id" uuid NOT NULL, "investor_id" uuid NOT NULL, "wallet" character(42) NOT NULL, "token_address" character(42) NOT NULL, "chain_order_id" character(66) NOT NULL, "fractions" bigint NOT NULL, "price_per_fraction" numeric(78,0) NOT NULL, "amount" numeric(78,0) NOT NULL, "status" text NOT NULL DEFAULT 'reserved', "reserved_until" TIMESTAMP WITH TIME ZONE NOT NULL, "paid_at" TIMESTAMP WITH TIME ZONE, "payment_tx_hash" character(66), "settlement_deadline" TIMESTAMP WITH TIME ZONE, "chain_tx_id" bigint, "settled_at" TIMESTAMP WITH TIME ZONE, "settled_block" bigint, "settlement_tx_hash" character(66), "failure_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_bce37ea1b5b2868d39d01853520" UNIQUE ("chain_order_id"), CONSTRAINT "ck_investment_order_amount" CHECK ("amount" = "fractions" * "price_per_fraction"), CONSTRAINT "ck_investment_order_fractions" CHECK ("fractions" > 0), CONSTRAINT "ck_investment_order_status" CHECK ("status" IN ('reserved', 'paid', 'settled', 'expired', 'cancelled', 'failed', 'refundable', 'refunded')), CONSTRAINT "PK_c518132a690f328a9e1abaf5ab0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_83df936a77976dc6559b2124c6" ON "investment_order"  ("chain_tx_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_investment_order_settlement_deadline" ON "investment_order"  ("settlement_deadline") WHERE "status" = 'paid'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_investment_order_reserved_until" ON "investment_order"  ("reserved_until") WHERE "status" = 'reserved'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_investment_order_token_wallet" ON "investment_order"  ("token_address", "wallet") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_investment_order_investor" ON "investment_order"  ("investor_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_investment_order_offering_investor" ON "investment_order"  ("offering_id", "investor_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "offering_allocation" ("offering_id" uuid NOT NULL, "investor_id" uuid NOT NULL, "ordered" bigint NOT NULL, CONSTRAINT "ck_offering_allocation_ordered" CHECK ("ordered" >= 0), CONSTRAINT "PK_d5d619a511ee245679d0aeb9b63" PRIMARY KEY ("offering_id", "investor_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_chain_event_registry_wallet" ON "chain_event" (("args"->>'wallet'), "address", "block_number" DESC, "log_index" DESC) WHERE "contract" = 'IdentityRegistry'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_chain_event_frozen_account" ON "chain_event" ("address", ("args"->>'account'), "block_number" DESC, "log_index" DESC) WHERE "name" = 'WalletFrozen'`,
    );
    await queryRunner.query(
      `ALTER TABLE "offering" ADD CONSTRAINT "fk_offering_farm" FOREIGN KEY ("farm_id") REFERENCES "farm"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "investment_order" ADD CONSTRAINT "fk_investment_order_offering" FOREIGN KEY ("offering_id") REFERENCES "offering"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "investment_order" ADD CONSTRAINT "fk_investment_order_investor" FOREIGN KEY ("investor_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "investment_order" DROP CONSTRAINT "fk_investment_order_investor"`,
    );
    await queryRunner.query(
      `ALTER TABLE "investment_order" DROP CONSTRAINT "fk_investment_order_offering"`,
    );
    await queryRunner.query(`ALTER TABLE "offering" DROP CONSTRAINT "fk_offering_farm"`);
    await queryRunner.query(`DROP TABLE "offering_allocation"`);
    await queryRunner.query(`DROP INDEX "public"."ix_investment_order_offering_investor"`);
    await queryRunner.query(`DROP INDEX "public"."ix_investment_order_investor"`);
    await queryRunner.query(`DROP INDEX "public"."ix_investment_order_token_wallet"`);
    await queryRunner.query(`DROP INDEX "public"."ix_investment_order_reserved_until"`);
    await queryRunner.query(`DROP INDEX "public"."ix_investment_order_settlement_deadline"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_83df936a77976dc6559b2124c6"`);
    await queryRunner.query(`DROP TABLE "investment_order"`);
    await queryRunner.query(`DROP INDEX "public"."uq_offering_live_per_token"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_055ff821e2109cef0b6cd7f4e3"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9003c0c3252f3015a2dc4b4895"`);
    await queryRunner.query(`DROP TABLE "offering"`);
    await queryRunner.query(`DROP TABLE "idempotent_request"`);
    await queryRunner.query(`DROP TABLE "chain_event_consumer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chain_event_frozen_account"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chain_event_registry_wallet"`);
  }
}
