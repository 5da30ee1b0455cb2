import {
  epochBounds,
  epochFigures,
  epochOf,
  planLeadMs,
  revenueOf,
  slotStart,
  slotsBetween,
} from './epoch-math';

describe('epoch arithmetic', () => {
  it('numbers epochs from 1970 and bounds them half-open', () => {
    expect(epochOf(7199.999, 3600)).toBe(1n);
    expect(epochOf(7200, 3600)).toBe(2n);
    expect(epochBounds(2n, 3600)).toEqual({
      startsAt: new Date(7_200_000),
      endsAt: new Date(10_800_000),
    });
  });

  it('puts a probe in the slot it falls in', () => {
    expect(slotStart(125_999, 60)).toEqual(new Date(120_000));
    expect(slotStart(126_000, 7)).toEqual(new Date(126_000));
  });

  it('runs a farm’s plan the lead before each slot, at most half the interval before', () => {
    expect(planLeadMs(60, 10)).toBe(10_000);
    expect(planLeadMs(60, 0)).toBe(0);
    expect(planLeadMs(10, 10)).toBe(5_000);
    expect(planLeadMs(1, 10)).toBe(500);
  });

  it('counts the slots that start in an epoch, also when the interval does not divide it', () => {
    expect(slotsBetween(new Date(0), new Date(3_600_000), 60)).toBe(60);
    // 7-second slots start at 0, 7, ..., 3598: 515 of them in the first hour, 514 in the second.
    expect(slotsBetween(new Date(0), new Date(3_600_000), 7)).toBe(515);
    expect(slotsBetween(new Date(3_600_000), new Date(7_200_000), 7)).toBe(514);
  });
});

describe('epochFigures: exact, floored once from the totals', () => {
  // 3 GPUs, 60-second slots, 4 slots: 12 samples expected.
  const tallies = [
    { gpuNodeId: 'a', upSamples: 4, utilizationSum: 33 + 67 + 99 + 100 },
    { gpuNodeId: 'b', upSamples: 3, utilizationSum: 1 + 1 + 1 },
    { gpuNodeId: 'c', upSamples: 0, utilizationSum: 0 },
  ];

  it('computes uptime and GPU-hours of a scripted sample set', () => {
    expect(epochFigures(tallies, 4, 60)).toEqual({
      expectedSamples: 12,
      upSamples: 7,
      // 7 / 12 = 0.58333 -> 5833 bps
      uptimeBps: 5833,
      // 7 x 60 s = 420 GPU-seconds = 0.116666 GPU-hours -> 116 thousandths
      gpuHoursAvailable: 116n,
      // (299 + 3)% x 60 s = 181.2 GPU-seconds = 0.050333 GPU-hours -> 50 thousandths
      gpuHoursUsed: 50n,
    });
  });

  it('one GPU alone', () => {
    expect(epochFigures([tallies[1]], 4, 60)).toEqual({
      expectedSamples: 4,
      upSamples: 3,
      uptimeBps: 7500,
      gpuHoursAvailable: 50n,
      gpuHoursUsed: 0n,
    });
  });

  it('never counts more up samples than slots; with no probe due, nothing was missed', () => {
    expect(
      epochFigures([{ gpuNodeId: 'a', upSamples: 9, utilizationSum: 0 }], 4, 60).upSamples,
    ).toBe(4);
    expect(epochFigures(tallies, 0, 60)).toMatchObject({ expectedSamples: 0, uptimeBps: 10_000 });
  });

  it('stays exact for a large farm over a long epoch', () => {
    // 100,000 GPUs, every 60-second slot of a 30-day epoch up at 100%.
    const slots = 30 * 24 * 60;
    const all = Array.from({ length: 100_000 }, (_, i) => ({
      gpuNodeId: String(i),
      upSamples: slots,
      utilizationSum: slots * 100,
    }));
    const figures = epochFigures(all, slots, 60);
    expect(figures.uptimeBps).toBe(10_000);
    expect(figures.gpuHoursAvailable).toBe(100_000n * 720n * 1000n);
    expect(figures.gpuHoursUsed).toBe(figures.gpuHoursAvailable);
  });

  it('prices the GPU-hours used at the farm rate, floored', () => {
    // 50 thousandths of a GPU-hour at 2.000003 units per GPU-hour: 100000.15 -> 100000.
    expect(revenueOf(50n, 2_000_003n)).toBe(100_000n);
  });
});
