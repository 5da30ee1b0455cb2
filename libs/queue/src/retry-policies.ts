import type { JobsOptions } from 'bullmq';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Completed jobs are kept an hour, failed ones a week, so that failures can be looked at. */
const RETENTION: JobsOptions = {
  removeOnComplete: { age: HOUR, count: 1000 },
  removeOnFail: { age: 7 * DAY, count: 10_000 },
};

export const RetryPolicy = {
  /** Periodic jobs: the next run is the retry. */
  none: { ...RETENTION, attempts: 1 },
  /** Jobs that talk to the network: retried with exponential backoff (1 s, 2 s, 4 s, ...). */
  transient: { ...RETENTION, attempts: 6, backoff: { type: 'exponential', delay: 1000 } },
  /**
   * Probes: a failed probe is a down sample, not a failed job; only writing the samples can fail,
   * and is retried briefly. Thousands a minute: only the last 1000 completed are kept.
   */
  probe: {
    removeOnComplete: { count: 1000 },
    removeOnFail: { age: DAY, count: 10_000 },
    attempts: 3,
    backoff: { type: 'exponential', delay: 500 },
  },
} as const satisfies Record<string, JobsOptions>;
