import {
  dcgmFixture as fixture,
  A800_MODEL,
  A800_UUIDS,
  RTX_UUID,
  L40S_UUID,
} from './fixtures/dcgm-fixtures';
import { type DcgmGpu, readDcgmGpus } from './dcgm-metrics';
import { type PromSample, parsePrometheusText } from './prometheus-text';

function gpusOf(text: string): Map<string, DcgmGpu> {
  return readDcgmGpus(parsePrometheusText(text));
}

const a800 = () => parsePrometheusText(fixture('dcgm-exporter-a800-mig.prom'));
const rtx = () => parsePrometheusText(fixture('dcgm-exporter-rtx4000ada-k8s-pod.prom'));
const l40s = () => parsePrometheusText(fixture('dcgm-exporter-l40s.prom'));

/** The samples of one GPU's series changed by `change` (the others untouched). */
function edit(
  samples: PromSample[],
  match: { name: string; uuid: string; instance?: string },
  change: (sample: PromSample) => PromSample,
): PromSample[] {
  return samples.map((sample) =>
    sample.name === match.name &&
    sample.labels.UUID === match.uuid &&
    (match.instance === undefined || sample.labels.GPU_I_ID === match.instance)
      ? change(sample)
      : sample,
  );
}

function without(samples: PromSample[], name: string, uuid?: string): PromSample[] {
  return samples.filter(
    (s) => !(s.name === name && (uuid === undefined || s.labels.UUID === uuid)),
  );
}

