import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbiCoder, JsonRpcProvider, id } from 'ethers';
import { GpuFarmToken__factory, IdentityRegistry__factory } from '../generated';
import { describeRevertData, revertDataOf } from './revert-reason';

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

describe('revertDataOf', () => {
  /** What ethers throws for eth_estimateGas when the node answers with `error`. */
  async function estimateError(error: Record<string, unknown>): Promise<unknown> {
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const call = JSON.parse(body) as { id: number };
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ jsonrpc: '2.0', id: call.id, error }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, 31337, {
      staticNetwork: true,
    });
    try {
      return await provider
        .estimateGas({
          from: '0x' + '11'.repeat(20),
          to: '0x' + '22'.repeat(20),
          data: '0x12345678',
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
    } finally {
      provider.destroy();
      server.close();
    }
  }

  it('reads the revert data of a real revert', async () => {
    const data = id('Oops()').slice(0, 10);
    const error = await estimateError({ code: 3, message: 'execution reverted', data });
    expect(revertDataOf(error)).toBe(data);
    expect(revertDataOf(await estimateError({ code: -32000, message: 'execution reverted' }))).toBe(
      '0x',
    );
  });

  it('does not mistake node trouble for a revert', async () => {
    expect(
      revertDataOf(await estimateError({ code: -32000, message: 'header not found' })),
    ).toBeUndefined();
    expect(
      revertDataOf(await estimateError({ code: -32005, message: 'rate limit exceeded' })),
    ).toBeUndefined();
    expect(revertDataOf(new Error('socket hang up'))).toBeUndefined();
  });
});
