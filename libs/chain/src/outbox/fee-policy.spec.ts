import { bumpedFees, initialFees } from './fee-policy';

const GWEI = 1_000_000_000n;

describe('fee policy', () => {
  it('starts at twice the base fee plus the tip, capped', () => {
    expect(initialFees(10n * GWEI, 2n * GWEI, 100n * GWEI)).toEqual({
      maxFeePerGas: 22n * GWEI,
      maxPriorityFeePerGas: 2n * GWEI,
    });
    expect(initialFees(80n * GWEI, 2n * GWEI, 100n * GWEI).maxFeePerGas).toBe(100n * GWEI);
    expect(initialFees(1n, 5n * GWEI, 3n * GWEI)).toEqual({
      maxFeePerGas: 3n * GWEI,
      maxPriorityFeePerGas: 3n * GWEI,
    });
  });

  it('raises both fees by the configured percent, rounding up', () => {
    const previous = { maxFeePerGas: 1001n, maxPriorityFeePerGas: 7n };
    const bumped = bumpedFees(
      previous,
      { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
      10,
      10n ** 18n,
    );
    expect(bumped).toEqual({ maxFeePerGas: 1102n, maxPriorityFeePerGas: 8n });
    expect(bumped!.maxFeePerGas * 100n).toBeGreaterThanOrEqual(previous.maxFeePerGas * 110n);
    expect(bumped!.maxPriorityFeePerGas * 100n).toBeGreaterThanOrEqual(
      previous.maxPriorityFeePerGas * 110n,
    );
  });

  it('follows the market when it has moved further than the bump', () => {
    const bumped = bumpedFees(
      { maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI },
      { maxFeePerGas: 50n * GWEI, maxPriorityFeePerGas: 3n * GWEI },
      20,
      100n * GWEI,
    );
    expect(bumped).toEqual({ maxFeePerGas: 50n * GWEI, maxPriorityFeePerGas: 3n * GWEI });
  });

  it('caps the max fee, and gives up when the cap leaves less than a 10% raise', () => {
    const previous = { maxFeePerGas: 90n * GWEI, maxPriorityFeePerGas: GWEI };
    const market = { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n };
    expect(bumpedFees(previous, market, 50, 100n * GWEI)).toEqual({
      maxFeePerGas: 100n * GWEI,
      maxPriorityFeePerGas: 1_500_000_000n,
    });
    expect(bumpedFees(previous, market, 50, 98n * GWEI)).toBeNull();
    expect(
      bumpedFees(
        { maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: GWEI },
        market,
        20,
        100n * GWEI,
      ),
    ).toBeNull();
  });
});
