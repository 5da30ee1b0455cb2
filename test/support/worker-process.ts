import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { APP_NODE_FLAGS, type AppExit, type AppName } from '../../scripts/lib/app-process';

const ROOT = path.resolve(__dirname, '../..');
const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 10_000;

/** An app (the worker, or the API) in a process of its own, so that a test can kill it as a crash would. */
export interface WorkerProcess {
  pid: number;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<AppExit>;
  /** Sends `signal` (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<AppExit>;
  /** SIGTERM (Nest's shutdown hooks run), then SIGKILL after 10 s. */
  stop(): Promise<AppExit>;
  /** What it printed, stdout and stderr interleaved (the last 64 KiB), for failure messages. */
  output(): string;
}

/**
 * Runs apps/worker/src/main.ts from sources (no build needed) with `env` over process.env.
 * ts-node transpiles file by file, as ts-jest does here, and still emits the decorator
 * metadata that Nest's injection reads.
 */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  return startFromSources('worker', env);
}

/** The API, the same way (it listens on env.API_PORT). */
export function startApiProcess(env: Record<string, string>): WorkerProcess {
  return startFromSources('api', env);
}

function startFromSources(app: AppName, env: Record<string, string>): WorkerProcess {
  const child = spawn(
    process.execPath,
    [
      ...APP_NODE_FLAGS[app],
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      `apps/${app}/src/main.ts`,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  // A worker left behind would keep taking this run's jobs.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<AppExit>((resolve) => {
    child.once('error', (error) => {
      collect(Buffer.from(`\n${error.message}\n`));
      resolve({ code: null, signal: null, clean: false });
    });
    child.once('exit', (code, signal) =>
      resolve({ code, signal, clean: code === 0 || (code === null && signal === 'SIGTERM') }),
    );
  }).finally(() => process.off('exit', killOnExit));

  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? -1,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (running()) child.kill(signal);
      return exited;
    },
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
    output: () => output,
  };
}
