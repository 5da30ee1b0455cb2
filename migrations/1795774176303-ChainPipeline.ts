import { MigrationInterface, QueryRunner } from 'typeorm';

export class ChainPipeline1795774176303 implements MigrationInterface {
  name = 'ChainPipeline1795774176303';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "index_cursor" ("chain_id" integer NOT NULL, "block_number" bigint NOT NULL, "block_hash" character(66) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_de097bdae730a0d0c5547b8ec28" PRIMARY KEY ("chain_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "indexed_contract" ("address" character(42) NOT NULL, "kind" text NOT NULL, "farm_id" character(66), "from_block" bigint NOT NULL, "total_supply" numeric(78,0) NOT NULL DEFAULT '0', CONSTRAINT "PK_ca39fe6b699934d17978eb8f3de" PRIMARY KEY ("address"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_indexed_contract_kind" ON "indexed_contract"  ("kind") `,
    );
    await queryRunner.query(
      `CREATE TABLE "chain_tx" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "chain_id" integer NOT NULL, "lane" text NOT NULL, "idempotency_key" text NOT NULL, "reference" text NOT NULL, "topic" text, "method" text NOT NULL, "target" character(42) NOT NULL, "data" text NOT NULL, "gas_limit" bigint, "state" text NOT NULL DEFAULT 'queued', "nonce" bigint, "tx_hash" character(66), "block_number" bigint, "block_hash" character(66), "succeeded" boolean, "gas_used" numeric(78,0), "failure_reason" text, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "broadcast_at" TIMESTAMP WITH TIME ZONE, "notify_enqueued_at" TIMESTAMP WITH TIME ZONE, "notified_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_chain_tx_lane_nonce" UNIQUE ("chain_id", "lane", "nonce"), CONSTRAINT "uq_chain_tx_idempotency_key" UNIQUE ("idempotency_key"), CONSTRAINT "ck_chain_tx_nonce" CHECK ("state" IN ('queued', 'failed') OR "nonce" IS NOT NULL), CONSTRAINT "ck_chain_tx_state" CHECK ("state" IN ('queued', 'signed', 'broadcast', 'mined', 'confirmed', 'failed')), CONSTRAINT "PK_63ce8e5f3422057a6ec6f7f10bb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_chain_tx_unnotified" ON "chain_tx"  ("id") WHERE "topic" IS NOT NULL AND "notified_at" IS NULL AND "state" IN ('confirmed', 'failed')`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_chain_tx_pending" ON "chain_tx"  ("state", "created_at") WHERE "state" NOT IN ('confirmed', 'failed')`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_chain_tx_lane_state" ON "chain_tx"  ("chain_id", "lane", "state", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "chain_tx_attempt" ("hash" character(66) NOT NULL, "chain_tx_id" bigint NOT NULL, "nonce" bigint NOT NULL, "max_fee_per_gas" numeric(78,0) NOT NULL, "max_priority_fee_per_gas" numeric(78,0) NOT NULL, "gas_limit" bigint NOT NULL, "raw" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "replaced_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_91681b4984698eeb20ae0196373" PRIMARY KEY ("hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_chain_tx_attempt_chain_tx" ON "chain_tx_attempt"  ("chain_tx_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "reconciliation_run" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "block_number" bigint NOT NULL, "tokens" integer NOT NULL, "accounts" integer NOT NULL, "mismatch_count" integer NOT NULL, "mismatches" jsonb NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4fa08b87bbb63890254c8cdcb57" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "chain_event" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "block_number" bigint NOT NULL, "block_hash" character(66) NOT NULL, "tx_hash" character(66) NOT NULL, "log_index" integer NOT NULL, "address" character(42) NOT NULL, "contract" text NOT NULL, "name" text NOT NULL, "args" jsonb NOT NULL, CONSTRAINT "uq_chain_event_log" UNIQUE ("tx_hash", "log_index"), CONSTRAINT "PK_bf9ed42a9e16d2f12d0d4cd8b76" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_chain_event_block" ON "chain_event"  ("block_number") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_chain_event_name" ON "chain_event"  ("name", "address", "block_number") `,
    );
    await queryRunner.query(
      `CREATE TABLE "chain_signer" ("chain_id" integer NOT NULL, "lane" text NOT NULL, "address" character(42) NOT NULL, "next_nonce" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fc823e77e6839ab282f3c5b51d1" PRIMARY KEY ("chain_id", "lane"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "indexed_block" ("block_number" bigint NOT NULL, "block_hash" character(66) NOT NULL, CONSTRAINT "PK_455f91e5e09bf35bfc17ebf65a2" PRIMARY KEY ("block_number"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "token_balance" ("token" character(42) NOT NULL, "holder" character(42) NOT NULL, "balance" numeric(78,0) NOT NULL, CONSTRAINT "ck_token_balance_not_negative" CHECK ("balance" >= 0), CONSTRAINT "PK_518b46c74d27c9a8754489764e5" PRIMARY KEY ("token", "holder"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_token_balance_holders" ON "token_balance"  ("token") WHERE "balance" > 0`,
    );
    await queryRunner.query(
      `CREATE TABLE "token_transfer" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "token" character(42) NOT NULL, "from_address" character(42) NOT NULL, "to_address" character(42) NOT NULL, "amount" numeric(78,0) NOT NULL, "block_number" bigint NOT NULL, "tx_hash" character(66) NOT NULL, "log_index" integer NOT NULL, CONSTRAINT "uq_token_transfer_log" UNIQUE ("tx_hash", "log_index"), CONSTRAINT "PK_77384b7f5874553f012eba9da41" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_token_transfer_block" ON "token_transfer"  ("block_number") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_token_transfer_token_block" ON "token_transfer"  ("token", "block_number") `,
    );
    await queryRunner.query(
      `ALTER TABLE "chain_tx_attempt" ADD CONSTRAINT "fk_chain_tx_attempt_chain_tx" FOREIGN KEY ("chain_tx_id") REFERENCES "chain_tx"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Written by hand: the database itself refuses a transaction moving backwards, a changed
    // intent or nonce, a deleted outbox row, and an edited or deleted signed attempt.
    await queryRunner.query(`
          CREATE FUNCTION chain_tx_state_rank(state text) RETURNS integer IMMUTABLE LANGUAGE sql AS $$
            SELECT CASE state WHEN 'queued' THEN 0 WHEN 'signed' THEN 1 WHEN 'broadcast' THEN 2
                              WHEN 'mined' THEN 3 ELSE 4 END
          $$`);
    await queryRunner.query(`
          CREATE FUNCTION chain_tx_guard() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'DELETE' THEN
              RAISE EXCEPTION 'chain_tx rows are never deleted (id %)', OLD.id;
            END IF;
            IF OLD.state IN ('confirmed', 'failed') AND NEW.state <> OLD.state THEN
              RAISE EXCEPTION 'chain_tx %: % is final', OLD.id, OLD.state;
            END IF;
            IF chain_tx_state_rank(NEW.state) < chain_tx_state_rank(OLD.state)
               AND NOT (OLD.state = 'mined' AND NEW.state = 'broadcast') THEN
              RAISE EXCEPTION 'chain_tx %: state may not move from % to %', OLD.id, OLD.state, NEW.state;
            END IF;
            IF NEW.target <> OLD.target OR NEW.data <> OLD.data OR NEW.lane <> OLD.lane
               OR NEW.chain_id <> OLD.chain_id OR NEW.idempotency_key <> OLD.idempotency_key
               OR (OLD.nonce IS NOT NULL AND NEW.nonce IS DISTINCT FROM OLD.nonce) THEN
              RAISE EXCEPTION 'chain_tx %: the intent and its nonce never change', OLD.id;
            END IF;
            RETURN NEW;
          END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "tr_chain_tx_guard" BEFORE UPDATE OR DELETE ON "chain_tx" FOR EACH ROW EXECUTE FUNCTION chain_tx_guard()`,
    );
    await queryRunner.query(`
          CREATE FUNCTION chain_tx_attempt_guard() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'DELETE' OR NEW.raw <> OLD.raw OR NEW.hash <> OLD.hash OR NEW.nonce <> OLD.nonce
               OR NEW.chain_tx_id <> OLD.chain_tx_id THEN
              RAISE EXCEPTION 'a signed attempt is never changed or deleted (%)', OLD.hash;
            END IF;
            RETURN NEW;
          END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "tr_chain_tx_attempt_guard" BEFORE UPDATE OR DELETE ON "chain_tx_attempt" FOR EACH ROW EXECUTE FUNCTION chain_tx_attempt_guard()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tr_chain_tx_attempt_guard" ON "chain_tx_attempt"`);
    await queryRunner.query(`DROP FUNCTION chain_tx_attempt_guard()`);
    await queryRunner.query(`DROP TRIGGER "tr_chain_tx_guard" ON "chain_tx"`);
    await queryRunner.query(`DROP FUNCTION chain_tx_guard()`);
    await queryRunner.query(`DROP FUNCTION chain_tx_state_rank(text)`);
    await queryRunner.query(
      `ALTER TABLE "chain_tx_attempt" DROP CONSTRAINT "fk_chain_tx_attempt_chain_tx"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_token_transfer_token_block"`);
    await queryRunner.query(`DROP INDEX "public"."ix_token_transfer_block"`);
    await queryRunner.query(`DROP TABLE "token_transfer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_token_balance_holders"`);
    await queryRunner.query(`DROP TABLE "token_balance"`);
    await queryRunner.query(`DROP TABLE "indexed_block"`);
    await queryRunner.query(`DROP TABLE "chain_signer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chain_event_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chain_event_block"`);
    await queryRunner.query(`DROP TABLE "chain_event"`);
    await queryRunner.query(`DROP TABLE "reconciliation_run"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chain_tx_attempt_chain_tx"`);
    await queryRunner.query(`DROP TABLE "chain_tx_attempt"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chain_tx_lane_state"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chain_tx_pending"`);
    await queryRunner.query(`DROP INDEX "public"."ix_chain_tx_unnotified"`);
    await queryRunner.query(`DROP TABLE "chain_tx"`);
    await queryRunner.query(`DROP INDEX "public"."ix_indexed_contract_kind"`);
    await queryRunner.query(`DROP TABLE "indexed_contract"`);
    await queryRunner.query(`DROP TABLE "index_cursor"`);
  }
}
