import { DCGM_READ_SERIES, type DcgmGpu, readDcgmGpus } from '../metrics/dcgm-metrics';
import { MetricsFormatError, parsePrometheusText } from '../metrics/prometheus-text';

/** Why a GPU counts as down in a probe. Stable codes: they are exported and hashed. */
export const DOWN_REASONS = [
  'unreachable',
  'timeout',
  'http_error',
  'too_large',
  'malformed',
  'gpu_missing',
  'model_mismatch',
  'metrics_incomplete',
  'metrics_invalid',
  'metrics_stale',
] as const;
export type DownReason = (typeof DOWN_REASONS)[number];
export type FetchFailure = Extract<
  DownReason,
  'unreachable' | 'timeout' | 'http_error' | 'too_large' | 'malformed'
>;

/** A GPU as it was onboarded. */
export interface ExpectedGpu {
  /** gpu_node.id */
  id: string;
  uuid: string;
  model: string;
}

/** What fetching a node's metrics endpoint gave. */
export type FetchOutcome =
  | { kind: 'body'; text: string; receivedAtMs: number }
  | { kind: 'failed'; reason: FetchFailure; detail: string };

/** One GPU's sample of one probe. Readings only when it is up. */
export interface GpuVerdict {
  gpuNodeId: string;
  up: boolean;
  reason: DownReason | null;
  /** Human detail of the reason (not part of the hashed sample). */
  detail: string | null;
  utilization: number | null;
  temperatureC: number | null;
  powerMw: number | null;
  memoryUsedMb: number | null;
}

const DETAIL_MAX = 200;

/**
 * Judges every onboarded GPU of a node from one probe: down when the endpoint failed or its body
 * is not valid Prometheus text; else each GPU must be present with the onboarded model, complete,
 * plausible and fresh (samples with timestamps no older than `maxAgeMs`).
 */
export function judgeNode(
  expected: readonly ExpectedGpu[],
  outcome: FetchOutcome,
  maxAgeMs: number,
): GpuVerdict[] {
  if (outcome.kind === 'failed') {
    return expected.map((gpu) => down(gpu, outcome.reason, outcome.detail));
  }
  // UUIDs are hex: an onboarded one in capitals is the same GPU.
  let reported: Map<string, DcgmGpu>;
  try {
    const gpus = readDcgmGpus(parsePrometheusText(outcome.text, DCGM_READ_SERIES)).values();
    reported = new Map([...gpus].map((gpu) => [gpu.uuid.toLowerCase(), gpu]));
  } catch (error) {
    if (!(error instanceof MetricsFormatError)) throw error;
    return expected.map((gpu) => down(gpu, 'malformed', error.message));
  }
  return expected.map((gpu) => {
    const seen = reported.get(gpu.uuid.toLowerCase());
    if (!seen) return down(gpu, 'gpu_missing', `${gpu.uuid} is not in the node's metrics`);
    if (seen.problem) return down(gpu, 'metrics_incomplete', seen.problem);
    if (seen.modelName !== gpu.model) {
      return down(gpu, 'model_mismatch', `reported ${seen.modelName}, onboarded ${gpu.model}`);
    }
    if (
      seen.oldestTimestampMs !== null &&
      outcome.receivedAtMs - seen.oldestTimestampMs > maxAgeMs
    ) {
      const ageSeconds = Math.round((outcome.receivedAtMs - seen.oldestTimestampMs) / 1000);
      return down(gpu, 'metrics_stale', `samples are ${ageSeconds} s old`);
    }
    const { utilization, temperatureC, powerW, memoryUsedMb } = seen.values as Record<
      string,
      number
    >;
    const implausible = [
      !(utilization >= 0 && utilization <= 100) && 'utilization',
      !(temperatureC >= -50 && temperatureC <= 200) && 'temperature',
      !(powerW >= 0 && powerW <= 10_000) && 'power',
      !(memoryUsedMb >= 0 && memoryUsedMb <= 10_000_000) && 'memory used',
    ].filter(Boolean);
    if (implausible.length) {
      return down(gpu, 'metrics_invalid', `implausible ${implausible.join(', ')}`);
    }
    return {
      gpuNodeId: gpu.id,
      up: true,
      reason: null,
      detail: null,
      utilization: Math.round(utilization),
      temperatureC: Math.round(temperatureC),
      powerMw: Math.round(powerW * 1000),
      memoryUsedMb: Math.round(memoryUsedMb),
    };
  });
}

/** Text from a node's body, safe to store and show: control characters (NUL included) escaped. */
function printable(text: string): string {
  let safe = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    safe += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return safe;
}

function down(gpu: ExpectedGpu, reason: DownReason, detail: string): GpuVerdict {
  return {
    gpuNodeId: gpu.id,
    up: false,
    reason,
    detail: printable(detail.slice(0, DETAIL_MAX)).slice(0, DETAIL_MAX),
    utilization: null,
    temperatureC: null,
    powerMw: null,
    memoryUsedMb: null,
  };
}
