import { type Wallet, ZeroHash, id } from 'ethers';
import {
  type ContractsFixture,
  expectRevert,
  revertAfterEach,
  send,
  startContractsFixture,
} from '../support/contracts-fixture';
import { eventArgs } from '../support/token-model';
import type { AuditAnchor } from '../../libs/chain/src/generated';

/** Anchoring costs at most this much gas (including the 21,000 base of a transaction). */
const ANCHOR_GAS_TARGET = 50_000n;

describe('AuditAnchor', () => {
  let f: ContractsFixture;
  let anchor: AuditAnchor;
  let anchorRole: string;
  let outsider: Wallet;
  const head = (label: string) => id(`audit-head:${label}`);

  beforeAll(async () => {
    f = await startContractsFixture();
    anchor = f.auditAnchor;
    anchorRole = await anchor.ANCHOR_ROLE();
    [outsider] = f.investors;
  });
  afterAll(async () => {
    await f?.stop();
  });
  revertAfterEach(() => f.provider);

  it('is deployed with the platform agent as anchorer and nothing anchored yet', async () => {
    expect(anchorRole).toBe(id('ANCHOR_ROLE'));
    expect(await anchor.hasRole(anchorRole, f.agent.address)).toBe(true);
    expect(await anchor.hasRole(anchorRole, f.admin.address)).toBe(false);
    expect(await anchor.defaultAdmin()).toBe(f.admin.address);
    expect(await anchor.lastSequence()).toBe(0n);
    expect(await anchor.lastHead()).toBe(ZeroHash);
  });

  it('records a head, emits AuditHeadAnchored and keeps the last one readable', async () => {
    const first = await send(anchor.anchor(3n, head('3')));
    expect(eventArgs(first, anchor, 'AuditHeadAnchored')).toEqual([[3n, head('3')]]);
    expect(await anchor.lastSequence()).toBe(3n);
    expect(await anchor.lastHead()).toBe(head('3'));

    // Sequences may jump: the log grows by any number of entries between two anchors.
    const second = await send(anchor.anchor(10n, head('10')));
    expect(eventArgs(second, anchor, 'AuditHeadAnchored')).toEqual([[10n, head('10')]]);
    expect(second.logs[0].topics[1]).toBe(`0x${(10).toString(16).padStart(64, '0')}`);
    expect([await anchor.lastSequence(), await anchor.lastHead()]).toEqual([10n, head('10')]);
    expect(second.gasUsed).toBeLessThanOrEqual(ANCHOR_GAS_TARGET);
  });

  it('refuses a sequence that is not above the last anchored one', async () => {
    await expectRevert(anchor.anchor(0n, head('0')), anchor, 'SequenceNotIncreasing', [0n, 0n]);
    await send(anchor.anchor(5n, head('5')));
    await expectRevert(anchor.anchor(5n, head('5')), anchor, 'SequenceNotIncreasing', [5n, 5n]);
    await expectRevert(anchor.anchor(4n, head('4')), anchor, 'SequenceNotIncreasing', [4n, 5n]);
    expect([await anchor.lastSequence(), await anchor.lastHead()]).toEqual([5n, head('5')]);
  });

  it('refuses an empty head', async () => {
    await expectRevert(anchor.anchor(1n, ZeroHash), anchor, 'EmptyHead', []);
    expect(await anchor.lastSequence()).toBe(0n);
  });

  it('refuses every account without ANCHOR_ROLE, the admin included, until the admin grants it', async () => {
    for (const caller of [outsider, f.admin]) {
      await expectRevert(
        anchor.connect(caller).anchor(1n, head('1')),
        anchor,
        'AccessControlUnauthorizedAccount',
        [caller.address, anchorRole],
      );
    }
    await expectRevert(
      anchor.connect(outsider).grantRole(anchorRole, outsider.address),
      anchor,
      'AccessControlUnauthorizedAccount',
      [outsider.address, ZeroHash],
    );

    await send(anchor.connect(f.admin).grantRole(anchorRole, outsider.address));
    await send(anchor.connect(outsider).anchor(1n, head('1')));
    await send(anchor.connect(f.admin).revokeRole(anchorRole, outsider.address));
    await expectRevert(
      anchor.connect(outsider).anchor(2n, head('2')),
      anchor,
      'AccessControlUnauthorizedAccount',
      [outsider.address, anchorRole],
    );
    expect(await anchor.lastSequence()).toBe(1n);
  });
});
