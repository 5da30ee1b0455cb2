import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, sessions, API keys, wallets, SIWE nonces, KYC cases and provider events (issue 5). */
export class IdentityKyc1795784625641 implements MigrationInterface {
  name = 'IdentityKyc1795784625641';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "app_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "password_hash" text NOT NULL, "role" text NOT NULL, "status" text NOT NULL DEFAULT 'active', "created_by" uuid, "session_version" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_3fa909d0e37c531ebc237703391" UNIQUE ("email"), CONSTRAINT "ck_app_user_status" CHECK ("status" IN ('active', 'disabled')), CONSTRAINT "ck_app_user_role" CHECK ("role" IN ('investor', 'operator', 'compliance', 'admin')), CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "api_key" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" text NOT NULL, "scopes" text array NOT NULL, "secret_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b1bd840641b8acbaad89c3d8d11" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_6a0830f03e537b239a53269b27" ON "api_key"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "refresh_token" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "family_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_f0812282fad2e352cdaf83ef0a9" UNIQUE ("token_hash"), CONSTRAINT "PK_b575dd3c21fb0831013c909e7fe" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_6bbe63d2fe75e7f0ba1710351d" ON "refresh_token"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_eb31f2a7917404a46e17f539f1" ON "refresh_token"  ("family_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "siwe_nonce" ("nonce" text NOT NULL, "purpose" text NOT NULL, "user_id" uuid, "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_siwe_nonce_link_owner" CHECK ("purpose" <> 'link' OR "user_id" IS NOT NULL), CONSTRAINT "ck_siwe_nonce_purpose" CHECK ("purpose" IN ('link', 'sign-in')), CONSTRAINT "PK_7a8929735ae7e6ee41db80ed851" PRIMARY KEY ("nonce"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_c683b2058b01719daa48773942" ON "siwe_nonce"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "wallet" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "address" text NOT NULL, "chain_id" integer NOT NULL, "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "registry_expiry" TIMESTAMP WITH TIME ZONE, "registry_country" smallint, "registry_version" integer NOT NULL DEFAULT '0', CONSTRAINT "UQ_1dcc9f5fd49e3dc52c6d2393c53" UNIQUE ("address"), CONSTRAINT "ck_wallet_address" CHECK ("address" ~ '^0x[0-9a-f]{40}$'), CONSTRAINT "PK_bec464dd8d54c39c54fd32e2334" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_72548a47ac4a996cd254b08252" ON "wallet"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "kyc_case" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "investor_id" uuid NOT NULL, "provider" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "country" smallint NOT NULL, "level" text, "documents" jsonb NOT NULL, "reject_labels" text array NOT NULL DEFAULT '{}', "reason" text, "expires_at" TIMESTAMP WITH TIME ZONE, "requested_by" uuid NOT NULL, "decided_by" text, "decided_at" TIMESTAMP WITH TIME ZONE, "provider_event_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_kyc_case_approved_expiry" CHECK ("status" <> 'approved' OR "expires_at" IS NOT NULL), CONSTRAINT "ck_kyc_case_country" CHECK ("country" BETWEEN 1 AND 999), CONSTRAINT "ck_kyc_case_provider" CHECK ("provider" IN ('manual', 'sumsub')), CONSTRAINT "ck_kyc_case_status" CHECK ("status" IN ('pending', 'approved', 'rejected', 'expired')), CONSTRAINT "PK_aa8aeb5f370a42c676db4753e72" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_282c9424805d789c0aaaa11be4" ON "kyc_case"  ("investor_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_kyc_case_one_approved" ON "kyc_case"  ("investor_id") WHERE "status" = 'approved'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_kyc_case_one_pending" ON "kyc_case"  ("investor_id") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE TABLE "kyc_provider_event" ("id" text NOT NULL, "provider" text NOT NULL, "type" text NOT NULL, "case_id" uuid, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "outcome" text NOT NULL, "payload_digest" character(64) NOT NULL, CONSTRAINT "ck_kyc_provider_event_outcome" CHECK ("outcome" IN ('applied', 'stale', 'ignored', 'unknown-case')), CONSTRAINT "PK_7cb70dde984a412ee3d6a2d46f0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_718ad538342b7e3b7f7ba79d57" ON "kyc_provider_event"  ("case_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "app_user" ADD CONSTRAINT "fk_app_user_created_by" FOREIGN KEY ("created_by") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_key" ADD CONSTRAINT "fk_api_key_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_token" ADD CONSTRAINT "fk_refresh_token_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "siwe_nonce" ADD CONSTRAINT "fk_siwe_nonce_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "wallet" ADD CONSTRAINT "fk_wallet_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "kyc_case" ADD CONSTRAINT "fk_kyc_case_investor" FOREIGN KEY ("investor_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "kyc_case" ADD CONSTRAINT "fk_kyc_case_requested_by" FOREIGN KEY ("requested_by") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "kyc_provider_event" ADD CONSTRAINT "fk_kyc_provider_event_case" FOREIGN KEY ("case_id") REFERENCES "kyc_case"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "kyc_provider_event" DROP CONSTRAINT "fk_kyc_provider_event_case"`,
    );
    await queryRunner.query(`ALTER TABLE "kyc_case" DROP CONSTRAINT "fk_kyc_case_requested_by"`);
    await queryRunner.query(`ALTER TABLE "kyc_case" DROP CONSTRAINT "fk_kyc_case_investor"`);
    await queryRunner.query(`ALTER TABLE "wallet" DROP CONSTRAINT "fk_wallet_user"`);
    await queryRunner.query(`ALTER TABLE "siwe_nonce" DROP CONSTRAINT "fk_siwe_nonce_user"`);
    await queryRunner.query(`ALTER TABLE "refresh_token" DROP CONSTRAINT "fk_refresh_token_user"`);
    await queryRunner.query(`ALTER TABLE "api_key" DROP CONSTRAINT "fk_api_key_user"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP CONSTRAINT "fk_app_user_created_by"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_718ad538342b7e3b7f7ba79d57"`);
    await queryRunner.query(`DROP TABLE "kyc_provider_event"`);
    await queryRunner.query(`DROP INDEX "public"."uq_kyc_case_one_pending"`);
    await queryRunner.query(`DROP INDEX "public"."uq_kyc_case_one_approved"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_282c9424805d789c0aaaa11be4"`);
    await queryRunner.query(`DROP TABLE "kyc_case"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_72548a47ac4a996cd254b08252"`);
    await queryRunner.query(`DROP TABLE "wallet"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c683b2058b01719daa48773942"`);
    await queryRunner.query(`DROP TABLE "siwe_nonce"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_eb31f2a7917404a46e17f539f1"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6bbe63d2fe75e7f0ba1710351d"`);
    await queryRunner.query(`DROP TABLE "refresh_token"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6a0830f03e537b239a53269b27"`);
    await queryRunner.query(`DROP TABLE "api_key"`);
    await queryRunner.query(`DROP TABLE "app_user"`);
  }
}