describe('readDcgmGpus on real dcgm-exporter output', () => {
  it('A800: the 8 cards, in order, the MIG card once', () => {
    const gpus = readDcgmGpus(a800());
    expect([...gpus.keys()]).toEqual(A800_UUIDS);
    for (const gpu of gpus.values()) {
      expect(gpu.modelName).toBe(A800_MODEL);
      expect(gpu.problem).toBeNull();
      expect(gpu.oldestTimestampMs).toBeNull();
    }
  });

  it('A800: the readings of the whole cards', () => {
    const gpus = readDcgmGpus(a800());
    expect(gpus.get(A800_UUIDS[1])).toEqual({
      uuid: A800_UUIDS[1],
      modelName: A800_MODEL,
      values: {
        utilization: 0,
        temperatureC: 27,
        powerW: 55.942,
        memoryUsedMb: 2,
        memoryFreeMb: 81226,
      },
      oldestTimestampMs: null,
      problem: null,
    });
    const temperatures = A800_UUIDS.map((uuid) => gpus.get(uuid)!.values.temperatureC);
    expect(temperatures).toEqual([33, 27, 26, 31, 31, 26, 26, 29]);
    const powers = A800_UUIDS.map((uuid) => gpus.get(uuid)!.values.powerW);
    expect(powers).toEqual([78.174, 55.942, 53.752, 56.99, 58.643, 54.581, 57.145, 55.011]);
  });

  it('A800: the MIG card folded: memory summed over its 3 instances, utilization from GR_ENGINE_ACTIVE', () => {
    // Each of the 3 `2g.20gb` instances reports FB_USED 10 and FB_FREE 19957; there is no GPU_UTIL.
    expect(readDcgmGpus(a800()).get(A800_UUIDS[0])).toEqual({
      uuid: A800_UUIDS[0],
      modelName: A800_MODEL,
      values: {
        utilization: 0,
        temperatureC: 33,
        powerW: 78.174, // the first instance's line: 78.174, 78.174, 78.446
        memoryUsedMb: 30,
        memoryFreeMb: 59871,
      },
      oldestTimestampMs: null,
      problem: null,
    });
  });

  it('A800: MIG utilization is the mean engine activity of the instances, in %', () => {
    const activity: Record<string, number> = { '3': 0.2, '5': 0.5, '6': 0.95 };
    const samples = a800().map((s) =>
      s.name === 'DCGM_FI_PROF_GR_ENGINE_ACTIVE' && s.labels.UUID === A800_UUIDS[0]
        ? { ...s, value: activity[s.labels.GPU_I_ID] }
        : s,
    );
    const gpus = readDcgmGpus(samples);
    expect(gpus.get(A800_UUIDS[0])!.values.utilization).toBeCloseTo(55, 10);
    // The cards with GPU_UTIL keep it.
    expect(gpus.get(A800_UUIDS[1])!.values.utilization).toBe(0);
  });

  it('A800: a MIG card with one unreadable engine activity has a NaN utilization', () => {
    const samples = edit(
      a800(),
      { name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', uuid: A800_UUIDS[0], instance: '5' },
      (s) => ({ ...s, value: NaN, unreadable: 'ERROR - FAILED TO CONVERT TO STRING' }),
    );
    const gpu = readDcgmGpus(samples).get(A800_UUIDS[0])!;
    expect(gpu.values.utilization).toBeNaN();
    expect(gpu.problem).toBeNull();
  });

  it('RTX 4000 Ada: one GPU; GPU_UTIL wins over GR_ENGINE_ACTIVE (0.004656)', () => {
    const gpus = readDcgmGpus(rtx());
    expect([...gpus.values()]).toEqual([
      {
        uuid: RTX_UUID,
        modelName: 'NVIDIA RTX 4000 Ada Generation',
        values: {
          utilization: 0,
          temperatureC: 48,
          powerW: 40.979,
          memoryUsedMb: 1,
          memoryFreeMb: 20015,
        },
        oldestTimestampMs: null,
        problem: null,
      },
    ]);
  });

  it('L40S: one GPU', () => {
    expect([...readDcgmGpus(l40s()).values()]).toEqual([
      {
        uuid: L40S_UUID,
        modelName: 'NVIDIA L40S',
        values: {
          utilization: 0,
          temperatureC: 32,
          powerW: 35.686,
          memoryUsedMb: 0,
          memoryFreeMb: 45459,
        },
        oldestTimestampMs: null,
        problem: null,
      },
    ]);
  });

  it('the three nodes together: 10 GPUs', () => {
    expect([...readDcgmGpus([...a800(), ...rtx(), ...l40s()]).keys()]).toEqual([
      ...A800_UUIDS,
      RTX_UUID,
      L40S_UUID,
    ]);
  });
});

describe('readDcgmGpus: problems', () => {
  it.each([
    // GR_ENGINE_ACTIVE stands in for GPU_UTIL.
    ['DCGM_FI_DEV_GPU_UTIL', null],
    ['DCGM_FI_DEV_GPU_TEMP', 'missing DCGM_FI_DEV_GPU_TEMP'],
    ['DCGM_FI_DEV_POWER_USAGE', 'missing DCGM_FI_DEV_POWER_USAGE'],
    ['DCGM_FI_DEV_FB_USED', 'missing DCGM_FI_DEV_FB_USED'],
    ['DCGM_FI_DEV_FB_FREE', 'missing DCGM_FI_DEV_FB_FREE'],
  ])('L40S without %s: problem %s', (series, problem) => {
    const gpu = readDcgmGpus(without(l40s(), series)).get(L40S_UUID)!;
    expect(gpu.problem).toBe(problem);
  });

  it('L40S without GPU_UTIL reads the utilization from GR_ENGINE_ACTIVE', () => {
    const samples = edit(
      without(l40s(), 'DCGM_FI_DEV_GPU_UTIL'),
      { name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', uuid: L40S_UUID },
      (s) => ({ ...s, value: 0.42 }),
    );
    expect(readDcgmGpus(samples).get(L40S_UUID)!.values.utilization).toBeCloseTo(42, 10);
  });

  it('a GPU without GPU_UTIL nor GR_ENGINE_ACTIVE: missing DCGM_FI_DEV_GPU_UTIL', () => {
    const samples = without(
      without(l40s(), 'DCGM_FI_DEV_GPU_UTIL'),
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
    );
    const gpu = readDcgmGpus(samples).get(L40S_UUID)!;
    expect(gpu.problem).toBe('missing DCGM_FI_DEV_GPU_UTIL');
    expect(gpu.values.utilization).toBeUndefined();
    expect(gpu.values.temperatureC).toBe(32);
  });

  it('the MIG card without GR_ENGINE_ACTIVE: missing DCGM_FI_DEV_GPU_UTIL, the other cards fine', () => {
    const gpus = readDcgmGpus(without(a800(), 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', A800_UUIDS[0]));
    expect(gpus.get(A800_UUIDS[0])!.problem).toBe('missing DCGM_FI_DEV_GPU_UTIL');
    expect(A800_UUIDS.slice(1).map((uuid) => gpus.get(uuid)!.problem)).toEqual(Array(7).fill(null));
  });

  it('names every missing series, in a fixed order', () => {
    const samples = without(
      without(a800(), 'DCGM_FI_DEV_FB_FREE', A800_UUIDS[3]),
      'DCGM_FI_DEV_GPU_TEMP',
      A800_UUIDS[3],
    );
    expect(readDcgmGpus(samples).get(A800_UUIDS[3])!.problem).toBe(
      'missing DCGM_FI_DEV_GPU_TEMP, DCGM_FI_DEV_FB_FREE',
    );
  });

  it('series naming different models for one UUID: a problem, the first model kept', () => {
    const samples = edit(a800(), { name: 'DCGM_FI_DEV_POWER_USAGE', uuid: A800_UUIDS[4] }, (s) => ({
      ...s,
      labels: { ...s.labels, modelName: 'NVIDIA H800' },
    }));
    const gpus = readDcgmGpus(samples);
    expect(gpus.get(A800_UUIDS[4])).toMatchObject({
      modelName: A800_MODEL,
      problem: 'its series name different models',
    });
    expect(gpus.get(A800_UUIDS[5])!.problem).toBeNull();
  });

  it('one MIG instance naming another model: a problem', () => {
    const samples = edit(
      a800(),
      { name: 'DCGM_FI_DEV_FB_USED', uuid: A800_UUIDS[0], instance: '6' },
      (s) => ({ ...s, labels: { ...s.labels, modelName: 'NVIDIA A100-SXM4-80GB' } }),
    );
    expect(readDcgmGpus(samples).get(A800_UUIDS[0])!.problem).toBe(
      'its series name different models',
    );
  });

  it('a series without modelName among ones with it: a problem', () => {
    const samples = edit(l40s(), { name: 'DCGM_FI_DEV_GPU_TEMP', uuid: L40S_UUID }, (s) => {
      const { modelName: _dropped, ...labels } = s.labels;
      return { ...s, labels };
    });
    expect(readDcgmGpus(samples).get(L40S_UUID)!.problem).toBe('its series name different models');
  });

  it('a GPU whose every series lacks modelName is kept with an empty model', () => {
    const samples = l40s().map((s) => {
      const { modelName: _dropped, ...labels } = s.labels;
      return { ...s, labels };
    });
    expect(readDcgmGpus(samples).get(L40S_UUID)).toMatchObject({ modelName: '', problem: null });
  });
});

describe('readDcgmGpus: what it ignores and keeps', () => {
  it('ignores samples without UUID and other series', () => {
    const text =
      'DCGM_FI_DEV_GPU_TEMP{gpu="0",modelName="X"} 40\n' +
      'DCGM_FI_DEV_SM_CLOCK{gpu="1",UUID="GPU-only-clock",modelName="X"} 1410\n' +
      'node_load1 0.5\n';
    expect(gpusOf(text).size).toBe(0);
  });

  it('a GPU with only GR_ENGINE_ACTIVE is kept, with the other series missing', () => {
    const gpu = gpusOf('DCGM_FI_PROF_GR_ENGINE_ACTIVE{UUID="GPU-x",modelName="X"} 0.5\n').get(
      'GPU-x',
    )!;
    expect(gpu.values).toEqual({ utilization: 50 });
    expect(gpu.problem).toBe(
      'missing DCGM_FI_DEV_GPU_TEMP, DCGM_FI_DEV_POWER_USAGE, DCGM_FI_DEV_FB_USED, DCGM_FI_DEV_FB_FREE',
    );
  });

  it('keeps an unreadable GPU_UTIL as NaN (no fallback to GR_ENGINE_ACTIVE)', () => {
    const samples = edit(l40s(), { name: 'DCGM_FI_DEV_GPU_UTIL', uuid: L40S_UUID }, (s) => ({
      ...s,
      value: NaN,
      unreadable: 'ERROR - FAILED TO CONVERT TO STRING',
    }));
    const gpu = readDcgmGpus(samples).get(L40S_UUID)!;
    expect(gpu.values.utilization).toBeNaN();
    expect(gpu.problem).toBeNull();
  });

  it('the oldest timestamp of the GPU series, other series not counted', () => {
    const text =
      'DCGM_FI_DEV_GPU_UTIL{UUID="GPU-x",modelName="X"} 10 1700000005000\n' +
      'DCGM_FI_DEV_GPU_TEMP{UUID="GPU-x",modelName="X"} 40 1700000001000\n' +
      'DCGM_FI_DEV_POWER_USAGE{UUID="GPU-x",modelName="X"} 100\n' +
      'DCGM_FI_DEV_FB_USED{UUID="GPU-x",modelName="X"} 5 1700000003000\n' +
      'DCGM_FI_DEV_FB_FREE{UUID="GPU-x",modelName="X"} 6 1700000004000\n' +
      'DCGM_FI_DEV_SM_CLOCK{UUID="GPU-x",modelName="X"} 1410 1600000000000\n' +
      'DCGM_FI_DEV_GPU_TEMP{UUID="GPU-y",modelName="X"} 40 1500000000000\n';
    const gpus = gpusOf(text);
    expect(gpus.get('GPU-x')).toEqual({
      uuid: 'GPU-x',
      modelName: 'X',
      values: { utilization: 10, temperatureC: 40, powerW: 100, memoryUsedMb: 5, memoryFreeMb: 6 },
      oldestTimestampMs: 1700000001000,
      problem: null,
    });
    expect(gpus.get('GPU-y')!.oldestTimestampMs).toBe(1500000000000);
  });
});

/*
 * dcgm-exporter in Kubernetes writes a GPU's series once per pod using it when the GPU is shared
 * (time-slicing, MPS; NVIDIA/dcgm-exporter#340, and one copy per virtual GPU with
 * KUBERNETES_VIRTUAL_GPUS, #432): same UUID, no GPU_I_ID, only the pod labels differ. Every copy
 * carries the whole card's value: only distinct MIG instances (GPU_I_ID) are summed.
 */
describe('readDcgmGpus: a GPU shared by several pods', () => {
  it('the per-pod copies of one card are not summed', () => {
    const text = fixture('dcgm-exporter-rtx4000ada-k8s-pod.prom');
    const secondPod = text
      .split('\n')
      .filter((line) => line.startsWith('DCGM_FI_'))
      .map((line) => line.replace('pod="cuda-75454ffb9f-8ljq7"', 'pod="cuda-75454ffb9f-x2v9p"'));
    const gpu = gpusOf(text + secondPod.join('\n') + '\n').get(RTX_UUID)!;
    expect(gpu.problem).toBeNull();
    expect(gpu.values).toEqual({
      utilization: 0,
      temperatureC: 48,
      powerW: 40.979,
      memoryUsedMb: 1,
      memoryFreeMb: 20015,
    });
  });
});
