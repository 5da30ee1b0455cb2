import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One round trip for a batch of probe samples: the farms' shared sample locks, then the insert
 * (skipping samples already stored and samples of epochs already reported), as one statement's
 * transaction. A volatile PL/pgSQL function reads each statement on a new snapshot, so the insert
 * sees an epoch that closed while the locks were awaited.
 */
export class RecordGpuSamples1795830000000 implements MigrationInterface {
  name = 'RecordGpuSamples1795830000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION record_gpu_samples(
        farms text[], gpu_node_ids uuid[], slot_ats timestamptz[], farm_ids uuid[],
        probed_ats timestamptz[], ups boolean[], reasons text[], details text[],
        utilizations int2[], temperatures int2[], powers int4[], memories int4[],
        epoch_seconds integer
      ) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        inserted integer;
      BEGIN
        -- In the order given (sorted by the caller), as the epoch close takes them.
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('uptime-samples:' || f, 0))
          FROM unnest(farms) WITH ORDINALITY AS l(f, n) ORDER BY n;
        INSERT INTO gpu_sample (gpu_node_id, slot_at, farm_id, probed_at, up, reason, detail,
            utilization, temperature_c, power_mw, memory_used_mb)
          SELECT * FROM unnest(gpu_node_ids, slot_ats, farm_ids, probed_ats, ups, reasons, details,
              utilizations, temperatures, powers, memories)
            AS s(gpu_node_id, slot_at, farm_id, probed_at, up, reason, detail, utilization,
              temperature_c, power_mw, memory_used_mb)
          WHERE NOT EXISTS (SELECT 1 FROM uptime_epoch e
            WHERE e.farm_id = s.farm_id
              AND e.epoch = floor(extract(epoch from s.slot_at) / epoch_seconds)::bigint)
          ON CONFLICT (gpu_node_id, slot_at) DO NOTHING;
        GET DIAGNOSTICS inserted = ROW_COUNT;
        RETURN inserted;
      END
      $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION record_gpu_samples(text[], uuid[], timestamptz[], uuid[], timestamptz[], boolean[], text[], text[], int2[], int2[], int4[], int4[], integer)`,
    );
  }
}
