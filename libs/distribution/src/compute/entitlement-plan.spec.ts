import { planEntitlements } from './entitlement-plan';

const A = '0x' + 'a'.repeat(40);
const B = '0x' + 'b'.repeat(40);
const C = '0x' + 'c'.repeat(40);
const D = '0x' + 'd'.repeat(40);

describe('planEntitlements', () => {
  it('adds this epoch to the earlier cumulative amounts and keeps earlier holders with nothing now', () => {
    const plan = planEntitlements(
      100n,
      [
        { account: B, balance: 1n },
        { account: C, balance: 2n },
      ],
      new Map([
        [A, 7n],
        [B, 5n],
      ]),
    );
    // 100 x 1 / 3 = 33, 100 x 2 / 3 = 66, dust 1.
    expect(plan.lines).toEqual([
      { account: A, balance: 0n, amount: 0n, cumulative: 7n },
      { account: B, balance: 1n, amount: 33n, cumulative: 38n },
      { account: C, balance: 2n, amount: 66n, cumulative: 66n },
    ]);
    expect(plan).toMatchObject({
      holders: 2,
      supply: 3n,
      paid: 99n,
      dust: 1n,
      totalCumulative: 111n,
    });
  });

  it("moves a recovered wallet's cumulative amount to its new wallet, along a chain of recoveries", () => {
    const plan = planEntitlements(
      10n,
      [{ account: D, balance: 5n }],
      new Map([
        [A, 40n],
        [B, 2n],
        [D, 1n],
      ]),
      [
        { lostWallet: A, newWallet: C },
        { lostWallet: C, newWallet: D },
      ],
    );
    expect(plan.lines).toEqual([
      { account: B, balance: 0n, amount: 0n, cumulative: 2n },
      { account: D, balance: 5n, amount: 10n, cumulative: 51n },
    ]);
    expect(plan.totalCumulative).toBe(53n);
  });

  it('ignores a recovery of a wallet that was never entitled', () => {
    const plan = planEntitlements(0n, [], new Map([[B, 3n]]), [{ lostWallet: A, newWallet: C }]);
    expect(plan.lines).toEqual([{ account: B, balance: 0n, amount: 0n, cumulative: 3n }]);
  });

  it('keeps everything as dust when no one holds the token at the snapshot', () => {
    const plan = planEntitlements(500n, [], new Map());
    expect(plan).toMatchObject({
      lines: [],
      supply: 0n,
      paid: 0n,
      dust: 500n,
      totalCumulative: 0n,
    });
  });
});
