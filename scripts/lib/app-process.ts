import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const APP_ENTRY = {
  api: path.join(ROOT, 'dist/apps/api/apps/api/src/main.js'),
  worker: path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js'),
} as const;
export type AppName = keyof typeof APP_ENTRY;
/**
 * Node's flags for each app, as `npm run start:worker` and docker-compose.yml give them. The
 * worker allocates a body, its parse and its samples per probe, thousands a second: 64 MB
 * semi-spaces (16 MB by default) let them die young, which took its garbage collection from about
 * a fifth of its time to a seventh (npm run bench:oracle).
 */
export const APP_NODE_FLAGS: Record<AppName, readonly string[]> = {
  api: [],
  worker: ['--max-semi-space-size=64'],
};

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  clean: boolean;
}

export interface AppProcess {
  name: AppName;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`. Clean: exit code 0, or SIGTERM re-raised by Nest. */
  stop(graceMs?: number): Promise<AppExit>;
  /** SIGKILL, as a crash would; resolves when it is gone. */
  kill(): Promise<AppExit>;
}

/** Runs a built app with `env`; its output goes to `logFile`, or to this terminal. */
export function startApp(name: AppName, env: NodeJS.ProcessEnv, logFile?: string): AppProcess {
  const child = spawn(process.execPath, [...APP_NODE_FLAGS[name], APP_ENTRY[name]], {
    cwd: ROOT,
    env,
    stdio: logFile ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  if (logFile) {
    const log = createWriteStream(logFile);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<AppExit>((resolve) =>
    child.once('exit', (code, signal) =>
      resolve({ code, signal, clean: code === 0 || (code === null && signal === 'SIGTERM') }),
    ),
  ).finally(() => process.off('exit', killOnExit));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    kill: () => {
      if (running()) child.kill('SIGKILL');
      return exited;
    },
    stop: async (graceMs = 10_000) => {
      if (running()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}
