import { RevenueTerms, deviationBps, splitRevenue, withinTolerance } from './revenue-split';
import { mulberry32, randomBigInt } from '../testing/seeded-random';

const B = 10_000n;

function terms(
  platformFeeBps: number,
  revenueShareBps: number,
  slaMet = true,
  slaPenaltyBps = 0,
): RevenueTerms {
  return { platformFeeBps, revenueShareBps, slaMet, slaPenaltyBps };
}

/**
 * The holders' exact (rational) share, scaled by 10_000^3 so it stays an integer:
 * gross - gross*p/B - gross*(B-p)/B * (B-s)/B * (B-penalty)/B.
 */
function exactHoldersTimesB3(gross: bigint, t: RevenueTerms): bigint {
  const p = BigInt(t.platformFeeBps);
  const s = BigInt(t.revenueShareBps);
  const penalty = t.slaMet ? 0n : BigInt(t.slaPenaltyBps);
  return gross * B ** 3n - gross * p * B ** 2n - gross * (B - p) * (B - s) * (B - penalty);
}

describe('splitRevenue', () => {
  it('splits 1_000_000 at 2% platform and 80% to holders with the SLA met', () => {
    // 2% of 1e6 = 20_000; 980_000 left; operator 20% = 196_000; holders 784_000
    expect(splitRevenue(1_000_000n, terms(200, 8_000, true, 5_000))).toEqual({
      gross: 1_000_000n,
      platformFee: 20_000n,
      operatorShare: 196_000n,
      slaPenalty: 0n,
      operatorFee: 196_000n,
      holdersShare: 784_000n,
    });
  });

  it('moves half the operator share to the holders when the SLA is missed at 50%', () => {
    // penalty 50% of 196_000 = 98_000; operator keeps 98_000; holders 784_000 + 98_000
    expect(splitRevenue(1_000_000n, terms(200, 8_000, false, 5_000))).toEqual({
      gross: 1_000_000n,
      platformFee: 20_000n,
      operatorShare: 196_000n,
      slaPenalty: 98_000n,
      operatorFee: 98_000n,
      holdersShare: 882_000n,
    });
  });

  describe('rounding favours the holders', () => {
    it('gives 1 wei to the holders when every fee rounds to 0', () => {
      // platform 1 * 200 / 10_000 -> 0; operator 1 * 2_000 / 10_000 -> 0
      const split = splitRevenue(1n, terms(200, 8_000));
      expect(split.platformFee).toBe(0n);
      expect(split.operatorFee).toBe(0n);
      expect(split.holdersShare).toBe(1n);
    });

    it('splits 3 at 33.33% platform and 50% share as 0 / 1 / 2', () => {
      // exact: platform 0.9999, operator 1.00005, holders 1.00005
      const split = splitRevenue(3n, terms(3_333, 5_000));
      expect([split.platformFee, split.operatorFee, split.holdersShare]).toEqual([0n, 1n, 2n]);
    });

    it('splits 9_999 at 2% platform and 80% share as 199 / 1_960 / 7_840', () => {
      // exact: platform 199.98 -> 199; left 9_800; operator 1_960; holders 7_840 >= 7_839.216
      const split = splitRevenue(9_999n, terms(200, 8_000));
      expect([split.platformFee, split.operatorFee, split.holdersShare]).toEqual([
        199n,
        1_960n,
        7_840n,
      ]);
    });

    it('splits 9_999 with the SLA missed at 50% as 199 / 980 / 8_820', () => {
      // operator share 1_960, penalty 980; holders 8_820 >= exact 8_819.118
      const split = splitRevenue(9_999n, terms(200, 8_000, false, 5_000));
      expect(split.slaPenalty).toBe(980n);
      expect([split.platformFee, split.operatorFee, split.holdersShare]).toEqual([
        199n,
        980n,
        8_820n,
      ]);
    });

    it('never gives the holders less than their exact share when the SLA is met', () => {
      const next = mulberry32(0xfee5);
      for (const gross of [1n, 2n, 3n, 7n, 9_999n, 10_001n, 123_456_789n]) {
        for (let run = 0; run < 50; run++) {
          const t = terms(next() % 10_001, next() % 10_001);
          const split = splitRevenue(gross, t);
          if (split.holdersShare * B ** 3n < exactHoldersTimesB3(gross, t)) {
            throw new Error(`gross ${gross}, ${JSON.stringify(t)}: ${split.holdersShare}`);
          }
        }
      }
    });

    // 9_999 all to the operator, SLA missed at 50%: exact holders 4_999.5, so the operator's fee
    // is rounded down to 4_999 and the holders get 5_000.
    it('never gives the holders less than their exact share when the SLA is missed', () => {
      const cases: [bigint, RevenueTerms][] = [
        [9_999n, terms(0, 0, false, 5_000)],
        [3n, terms(0, 0, false, 5_000)],
        [1n, terms(0, 0, false, 5_000)],
      ];
      for (const [gross, t] of cases) {
        const split = splitRevenue(gross, t);
        expect(split.holdersShare * B ** 3n).toBeGreaterThanOrEqual(exactHoldersTimesB3(gross, t));
      }
    });
  });

  describe('extremes', () => {
    it('takes everything as platform fee at 10_000 bps', () => {
      expect(splitRevenue(1_000_000n, terms(10_000, 8_000, false, 5_000))).toEqual({
        gross: 1_000_000n,
        platformFee: 1_000_000n,
        operatorShare: 0n,
        slaPenalty: 0n,
        operatorFee: 0n,
        holdersShare: 0n,
      });
    });

    it('gives the holders everything at 0 platform fee and 10_000 bps revenue share', () => {
      const split = splitRevenue(1_000_000n, terms(0, 10_000));
      expect([split.platformFee, split.operatorFee, split.holdersShare]).toEqual([
        0n,
        0n,
        1_000_000n,
      ]);
    });

    it('gives the operator everything at 0 bps revenue share with the SLA met', () => {
      const split = splitRevenue(1_000_000n, terms(0, 0, true, 10_000));
      expect([split.platformFee, split.operatorFee, split.holdersShare]).toEqual([
        0n,
        1_000_000n,
        0n,
      ]);
    });

    it('moves the whole operator share to the holders at a 10_000 bps penalty', () => {
      expect(splitRevenue(1_000_000n, terms(0, 0, false, 10_000))).toEqual({
        gross: 1_000_000n,
        platformFee: 0n,
        operatorShare: 1_000_000n,
        slaPenalty: 1_000_000n,
        operatorFee: 0n,
        holdersShare: 1_000_000n,
      });
    });

    it('charges no penalty at 0 bps even when the SLA is missed', () => {
      const split = splitRevenue(1_000_000n, terms(200, 8_000, false, 0));
      expect([split.slaPenalty, split.operatorFee, split.holdersShare]).toEqual([
        0n,
        196_000n,
        784_000n,
      ]);
    });

    it('splits a gross of 0 into zeros', () => {
      expect(splitRevenue(0n, terms(200, 8_000, false, 5_000))).toEqual({
        gross: 0n,
        platformFee: 0n,
        operatorShare: 0n,
        slaPenalty: 0n,
        operatorFee: 0n,
        holdersShare: 0n,
      });
    });
  });

  it('rejects a negative gross', () => {
    expect(() => splitRevenue(-1n, terms(200, 8_000))).toThrow(RangeError);
  });

  it('adds up to gross for 200 random cases', () => {
    const next = mulberry32(0xc0ffee);
    for (let run = 0; run < 200; run++) {
      const gross = run % 10 === 0 ? BigInt(run % 7) : randomBigInt(next, 1 + (next() % 160));
      const t = terms(next() % 10_001, next() % 10_001, next() % 2 === 0, next() % 10_001);
      const split = splitRevenue(gross, t);
      const context = `run ${run}: gross ${gross}, ${JSON.stringify(t)}`;
      const p = BigInt(t.platformFeeBps);

      const parts = [
        split.platformFee,
        split.operatorShare,
        split.slaPenalty,
        split.operatorFee,
        split.holdersShare,
      ];
      if (
        split.gross !== gross ||
        split.platformFee + split.operatorFee + split.holdersShare !== gross ||
        split.operatorFee + split.slaPenalty !== split.operatorShare ||
        parts.some((part) => part < 0n) ||
        (t.slaMet && split.slaPenalty !== 0n) ||
        // the platform fee is floor(gross * p / B): fee * B <= gross * p < (fee + 1) * B
        !(split.platformFee * B <= gross * p && gross * p < (split.platformFee + 1n) * B)
      ) {
        throw new Error(`${context}: ${JSON.stringify(parts.map(String))}`);
      }
    }
  });
});

