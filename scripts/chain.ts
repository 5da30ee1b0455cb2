import { parseArgs } from 'node:util';
import { Wallet } from 'ethers';
import { wellKnownDevPrivateKeys } from '@gpu/config';
import { startAnvil } from './lib/anvil';

const DEFAULT_PORT = 8545;

function parsePort(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' } } });
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`--port must be an integer between 1 and 65535, got "${values.port}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const anvil = await startAnvil({ port: parsePort(process.argv.slice(2)) });
  const firstAccount = new Wallet(wellKnownDevPrivateKeys()[0]).address;
  console.log(`\nLocal chain ${anvil.chainId} ready at ${anvil.rpcUrl}`);
  console.log(`First dev account: ${firstAccount}`);
  console.log('Press Ctrl-C to stop.');

  const shutdown = (): void => {
    void anvil.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
