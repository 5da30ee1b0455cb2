import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  ChainError,
  type ChainOutbox,
  type ChainTx,
  type Deployment,
  anchorAuditHeadCall,
} from '@gpu/chain';
import type { AppConfig } from '@gpu/config';
import type { JobQueue } from '@gpu/queue';
import type { AuditAnchorRepository, AuditHead } from '../audit-anchor.repository';
import { AuditAnchorProcessor } from './audit-anchor.processor';

const ANCHOR_ADDRESS = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const deployment = {
  chainId: 31337,
  contracts: { AuditAnchor: { address: ANCHOR_ADDRESS, blockNumber: 1, txHash: null } },
} as unknown as Deployment;
const HASH = 'ab'.repeat(32);

function processorWith(head: AuditHead | null, lastAnchored: bigint, enqueue: jest.Mock) {
  const manager = {} as EntityManager;
  const dataSource = {
    transaction: (work: (m: EntityManager) => Promise<unknown>) => work(manager),
  } as unknown as DataSource;
  const anchors = {
    head: jest.fn().mockResolvedValue(head),
    lastIndexedAnchor: jest.fn().mockResolvedValue(lastAnchored),
  } as unknown as AuditAnchorRepository;
  const outbox = { enqueue } as unknown as ChainOutbox;
  const processor = new AuditAnchorProcessor(
    dataSource,
    anchors,
    outbox,
    deployment,
    {} as JobQueue,
    {} as AppConfig,
  );
  return { processor, manager };
}

describe('AuditAnchorProcessor', () => {
  it('does nothing for an empty log', async () => {
    const enqueue = jest.fn();
    const { processor } = processorWith(null, 0n, enqueue);
    await expect(processor.handle()).resolves.toEqual({ sequence: null, chainTxId: null });
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('does nothing when the head is already anchored', async () => {
    const enqueue = jest.fn();
    const { processor } = processorWith({ sequence: 7n, hash: HASH }, 7n, enqueue);
    await expect(processor.handle()).resolves.toEqual({ sequence: '7', chainTxId: null });
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('enqueues the anchor of a head above the last anchor, keyed by its sequence', async () => {
    const enqueue = jest.fn().mockResolvedValue({ id: '42' } as ChainTx);
    const { processor, manager } = processorWith({ sequence: 9n, hash: HASH }, 7n, enqueue);

    await expect(processor.handle()).resolves.toEqual({ sequence: '9', chainTxId: '42' });

    expect(enqueue).toHaveBeenCalledTimes(1);
    expect(enqueue).toHaveBeenCalledWith(manager, {
      ...anchorAuditHeadCall(deployment, 9n, HASH),
      reference: 'audit:9',
      idempotencyKey: 'audit-anchor-9',
    });
    expect(enqueue.mock.calls[0][1]).toMatchObject({
      to: ANCHOR_ADDRESS,
      method: 'AuditAnchor.anchor',
      data: expect.stringContaining(HASH),
    });
  });

  it('fails, naming the entry, when the key already holds another hash for that sequence', async () => {
    const enqueue = jest.fn().mockRejectedValue(ChainError.idempotencyConflict('audit-anchor-9'));
    const { processor } = processorWith({ sequence: 9n, hash: HASH }, 7n, enqueue);
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await expect(processor.handle()).rejects.toThrow(
        /audit entry 9 no longer has the hash its anchor was requested with/,
      );
      expect(logged).toHaveBeenCalledWith(expect.stringMatching(/the audit log was rewritten/));
    } finally {
      logged.mockRestore();
    }
  });
});
