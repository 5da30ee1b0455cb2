/**
 * The canonical sample export of a farm's epoch: this header, then one line per sample ordered by
 * GPU UUID (byte order) then slot, fields separated by commas, every line ending in \n, absent readings empty:
 * `gpu_uuid,slot,up,reason,utilization,temperature_c,power_mw,memory_used_mb` where slot is the
 * slot's start in Unix seconds and up is 1 or 0. The report's samplesHash is SHA-256 of exactly
 * these bytes (UTF-8), so `sha256sum` of the CSV export recomputes it.
 */
export const SAMPLE_CSV_HEADER =
  'gpu_uuid,slot,up,reason,utilization,temperature_c,power_mw,memory_used_mb\n';

/** The CSV line of sample `s` of GPU `n`, in SQL: the one definition the hash and the export share. */
export const SAMPLE_CSV_LINE_SQL = `concat_ws(',', n.gpu_uuid, extract(epoch from s.slot_at)::bigint,
  CASE WHEN s.up THEN 1 ELSE 0 END, coalesce(s.reason, ''), coalesce(s.utilization::text, ''),
  coalesce(s.temperature_c::text, ''), coalesce(s.power_mw::text, ''),
  coalesce(s.memory_used_mb::text, '')) || E'\\n'`;

/** The samples of farm $1 with slots in [$2, $3), GPU joined as `n`, in canonical order. */
export const EPOCH_SAMPLES_FROM_SQL = `FROM gpu_sample s JOIN gpu_node n ON n.id = s.gpu_node_id
  WHERE s.farm_id = $1 AND s.slot_at >= $2 AND s.slot_at < $3`;

/** Byte order of the UUID (collation "C"), whatever the database's collation. */
export const EPOCH_SAMPLES_ORDER = `n.gpu_uuid COLLATE "C", s.slot_at`;

/** 0x SHA-256 of the canonical export, computed by Postgres from the stored samples. */
export const EPOCH_SAMPLES_HASH_SQL = `SELECT '0x' || encode(sha256(convert_to(
    '${SAMPLE_CSV_HEADER.replace('\n', '')}' || E'\\n' ||
    coalesce(string_agg(${SAMPLE_CSV_LINE_SQL}, '' ORDER BY ${EPOCH_SAMPLES_ORDER}), ''),
    'UTF8')), 'hex') AS hash, count(*)::int AS samples
  ${EPOCH_SAMPLES_FROM_SQL}`;
