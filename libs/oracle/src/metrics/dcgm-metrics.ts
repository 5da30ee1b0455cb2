import type { PromSample } from './prometheus-text';

/** The dcgm-exporter series a probe reads, by what they mean. */
export const DCGM_SERIES = {
  utilization: 'DCGM_FI_DEV_GPU_UTIL',
  temperatureC: 'DCGM_FI_DEV_GPU_TEMP',
  powerW: 'DCGM_FI_DEV_POWER_USAGE',
  memoryUsedMb: 'DCGM_FI_DEV_FB_USED',
  memoryFreeMb: 'DCGM_FI_DEV_FB_FREE',
} as const;
/** A GPU split into MIG instances has no GPU_UTIL; its instances' engine activity (0 to 1) stands in. */
export const DCGM_MIG_ACTIVITY = 'DCGM_FI_PROF_GR_ENGINE_ACTIVE';

/** Every series `readDcgmGpus` reads: the others need only be well-formed. */
export const DCGM_READ_SERIES: ReadonlySet<string> = new Set([
  ...Object.values(DCGM_SERIES),
  DCGM_MIG_ACTIVITY,
]);

type Field = keyof typeof DCGM_SERIES;
const FIELD_OF_SERIES = new Map<string, Field>(
  Object.entries(DCGM_SERIES).map(([field, series]) => [series, field as Field]),
);
const FIELDS = Object.keys(DCGM_SERIES) as Field[];
/** Per MIG instance, these are the instance's share of the card; the rest are the card's. */
const SUMMED_OVER_INSTANCES: ReadonlySet<Field> = new Set(['memoryUsedMb', 'memoryFreeMb']);

/** What one GPU's series say, as dcgm-exporter labels them. */
export interface DcgmGpu {
  uuid: string;
  modelName: string;
  values: Partial<Record<Field, number>>;
  /** The oldest timestamp among its samples, when they carry any. */
  oldestTimestampMs: number | null;
  /** Why its series cannot be trusted, if they cannot. */
  problem: string | null;
}

/** Per series read, each MIG instance's value ('' for the whole card), first one kept. */
interface Readings {
  instances: string[];
  values: number[];
}

interface Collected {
  gpu: DcgmGpu;
  readings: Partial<Record<Field | 'activity', Readings>>;
}

/**
 * Groups the samples of the DCGM series by the GPU's `UUID` label. A GPU whose series disagree on
 * the model, or that lacks one of the series, is kept with a problem; other series are ignored.
 * MIG instances (label GPU_I_ID) of one card are folded into the card.
 */
export function readDcgmGpus(samples: readonly PromSample[]): Map<string, DcgmGpu> {
  const collected = new Map<string, Collected>();
  for (const sample of samples) {
    const key =
      FIELD_OF_SERIES.get(sample.name) ?? (sample.name === DCGM_MIG_ACTIVITY ? 'activity' : null);
    if (key === null) continue;
    const uuid = sample.labels.UUID;
    if (!uuid) continue;
    const modelName = sample.labels.modelName ?? '';
    let entry = collected.get(uuid);
    if (!entry) {
      const gpu: DcgmGpu = { uuid, modelName, values: {}, oldestTimestampMs: null, problem: null };
      entry = { gpu, readings: {} };
      collected.set(uuid, entry);
    }
    const { gpu, readings } = entry;
    if (modelName !== gpu.modelName) gpu.problem ??= 'its series name different models';
    // A GPU shared by pods repeats each series per pod: one value per MIG instance counts.
    const series = (readings[key] ??= { instances: [], values: [] });
    const instance = sample.labels.GPU_I_ID ?? '';
    if (!series.instances.includes(instance)) {
      series.instances.push(instance);
      series.values.push(sample.value);
    }
    if (sample.timestampMs !== null) {
      gpu.oldestTimestampMs = Math.min(gpu.oldestTimestampMs ?? Infinity, sample.timestampMs);
    }
  }
  const gpus = new Map<string, DcgmGpu>();
  for (const { gpu, readings } of collected.values()) {
    const missing: string[] = [];
    for (const field of FIELDS) {
      const values = readings[field]?.values;
      if (values) {
        gpu.values[field] = SUMMED_OVER_INSTANCES.has(field) ? sum(values) : values[0];
      } else if (field === 'utilization' && readings.activity) {
        const activity = readings.activity.values;
        gpu.values.utilization = (sum(activity) / activity.length) * 100;
      } else {
        missing.push(DCGM_SERIES[field]);
      }
    }
    if (missing.length) gpu.problem ??= `missing ${missing.join(', ')}`;
    gpus.set(gpu.uuid, gpu);
  }
  return gpus;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
