/** Epoch n covers [n x length, (n + 1) x length) seconds since 1970. */
export function epochOf(unixSeconds: number, epochSeconds: number): bigint {
  return BigInt(Math.floor(unixSeconds / epochSeconds));
}

export function epochBounds(epoch: bigint, epochSeconds: number): { startsAt: Date; endsAt: Date } {
  const start = Number(epoch) * epochSeconds;
  return { startsAt: new Date(start * 1000), endsAt: new Date((start + epochSeconds) * 1000) };
}

/** The start of the probe slot `atMs` falls in: slots are multiples of the interval since 1970. */
export function slotStart(atMs: number, intervalSeconds: number): Date {
  const intervalMs = intervalSeconds * 1000;
  return new Date(Math.floor(atMs / intervalMs) * intervalMs);
}

/** How long before each of its slots a farm's plan runs: ORACLE_PLAN_LEAD_SECONDS, at most half the interval. */
export function planLeadMs(intervalSeconds: number, leadSeconds: number): number {
  return Math.min(leadSeconds * 1000, intervalSeconds * 500);
}

/** How many probe slots start in [startsAt, endsAt). */
export function slotsBetween(startsAt: Date, endsAt: Date, intervalSeconds: number): number {
  const first = Math.ceil(startsAt.getTime() / 1000 / intervalSeconds);
  const end = Math.ceil(endsAt.getTime() / 1000 / intervalSeconds);
  return end - first;
}

/** One GPU's samples in an epoch, as counted by the database. */
export interface GpuTally {
  gpuNodeId: string;
  upSamples: number;
  /** Sum of the utilization percent of its up samples. */
  utilizationSum: number;
}

export interface EpochFigures {
  expectedSamples: number;
  upSamples: number;
  uptimeBps: number;
  /** Thousandths of a GPU-hour. */
  gpuHoursAvailable: bigint;
  gpuHoursUsed: bigint;
}

/**
 * Exact integer figures for `slots` probe slots of `intervalSeconds` over `tallies` (all of one
 * farm, or one GPU): a slot without a sample counts as down; an up sample stands for a whole
 * interval of the GPU available, and for `utilization`% of it used; every figure is floored once,
 * from the totals.
 */
export function epochFigures(
  tallies: readonly GpuTally[],
  slots: number,
  intervalSeconds: number,
): EpochFigures {
  const expectedSamples = slots * tallies.length;
  const upSamples = tallies.reduce((sum, gpu) => sum + Math.min(gpu.upSamples, slots), 0);
  const utilizationSum = tallies.reduce((sum, gpu) => sum + BigInt(gpu.utilizationSum), 0n);
  const interval = BigInt(intervalSeconds);
  return {
    expectedSamples,
    upSamples,
    // No probe due (an epoch shorter than the interval): nothing was missed.
    uptimeBps: expectedSamples === 0 ? 10_000 : Math.floor((upSamples * 10_000) / expectedSamples),
    // up x interval seconds = GPU-seconds; x 1000 / 3600 = thousandths of a GPU-hour.
    gpuHoursAvailable: (BigInt(upSamples) * interval * 1000n) / 3600n,
    // utilization% x interval / 100 = GPU-seconds used; x 1000 / 3600.
    gpuHoursUsed: (utilizationSum * interval * 10n) / 3600n,
  };
}

/** What the GPU-hours used earn at `ratePerGpuHour` (minor units per GPU-hour), floored. */
export function revenueOf(gpuHoursUsedThousandths: bigint, ratePerGpuHour: bigint): bigint {
  return (gpuHoursUsedThousandths * ratePerGpuHour) / 1000n;
}
