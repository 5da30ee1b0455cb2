import { MigrationInterface, QueryRunner } from 'typeorm';

export class Oracle1795803531898 implements MigrationInterface {
  name = 'Oracle1795803531898';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "gpu_epoch" ("gpu_node_id" uuid NOT NULL, "epoch" bigint NOT NULL, "farm_id" uuid NOT NULL, "expected_samples" integer NOT NULL, "up_samples" integer NOT NULL, "uptime_bps" integer NOT NULL, "gpu_hours_available" bigint NOT NULL, "gpu_hours_used" bigint NOT NULL, CONSTRAINT "PK_820c4975c0d3e40f60301557019" PRIMARY KEY ("gpu_node_id", "epoch"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_gpu_epoch_farm_epoch" ON "gpu_epoch"  ("farm_id", "epoch") `,
    );
    await queryRunner.query(
      `CREATE TABLE "gpu_sample" ("gpu_node_id" uuid NOT NULL, "slot_at" TIMESTAMP WITH TIME ZONE NOT NULL, "farm_id" uuid NOT NULL, "probed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "up" boolean NOT NULL, "reason" text, "detail" text, "utilization" smallint, "temperature_c" smallint, "power_mw" integer, "memory_used_mb" integer, CONSTRAINT "ck_gpu_sample_readings" CHECK ("up" = ("utilization" IS NOT NULL) AND "up" = ("reason" IS NULL)), CONSTRAINT "PK_c60059a79cf7a822b3637dbcdb5" PRIMARY KEY ("gpu_node_id", "slot_at"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_gpu_sample_farm_slot" ON "gpu_sample"  ("farm_id", "slot_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "monitored_farm" ("farm_id" uuid NOT NULL, "since" TIMESTAMP WITH TIME ZONE NOT NULL, "first_epoch" bigint NOT NULL, CONSTRAINT "PK_69e54ac414e856c42147a973af3" PRIMARY KEY ("farm_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "uptime_epoch" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "farm_id" uuid NOT NULL, "epoch" bigint NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "probe_interval_seconds" integer NOT NULL, "gpus" integer NOT NULL, "expected_samples" integer NOT NULL, "sample_count" integer NOT NULL, "up_samples" integer NOT NULL, "uptime_bps" integer NOT NULL, "gpu_hours_available" bigint NOT NULL, "gpu_hours_used" bigint NOT NULL, "revenue" numeric(78,0) NOT NULL, "rate_per_gpu_hour" numeric(78,0) NOT NULL, "sla_uptime_bps" integer NOT NULL, "sla_met" boolean NOT NULL, "samples_hash" text NOT NULL, "digest" text NOT NULL, "signatures" jsonb NOT NULL, "status" text NOT NULL, "chain_tx_id" bigint, "tx_hash" text, "failure" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_uptime_epoch_farm_epoch" UNIQUE ("farm_id", "epoch"), CONSTRAINT "PK_59fd1f517bad0b95f4b2e7c978f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_f9ca5193ed1834a00877f60d09" ON "uptime_epoch"  ("status") `,
    );
    await queryRunner.query(
      `ALTER TABLE "farm" ADD "probe_interval_seconds" integer NOT NULL DEFAULT '60'`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm" ADD "sla_uptime_bps" integer NOT NULL DEFAULT '9900'`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm" ADD "rate_per_gpu_hour" numeric(78,0) NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(`ALTER TABLE "farm" ADD "sla_breach_epoch" bigint`);
    await queryRunner.query(
      `ALTER TABLE "farm" ADD CONSTRAINT "ck_farm_rate_per_gpu_hour" CHECK ("rate_per_gpu_hour" >= 0 AND "rate_per_gpu_hour" < 1e30)`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm" ADD CONSTRAINT "ck_farm_sla_uptime" CHECK ("sla_uptime_bps" BETWEEN 0 AND 10000)`,
    );
    await queryRunner.query(
      `ALTER TABLE "farm" ADD CONSTRAINT "ck_farm_probe_interval" CHECK ("probe_interval_seconds" BETWEEN 1 AND 3600)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "farm" DROP CONSTRAINT "ck_farm_probe_interval"`);
    await queryRunner.query(`ALTER TABLE "farm" DROP CONSTRAINT "ck_farm_sla_uptime"`);
    await queryRunner.query(`ALTER TABLE "farm" DROP CONSTRAINT "ck_farm_rate_per_gpu_hour"`);
    await queryRunner.query(`ALTER TABLE "farm" DROP COLUMN "sla_breach_epoch"`);
    await queryRunner.query(`ALTER TABLE "farm" DROP COLUMN "rate_per_gpu_hour"`);
    await queryRunner.query(`ALTER TABLE "farm" DROP COLUMN "sla_uptime_bps"`);
    await queryRunner.query(`ALTER TABLE "farm" DROP COLUMN "probe_interval_seconds"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_f9ca5193ed1834a00877f60d09"`);
    await queryRunner.query(`DROP TABLE "uptime_epoch"`);
    await queryRunner.query(`DROP TABLE "monitored_farm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_gpu_sample_farm_slot"`);
    await queryRunner.query(`DROP TABLE "gpu_sample"`);
    await queryRunner.query(`DROP INDEX "public"."ix_gpu_epoch_farm_epoch"`);
    await queryRunner.query(`DROP TABLE "gpu_epoch"`);
  }
}
