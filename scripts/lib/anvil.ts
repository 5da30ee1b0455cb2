import { type ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../..');
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/**
 * The native binary that @foundry-rs/anvil ships for this platform. Spawning it directly
 * (not the npm wrapper) means a signal reaches the node itself.
 */
function resolveAnvilBinary(): string {
  const name = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${ARCH[process.arch] ?? process.arch}`;
  try {
    return path.join(path.dirname(require.resolve(`${platformPackage}/package.json`)), 'bin', name);
  } catch {
    return path.join(REPO_ROOT, 'node_modules/.bin/anvil');
  }
}

export const ANVIL_BIN = resolveAnvilBinary();
export const DEFAULT_CHAIN_ID = 31337;

const STARTUP_TIMEOUT_MS = 15_000;
const KILL_GRACE_MS = 3_000;
const OUTPUT_TAIL_LINES = 20;

export interface AnvilOptions {
  port?: number;
  chainId?: number;
  blockTimeSeconds?: number;
  silent?: boolean;
}

export interface AnvilInstance {
  rpcUrl: string;
  port: number;
  chainId: number;
  stop(): Promise<void>;
}

// One shared 'exit' hook for every running instance, so that no anvil outlives its parent.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => running.forEach((c) => c.kill('SIGTERM')));
  }
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function findFreePort(): Promise<number> {
  return listenOnce(0);
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

async function assertPortFree(port: number): Promise<void> {
  try {
    await listenOnce(port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot start anvil: 127.0.0.1:${port} is not available (${code ?? error})`);
  }
}

/**
 * Starts a local anvil node on 127.0.0.1 and resolves once it answers eth_chainId.
 * `stop()` resolves when the node process has exited.
 */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilInstance> {
  if (options.port !== undefined) await assertPortFree(options.port);
  const port = options.port ?? (await findFreePort());
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  const rpcUrl = `http://127.0.0.1:${port}`;
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId)];
  if (options.blockTimeSeconds !== undefined) {
    args.push('--block-time', String(options.blockTimeSeconds));
  }
  if (options.silent) args.push('--quiet');

  const child = spawn(ANVIL_BIN, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);

  const tail: string[] = [];
  const onOutput = (sink: NodeJS.WriteStream) => (chunk: Buffer) => {
    if (!options.silent) sink.write(chunk);
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - OUTPUT_TAIL_LINES));
  };
  child.stdout?.on('data', onOutput(process.stdout));
  child.stderr?.on('data', onOutput(process.stderr));

  let exited = false;
  let spawnError: Error | undefined;
  const closed = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
    child.once('close', () => resolve());
  }).then(() => {
    exited = true;
    running.delete(child);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      void closed.then(resolve);
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        // Last resort: the node did not stop on SIGTERM in time.
        if (child.exitCode === null && child.signalCode === null) {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        } else {
          resolve();
        }
      }, KILL_GRACE_MS);
      void closed.then(() => clearTimeout(timer));
    });
    return stopping;
  };

  try {
    const reported = await waitForChainId(rpcUrl, () => exited);
    if (reported !== chainId) {
      throw new Error(`expected chain id ${chainId} but ${rpcUrl} reports ${reported}`);
    }
  } catch (error) {
    await stop();
    const reason = spawnError?.message ?? (error instanceof Error ? error.message : String(error));
    const output = tail.length > 0 ? `\nanvil output:\n${tail.join('\n')}` : '';
    throw new Error(`anvil failed to start on ${rpcUrl}: ${reason}${output}`);
  }

  return { rpcUrl, port, chainId, stop };
}

async function waitForChainId(rpcUrl: string, hasExited: () => boolean): Promise<number> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('the process exited during start-up');
    try {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(1_000),
      });
      const body = (await response.json()) as { result?: string };
      if (typeof body.result === 'string') return Number(BigInt(body.result));
      lastError = `unexpected answer ${JSON.stringify(body)}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`eth_chainId did not answer within ${STARTUP_TIMEOUT_MS} ms (${lastError})`);
}
