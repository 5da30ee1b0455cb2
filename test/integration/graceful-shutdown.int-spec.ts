import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { type Job, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { JOB_CATALOG, type ProbePayload } from '@gpu/queue';
import { type Fleet, startFleet } from '../../scripts/lib/fleet/fleet-simulator';
import { waitFor } from '../../scripts/lib/wait-for';
import { type IsolatedStack, startIsolatedStack } from '../support/isolated-stack';
import { findFreePort } from '../../scripts/lib/anvil';
import { startApiProcess, startWorkerProcess, type WorkerProcess } from '../support/worker-process';

/**
 * Issue 10: SIGTERM lets the worker finish the jobs it is running and leaves the others queued;
 * the next worker takes them. Probes of slow nodes (1.5 s each) are the jobs: every one ends
 * completed, started once, with its samples written once.
 */
describe('graceful shutdown of the worker', () => {
  const NODES = 40;
  const CONCURRENCY = 8;
  let iso: IsolatedStack;
  let fleet: Fleet;
  let db: Client;
  let redis: IORedis;
  let probes: Queue;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    iso = await startIsolatedStack();
    fleet = await startFleet({ gpus: NODES * 2, gpusPerNode: 2, slowMs: 1500 });
    for (const node of fleet.nodes) fleet.setMode(node.index, 'slow');
    db = new Client({ connectionString: iso.env.DATABASE_URL });
    await db.connect();
    redis = new IORedis(iso.env.REDIS_URL, { maxRetriesPerRequest: null });
    probes = new Queue(JOB_CATALOG['oracle.probe'].queue, {
      connection: redis,
      prefix: iso.env.QUEUE_PREFIX,
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await probes?.close();
    redis?.disconnect();
    await db?.end();
    await fleet?.stop();
    await iso?.stop();
  }, 60_000);

  const worker = (): WorkerProcess => {
    const started = startWorkerProcess({
      ...iso.env,
      ORACLE_PROBE_CONCURRENCY: String(CONCURRENCY),
      ORACLE_FARM_PROBE_CONCURRENCY: String(CONCURRENCY),
    });
    workers.push(started);
    return started;
  };

  /** A farm the schedulers leave alone (approved, not yet tokenized), one probe job per node. */
  async function enqueueProbes(): Promise<{ farmId: string; jobIds: string[] }> {
    const {
      rows: [operator],
    } = await db.query<{ id: string }>(
      `INSERT INTO app_user (email, password_hash, role)
       VALUES ($1, 'not-a-hash', 'operator') RETURNING id`,
      [`operator-${randomUUID()}@shutdown.test`],
    );
    const {
      rows: [farm],
    } = await db.query<{ id: string }>(
      `INSERT INTO farm (operator_id, name, legal_entity, jurisdiction, site_location, valuation,
                         revenue_share_bps, status, probe_interval_seconds)
       VALUES ($1, 'Shutdown farm', 'Shutdown GmbH', 276, 'Hamburg', 1000000, 7000, 'approved', 60)
       RETURNING id`,
      [operator.id],
    );
    const slotAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const jobs = [];
    for (const node of fleet.nodes) {
      const gpus = [];
      for (const gpu of node.gpus) {
        const { rows } = await db.query<{ id: string }>(
          `INSERT INTO gpu_node (farm_id, gpu_model, gpu_uuid, memory_mb, host, metrics_url)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [farm.id, gpu.model, gpu.uuid, gpu.memoryMb, node.host, node.url],
        );
        gpus.push({ id: rows[0].id, uuid: gpu.uuid, model: gpu.model });
      }
      const payload: ProbePayload = {
        farmId: farm.id,
        url: node.url,
        slotAt: slotAt.toISOString(),
        startBy: new Date(Date.now() + 10 * 60_000).toISOString(),
        gpus,
      };
      jobs.push({
        name: 'oracle.probe',
        data: payload,
        opts: { ...JOB_CATALOG['oracle.probe'].options, jobId: `shutdown.${node.index}` },
      });
    }
    await probes.addBulk(jobs);
    return { farmId: farm.id, jobIds: jobs.map((job) => job.opts.jobId) };
  }

  it('finishes the probes it runs on SIGTERM, leaves the rest queued, and the next worker does them: none lost, none twice', async () => {
    const { farmId, jobIds } = await enqueueProbes();
    const first = worker();
    await waitFor(async () => ((await probes.getActiveCount()) >= CONCURRENCY ? true : undefined), {
      what: 'the first worker running a full set of probes',
      timeoutMs: 60_000,
    });
    const runningAtStop = (await probes.getActive()).map((job) => job.id!);
    const exit = await first.stop();
    expect({ exit, output: exit.clean ? '' : first.output() }).toMatchObject({
      exit: { clean: true },
    });

    // What it was running completed; nothing is left active, nothing failed, the rest waits.
    const afterStop = await probes.getJobCounts('active', 'completed', 'failed', 'waiting');
    expect(afterStop.active).toBe(0);
    expect(afterStop.failed).toBe(0);
    for (const id of runningAtStop) {
      expect({ id, state: await probes.getJobState(id) }).toEqual({ id, state: 'completed' });
    }
    expect(afterStop.completed + afterStop.waiting).toBe(NODES);
    expect(afterStop.waiting).toBeGreaterThan(0);

    const second = worker();
    await waitFor(async () => ((await probes.getCompletedCount()) === NODES ? true : undefined), {
      what: 'every probe completed',
      timeoutMs: 60_000,
    });
    await second.stop();
    const jobs = (await Promise.all(jobIds.map((id) => probes.getJob(id)))) as Job[];
    expect(jobs.map((job) => [job.id, job.attemptsStarted, job.finishedOn !== undefined])).toEqual(
      jobIds.map((id) => [id, 1, true]),
    );
    const { rows } = await db.query<{ samples: number; gpus: number }>(
      `SELECT count(*)::int AS samples, count(DISTINCT gpu_node_id)::int AS gpus
         FROM gpu_sample WHERE farm_id = $1`,
      [farmId],
    );
    expect(rows[0]).toEqual({ samples: NODES * 2, gpus: NODES * 2 });
  }, 180_000);
});

/**
 * SIGTERM lets the API finish a request it is receiving (its body arrives after the signal) and
 * answer it, while new connections are refused; then it exits cleanly.
 */
describe('graceful shutdown of the API', () => {
  let iso: IsolatedStack;
  let api: WorkerProcess | undefined;

  beforeAll(async () => {
    iso = await startIsolatedStack();
  }, 60_000);

  afterAll(async () => {
    await api?.kill();
    await iso?.stop();
  }, 60_000);

  it('answers the request in flight at SIGTERM, refuses new ones, and exits cleanly', async () => {
    const port = await findFreePort();
    api = startApiProcess({ ...iso.env, API_PORT: String(port), API_HOST: '127.0.0.1' });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => ((await fetch(`${url}/health`).catch(() => undefined))?.ok ? true : undefined),
      { what: 'the API up', timeoutMs: 60_000 },
    );
    const body = JSON.stringify({ email: 'nobody@shutdown.test', password: 'not the password' });
    const socket = connect(port, '127.0.0.1');
    const answer = new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = api.stop();
    // Shutting down: no new connection is taken.
    await waitFor(
      async () =>
        (await fetch(`${url}/health`).then(
          () => false,
          () => true,
        ))
          ? true
          : undefined,
      { what: 'new connections refused', timeoutMs: 10_000 },
    );
    // The rest of the body, without half-closing (Node aborts a request whose client ends first).
    socket.write(body.slice(10));
    const response = await answer;
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).toContain('"code":"AUTH_INVALID_CREDENTIALS"');
    const exit = await exited;
    expect({ exit, output: exit.clean ? '' : api.output() }).toMatchObject({
      exit: { clean: true },
    });
  }, 120_000);
});
