import { dcgmFixture as fixture, A800_MODEL, A800_UUIDS } from '../metrics/fixtures/dcgm-fixtures';
import {
  type ExpectedGpu,
  type FetchFailure,
  type FetchOutcome,
  type GpuVerdict,
  judgeNode,
} from './judge-node';

const A800_BODY = fixture('dcgm-exporter-a800-mig.prom');
const RTX_BODY = fixture('dcgm-exporter-rtx4000ada-k8s-pod.prom');
const L40S_BODY = fixture('dcgm-exporter-l40s.prom');

const A800_GPUS: ExpectedGpu[] = A800_UUIDS.map((uuid, i) => ({
  id: `a800-${i}`,
  uuid,
  model: A800_MODEL,
}));
const RTX_GPU: ExpectedGpu = {
  id: 'rtx-0',
  uuid: 'GPU-a8394b51-c086-568a-9f1a-c1e1c934c44c',
  model: 'NVIDIA RTX 4000 Ada Generation',
};
const L40S_GPU: ExpectedGpu = {
  id: 'l40s-0',
  uuid: 'GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43',
  model: 'NVIDIA L40S',
};

const RECEIVED_AT = Date.UTC(2025, 5, 1, 12, 0, 0);
const MAX_AGE_MS = 60_000;

function body(text: string): FetchOutcome {
  return { kind: 'body', text, receivedAtMs: RECEIVED_AT };
}

function up(
  gpu: ExpectedGpu,
  utilization: number,
  temperatureC: number,
  powerMw: number,
  memoryUsedMb: number,
): GpuVerdict {
  return {
    gpuNodeId: gpu.id,
    up: true,
    reason: null,
    detail: null,
    utilization,
    temperatureC,
    powerMw,
    memoryUsedMb,
  };
}

function down(gpu: ExpectedGpu, reason: GpuVerdict['reason'], detail: string): GpuVerdict {
  return {
    gpuNodeId: gpu.id,
    up: false,
    reason,
    detail,
    utilization: null,
    temperatureC: null,
    powerMw: null,
    memoryUsedMb: null,
  };
}

/** The A800 verdicts when all is well: [utilization, °C, mW, MiB used]. */
const A800_UP = [
  [0, 33, 78174, 30], // MIG: FB_USED 10 on each of its 3 instances, power of the first one
  [0, 27, 55942, 2],
  [0, 26, 53752, 2],
  [0, 31, 56990, 2],
  [0, 31, 58643, 2],
  [0, 26, 54581, 2],
  [0, 26, 57145, 2],
  [0, 29, 55011, 2],
].map(([utilization, temperature, power, memory], i) =>
  up(A800_GPUS[i], utilization, temperature, power, memory),
);

function isSampleOf(line: string, series: string, uuid: string): boolean {
  return line.startsWith(`${series}{`) && line.includes(`UUID="${uuid}"`);
}

/** Writes `value` in place of the value of the series' lines of that GPU. */
function setValue(text: string, series: string, uuid: string, value: string): string {
  return text
    .split('\n')
    .map((line) => (isSampleOf(line, series, uuid) ? line.replace(/\} .*$/, `} ${value}`) : line))
    .join('\n');
}

function dropSeries(text: string, series: string, uuid: string): string {
  return text
    .split('\n')
    .filter((line) => !isSampleOf(line, series, uuid))
    .join('\n');
}

/** Appends a timestamp to every sample line (of one GPU, when `uuid` is given). */
function stamp(text: string, timestampMs: number, uuid?: string): string {
  return text
    .split('\n')
    .map((line) =>
      line.startsWith('DCGM_FI_') && (uuid === undefined || line.includes(`UUID="${uuid}"`))
        ? `${line} ${timestampMs}`
        : line,
    )
    .join('\n');
}

