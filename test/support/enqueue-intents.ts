import { inTransaction } from '@gpu/database';
import { openOutbox, randomWallet, registerIdentityIntent } from './outbox-client';

/**
 * A separate process that enqueues COUNT identity registrations at once, each in its own
 * business transaction, and prints the wallets as JSON. Env: DATABASE_URL, DEPLOYMENT_FILE,
 * COUNT, LABEL.
 */
async function main(): Promise<void> {
  const client = await openOutbox(process.env);
  try {
    const count = Number(process.env.COUNT);
    const wallets = Array.from({ length: count }, randomWallet);
    await Promise.all(
      wallets.map((wallet) =>
        inTransaction(client.dataSource, (manager) =>
          client.outbox.enqueue(
            manager,
            registerIdentityIntent(client.deployment, wallet, `${process.env.LABEL}:${wallet}`),
          ),
        ),
      ),
    );
    process.stdout.write(`${JSON.stringify(wallets)}\n`);
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
