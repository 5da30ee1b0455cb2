import type { Logger } from '@nestjs/common';
import { safeErrorMessage } from '@gpu/common';
import { AdvisoryLock } from '@gpu/database';

export interface LeaderLoopOptions {
  /** Advisory lock name: at most one process in the deployment runs this loop at a time. */
  lockName: string;
  databaseUrl: string;
  /** Pause when a round found nothing to do, and between tries for the lock. */
  idleMs: number;
  logger: Logger;
  /** One round of work; true when it did something (the next round starts at once). */
  round: () => Promise<boolean>;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Runs `round` again and again in the one process that holds the lock. A failing round (RPC or
 * database away) is retried with exponential backoff; rounds are idempotent, so a retry never
 * produces a second effect. stop() lets the current round finish, then frees the lock.
 */
export class LeaderLoop {
  private running = false;
  private leader = false;
  private readonly lock: AdvisoryLock;
  private done?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly options: LeaderLoopOptions) {
    this.lock = new AdvisoryLock(options.databaseUrl, options.lockName);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const { logger, lockName } = this.options;
    let failures = 0;
    while (this.running) {
      let busy = false;
      try {
        const leader = await this.lock.holdOrAcquire().catch((error: unknown) => {
          this.leader = false;
          throw error;
        });
        if (leader !== this.leader) {
          logger.log(`${lockName}: ${leader ? 'this process runs it now' : 'lost the lock'}`);
          this.leader = leader;
        }
        if (leader) busy = await this.options.round();
        if (failures > 0)
          logger.log(`${lockName}: working again after ${failures} failed round(s)`);
        failures = 0;
      } catch (error) {
        failures += 1;
        logger.warn(`${lockName}: round failed (${failures} in a row): ${safeErrorMessage(error)}`);
      }
      if (!this.running) break;
      if (failures > 0) {
        await this.sleep(
          Math.min(MAX_BACKOFF_MS, this.options.idleMs * 2 ** Math.min(failures, 10)),
        );
      } else if (!busy) {
        await this.sleep(this.options.idleMs);
      }
    }
    await this.lock.release();
    this.leader = false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
