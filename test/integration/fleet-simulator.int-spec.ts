import {
  type Fleet,
  type SimulatedNode,
  startFleet,
} from '../../scripts/lib/fleet/fleet-simulator';

const SERIES = [
  ['DCGM_FI_DEV_SM_CLOCK', 'gauge'],
  ['DCGM_FI_DEV_MEM_CLOCK', 'gauge'],
  ['DCGM_FI_DEV_GPU_TEMP', 'gauge'],
  ['DCGM_FI_DEV_POWER_USAGE', 'gauge'],
  ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'counter'],
  ['DCGM_FI_DEV_GPU_UTIL', 'gauge'],
  ['DCGM_FI_DEV_FB_FREE', 'gauge'],
  ['DCGM_FI_DEV_FB_USED', 'gauge'],
] as const;
const SERIES_NAMES = SERIES.map(([name]) => name);
const INTEGER_SERIES: readonly string[] = SERIES_NAMES.filter(
  (name) => name !== 'DCGM_FI_DEV_POWER_USAGE',
);
const UUID_SHAPE = /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\} (\S+)(?: (-?\d+))?$/;
const COMMENT_LINE = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* \S/;
const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;

interface Sample {
  name: string;
  labels: Record<string, string>;
  text: string;
  value: number;
  timestampMs?: number;
}

/** The samples of a Prometheus text body; fails on any line that is neither sample nor comment. */
function parseSamples(body: string): Sample[] {
  const lines = body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  return lines.map((line) => {
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries(
      [...match[2].matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]),
    );
    const timestampMs = match[4] === undefined ? undefined : Number(match[4]);
    return { name: match[1], labels, text: match[3], value: Number(match[3]), timestampMs };
  });
}

function samplesOf(samples: Sample[], uuid: string): Sample[] {
  return samples.filter((sample) => sample.labels.UUID === uuid);
}

function valueOf(samples: Sample[], name: string, uuid: string): number {
  const sample = samples.find((s) => s.name === name && s.labels.UUID === uuid);
  if (!sample) throw new Error(`no ${name} for ${uuid}`);
  return sample.value;
}

async function metrics(node: SimulatedNode): Promise<{ response: Response; body: string }> {
  const response = await fetch(node.url, { signal: AbortSignal.timeout(5_000) });
  return { response, body: await response.text() };
}

