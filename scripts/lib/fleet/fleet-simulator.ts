import { createHash, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const NODE_MODES = [
  'ok',
  'down',
  'slow',
  'http-error',
  'missing-gpu',
  'swapped-model',
  'garbage',
  'stale',
] as const;
export type NodeMode = (typeof NODE_MODES)[number];

export interface SimulatedGpu {
  index: number;
  uuid: string;
  model: string;
  pciBusId: string;
  memoryMb: number;
}

export interface SimulatedNode {
  index: number;
  host: string;
  path: string;
  url: string;
  gpus: SimulatedGpu[];
  mode: NodeMode;
}

export interface FleetOptions {
  /** Total GPUs. */
  gpus: number;
  /** Default 8; the last node may have fewer. */
  gpusPerNode?: number;
  /** Default 0: a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 'NVIDIA H100 80GB HBM3'. */
  model?: string;
  /** Default 81559 (an H100 80GB's framebuffer total as DCGM reports it). */
  memoryMb?: number;
  /** Default 'fleet'; GPU UUIDs derive from seed, node and GPU index. */
  seed?: string;
  /** How long mode 'slow' delays its answer; default 10_000. */
  slowMs?: number;
}

export interface Fleet {
  /** http://host:port */
  url: string;
  port: number;
  nodes: SimulatedNode[];
  /** Throws RangeError on an unknown node or mode. */
  setMode(nodeIndex: number, mode: NodeMode): void;
  /** Metrics requests served so far, all modes. */
  requests(): number;
  /** Closes the server, destroys open sockets and clears pending 'slow' answers. */
  stop(): Promise<void>;
}

const DEFAULTS = {
  gpusPerNode: 8,
  port: 0,
  host: '127.0.0.1',
  model: 'NVIDIA H100 80GB HBM3',
  memoryMb: 81_559,
  seed: 'fleet',
  slowMs: 10_000,
};

const DRIVER_VERSION = '550.54.15';
const SWAPPED_MODEL = 'NVIDIA GeForce RTX 4090';
const STALE_BY_MS = 15 * 60 * 1000;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const MAX_CONTROL_BODY_BYTES = 4096;
/** PCI buses of the eight GPUs of an HGX H100 board. */
const HGX_PCI_BUSES = ['18', '2A', '3A', '5D', '9A', 'AB', 'BA', 'DB'];

const PROMETHEUS_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/plain; version=0.0.4; charset=utf-8',
};
const PLAIN_HEADERS: OutgoingHttpHeaders = { 'content-type': 'text/plain; charset=utf-8' };
const JSON_HEADERS: OutgoingHttpHeaders = { 'content-type': 'application/json' };

/** The series of dcgm-exporter's default counters, in the order it prints them. */
const METRICS = [
  { name: 'DCGM_FI_DEV_SM_CLOCK', type: 'gauge', help: 'SM clock frequency (in MHz).' },
  { name: 'DCGM_FI_DEV_MEM_CLOCK', type: 'gauge', help: 'Memory clock frequency (in MHz).' },
  { name: 'DCGM_FI_DEV_GPU_TEMP', type: 'gauge', help: 'GPU temperature (in C).' },
  { name: 'DCGM_FI_DEV_POWER_USAGE', type: 'gauge', help: 'Power draw (in W).' },
  {
    name: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
    type: 'counter',
    help: 'Total energy consumption since boot (in mJ).',
  },
  { name: 'DCGM_FI_DEV_GPU_UTIL', type: 'gauge', help: 'GPU utilization (in %).' },
  { name: 'DCGM_FI_DEV_FB_FREE', type: 'gauge', help: 'Framebuffer memory free (in MiB).' },
  { name: 'DCGM_FI_DEV_FB_USED', type: 'gauge', help: 'Framebuffer memory used (in MiB).' },
] as const;