describe('judgeNode with real dcgm-exporter bodies', () => {
  it('A800 with MIG: the 8 GPUs up, with integer readings', () => {
    expect(judgeNode(A800_GPUS, body(A800_BODY), MAX_AGE_MS)).toEqual(A800_UP);
  });

  it('RTX 4000 Ada: up, 40.979 W as 40979 mW', () => {
    expect(judgeNode([RTX_GPU], body(RTX_BODY), MAX_AGE_MS)).toEqual([
      up(RTX_GPU, 0, 48, 40979, 1),
    ]);
  });

  it('L40S: up, 35.686 W as 35686 mW', () => {
    expect(judgeNode([L40S_GPU], body(L40S_BODY), MAX_AGE_MS)).toEqual([
      up(L40S_GPU, 0, 32, 35686, 0),
    ]);
  });

  it('rounds the readings to integers (powerMw = round(W × 1000))', () => {
    let text = setValue(L40S_BODY, 'DCGM_FI_DEV_GPU_UTIL', L40S_GPU.uuid, '37.5');
    text = setValue(text, 'DCGM_FI_DEV_GPU_TEMP', L40S_GPU.uuid, '32.4');
    text = setValue(text, 'DCGM_FI_DEV_POWER_USAGE', L40S_GPU.uuid, '123.4567');
    text = setValue(text, 'DCGM_FI_DEV_FB_USED', L40S_GPU.uuid, '1.6e3');
    expect(judgeNode([L40S_GPU], body(text), MAX_AGE_MS)).toEqual([
      up(L40S_GPU, 38, 32, 123457, 1600),
    ]);
  });

  it('accepts the bounds: utilization 0 and 100, 0 W', () => {
    let text = setValue(L40S_BODY, 'DCGM_FI_DEV_GPU_UTIL', L40S_GPU.uuid, '100');
    text = setValue(text, 'DCGM_FI_DEV_POWER_USAGE', L40S_GPU.uuid, '0');
    expect(judgeNode([L40S_GPU], body(text), MAX_AGE_MS)).toEqual([up(L40S_GPU, 100, 32, 0, 0)]);
  });

  it('the MIG card utilization comes from its instances engine activity', () => {
    const text = A800_BODY.split('\n')
      .map((line) =>
        isSampleOf(line, 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', A800_UUIDS[0])
          ? line.replace(/\} .*$/, '} 0.700000')
          : line,
      )
      .join('\n');
    expect(judgeNode([A800_GPUS[0]], body(text), MAX_AGE_MS)).toEqual([
      up(A800_GPUS[0], 70, 33, 78174, 30),
    ]);
  });
});

