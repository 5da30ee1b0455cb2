import { proRata } from './pro-rata';
import { mulberry32, randomBigInt } from '../testing/seeded-random';

function sum(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}

describe('proRata', () => {
  it('splits exactly when the shares are whole', () => {
    const result = proRata(1_000n, [1n, 2n, 3n, 4n]);
    expect(result.amounts).toEqual([100n, 200n, 300n, 400n]);
    expect(result.paid).toBe(1_000n);
    expect(result.dust).toBe(0n);
  });

  it('floors each share and leaves the remainder as dust', () => {
    // 100 / 3 = 33.33..., three times floor 33 = 99, dust 1.
    const result = proRata(100n, [1n, 1n, 1n]);
    expect(result.amounts).toEqual([33n, 33n, 33n]);
    expect(result.paid).toBe(99n);
    expect(result.dust).toBe(1n);
  });

  it('handles a prime supply (1_000_003)', () => {
    // 1e6 * 500_000 / 1_000_003: 1_000_003 * 499_998 = 499_999_499_994 <= 5e11 < 500_000_499_997
    // 1e6 * 300_000 / 1_000_003: 1_000_003 * 299_999 = 299_999_899_997 <= 3e11 < 300_000_900_000
    // 1e6 * 200_003 / 1_000_003: 1_000_003 * 200_002 = 200_002_600_006 <= 200_003e6 < 200_003_600_009
    const balances = [500_000n, 300_000n, 200_003n];
    expect(sum(balances)).toBe(1_000_003n);
    const result = proRata(1_000_000n, balances);
    expect(result.amounts).toEqual([499_998n, 299_999n, 200_002n]);
    expect(result.paid).toBe(999_999n);
    expect(result.dust).toBe(1n);
  });

  it('pays nobody when 1 wei is spread over many holders', () => {
    const balances = Array.from({ length: 1_000 }, () => 1n);
    const result = proRata(1n, balances);
    expect(result.amounts).toHaveLength(1_000);
    expect(result.amounts.every((amount) => amount === 0n)).toBe(true);
    expect(result.paid).toBe(0n);
    expect(result.dust).toBe(1n);
  });

  it('pays nothing when there is nothing to distribute', () => {
    const result = proRata(0n, [5n, 7n]);
    expect(result.amounts).toEqual([0n, 0n]);
    expect(result.paid).toBe(0n);
    expect(result.dust).toBe(0n);
  });

  describe('huge numbers', () => {
    it('handles balances summing to 2^255 - 1 with 2^112 to distribute', () => {
      // 2^112 * 2^254 / (2^255 - 1) = 2^111 + 2^111 / (2^255 - 1)       -> 2^111
      // 2^112 * (2^254 - 1) = (2^111 - 1)(2^255 - 1) + (2^255 - 1 - 2^111) -> 2^111 - 1
      const result = proRata(2n ** 112n, [2n ** 254n, 2n ** 254n - 1n]);
      expect(result.amounts).toEqual([2n ** 111n, 2n ** 111n - 1n]);
      expect(result.paid).toBe(2n ** 112n - 1n);
      expect(result.dust).toBe(1n);
    });

    it('handles a uint256-max balance next to a balance of 1', () => {
      // supply = 2^256; 2^112 * (2^256 - 1) / 2^256 = 2^112 - 2^-144 -> 2^112 - 1; 2^112 / 2^256 -> 0
      const result = proRata(2n ** 112n, [2n ** 256n - 1n, 1n]);
      expect(result.amounts).toEqual([2n ** 112n - 1n, 0n]);
      expect(result.dust).toBe(1n);
    });

    it('handles three equal thirds of 2^256 - 1', () => {
      // 2^256 - 1 is divisible by 3; each holder gets floor(2^112 / 3) = (2^112 - 1) / 3 since 2^112 = 1 mod 3
      const third = 0x5555555555555555555555555555555555555555555555555555555555555555n;
      expect(third * 3n).toBe(2n ** 256n - 1n);
      const share = 0x5555555555555555555555555555n;
      expect(share * 3n).toBe(2n ** 112n - 1n);
      const result = proRata(2n ** 112n, [third, third, third]);
      expect(result.amounts).toEqual([share, share, share]);
      expect(result.dust).toBe(1n);
    });

    it('splits exactly when huge balances divide evenly', () => {
      // 2^200 : 3 * 2^200 is a quarter / three quarters of 2^112
      const result = proRata(2n ** 112n, [2n ** 200n, 3n * 2n ** 200n]);
      expect(result.amounts).toEqual([2n ** 110n, 3n * 2n ** 110n]);
      expect(result.dust).toBe(0n);
    });
  });

  it('gives a single holder everything', () => {
    const result = proRata(999n, [12_345n]);
    expect(result.amounts).toEqual([999n]);
    expect(result.paid).toBe(999n);
    expect(result.dust).toBe(0n);
  });

  it('gives a single holder among zero balances everything', () => {
    const result = proRata(10n, [0n, 7n, 0n]);
    expect(result.amounts).toEqual([0n, 10n, 0n]);
    expect(result.dust).toBe(0n);
  });

  it('gives zero balances nothing and keeps the order of the balances', () => {
    // supply 10: 11 * 5 / 10 = 5.5 -> 5 each; dust 1
    const result = proRata(11n, [0n, 5n, 0n, 5n]);
    expect(result.amounts).toEqual([0n, 5n, 0n, 5n]);
    expect(result.dust).toBe(1n);
  });

  it('keeps each amount with its balance when balances differ', () => {
    // supply 100: 1_000 * 70 / 100 = 700, 1_000 * 20 / 100 = 200, 1_000 * 10 / 100 = 100
    const result = proRata(1_000n, [10n, 70n, 20n]);
    expect(result.amounts).toEqual([100n, 700n, 200n]);
  });

  it('keeps dust below the number of holders with a balance', () => {
    // supply 7: 6 * 1 / 7 -> 0 for each of six holders of 1, the zero holders get 0; dust 6 < 6 + 1
    const balances = [1n, 0n, 1n, 1n, 0n, 1n, 1n, 1n, 1n];
    const result = proRata(6n, balances);
    expect(result.amounts.every((amount) => amount === 0n)).toBe(true);
    expect(result.dust).toBe(6n);
    expect(result.dust).toBeLessThan(7n);
  });

  it('makes everything dust when the supply is zero', () => {
    const result = proRata(500n, [0n, 0n, 0n]);
    expect(result.amounts).toEqual([0n, 0n, 0n]);
    expect(result.paid).toBe(0n);
    expect(result.dust).toBe(500n);
  });

  it('makes everything dust when there are no holders', () => {
    const result = proRata(500n, []);
    expect(result.amounts).toEqual([]);
    expect(result.paid).toBe(0n);
    expect(result.dust).toBe(500n);
  });

  it('does not modify the balances', () => {
    const balances = [3n, 4n];
    proRata(10n, balances);
    expect(balances).toEqual([3n, 4n]);
  });

  it('rejects a negative distributable amount', () => {
    expect(() => proRata(-1n, [1n])).toThrow(RangeError);
  });

  it('rejects a negative balance', () => {
    expect(() => proRata(10n, [5n, -1n, 5n])).toThrow(RangeError);
  });

  it('holds its invariants for 200 random cases', () => {
    const next = mulberry32(0x5eed1234);
    const bitSizes = [1, 8, 32, 64, 128, 200, 255];
    for (let run = 0; run < 200; run++) {
      const holders = 1 + (next() % 20);
      const balanceBits = bitSizes[next() % bitSizes.length];
      const balances = Array.from({ length: holders }, () =>
        next() % 4 === 0 ? 0n : randomBigInt(next, 1 + (next() % balanceBits)),
      );
      const distributable = randomBigInt(next, 1 + (next() % 128));
      const result = proRata(distributable, balances);

      const supply = sum(balances);
      const positive = balances.filter((balance) => balance > 0n).length;
      const context = `run ${run}: ${distributable} over [${balances.join(', ')}]`;

      expect({ context, length: result.amounts.length }).toEqual({ context, length: holders });
      expect({ context, paid: sum(result.amounts) }).toEqual({ context, paid: result.paid });
      expect({ context, total: result.paid + result.dust }).toEqual({
        context,
        total: distributable,
      });
      if (supply === 0n) {
        expect({ context, dust: result.dust }).toEqual({ context, dust: distributable });
        continue;
      }
      for (let i = 0; i < holders; i++) {
        const amount = result.amounts[i];
        const owed = distributable * balances[i];
        // amount <= distributable * balance / supply < amount + 1, without dividing
        if (!(amount >= 0n && amount * supply <= owed && owed < (amount + 1n) * supply)) {
          throw new Error(`${context}: holder ${i} got ${amount}`);
        }
      }
      if (!(result.dust >= 0n && result.dust < BigInt(positive))) {
        throw new Error(`${context}: dust ${result.dust} with ${positive} holders`);
      }
    }
  });
});
