import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import * as path from 'node:path';
import type { SimulatedNode } from '../../scripts/lib/fleet/fleet-simulator';
import { waitFor } from '../../scripts/lib/wait-for';

const ROOT = path.resolve(__dirname, '../..');

export interface FleetChild {
  child: ChildProcess;
  url: string;
  /** The inventory, as GET /control/nodes gives it. */
  nodes: SimulatedNode[];
  /** SIGTERM (the simulator closes its server), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The fleet simulator (`scripts/fleet.ts`) in a process of its own, so that its CPU and memory are
 * its own; resolves once its control API answers with the inventory.
 */
export async function startFleetChild(options: {
  gpus: number;
  gpusPerNode: number;
  port: number;
  logFile: string;
  timeoutMs?: number;
}): Promise<FleetChild> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register',
      'scripts/fleet.ts',
      '--gpus',
      String(options.gpus),
      '--gpus-per-node',
      String(options.gpusPerNode),
      '--port',
      String(options.port),
    ],
    { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(options.logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async (graceMs = 5000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(kill, graceMs);
    await exited;
    clearTimeout(timer);
    process.off('exit', kill);
  };
  const url = `http://127.0.0.1:${options.port}`;
  try {
    const nodes = await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the simulator exited (${child.exitCode})`);
        const response = await fetch(`${url}/control/nodes`);
        return response.ok ? ((await response.json()) as SimulatedNode[]) : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 250, what: 'the fleet simulator' },
    );
    return { child, url, nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