describe('judgeNode: down, and why', () => {
  it.each<[FetchFailure, string]>([
    ['unreachable', 'ECONNREFUSED'],
    ['timeout', 'no answer in 5000 ms'],
    ['http_error', 'HTTP 503'],
    ['too_large', 'more than 4194304 bytes'],
    ['malformed', 'the body is not UTF-8 text'],
  ])('a fetch failure (%s) is every GPU down for that reason', (reason, detail) => {
    expect(judgeNode(A800_GPUS, { kind: 'failed', reason, detail }, MAX_AGE_MS)).toEqual(
      A800_GPUS.map((gpu) => down(gpu, reason, detail)),
    );
  });

  it('cuts a long detail to 200 characters', () => {
    const [verdict] = judgeNode(
      [L40S_GPU],
      { kind: 'failed', reason: 'unreachable', detail: 'x'.repeat(500) },
      MAX_AGE_MS,
    );
    expect(verdict.detail).toBe('x'.repeat(200));
  });

  it('a body that is not Prometheus text: every GPU malformed, the line in the detail', () => {
    const lines = A800_BODY.split('\n');
    lines[2] = 'garbage';
    expect(judgeNode(A800_GPUS, body(lines.join('\n')), MAX_AGE_MS)).toEqual(
      A800_GPUS.map((gpu) => down(gpu, 'malformed', 'line 3: no value for garbage')),
    );
  });

  it('an HTML page: every GPU malformed at line 1', () => {
    const html = '<html>\n<body>Welcome to nginx!</body>\n</html>\n';
    const verdicts = judgeNode([RTX_GPU, L40S_GPU], body(html), MAX_AGE_MS);
    expect(verdicts.map((v) => [v.gpuNodeId, v.reason])).toEqual([
      ['rtx-0', 'malformed'],
      ['l40s-0', 'malformed'],
    ]);
    expect(verdicts[0].detail).toMatch(/^line 1: invalid metric name/);
  });

  it('a cut-off body: every GPU malformed', () => {
    expect(judgeNode(A800_GPUS, body(A800_BODY.slice(0, 30_000)), MAX_AGE_MS)).toEqual(
      A800_GPUS.map((gpu) =>
        down(gpu, 'malformed', 'the body does not end with a line feed (cut off?)'),
      ),
    );
  });

  it('a body with its families twice: every GPU malformed (second HELP)', () => {
    expect(judgeNode([L40S_GPU], body(L40S_BODY + L40S_BODY), MAX_AGE_MS)).toEqual([
      down(L40S_GPU, 'malformed', 'line 70: second HELP for DCGM_FI_DEV_SM_CLOCK'),
    ]);
  });

  it('a body with its samples twice: every GPU malformed (duplicate series)', () => {
    const samples = L40S_BODY.split('\n').filter((line) => line.startsWith('DCGM_FI_'));
    const verdicts = judgeNode([L40S_GPU], body(L40S_BODY + samples.join('\n') + '\n'), MAX_AGE_MS);
    expect(verdicts[0].reason).toBe('malformed');
    expect(verdicts[0].detail).toMatch(/^line 70: duplicate series DCGM_FI_DEV_SM_CLOCK\{/);
  });

  it('an onboarded UUID absent from the body: gpu_missing, the others up', () => {
    const gone: ExpectedGpu = {
      id: 'a800-9',
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      model: A800_MODEL,
    };
    const verdicts = judgeNode([A800_GPUS[1], gone, A800_GPUS[2]], body(A800_BODY), MAX_AGE_MS);
    expect(verdicts).toEqual([
      A800_UP[1],
      down(
        gone,
        'gpu_missing',
        "GPU-00000000-0000-0000-0000-000000000000 is not in the node's metrics",
      ),
      A800_UP[2],
    ]);
  });

  it('an empty body: every GPU missing', () => {
    expect(judgeNode([L40S_GPU], body(''), MAX_AGE_MS)).toEqual([
      down(L40S_GPU, 'gpu_missing', `${L40S_GPU.uuid} is not in the node's metrics`),
    ]);
  });

  it('another model than onboarded: model_mismatch', () => {
    const claimed = { ...A800_GPUS[3], model: 'NVIDIA A100-SXM4-80GB' };
    expect(judgeNode([A800_GPUS[2], claimed], body(A800_BODY), MAX_AGE_MS)).toEqual([
      A800_UP[2],
      down(
        claimed,
        'model_mismatch',
        'reported NVIDIA A800-SXM4-80GB, onboarded NVIDIA A100-SXM4-80GB',
      ),
    ]);
  });

  it('the model is compared exactly', () => {
    const claimed = { ...L40S_GPU, model: 'NVIDIA L40S ' };
    expect(judgeNode([claimed], body(L40S_BODY), MAX_AGE_MS)[0].reason).toBe('model_mismatch');
  });

  it('a missing series: metrics_incomplete, the other GPUs up', () => {
    const text = dropSeries(A800_BODY, 'DCGM_FI_DEV_FB_USED', A800_UUIDS[2]);
    const verdicts = judgeNode(A800_GPUS, body(text), MAX_AGE_MS);
    expect(verdicts[2]).toEqual(
      down(A800_GPUS[2], 'metrics_incomplete', 'missing DCGM_FI_DEV_FB_USED'),
    );
    expect(verdicts.filter((_, i) => i !== 2)).toEqual(A800_UP.filter((_, i) => i !== 2));
  });

  it('the MIG card without engine activity: metrics_incomplete (no utilization)', () => {
    const text = dropSeries(A800_BODY, 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', A800_UUIDS[0]);
    expect(judgeNode(A800_GPUS.slice(0, 2), body(text), MAX_AGE_MS)).toEqual([
      down(A800_GPUS[0], 'metrics_incomplete', 'missing DCGM_FI_DEV_GPU_UTIL'),
      A800_UP[1],
    ]);
  });

  function withModel(text: string, series: string, uuid: string, model: string): string {
    return text
      .split('\n')
      .map((line) =>
        isSampleOf(line, series, uuid)
          ? line.replace(`modelName="${A800_MODEL}"`, `modelName="${model}"`)
          : line,
      )
      .join('\n');
  }

  it('a later series naming another model for the GPU: metrics_incomplete', () => {
    const text = withModel(A800_BODY, 'DCGM_FI_DEV_FB_FREE', A800_UUIDS[5], 'NVIDIA H800');
    expect(judgeNode(A800_GPUS.slice(4, 7), body(text), MAX_AGE_MS)).toEqual([
      A800_UP[4],
      down(A800_GPUS[5], 'metrics_incomplete', 'its series name different models'),
      A800_UP[6],
    ]);
  });

  it('series disagreeing on the model, whichever comes first: metrics_incomplete', () => {
    const text = withModel(A800_BODY, 'DCGM_FI_DEV_GPU_TEMP', A800_UUIDS[5], 'NVIDIA H800');
    expect(judgeNode([A800_GPUS[5]], body(text), MAX_AGE_MS)).toEqual([
      down(A800_GPUS[5], 'metrics_incomplete', 'its series name different models'),
    ]);
  });

  it.each([
    ['DCGM_FI_DEV_GPU_UTIL', '140', 'implausible utilization'],
    ['DCGM_FI_DEV_GPU_UTIL', 'NaN', 'implausible utilization'],
    ['DCGM_FI_DEV_GPU_UTIL', 'ERROR - FAILED TO CONVERT TO STRING', 'implausible utilization'],
    ['DCGM_FI_DEV_GPU_UTIL', '-1', 'implausible utilization'],
    ['DCGM_FI_DEV_GPU_UTIL', '+Inf', 'implausible utilization'],
    ['DCGM_FI_DEV_GPU_TEMP', '250', 'implausible temperature'],
    ['DCGM_FI_DEV_GPU_TEMP', '-60', 'implausible temperature'],
    ['DCGM_FI_DEV_POWER_USAGE', '-1.5', 'implausible power'],
    ['DCGM_FI_DEV_POWER_USAGE', '10000.5', 'implausible power'],
    ['DCGM_FI_DEV_FB_USED', '-3', 'implausible memory used'],
    ['DCGM_FI_DEV_FB_USED', '1e8', 'implausible memory used'],
  ])('%s = %s: metrics_invalid', (series, value, detail) => {
    const text = setValue(L40S_BODY, series, L40S_GPU.uuid, value);
    expect(judgeNode([L40S_GPU], body(text), MAX_AGE_MS)).toEqual([
      down(L40S_GPU, 'metrics_invalid', detail),
    ]);
  });

  it('names every implausible reading', () => {
    let text = setValue(RTX_BODY, 'DCGM_FI_DEV_GPU_UTIL', RTX_GPU.uuid, '140');
    text = setValue(text, 'DCGM_FI_DEV_POWER_USAGE', RTX_GPU.uuid, 'NaN');
    expect(judgeNode([RTX_GPU], body(text), MAX_AGE_MS)).toEqual([
      down(RTX_GPU, 'metrics_invalid', 'implausible utilization, power'),
    ]);
  });

  it('an implausible MIG instance makes the card invalid, the others stay up', () => {
    const text = A800_BODY.split('\n')
      .map((line) =>
        isSampleOf(line, 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', A800_UUIDS[0]) &&
        line.includes('GPU_I_ID="6"')
          ? line.replace(/\} .*$/, '} 5')
          : line,
      )
      .join('\n');
    const verdicts = judgeNode(A800_GPUS.slice(0, 2), body(text), MAX_AGE_MS);
    // (0 + 0 + 5) / 3 × 100 = 166.7 %
    expect(verdicts).toEqual([
      down(A800_GPUS[0], 'metrics_invalid', 'implausible utilization'),
      A800_UP[1],
    ]);
  });

  it('samples older than maxAgeMs: metrics_stale; fresh ones up', () => {
    const text = stamp(
      stamp(A800_BODY, RECEIVED_AT - 125_000, A800_UUIDS[1]),
      RECEIVED_AT - 30_000,
      A800_UUIDS[2],
    );
    expect(judgeNode(A800_GPUS.slice(0, 3), body(text), MAX_AGE_MS)).toEqual([
      A800_UP[0], // no timestamps: not judged on age
      down(A800_GPUS[1], 'metrics_stale', 'samples are 125 s old'),
      A800_UP[2],
    ]);
  });

  it('the oldest sample of the GPU decides; exactly maxAgeMs old is still fresh', () => {
    const fresh = stamp(L40S_BODY, RECEIVED_AT - MAX_AGE_MS);
    expect(judgeNode([L40S_GPU], body(fresh), MAX_AGE_MS)).toEqual([up(L40S_GPU, 0, 32, 35686, 0)]);
    const oneOld = fresh
      .split('\n')
      .map((line) =>
        isSampleOf(line, 'DCGM_FI_DEV_FB_FREE', L40S_GPU.uuid)
          ? line.replace(/ \d+$/, ` ${RECEIVED_AT - MAX_AGE_MS - 1}`)
          : line,
      )
      .join('\n');
    expect(judgeNode([L40S_GPU], body(oneOld), MAX_AGE_MS)).toEqual([
      down(L40S_GPU, 'metrics_stale', 'samples are 60 s old'),
    ]);
  });

  it('old timestamps on series it does not read do not make it stale', () => {
    const text = L40S_BODY.split('\n')
      .map((line) =>
        line.startsWith('DCGM_FI_DEV_SM_CLOCK{') ? `${line} ${RECEIVED_AT - 3_600_000}` : line,
      )
      .join('\n');
    expect(judgeNode([L40S_GPU], body(text), MAX_AGE_MS)).toEqual([up(L40S_GPU, 0, 32, 35686, 0)]);
  });

  it('timestamps ahead of the probe are fresh', () => {
    const text = stamp(RTX_BODY, RECEIVED_AT + 10_000);
    expect(judgeNode([RTX_GPU], body(text), MAX_AGE_MS)).toEqual([up(RTX_GPU, 0, 48, 40979, 1)]);
  });

  it('a model mismatch is reported before staleness and implausible values', () => {
    const text = stamp(setValue(L40S_BODY, 'DCGM_FI_DEV_GPU_UTIL', L40S_GPU.uuid, '140'), 0);
    const claimed = { ...L40S_GPU, model: 'NVIDIA L4' };
    expect(judgeNode([claimed], body(text), MAX_AGE_MS)[0].reason).toBe('model_mismatch');
    expect(judgeNode([L40S_GPU], body(text), MAX_AGE_MS)[0].reason).toBe('metrics_stale');
  });
});

describe('judgeNode: which GPUs, in which order', () => {
  it('GPUs reported but not onboarded are ignored', () => {
    expect(judgeNode([A800_GPUS[5]], body(A800_BODY), MAX_AGE_MS)).toEqual([A800_UP[5]]);
  });

  it('a verdict per onboarded GPU, in their order', () => {
    const order = [7, 0, 4, 1];
    const verdicts = judgeNode(
      order.map((i) => A800_GPUS[i]),
      body(A800_BODY),
      MAX_AGE_MS,
    );
    expect(verdicts).toEqual(order.map((i) => A800_UP[i]));
  });

  it('a node with no onboarded GPU: no verdicts', () => {
    expect(judgeNode([], body(A800_BODY), MAX_AGE_MS)).toEqual([]);
    expect(judgeNode([], { kind: 'failed', reason: 'timeout', detail: 't' }, MAX_AGE_MS)).toEqual(
      [],
    );
  });

  it('GPUs onboarded on the wrong node are missing there, up on their own', () => {
    expect(judgeNode([RTX_GPU, L40S_GPU], body(L40S_BODY), MAX_AGE_MS)).toEqual([
      down(RTX_GPU, 'gpu_missing', `${RTX_GPU.uuid} is not in the node's metrics`),
      up(L40S_GPU, 0, 32, 35686, 0),
    ]);
  });
});

describe('judgeNode: hostile or sloppy input', () => {
  it('escapes control characters of the body in the detail (Postgres refuses NUL in text)', () => {
    const text = L40S_BODY.replaceAll('modelName="NVIDIA L40S"', 'modelName="L40S\u0000\u0007"');
    const [verdict] = judgeNode([L40S_GPU], body(text), MAX_AGE_MS);
    expect(verdict.reason).toBe('model_mismatch');
    expect(verdict.detail).toBe('reported L40S\\u0000\\u0007, onboarded NVIDIA L40S');
  });

  it('knows a GPU onboarded with its UUID in capitals', () => {
    const shouting = { ...L40S_GPU, uuid: L40S_GPU.uuid.toUpperCase() };
    expect(judgeNode([shouting], body(L40S_BODY), MAX_AGE_MS)[0].up).toBe(true);
  });
});