describe('deviationBps', () => {
  it.each([
    [105n, 100n, 500n],
    [95n, 100n, 500n],
    [1_001n, 1_000n, 10n],
    [10_001n, 10_000n, 1n], // exactly 1 bps
    [100_001n, 100_000n, 1n], // 0.1 bps, rounded up
    [1n, 3n, 6_667n], // 6_666.67 bps, rounded up
    [100n, 100n, 0n],
    [0n, 100n, 10_000n],
    [300n, 100n, 20_000n],
    [10n ** 18n + 1n, 10n ** 18n, 1n], // 1e-14 bps, rounded up
  ])('measures %p against %p as %p bps', (reported, expected, deviation) => {
    expect(deviationBps(reported, expected)).toBe(deviation);
  });

  it('is 0 when nothing was expected and nothing was reported', () => {
    expect(deviationBps(0n, 0n)).toBe(0n);
  });

  it('is null (infinite) when nothing was expected but something was reported', () => {
    expect(deviationBps(1n, 0n)).toBeNull();
    expect(deviationBps(10n ** 30n, 0n)).toBeNull();
  });
});

describe('withinTolerance', () => {
  it('rejects an infinite deviation, whatever the tolerance', () => {
    expect(withinTolerance(null, 0)).toBe(false);
    expect(withinTolerance(null, 10_000)).toBe(false);
    expect(withinTolerance(null, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('accepts a deviation equal to the tolerance', () => {
    expect(withinTolerance(500n, 500)).toBe(true);
    expect(withinTolerance(0n, 0)).toBe(true);
  });

  it('rejects a deviation one over the tolerance', () => {
    expect(withinTolerance(501n, 500)).toBe(false);
    expect(withinTolerance(1n, 0)).toBe(false);
  });

  it('accepts a deviation under the tolerance', () => {
    expect(withinTolerance(499n, 500)).toBe(true);
  });

  it('rejects 0.1 bps over a 0 bps tolerance, since the deviation rounds up', () => {
    expect(withinTolerance(deviationBps(100_001n, 100_000n), 0)).toBe(false);
  });
});
