import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { cursorPages } from '@gpu/database';
import type { SampleReadings } from '../entities/gpu-sample.entity';

/**
 * The canonical sample export of a farm's epoch: this header, then one line per sample ordered by
 * GPU UUID (byte order) then slot, fields separated by commas, every line ending in \n, absent
 * readings empty: `gpu_uuid,slot,up,reason,utilization,temperature_c,power_mw,memory_used_mb`
 * where slot is the slot's start in Unix seconds and up is 1 or 0. The report's samplesHash is
 * SHA-256 of exactly these bytes (UTF-8), so `sha256sum` of the CSV export recomputes it.
 */
export const SAMPLE_CSV_HEADER =
  'gpu_uuid,slot,up,reason,utilization,temperature_c,power_mw,memory_used_mb\n';

/** The CSV line of sample `s` of GPU `n`, in SQL: the one definition the hash and the export share. */
const SAMPLE_CSV_LINE_SQL = `concat_ws(',', n.gpu_uuid, extract(epoch from s.slot_at)::bigint,
  CASE WHEN s.up THEN 1 ELSE 0 END, coalesce(s.reason, ''), coalesce(s.utilization::text, ''),
  coalesce(s.temperature_c::text, ''), coalesce(s.power_mw::text, ''),
  coalesce(s.memory_used_mb::text, '')) || E'\\n'`;

/** Farm $1's samples with slots in [$2, $3), in canonical order (UUID in byte order, collation "C"). */
export const EPOCH_SAMPLES_SQL = `SELECT n.gpu_uuid AS "gpuUuid", extract(epoch from s.slot_at)::bigint::text AS slot,
    ${SAMPLE_CSV_LINE_SQL} AS line, s.up, s.reason, s.detail, s.utilization,
    s.temperature_c AS "temperatureC", s.power_mw AS "powerMw", s.memory_used_mb AS "memoryUsedMb"
  FROM gpu_sample s JOIN gpu_node n ON n.id = s.gpu_node_id
  WHERE s.farm_id = $1 AND s.slot_at >= $2 AND s.slot_at < $3
  ORDER BY n.gpu_uuid COLLATE "C", s.slot_at`;

export const SAMPLE_PAGE_ROWS = 5000;

/** One exported sample: its canonical CSV line and its fields. */
export interface ExportedSample extends SampleReadings {
  gpuUuid: string;
  /** Unix seconds of the slot's start. */
  slot: string;
  line: string;
}

/**
 * The epoch's samples in canonical order, a page at a time, through one server-side cursor (one
 * sort, whatever the size). `manager` must be in a transaction.
 */
export function epochSamplePages(
  manager: EntityManager,
  farmId: string,
  startsAt: Date,
  endsAt: Date,
): AsyncGenerator<ExportedSample[]> {
  return cursorPages<ExportedSample>(
    manager,
    'epoch_samples',
    EPOCH_SAMPLES_SQL,
    [farmId, startsAt, endsAt],
    SAMPLE_PAGE_ROWS,
  );
}

/** 0x SHA-256 of the epoch's canonical CSV export, and how many samples it holds. */
export async function epochSamplesHash(
  manager: EntityManager,
  farmId: string,
  startsAt: Date,
  endsAt: Date,
): Promise<{ hash: string; samples: number }> {
  const hash = createHash('sha256').update(SAMPLE_CSV_HEADER);
  let samples = 0;
  for await (const page of epochSamplePages(manager, farmId, startsAt, endsAt)) {
    for (const sample of page) hash.update(sample.line);
    samples += page.length;
  }
  return { hash: `0x${hash.digest('hex')}`, samples };
}
