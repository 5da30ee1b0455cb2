import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@gpu/config';
import { WorkerModule } from './worker.module';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  // The queue workers take jobs during start-up, before Nest listens for signals: a stop signal
  // then would kill the process with those jobs half done. It is held, and delivered again once
  // Nest's shutdown hooks (which let running jobs finish) are in place; a second one (start-up
  // hangs) stops the process at once.
  const held = new Set<NodeJS.Signals>();
  const release = (): void => STOP_SIGNALS.forEach((signal) => process.off(signal, hold));
  function hold(signal: NodeJS.Signals): void {
    if (held.has(signal)) {
      release();
      process.kill(process.pid, signal);
    } else {
      held.add(signal);
    }
  }
  for (const signal of STOP_SIGNALS) process.on(signal, hold);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  release();
  for (const signal of held) process.kill(process.pid, signal);
}

void bootstrap();