const METRIC_HEADERS = METRICS.map(
  ({ name, type, help }) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`,
);
const METRIC_NAMES = METRICS.map(({ name }) => name);

const GARBAGE_BODY = Buffer.concat([
  Buffer.from(
    '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
      '<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n',
  ),
  // High bytes only: never a newline, never a metric name, mostly invalid UTF-8.
  randomBytes(512).map((byte) => byte | 0x80),
]);

/** What the server keeps per node beyond the public description: its pre-rendered labels. */
interface NodeState {
  node: SimulatedNode;
  /** `{gpu="0",UUID="…",…}` per GPU. */
  labels: string[];
  /** The last GPU's labels with the swapped model. */
  swappedLastLabels: string;
  /** Per GPU, 32 bits of its UUID that seed its readings. */
  gpuSeeds: number[];
  /** Per GPU, when it booted (ms since epoch) and its mean power draw (W), for the energy counter. */
  bootMs: number[];
  meanPowerW: number[];
}

type Settings = typeof DEFAULTS & { gpus: number };

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const settings = validatedSettings(options);
  const states: NodeState[] = [];
  for (let index = 0; index * settings.gpusPerNode < settings.gpus; index += 1) {
    states.push(nodeState(index, settings));
  }
  const nodes = states.map((state) => state.node);
  const server = createServer({ keepAlive: true }, (request, response) =>
    handleRequest(request, response),
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const sockets = trackSockets(server);
  const slowTimers = new Set<NodeJS.Timeout>();
  let metricsRequests = 0;

  const port = await listen(server, settings.port, settings.host);
  const url = `http://${settings.host}:${port}`;
  for (const node of nodes) node.url = url + node.path;

  function setMode(nodeIndex: number, mode: NodeMode): void {
    if (!Number.isInteger(nodeIndex) || nodeIndex < 0 || nodeIndex >= states.length) {
      throw new RangeError(`unknown node ${nodeIndex} (the fleet has ${states.length})`);
    }
    if (!isNodeMode(mode)) {
      throw new RangeError(`unknown mode "${String(mode)}" (one of ${NODE_MODES.join(', ')})`);
    }
    states[nodeIndex].node.mode = mode;
  }

  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    const path = pathOf(request.url ?? '/');
    const nodeIndex = request.method === 'GET' ? metricsNodeIndex(path) : undefined;
    if (nodeIndex !== undefined && nodeIndex < states.length) {
      metricsRequests += 1;
      serveMetrics(states[nodeIndex], request, response);
    } else if (path.startsWith('/control/')) {
      serveControl(request, response, path);
    } else {
      reply(response, 404, PLAIN_HEADERS, 'Not Found\n');
    }
  }

  function serveMetrics(state: NodeState, request: IncomingMessage, response: ServerResponse) {
    switch (state.node.mode) {
      case 'down':
        request.socket.destroy();
        return;
      case 'slow':
        return answerLater(state, response);
      case 'http-error':
        return reply(response, 503, PLAIN_HEADERS, 'DCGM not ready\n');
      case 'garbage':
        return reply(response, 200, PLAIN_HEADERS, GARBAGE_BODY);
      default:
        return reply(response, 200, PROMETHEUS_HEADERS, metricsBody(state, Date.now()));
    }
  }

  function answerLater(state: NodeState, response: ServerResponse): void {
    const timer = setTimeout(() => {
      slowTimers.delete(timer);
      reply(response, 200, PROMETHEUS_HEADERS, metricsBody(state, Date.now()));
    }, settings.slowMs);
    slowTimers.add(timer);
    response.once('close', () => {
      clearTimeout(timer);
      slowTimers.delete(timer);
    });
  }

  function serveControl(request: IncomingMessage, response: ServerResponse, path: string) {
    if (path === '/control/nodes' && request.method === 'GET') {
      return reply(response, 200, JSON_HEADERS, JSON.stringify(nodes));
    }
    const match = /^\/control\/nodes\/(\d+)\/mode$/.exec(path);
    if (!match || request.method !== 'PUT') {
      return reply(response, 404, PLAIN_HEADERS, 'Not Found\n');
    }
    const nodeIndex = Number(match[1]);
    readBody(request, (body) => {
      if (nodeIndex >= states.length) {
        return reply(response, 404, PLAIN_HEADERS, `No node ${nodeIndex}\n`);
      }
      const mode = requestedMode(body);
      if (mode === undefined) {
        const expected = `expected JSON {"mode": one of ${NODE_MODES.join(', ')}}\n`;
        return reply(response, 400, PLAIN_HEADERS, expected);
      }
      setMode(nodeIndex, mode);
      reply(response, 204, {}, '');
    });
  }

  let stopped: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopped ??= new Promise<void>((resolve) => {
      for (const timer of slowTimers) clearTimeout(timer);
      slowTimers.clear();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return stopped;
  }

  return { url, port, nodes, setMode, requests: () => metricsRequests, stop };
}

