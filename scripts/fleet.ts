import { parseArgs } from 'node:util';
import {
  type Fleet,
  type FleetOptions,
  NODE_MODES,
  type NodeMode,
  startFleet,
} from './lib/fleet/fleet-simulator';

const USAGE = `Usage: ts-node scripts/fleet.ts --gpus N [--gpus-per-node 8] [--port 9400]
         [--model "NVIDIA H100 80GB HBM3"] [--seed fleet] [--slow-ms 10000] [--mode 3=down,5=slow]

Serves N simulated GPUs as dcgm-exporter metrics, one path per node.
Modes: ${NODE_MODES.join(', ')}`;

interface CliOptions {
  fleet: FleetOptions;
  modes: Map<number, NodeMode>;
}

function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      gpus: { type: 'string' },
      'gpus-per-node': { type: 'string' },
      port: { type: 'string' },
      model: { type: 'string' },
      seed: { type: 'string' },
      'slow-ms': { type: 'string' },
      mode: { type: 'string', multiple: true },
    },
  });
  if (values.gpus === undefined) throw new Error('--gpus is required');
  const fleet: FleetOptions = {
    gpus: integerOption('--gpus', values.gpus, 1),
    gpusPerNode: optionalInteger('--gpus-per-node', values['gpus-per-node'], 1),
    port: optionalInteger('--port', values.port, 0, 65_535),
    model: values.model,
    seed: values.seed,
    slowMs: optionalInteger('--slow-ms', values['slow-ms'], 0),
  };
  if (fleet.model !== undefined && (fleet.model === '' || /["\n]/.test(fleet.model))) {
    throw new Error('--model must be non-empty, without quotes or newlines');
  }
  const nodeCount = Math.ceil(fleet.gpus / (fleet.gpusPerNode ?? 8));
  return { fleet, modes: parseModes(values.mode ?? [], nodeCount) };
}

function optionalInteger(
  name: string,
  text: string | undefined,
  min: number,
  max?: number,
): number | undefined {
  return text === undefined ? undefined : integerOption(name, text, min, max);
}

function integerOption(name: string, text: string, min: number, max = Infinity): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `between ${min} and ${max}`;
    throw new Error(`${name} must be an integer ${range}, got "${text}"`);
  }
  return value;
}

/** `--mode 3=down,5=slow`, repeatable. */
function parseModes(texts: string[], nodeCount: number): Map<number, NodeMode> {
  const modes = new Map<number, NodeMode>();
  for (const entry of texts.flatMap((text) => text.split(','))) {
    const match = /^(\d+)=([a-z-]+)$/.exec(entry.trim());
    if (!match) throw new Error(`--mode expects node=mode, e.g. 3=down; got "${entry}"`);
    const node = Number(match[1]);
    const mode = NODE_MODES.find((known) => known === match[2]);
    if (node >= nodeCount) {
      throw new Error(`--mode: no node ${node}, the fleet has nodes 0..${nodeCount - 1}`);
    }
    if (mode === undefined) {
      throw new Error(`--mode: unknown mode "${match[2]}" (one of ${NODE_MODES.join(', ')})`);
    }
    modes.set(node, mode);
  }
  return modes;
}

function summary(fleet: Fleet, gpus: number): string {
  const special = fleet.nodes.filter((node) => node.mode !== 'ok');
  const modes = special.length
    ? special.map((node) => `${node.index}=${node.mode}`).join(', ')
    : 'all ok';
  const example = fleet.nodes[0];
  return [
    `Fleet simulator at ${fleet.url}`,
    `  ${fleet.nodes.length} nodes, ${gpus} GPUs (${example.gpus.length} per node, ${example.gpus[0].model})`,
    `  modes: ${modes}`,
    `  metrics: ${example.url}  (host ${example.host}) ... /nodes/${fleet.nodes.length - 1}/metrics`,
    `  control: GET ${fleet.url}/control/nodes`,
    `           curl -X PUT -d '{"mode":"down"}' ${fleet.url}/control/nodes/0/mode`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    // Any error here is a mistake on the command line: reported with the usage, exit code 2.
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  const fleet = await startFleet(options.fleet);
  for (const [node, mode] of options.modes) fleet.setMode(node, mode);
  console.log(summary(fleet, options.fleet.gpus));

  const shutdown = (): void => {
    void fleet.stop().then(() => {
      console.log(`Stopped after ${fleet.requests()} metrics requests.`);
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
