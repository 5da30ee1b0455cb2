import { AbiCoder, id } from 'ethers';
import { GpuFarmToken__factory, IdentityRegistry__factory } from '../generated';
import { describeRevertData } from './revert-reason';

describe('describeRevertData', () => {
  it('names the contract, the custom error and its arguments', () => {
    const token = GpuFarmToken__factory.createInterface();
    const wallet = '0x00000000000000000000000000000000000000AB';
    const data = token.encodeErrorResult('SenderFrozen', [wallet]);
    expect(describeRevertData(data)).toBe(
      'GpuFarmToken.SenderFrozen(0x00000000000000000000000000000000000000ab)',
    );
    const registry = IdentityRegistry__factory.createInterface();
    expect(describeRevertData(registry.encodeErrorResult('InvalidCountry', [0]))).toMatch(
      /^(IdentityRegistry|GpuFarmToken)\.InvalidCountry\(0\)$/,
    );
    expect(describeRevertData(token.encodeErrorResult('MaxHoldersExceeded', [3n, 2n]))).toBe(
      'GpuFarmToken.MaxHoldersExceeded(3, 2)',
    );
  });

  it('reads require strings and panics', () => {
    const coder = AbiCoder.defaultAbiCoder();
    const errorString =
      id('Error(string)').slice(0, 10) + coder.encode(['string'], ['no']).slice(2);
    expect(describeRevertData(errorString)).toBe('Error("no")');
    const panic = id('Panic(uint256)').slice(0, 10) + coder.encode(['uint256'], [17]).slice(2);
    expect(describeRevertData(panic)).toBe('Panic(17)');
  });

  it('says so when there is nothing to read or nobody declares the error', () => {
    expect(describeRevertData('0x')).toBe('reverted without a reason');
    expect(describeRevertData(undefined)).toBe('reverted without a reason');
    expect(describeRevertData('0xdeadbeef')).toBe('unknown error 0xdeadbeef');
  });
});
