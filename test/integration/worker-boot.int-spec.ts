import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '@gpu/config';
import {
  HandlerCoverageError,
  JOB_NAMES,
  JobHandler,
  type JobName,
  QueueModule,
  QueueWorkerModule,
} from '@gpu/queue';
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

/** A do-nothing handler of `name`. */
function handlerOf(name: JobName): new () => unknown {
  @Injectable()
  @JobHandler(name)
  class Handler {
    async handle(): Promise<void> {}
  }
  return Handler;
}

/** One handler for every job but the heartbeat. */
const othersHandled = () => JOB_NAMES.filter((name) => name !== 'chain.heartbeat').map(handlerOf);

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
    await expect(workerWith(...othersHandled())).rejects.toThrow(HandlerCoverageError);
    await expect(workerWith(...othersHandled())).rejects.toThrow(
      /jobs without a handler: chain\.heartbeat$/,
    );
  });

  it('refuses to start when a job has two handlers', async () => {
    await expect(
      workerWith(FirstHeartbeatHandler, SecondHeartbeatHandler, ...othersHandled()),
    ).rejects.toThrow(/jobs with several handlers: chain\.heartbeat/);
  });

  it('starts with exactly one handler per job', async () => {
    const app = await workerWith(FirstHeartbeatHandler, ...othersHandled());
    await app.close();
  });
});
