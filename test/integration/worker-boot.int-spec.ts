import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '@gpu/config';
import { HandlerCoverageError, JobHandler, QueueModule, QueueWorkerModule } from '@gpu/queue';
import { testConfig } from '../support/apps';

@Injectable()
@JobHandler('chain.heartbeat')
class FirstHeartbeatHandler {
  async handle(): Promise<void> {}
}

@Injectable()
@JobHandler('chain.heartbeat')
class SecondHeartbeatHandler {
  async handle(): Promise<void> {}
}

function workerWith(...handlers: (new () => unknown)[]) {
  @Module({
    imports: [ConfigModule.forRoot(testConfig()), QueueModule, QueueWorkerModule],
    providers: handlers,
  })
  class TestWorkerModule {}
  return NestFactory.createApplicationContext(TestWorkerModule, { logger: false });
}

describe('worker boot: every job has exactly one handler', () => {
  it('refuses to start when a job has no handler', async () => {
    await expect(workerWith()).rejects.toThrow(HandlerCoverageError);
    await expect(workerWith()).rejects.toThrow(/jobs without a handler: chain\.heartbeat/);
  });

  it('refuses to start when a job has two handlers', async () => {
    await expect(workerWith(FirstHeartbeatHandler, SecondHeartbeatHandler)).rejects.toThrow(
      /jobs with several handlers: chain\.heartbeat/,
    );
  });

  it('starts with exactly one handler per job', async () => {
    const app = await workerWith(FirstHeartbeatHandler);
    await app.close();
  });
});