function putMode(fleet: Fleet, node: number | string, body: string): Promise<Response> {
  return fetch(`${fleet.url}/control/nodes/${node}/mode`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

describe('fleet simulator', () => {
  const SLOW_MS = 300;
  let fleet: Fleet;

  beforeAll(async () => {
    // Ten nodes; the last holds 6 GPUs.
    fleet = await startFleet({ gpus: 9 * 8 + 6, seed: 'spec', slowMs: SLOW_MS });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('lays out nodes with hosts, paths and GPUs as real ones look', () => {
    expect(fleet.nodes).toHaveLength(10);
    expect(fleet.nodes.map((node) => node.gpus.length)).toEqual([8, 8, 8, 8, 8, 8, 8, 8, 8, 6]);
    const node = fleet.nodes[3];
    expect(node).toMatchObject({
      index: 3,
      host: 'node-00003',
      path: '/nodes/3/metrics',
      url: `${fleet.url}/nodes/3/metrics`,
      mode: 'ok',
    });
    const uuids = fleet.nodes.flatMap((n) => n.gpus.map((gpu) => gpu.uuid));
    expect(uuids.every((uuid) => UUID_SHAPE.test(uuid))).toBe(true);
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(new Set(node.gpus.map((gpu) => gpu.pciBusId)).size).toBe(8);
    expect(node.gpus[0]).toMatchObject({
      index: 0,
      model: 'NVIDIA H100 80GB HBM3',
      memoryMb: 81_559,
      pciBusId: expect.stringMatching(/^[0-9A-F]{8}:[0-9A-F]{2}:00\.0$/),
    });
  });

  it('ok: every GPU has each of the eight series with dcgm-exporter labels', async () => {
    const node = fleet.nodes[0];
    const { response, body } = await metrics(node);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(body.endsWith('\n')).toBe(true);
    const types = [...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [
      name,
      type,
    ]);
    expect(types).toEqual(SERIES.map(([name, type]) => [name, type]));
    expect(body.match(/^# HELP DCGM_FI_DEV_\w+ .+$/gm)).toHaveLength(8);

    const samples = parseSamples(body);
    expect(samples).toHaveLength(8 * 8);
    for (const gpu of node.gpus) {
      const own = samplesOf(samples, gpu.uuid);
      expect(own.map((sample) => sample.name)).toEqual(SERIES_NAMES);
      for (const sample of own) {
        expect(sample.labels).toEqual({
          gpu: String(gpu.index),
          UUID: gpu.uuid,
          pci_bus_id: gpu.pciBusId,
          device: `nvidia${gpu.index}`,
          modelName: 'NVIDIA H100 80GB HBM3',
          Hostname: 'node-00000',
          DCGM_FI_DRIVER_VERSION: '550.54.15',
        });
        expect(sample.timestampMs).toBeUndefined();
        expect(Number.isFinite(sample.value)).toBe(true);
        if (INTEGER_SERIES.includes(sample.name)) expect(sample.text).toMatch(/^\d+$/);
      }
      const fbFree = valueOf(own, 'DCGM_FI_DEV_FB_FREE', gpu.uuid);
      const fbUsed = valueOf(own, 'DCGM_FI_DEV_FB_USED', gpu.uuid);
      expect(fbFree + fbUsed).toBe(gpu.memoryMb);
      expect(valueOf(own, 'DCGM_FI_DEV_GPU_UTIL', gpu.uuid)).toBeLessThanOrEqual(100);
      expect(own.find((s) => s.name === 'DCGM_FI_DEV_POWER_USAGE')?.text).toMatch(
        /^\d+(\.\d{1,3})?$/,
      );
    }
  });

  it('ok: readings change with time and the energy counter only grows', async () => {
    const node = fleet.nodes[0];
    const before = parseSamples((await metrics(node)).body);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const after = parseSamples((await metrics(node)).body);

    const energy = 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION';
    for (const gpu of node.gpus) {
      expect(valueOf(after, energy, gpu.uuid)).toBeGreaterThan(valueOf(before, energy, gpu.uuid));
    }
    const utilization = (samples: Sample[]) =>
      samples.filter((s) => s.name === 'DCGM_FI_DEV_GPU_UTIL').map((s) => s.value);
    expect(utilization(after)).not.toEqual(utilization(before));
  });

  it('down: the connection is dropped without a response', async () => {
    fleet.setMode(1, 'down');
    await expect(metrics(fleet.nodes[1])).rejects.toThrow();
  });

  it('slow: answers the normal body only after slowMs', async () => {
    fleet.setMode(2, 'slow');
    const started = performance.now();
    const { response, body } = await metrics(fleet.nodes[2]);
    const elapsedMs = performance.now() - started;

    // libuv's timer clock has millisecond granularity: a timer may fire up to 1 ms "early".
    expect(elapsedMs).toBeGreaterThanOrEqual(SLOW_MS - 1);
    expect(response.status).toBe(200);
    expect(parseSamples(body)).toHaveLength(8 * 8);
  });

  it('http-error: 503 "DCGM not ready"', async () => {
    fleet.setMode(3, 'http-error');
    const { response, body } = await metrics(fleet.nodes[3]);
    expect(response.status).toBe(503);
    expect(body).toBe('DCGM not ready\n');
  });

  it('missing-gpu: the last GPU is absent from every series', async () => {
    const node = fleet.nodes[4];
    fleet.setMode(4, 'missing-gpu');
    const samples = parseSamples((await metrics(node)).body);

    expect(samplesOf(samples, node.gpus[7].uuid)).toEqual([]);
    for (const gpu of node.gpus.slice(0, 7)) {
      expect(samplesOf(samples, gpu.uuid).map((s) => s.name)).toEqual(SERIES_NAMES);
    }
  });

  it('swapped-model: the last GPU keeps its UUID but reports another model', async () => {
    const node = fleet.nodes[5];
    fleet.setMode(5, 'swapped-model');
    const samples = parseSamples((await metrics(node)).body);

    const last = samplesOf(samples, node.gpus[7].uuid);
    expect(last).toHaveLength(8);
    expect(new Set(last.map((s) => s.labels.modelName))).toEqual(
      new Set(['NVIDIA GeForce RTX 4090']),
    );
    const others = node.gpus.slice(0, 7).flatMap((gpu) => samplesOf(samples, gpu.uuid));
    expect(others).toHaveLength(7 * 8);
    expect(others.every((s) => s.labels.modelName === 'NVIDIA H100 80GB HBM3')).toBe(true);
  });

  it('garbage: 200 with a body that holds no Prometheus line', async () => {
    fleet.setMode(6, 'garbage');
    const response = await fetch(fleet.nodes[6].url);
    const body = Buffer.from(await response.arrayBuffer()).toString('latin1');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = body.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => SAMPLE_LINE.test(line) || COMMENT_LINE.test(line))).toEqual([]);
  });

  it('stale: every sample carries a timestamp 15 minutes old', async () => {
    fleet.setMode(7, 'stale');
    const samples = parseSamples((await metrics(fleet.nodes[7])).body);

    expect(samples).toHaveLength(8 * 8);
    const expectedMs = Date.now() - FIFTEEN_MINUTES_MS;
    for (const sample of samples) {
      expect(Math.abs((sample.timestampMs ?? 0) - expectedMs)).toBeLessThan(5_000);
    }
  });

  it('counts metrics requests of every mode, and only those', async () => {
    fleet.setMode(1, 'down');
    fleet.setMode(3, 'http-error');
    const before = fleet.requests();
    await metrics(fleet.nodes[0]);
    await metrics(fleet.nodes[3]);
    await expect(metrics(fleet.nodes[1])).rejects.toThrow();
    await fetch(`${fleet.url}/nodes/10/metrics`);
    await fetch(`${fleet.url}/control/nodes`);

    expect(fleet.requests()).toBe(before + 3);
  });

  it('setMode refuses unknown nodes and modes', () => {
    expect(() => fleet.setMode(10, 'ok')).toThrow(RangeError);
    expect(() => fleet.setMode(-1, 'ok')).toThrow(RangeError);
    expect(() => fleet.setMode(0, 'sleepy' as never)).toThrow(RangeError);
  });

  it('answers 404 on unknown paths', async () => {
    for (const path of ['/', '/metrics', '/nodes/10/metrics', '/nodes/x/metrics', '/control']) {
      expect((await fetch(fleet.url + path)).status).toBe(404);
    }
  });

  describe('control API', () => {
    it('lists the nodes with their modes and GPUs', async () => {
      fleet.setMode(8, 'garbage');
      const response = await fetch(`${fleet.url}/control/nodes`);

      expect(response.status).toBe(200);
      const listed = (await response.json()) as Array<Record<string, unknown>>;
      expect(listed).toEqual(JSON.parse(JSON.stringify(fleet.nodes)));
      expect(Object.keys(listed[8])).toEqual(['index', 'host', 'path', 'url', 'mode', 'gpus']);
      expect(listed[8]).toMatchObject({ index: 8, host: 'node-00008', mode: 'garbage' });
    });

    it('sets a mode that the node then serves', async () => {
      expect((await putMode(fleet, 8, '{"mode":"http-error"}')).status).toBe(204);
      expect(fleet.nodes[8].mode).toBe('http-error');
      expect((await metrics(fleet.nodes[8])).response.status).toBe(503);

      expect((await putMode(fleet, 8, '{"mode":"ok"}')).status).toBe(204);
      expect((await metrics(fleet.nodes[8])).response.status).toBe(200);
    });

    it('refuses bad JSON, unknown modes and unknown nodes', async () => {
      expect((await putMode(fleet, 8, 'not json')).status).toBe(400);
      expect((await putMode(fleet, 8, '{"mode":"sleepy"}')).status).toBe(400);
      expect((await putMode(fleet, 8, '{}')).status).toBe(400);
      expect((await putMode(fleet, 10, '{"mode":"ok"}')).status).toBe(404);
      expect((await putMode(fleet, 'x', '{"mode":"ok"}')).status).toBe(404);
      expect(fleet.nodes[8].mode).toBe('ok');
    });
  });

  it('derives the same UUIDs from the same seed and others from another', async () => {
    const uuidsOf = (f: Fleet) => f.nodes.flatMap((node) => node.gpus.map((gpu) => gpu.uuid));
    const again = await startFleet({ gpus: 78, seed: 'spec' });
    const other = await startFleet({ gpus: 78, seed: 'other' });
    try {
      expect(uuidsOf(again)).toEqual(uuidsOf(fleet));
      expect(uuidsOf(other).filter((uuid) => uuidsOf(fleet).includes(uuid))).toEqual([]);
    } finally {
      await Promise.all([again.stop(), other.stop()]);
    }
  });

  it('stop() ends pending slow answers at once', async () => {
    const small = await startFleet({ gpus: 8, slowMs: 10_000 });
    small.setMode(0, 'slow');
    const pending = metrics(small.nodes[0]);
    pending.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = performance.now();
    await small.stop();

    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
  });
});

describe('fleet simulator at scale', () => {
  it('starts 100,000 GPUs quickly and serves a node of them', async () => {
    const started = performance.now();
    const fleet = await startFleet({ gpus: 100_000 });
    const startMs = performance.now() - started;
    try {
      expect(startMs).toBeLessThan(4_000);
      expect(fleet.nodes).toHaveLength(12_500);
      const last = fleet.nodes[12_499];
      const samples = parseSamples((await metrics(last)).body);

      expect(samples).toHaveLength(8 * 8);
      expect(new Set(samples.map((s) => s.labels.UUID))).toEqual(
        new Set(last.gpus.map((gpu) => gpu.uuid)),
      );
      expect(samples.every((s) => s.labels.Hostname === 'node-12499')).toBe(true);
    } finally {
      await fleet.stop();
    }
  });
});
