import type { AppProcess } from '../app-process';
import type { DisposableRedis } from '../redis-server';
import type { RpcProxy } from '../rpc-proxy';
import { sleep } from './soak-client';

export interface ChaosCounts {
  workerKills: number;
  redisRestarts: number;
  rpcOutages: number;
}

export interface ChaosTargets {
  /** The running worker; replaced by `startWorker` after each kill. */
  worker(): AppProcess;
  startWorker(): AppProcess;
  redis: DisposableRedis;
  rpc: RpcProxy;
  log(line: string): void;
}

/** Seconds between events of each kind: a base and a random spread around it. */
const WORKER_KILL_EVERY_S = [15, 25] as const;
const REDIS_RESTART_EVERY_S = [45, 75] as const;
const REDIS_DOWN_S = [1, 4] as const;
const RPC_OUTAGE_EVERY_S = [30, 50] as const;
const RPC_DOWN_S = [2, 6] as const;

/**
 * Three independent loops that break the platform's surroundings while the workload runs: the
 * worker is SIGKILLed (and a new one started), Redis is killed and restarted on its append-only
 * file, and the RPC endpoint the apps use refuses every connection for a few seconds. The loops
 * overlap at random, so faults also come together.
 */
export class ChaosLoop {
  readonly counts: ChaosCounts = { workerKills: 0, redisRestarts: 0, rpcOutages: 0 };
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly targets: ChaosTargets,
    private readonly random: () => number,
  ) {}

  start(): void {
    this.running = true;
    this.loops = [
      this.every(WORKER_KILL_EVERY_S, () => this.killWorker()),
      this.every(REDIS_RESTART_EVERY_S, () => this.restartRedis()),
      this.every(RPC_OUTAGE_EVERY_S, () => this.rpcOutage()),
    ];
  }

  /** Ends the loops and leaves everything up: a worker running, Redis and the RPC reachable. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async every(
    [low, high]: readonly [number, number],
    event: () => Promise<void>,
  ): Promise<void> {
    while (this.running) {
      const deadline = Date.now() + this.between(low, high) * 1000;
      while (this.running && Date.now() < deadline) await sleep(200);
      if (this.running) await event();
    }
  }

  private async killWorker(): Promise<void> {
    const exit = await this.targets.worker().kill();
    this.counts.workerKills += 1;
    this.targets.log(`chaos: worker SIGKILLed (${exit.signal ?? exit.code}), starting another`);
    this.targets.startWorker();
  }

  private async restartRedis(): Promise<void> {
    await this.targets.redis.stop('SIGKILL');
    const downS = this.between(...REDIS_DOWN_S);
    this.targets.log(`chaos: Redis killed, down for ${downS.toFixed(1)} s`);
    await sleep(downS * 1000);
    await this.targets.redis.resume();
    this.counts.redisRestarts += 1;
  }

  private async rpcOutage(): Promise<void> {
    const downS = this.between(...RPC_DOWN_S);
    this.targets.rpc.down();
    this.targets.log(`chaos: RPC unreachable for ${downS.toFixed(1)} s`);
    await sleep(downS * 1000);
    this.targets.rpc.up();
    this.counts.rpcOutages += 1;
  }

  private between(low: number, high: number): number {
    return low + (high - low) * this.random();
  }
}
