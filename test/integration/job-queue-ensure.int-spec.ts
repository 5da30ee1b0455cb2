import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import { type AppConfig, loadConfig } from '@gpu/config';
import { JOB_CATALOG, JobQueue, createRedisConnection } from '@gpu/queue';
import { deleteKeysWithPrefix } from '../../scripts/lib/redis-keys';
import { waitFor } from '../../scripts/lib/wait-for';

/** JobQueue.ensure against a real Redis: the outbox relies on it to hand lost outcomes over again. */
describe('JobQueue.ensure', () => {
  const base = loadConfig(process.env, { only: ['REDIS_URL'] });
  const config = {
    REDIS_URL: base.REDIS_URL,
    QUEUE_PREFIX: `gpu-test-ensure-${randomBytes(4).toString('hex')}`,
  } as AppConfig;
  const queueName = JOB_CATALOG['chain.tx-outcome'].queue;
  const HOUR = 3_600_000;
  let jobs: JobQueue;

  beforeEach(() => {
    jobs = new JobQueue(config);
  });

  afterEach(async () => {
    await jobs.onApplicationShutdown();
    await deleteKeysWithPrefix(config.REDIS_URL, config.QUEUE_PREFIX);
  });

  it('adds a missing job once, and leaves a waiting one alone', async () => {
    expect(await jobs.ensure('chain.tx-outcome', { chainTxId: '1' }, 'outcome-1', HOUR)).toBe(
      'added',
    );
    expect(await jobs.ensure('chain.tx-outcome', { chainTxId: '1' }, 'outcome-1', HOUR)).toBe(
      'kept',
    );
    const queue = jobs.queue(queueName);
    expect(await queue.getJobCountByTypes('waiting')).toBe(1);
    expect((await queue.getJob('outcome-1'))?.data).toEqual({ chainTxId: '1' });
  });

  it('adds the job again when Redis has lost it', async () => {
    await jobs.ensure('chain.tx-outcome', { chainTxId: '2' }, 'outcome-2', HOUR);
    await jobs.queue(queueName).obliterate({ force: true });
    expect(await jobs.queue(queueName).getJob('outcome-2')).toBeUndefined();

    expect(await jobs.ensure('chain.tx-outcome', { chainTxId: '2' }, 'outcome-2', HOUR)).toBe(
      'added',
    );
    expect(await (await jobs.queue(queueName).getJob('outcome-2'))?.getState()).toBe('waiting');
  });

  it('runs a completed job again (its effect was not recorded)', async () => {
    await jobs.ensure('chain.tx-outcome', { chainTxId: '3' }, 'outcome-3', HOUR);
    const connection = createRedisConnection(config.REDIS_URL, 'worker');
    let runs = 0;
    const worker = new Worker(
      queueName,
      async () => {
        runs += 1;
      },
      { connection, prefix: config.QUEUE_PREFIX },
    );
    try {
      await waitFor(
        async () =>
          (await (await jobs.queue(queueName).getJob('outcome-3'))?.getState()) === 'completed'
            ? true
            : undefined,
        { what: 'the first run completed', timeoutMs: 10_000 },
      );
      expect(await jobs.ensure('chain.tx-outcome', { chainTxId: '3' }, 'outcome-3', HOUR)).toBe(
        'added',
      );
      await waitFor(async () => (runs === 2 ? true : undefined), {
        what: 'a second run',
        timeoutMs: 10_000,
      });
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });

  it('runs a job that failed for good again, once it failed long enough ago', async () => {
    const queue = jobs.queue(queueName);
    await queue.add('chain.tx-outcome', { chainTxId: '4' }, { jobId: 'outcome-4', attempts: 1 });
    const connection = createRedisConnection(config.REDIS_URL, 'worker');
    const worker = new Worker(
      queueName,
      async () => {
        throw new Error('the listener refused');
      },
      { connection, prefix: config.QUEUE_PREFIX },
    );
    try {
      await waitFor(
        async () =>
          (await (await queue.getJob('outcome-4'))?.getState()) === 'failed' ? true : undefined,
        { what: 'the job failed', timeoutMs: 10_000 },
      );
    } finally {
      await worker.close();
      connection.disconnect();
    }
    expect(await jobs.ensure('chain.tx-outcome', { chainTxId: '4' }, 'outcome-4', HOUR)).toBe(
      'kept',
    );
    expect(await jobs.ensure('chain.tx-outcome', { chainTxId: '4' }, 'outcome-4', 0)).toBe('added');
    expect(await (await queue.getJob('outcome-4'))?.getState()).toBe('waiting');
  });
});