function validatedSettings(options: FleetOptions): Settings {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as FleetOptions;
  const settings: Settings = { ...DEFAULTS, ...defined };
  requireInteger('gpus', settings.gpus, 1);
  requireInteger('gpusPerNode', settings.gpusPerNode, 1);
  requireInteger('port', settings.port, 0, 65_535);
  requireInteger('memoryMb', settings.memoryMb, 1);
  requireInteger('slowMs', settings.slowMs, 0);
  if (settings.model.includes('"') || settings.model.includes('\n')) {
    throw new RangeError('model must not contain quotes or newlines');
  }
  return settings;
}

function requireInteger(name: string, value: number, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function isNodeMode(value: unknown): value is NodeMode {
  return (NODE_MODES as readonly unknown[]).includes(value);
}

/** A node with its labels rendered; its url is set once the server listens. */
function nodeState(index: number, settings: Settings): NodeState {
  const host = `node-${String(index).padStart(5, '0')}`;
  const path = `/nodes/${index}/metrics`;
  const firstGpu = index * settings.gpusPerNode;
  const gpuCount = Math.min(settings.gpusPerNode, settings.gpus - firstGpu);
  const gpus = Array.from({ length: gpuCount }, (_, gpu) => simulatedGpu(index, gpu, settings));
  const gpuSeeds = gpus.map((gpu) => parseInt(gpu.uuid.slice(4, 12), 16));
  const last = gpus[gpus.length - 1];
  return {
    node: { index, host, path, url: path, mode: 'ok', gpus },
    labels: gpus.map((gpu) => labelsOf(gpu, gpu.model, host)),
    swappedLastLabels: labelsOf(last, SWAPPED_MODEL, host),
    gpuSeeds,
    bootMs: gpuSeeds.map((seed) => bootTimeMs(seed)),
    meanPowerW: gpuSeeds.map((seed) => 250 + (mix(seed ^ 0x5bd1e995) % 300)),
  };
}

function simulatedGpu(node: number, gpu: number, settings: Settings): SimulatedGpu {
  return {
    index: gpu,
    uuid: gpuUuid(settings.seed, node, gpu),
    model: settings.model,
    pciBusId: pciBusId(gpu),
    memoryMb: settings.memoryMb,
  };
}

function gpuUuid(seed: string, node: number, gpu: number): string {
  const hex = createHash('sha256').update(`${seed}:${node}:${gpu}`).digest('hex');
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return ['GPU', ...parts, hex.slice(20, 32)].join('-');
}

/** Like an HGX board's: eight buses per PCI domain, a new domain every eight GPUs. */
function pciBusId(gpu: number): string {
  const domain = Math.floor(gpu / HGX_PCI_BUSES.length)
    .toString(16)
    .toUpperCase()
    .padStart(8, '0');
  return `${domain}:${HGX_PCI_BUSES[gpu % HGX_PCI_BUSES.length]}:00.0`;
}

function labelsOf(gpu: SimulatedGpu, model: string, host: string): string {
  // join() yields one flat string: nothing of the parts stays reachable through it.
  return [
    `{gpu="${gpu.index}"`,
    `UUID="${gpu.uuid}"`,
    `pci_bus_id="${gpu.pciBusId}"`,
    `device="nvidia${gpu.index}"`,
    `modelName="${model}"`,
    `Hostname="${host}"`,
    `DCGM_FI_DRIVER_VERSION="${DRIVER_VERSION}"}`,
  ].join(',');
}

/** Some time in the seven days before 2025-01-01, so every counter starts far from zero. */
function bootTimeMs(gpuSeed: number): number {
  const sevenDaysMs = 7 * 24 * 3600 * 1000;
  return Date.UTC(2025, 0, 1) - (mix(gpuSeed) % sevenDaysMs);
}

/** murmur3's 32-bit finaliser: a cheap, well-spread hash of a 32-bit integer. */
function mix(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One GPU's readings at one second: a function of the GPU and the second only. */
function readings(state: NodeState, gpu: number, nowMs: number): string[] {
  const second = Math.floor(nowMs / 1000);
  const seed = state.gpuSeeds[gpu];
  const h1 = mix(seed ^ Math.imul(second, 0x9e3779b1));
  const h2 = mix(h1 + 0x68e31da4);
  const h3 = mix(h2 + 0x1b56c4e9);
  const utilization = h1 % 101;
  const load = utilization / 100;
  const smClock = utilization === 0 ? 345 : 1755 + (h2 % 226);
  const temperature = 31 + Math.round(load * 45) + (h2 % 5);
  const powerW = Math.round((68 + load * 600 + (h3 % 25_000) / 1000) * 1000) / 1000;
  const energyMj = Math.max(0, second * 1000 - state.bootMs[gpu]) * state.meanPowerW[gpu];
  const memoryMb = state.node.gpus[gpu].memoryMb;
  const fbUsed = Math.floor(memoryMb * (0.005 + load * 0.9 * ((h3 % 1000) / 1000)));
  return [
    String(smClock),
    '2619',
    String(temperature),
    String(powerW),
    String(energyMj),
    String(utilization),
    String(memoryMb - fbUsed),
    String(fbUsed),
  ];
}

function metricsBody(state: NodeState, nowMs: number): string {
  const { mode, gpus } = state.node;
  const gpuCount = mode === 'missing-gpu' ? gpus.length - 1 : gpus.length;
  const sampledAtMs = mode === 'stale' ? nowMs - STALE_BY_MS : nowMs;
  const suffix = mode === 'stale' ? ` ${sampledAtMs}\n` : '\n';
  const labels = state.labels.slice(0, gpuCount);
  if (mode === 'swapped-model') labels[gpuCount - 1] = state.swappedLastLabels;
  const values = labels.map((_, gpu) => readings(state, gpu, sampledAtMs));
  let body = '';
  for (let metric = 0; metric < METRICS.length; metric += 1) {
    body += METRIC_HEADERS[metric];
    const name = METRIC_NAMES[metric];
    for (let gpu = 0; gpu < gpuCount; gpu += 1) {
      body += name + labels[gpu] + ' ' + values[gpu][metric] + suffix;
    }
  }
  return body;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The node of `/nodes/<i>/metrics`, parsed by hand: this runs on every probe. */
function metricsNodeIndex(path: string): number | undefined {
  const prefix = '/nodes/';
  const suffix = '/metrics';
  if (!path.startsWith(prefix) || !path.endsWith(suffix)) return undefined;
  const digits = path.slice(prefix.length, path.length - suffix.length);
  if (digits.length === 0 || digits.length > 9) return undefined;
  for (let i = 0; i < digits.length; i += 1) {
    const code = digits.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  return Number(digits);
}

function requestedMode(body: string): NodeMode | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const mode = (parsed as { mode?: unknown } | null)?.mode;
    return isNodeMode(mode) ? mode : undefined;
  } catch {
    return undefined;
  }
}

function readBody(request: IncomingMessage, onBody: (body: string) => void): void {
  let body = '';
  let tooLarge = false;
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => {
    body += chunk;
    tooLarge ||= body.length > MAX_CONTROL_BODY_BYTES;
  });
  request.on('end', () => onBody(tooLarge ? '' : body));
}

function reply(
  response: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string | Buffer,
): void {
  response.writeHead(status, headers);
  response.end(body);
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The GPU nodes of a farm listing (`POST /farms` `nodes`) that these simulated nodes serve. */
export function listingNodesOf(nodes: readonly SimulatedNode[]) {
  return nodes.flatMap((node) =>
    node.gpus.map((gpu) => ({
      gpuModel: gpu.model,
      gpuUuid: gpu.uuid,
      memoryMb: gpu.memoryMb,
      host: node.host,
      metricsUrl: node.url,
    })),
  );
}
