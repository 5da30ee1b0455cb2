import { isWellKnownDevKey, wellKnownDevPrivateKeys } from './dev-keys';

describe('well-known development keys', () => {
  it('derives anvil account #0 first', () => {
    expect(wellKnownDevPrivateKeys()[0]).toBe(
      '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
    );
    expect(wellKnownDevPrivateKeys()).toHaveLength(10);
  });

  it('recognises them with or without 0x and in any case', () => {
    const key = wellKnownDevPrivateKeys()[9];
    expect(isWellKnownDevKey(key.toUpperCase().replace('0X', ''))).toBe(true);
    expect(isWellKnownDevKey('0x' + '1f'.repeat(32))).toBe(false);
  });
});
