import { Client } from 'pg';

/**
 * A Postgres session advisory lock held on a connection of its own. Whoever holds it is the one
 * process that runs a singleton loop (a signer lane, the indexer). If the process dies, its
 * session ends and the lock is free again; `lost` turns true if the connection breaks.
 */
export class AdvisoryLock {
  private lostConnection = false;

  private constructor(
    private readonly client: Client,
    readonly name: string,
  ) {
    client.on('error', () => (this.lostConnection = true));
    client.on('end', () => (this.lostConnection = true));
  }

  /** The lock, or undefined when another session holds it. */
  static async tryAcquire(databaseUrl: string, name: string): Promise<AdvisoryLock | undefined> {
    const client = new Client({
      connectionString: databaseUrl,
      application_name: `gpu-lock:${name}`.slice(0, 63),
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [name],
      );
      if (rows[0].locked) return new AdvisoryLock(client, name);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    await client.end().catch(() => undefined);
    return undefined;
  }

  get lost(): boolean {
    return this.lostConnection;
  }

  /** Ends the session, which frees the lock even if the unlock itself cannot be sent. */
  async release(): Promise<void> {
    this.lostConnection = true;
    await this.client.end().catch(() => undefined);
  }
}
