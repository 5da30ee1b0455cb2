import { type ChildProcess, spawn } from 'node:child_process';
import { findFreePort } from './anvil';
import { waitFor } from './wait-for';

export interface DisposableRedisOptions {
  /**
   * Keep an append-only file there, as docker-compose.yml's Redis does (fsync every second), so
   * that a restart keeps all but the last second's writes. Without it, everything is in memory.
   */
  appendOnlyDir?: string;
}

/** A private redis-server that a test (or the soak) may stop and start again on the same port. */
export class DisposableRedis {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly options: DisposableRedisOptions,
  ) {}

  static async start(options: DisposableRedisOptions = {}): Promise<DisposableRedis> {
    const redis = new DisposableRedis(await findFreePort(), options);
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--save',
        '',
        ...(this.options.appendOnlyDir
          ? [
              '--appendonly',
              'yes',
              '--appendfsync',
              'everysec',
              '--dir',
              this.options.appendOnlyDir,
            ]
          : ['--appendonly', 'no']),
      ],
      { stdio: 'ignore' },
    );
    this.process = child;
    await waitFor(async () => ((await this.ping()) ? true : undefined), {
      what: `redis on ${this.port}`,
    });
  }

  /** Kills it as a crash would (SIGKILL), or shuts it down as an operator does (SIGTERM). */
  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  private async ping(): Promise<boolean> {
    const net = await import('node:net');
    return new Promise((resolve) => {
      const socket = net.connect(this.port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
  }
}
