import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * record_gpu_samples takes what a probe's samples share (farm, slot, probe time) once per probe
 * rather than once per GPU, and `up` as `reason IS NULL` (the table's check makes them one): half
 * the text for the client to write and for the server to read. Same locks, same skips, and rows
 * inserted in the order given (of two rows for one GPU and slot, the first is kept). The previous
 * signature stays, for workers of the previous release during a rolling deploy; a later release
 * drops it.
 */
export class RecordGpuSamplesByProbe1795840000000 implements MigrationInterface {
  name = 'RecordGpuSamplesByProbe1795840000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION record_gpu_samples(
        farms text[], probe_farm_ids uuid[], probe_slot_ats timestamptz[],
        probe_probed_ats timestamptz[], sample_probes int4[], gpu_node_ids uuid[], reasons text[],
        details text[], utilizations int2[], temperatures int2[], powers int4[], memories int4[],
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
          SELECT s.gpu_node_id, p.slot_at, p.farm_id, p.probed_at, s.reason IS NULL, s.reason,
              s.detail, s.utilization, s.temperature_c, s.power_mw, s.memory_used_mb
            FROM (SELECT * FROM unnest(probe_farm_ids, probe_slot_ats, probe_probed_ats)
                    WITH ORDINALITY AS u(farm_id, slot_at, probed_at, n)
                  WHERE NOT EXISTS (SELECT 1 FROM uptime_epoch e
                    WHERE e.farm_id = u.farm_id
                      AND e.epoch = floor(extract(epoch from u.slot_at) / epoch_seconds)::bigint)
                 ) p
            JOIN unnest(sample_probes, gpu_node_ids, reasons, details, utilizations, temperatures,
                powers, memories) WITH ORDINALITY
              AS s(probe, gpu_node_id, reason, detail, utilization, temperature_c, power_mw,
                memory_used_mb, n)
              ON s.probe = p.n
            ORDER BY s.n
          ON CONFLICT (gpu_node_id, slot_at) DO NOTHING;
        GET DIAGNOSTICS inserted = ROW_COUNT;
        RETURN inserted;
      END
      $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION record_gpu_samples(text[], uuid[], timestamptz[], timestamptz[], int4[], uuid[], text[], text[], int2[], int2[], int4[], int4[], integer)`,
    );
  }
}
