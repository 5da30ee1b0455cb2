import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Preloaded into an app (NODE_OPTIONS=--require <file>): starts the V8 CPU profiler when the file
 * BENCH_PROFILE_FILE.control says `start`, stops it when it says `stop` and then writes the
 * profile to BENCH_PROFILE_FILE.<n> (n = 0, 1, ...). A file rather than a signal: the apps shut
 * down on SIGUSR2 (Nest's enableShutdownHooks() listens to it). Written out at run time, so that
 * the app runs as built (plain node) and nothing of the bench is compiled into it.
 */
const PRELOAD = `'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const base = process.env.BENCH_PROFILE_FILE;
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 1000 }));
let running = false;
let written = 0;
setInterval(() => {
  let wanted;
  try {
    wanted = fs.readFileSync(base + '.control', 'utf8').trim();
  } catch {
    return;
  }
  if (wanted === 'start' && !running) {
    running = true;
    session.post('Profiler.start');
  } else if (wanted === 'stop' && running) {
    running = false;
    const file = base + '.' + written++;
    session.post('Profiler.stop', (error, result) => {
      if (!error) fs.writeFileSync(file, JSON.stringify(result.profile));
    });
  }
}, 50).unref();
`;

export function writeProfilerPreload(dir: string): string {
  const file = path.join(dir, 'profile-preload.cjs');
  writeFileSync(file, PRELOAD);
  return file;
}

/** Starts or stops the profiler of the app that preloads it with BENCH_PROFILE_FILE = `base`. */
export function profilerControl(base: string, command: 'start' | 'stop'): void {
  writeFileSync(`${base}.control`, command);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a file's CPU went, by what the code is for. The first match wins. */
const CATEGORIES: [string, RegExp][] = [
  ['idle', /^\(idle\)$/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['native / unattributed "(program)"', /^\(program\)$/],
  ['oracle: prometheus-text parser', /libs\/oracle\/src\/metrics\/prometheus-text/],
  ['oracle: dcgm-metrics', /libs\/oracle\/src\/metrics\/dcgm-metrics/],
  ['oracle: judge-node', /libs\/oracle\/src\/probe\/judge-node/],
  ['oracle: fetch-metrics', /libs\/oracle\/src\/probe\/fetch-metrics/],
  ['oracle: sample-writer', /libs\/oracle\/src\/samples/],
  ['oracle: other', /libs\/oracle\/src/],
  ['bullmq', /node_modules\/bullmq/],
  ['ioredis', /node_modules\/(ioredis|@ioredis|redis-parser|cluster-key-slot|denque)/],
  ['pg (driver)', /node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-\w+|buffer-writer)\//],
  ['typeorm', /node_modules\/typeorm/],
  ['fetch (undici)', /undici/],
  ['web streams', /node:internal\/webstreams/],
  ['other node internals', /^node:/],
  ['nestjs / pino / rxjs', /node_modules\/(@nestjs|pino|nestjs-pino|rxjs|sonic-boom)/],
  ['other product code', /dist\/apps/],
  ['other node_modules', /node_modules/],
];

export interface ProfileSummary {
  seconds: number;
  /** Percent of the profiled wall time, by category (idle included). */
  categories: { what: string; percent: number }[];
  /** The functions that used the most CPU themselves. */
  topSelf: { fn: string; percent: number }[];
  /** Time spent in (and under) a few functions, percent of the wall time. */
  inclusive: { fn: string; percent: number }[];
}

const INCLUSIVE = [
  'judgeNode',
  'parsePrometheusText',
  'readDcgmGpus',
  'fetchMetrics',
  'readLimited',
  'insert',
  'drain',
  'moveToActive',
  'moveToFinished',
  'addBulk',
];

/** The profiles' CPU (summed), or undefined when none was written. */
export function summarizeProfiles(files: string[]): ProfileSummary | undefined {
  const present = files.filter((file) => existsSync(file));
  if (!present.length) return undefined;
  let total = 0;
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>(INCLUSIVE.map((fn) => [fn, 0]));
  const add = (map: Map<string, number>, key: string, micros: number) =>
    map.set(key, (map.get(key) ?? 0) + micros);
  for (const file of present) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    total += profile.endTime - profile.startTime;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) {
      for (const child of node.children ?? []) parent.set(child, node.id);
    }
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) =>
      self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
    );
    const underPreload = (id: number) => {
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        if (byId.get(at)!.callFrame.url.includes('profile-preload')) return true;
      }
      return false;
    };
    for (const [id, micros] of self) {
      const node = byId.get(id)!;
      if (underPreload(id)) {
        add(categories, 'the profiler itself (stopping, serializing)', micros);
        continue;
      }
      add(categories, categoryOf(node), micros);
      add(functions, label(node), micros);
      // Inclusive time: a sample counts once for each named function on its stack.
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const name = byId.get(at)!.callFrame.functionName;
        if (inclusive.has(name) && !seen.has(name)) {
          seen.add(name);
          add(inclusive, name, micros);
        }
      }
    }
  }
  const percent = (micros: number) => Math.round((micros / total) * 1000) / 10;
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    seconds: total / 1e6,
    categories: sorted(categories).map(([what, micros]) => ({ what, percent: percent(micros) })),
    topSelf: sorted(functions)
      .filter(([fn]) => fn !== '(idle)')
      .slice(0, 20)
      .map(([fn, micros]) => ({ fn, percent: percent(micros) })),
    inclusive: [...inclusive].map(([fn, micros]) => ({ fn, percent: percent(micros) })),
  };
}

function label(node: ProfileNode): string {
  const url = node.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/');
  const name = node.callFrame.functionName || '(anonymous)';
  return url ? `${name} ${url}:${node.callFrame.lineNumber + 1}` : name;
}

function categoryOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  const subject = url || functionName;
  for (const [what, pattern] of CATEGORIES) if (pattern.test(subject)) return what;
  return url ? 'other' : 'native builtins (no url)';
}
