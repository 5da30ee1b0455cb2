import { Client } from 'pg';

const TIMEOUT_MS = 5000;

/**
 * A Postgres session advisory lock, on a connection of its own (never a pooled one, and not
 * through a transaction-mode PgBouncer). Whoever holds it is the one process that runs a
 * singleton loop (a signer lane, the indexer). If that process dies, its session ends and the
 * lock is free again. The holder checks its session before each round of work: a connection that
 * silently died (the server may already have handed the lock to someone else) is noticed there.
 */
export class AdvisoryLock {
  private client?: Client;
  private held = false;

  constructor(
    private readonly databaseUrl: string,
    readonly name: string,
  ) {}

  /** True when this session holds the lock, checked now; takes it if it is free. */
  async holdOrAcquire(): Promise<boolean> {
    try {
      const client = await this.connection();
      if (this.held) {
        await client.query('SELECT 1');
        return true;
      }
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [this.name],
      );
      this.held = rows[0].locked;
      return this.held;
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  /** Ends the session, which frees the lock even if an unlock could not be sent. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held = false;
    await client?.end().catch(() => undefined);
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: `gpu-lock:${this.name}`.slice(0, 63),
      keepAlive: true,
      connectionTimeoutMillis: TIMEOUT_MS,
      query_timeout: TIMEOUT_MS,
    });
    const drop = () => {
      if (this.client === client) {
        this.client = undefined;
        this.held = false;
      }
    };
    client.on('error', drop);
    client.on('end', drop);
    await client.connect();
    this.client = client;
    return client;
  }
}
