import { MigrationInterface, QueryRunner } from 'typeorm';

/** Farm listings, their GPU nodes, documents and tokens (issue 6). */
export class Farms1795788802333 implements MigrationInterface {
  name = 'Farms1795788802333';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "farm_document" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "farm_id" uuid NOT NULL, "type" text NOT NULL, "uri" text NOT NULL, "sha256" character(64) NOT NULL, CONSTRAINT "PK_d97c3f6446538b19e3d2a228571" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_4d597895ab13517b0bc0ef17ba" ON "farm_document"  ("farm_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "gpu_node" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "farm_id" uuid NOT NULL, "gpu_model" text NOT NULL, "gpu_uuid" text NOT NULL, "memory_mb" integer NOT NULL, "host" text NOT NULL, "metrics_url" text NOT NULL, CONSTRAINT "UQ_f22c6a959ff368461d8eb9b05a2" UNIQUE ("gpu_uuid"), CONSTRAINT "ck_gpu_node_memory" CHECK ("memory_mb" > 0), CONSTRAINT "PK_a87ce1c3d3a944631dfd104f830" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_d6ba55d2909436cb63d5f57d75" ON "gpu_node"  ("farm_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "farm" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "operator_id" uuid NOT NULL, "name" text NOT NULL, "legal_entity" text NOT NULL, "jurisdiction" smallint NOT NULL, "site_location" text NOT NULL, "valuation" numeric(78,0) NOT NULL, "revenue_share_bps" integer NOT NULL, "status" text NOT NULL DEFAULT 'draft', "rejection_reason" text, "submitted_at" TIMESTAMP WITH TIME ZONE, "decided_by" text, "decided_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_farm_jurisdiction" CHECK ("jurisdiction" BETWEEN 1 AND 999), CONSTRAINT "ck_farm_revenue_share" CHECK ("revenue_share_bps" BETWEEN 1 AND 10000), CONSTRAINT "ck_farm_valuation" CHECK ("valuation" > 0), CONSTRAINT "ck_farm_status" CHECK ("status" IN ('draft', 'submitted', 'approved', 'rejected', 'tokenized', 'active', 'suspended', 'retired')), CONSTRAINT "PK_3bf246b27a3b6678dfc0b7a3f64" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_ec516bef19a71a14a8a33f2539" ON "farm"  ("operator_id") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_b9481bcc0f7160e3f62935b58f" ON "farm"  ("status") `);
    await queryRunner.query(
      `CREATE TABLE "farm_token" ("farm_id" uuid NOT NULL, "chain_farm_id" character(66) NOT NULL, "token_address" character(42) NOT NULL, "name" text NOT NULL, "symbol" text NOT NULL, "total_fractions" numeric(78,0) NOT NULL, "max_balance" numeric(78,0) NOT NULL, "max_holders" integer NOT NULL, "lockup_end" TIMESTAMP WITH TIME ZONE, "allowed_countries" smallint array NOT NULL, "status" text NOT NULL DEFAULT 'pending', "chain_tx_id" bigint NOT NULL, "attempt" integer NOT NULL DEFAULT '1', "failure_reason" text, "requested_by" uuid NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "confirmed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_a5f04e941b138a57efa348cc6b8" UNIQUE ("token_address"), CONSTRAINT "ck_farm_token_max_holders" CHECK ("max_holders" >= 0), CONSTRAINT "ck_farm_token_max_balance" CHECK ("max_balance" >= 0), CONSTRAINT "ck_farm_token_total_fractions" CHECK ("total_fractions" > 0), CONSTRAINT "ck_farm_token_status" CHECK ("status" IN ('pending', 'confirmed', 'failed')), CONSTRAINT "PK_2db1cb7944d0f9f3cdf102d02e2" PRIMARY KEY ("farm_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm_document" ADD CONSTRAINT "fk_farm_document_farm" FOREIGN KEY ("farm_id") REFERENCES "farm"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "gpu_node" ADD CONSTRAINT "fk_gpu_node_farm" FOREIGN KEY ("farm_id") REFERENCES "farm"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm" ADD CONSTRAINT "fk_farm_operator" FOREIGN KEY ("operator_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm_token" ADD CONSTRAINT "fk_farm_token_farm" FOREIGN KEY ("farm_id") REFERENCES "farm"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "farm_token" DROP CONSTRAINT "fk_farm_token_farm"`);
    await queryRunner.query(`ALTER TABLE "farm" DROP CONSTRAINT "fk_farm_operator"`);
    await queryRunner.query(`ALTER TABLE "gpu_node" DROP CONSTRAINT "fk_gpu_node_farm"`);
    await queryRunner.query(`ALTER TABLE "farm_document" DROP CONSTRAINT "fk_farm_document_farm"`);
    await queryRunner.query(`DROP TABLE "farm_token"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_b9481bcc0f7160e3f62935b58f"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ec516bef19a71a14a8a33f2539"`);
    await queryRunner.query(`DROP TABLE "farm"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d6ba55d2909436cb63d5f57d75"`);
    await queryRunner.query(`DROP TABLE "gpu_node"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4d597895ab13517b0bc0ef17ba"`);
    await queryRunner.query(`DROP TABLE "farm_document"`);
  }
}
