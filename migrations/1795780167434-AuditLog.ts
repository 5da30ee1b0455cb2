import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1795780167434 implements MigrationInterface {
  name = 'AuditLog1795780167434';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_entry" ("sequence" bigint NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor" text NOT NULL, "role" text NOT NULL, "action" text NOT NULL, "subject" text NOT NULL, "request_id" text, "change_digest" character(64) NOT NULL, "previous_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_c30e76145b0ecf802cd4af44910" PRIMARY KEY ("sequence"))`,
    );
    // Written by hand: the log is append-only. Only a superuser who disables the trigger can
    // change it, and the verifier then names the first entry that no longer checks out.
    await queryRunner.query(`
      CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "tr_audit_entry_append_only" BEFORE UPDATE OR DELETE ON "audit_entry" FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "tr_audit_entry_no_truncate" BEFORE TRUNCATE ON "audit_entry" FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tr_audit_entry_no_truncate" ON "audit_entry"`);
    await queryRunner.query(`DROP TRIGGER "tr_audit_entry_append_only" ON "audit_entry"`);
    await queryRunner.query(`DROP FUNCTION audit_entry_append_only()`);
    await queryRunner.query(`DROP TABLE "audit_entry"`);
  }
}
