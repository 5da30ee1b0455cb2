import { MigrationInterface, QueryRunner } from 'typeorm';

export class ChainHeartbeat1764230000000 implements MigrationInterface {
  name = 'ChainHeartbeat1764230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "chain_heartbeat" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "chain_id" integer NOT NULL,
        "block_number" bigint NOT NULL,
        "block_hash" character(66) NOT NULL,
        "block_timestamp" TIMESTAMP WITH TIME ZONE NOT NULL,
        "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "uq_chain_heartbeat_block" UNIQUE ("chain_id", "block_number"),
        CONSTRAINT "PK_chain_heartbeat" PRIMARY KEY ("id"),
        CONSTRAINT "ck_chain_heartbeat_block_number" CHECK ("block_number" >= 0)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "chain_heartbeat"`);
  }
}
