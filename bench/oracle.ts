import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { type Job, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { AppConfig, loadConfig, scriptEnvironment } from '@gpu/config';
import { dropDatabase, withDatabaseName } from '@gpu/database';
import { planLeadMs } from '@gpu/oracle';
import { findFreePort } from '../scripts/lib/anvil';
import { type AppProcess, startApp } from '../scripts/lib/app-process';
import { type LocalStack, startLocalStack } from '../scripts/lib/local-stack';
import { Narrator } from '../scripts/lib/narrator';
import { deleteKeysWithPrefix } from '../scripts/lib/redis-keys';
import { waitFor } from '../scripts/lib/wait-for';
import { CpuSampler } from './lib/cpu';
import { type FleetChild, startFleetChild } from './lib/fleet-child';
import { mapLimit } from './lib/map-limit';
import { MachineCpu, type MachineCpuFigures, RssSampler } from './lib/proc-stats';
import { profilerControl, summarizeProfiles, writeProfilerPreload } from './lib/worker-profile';
import { option } from './lib/options';

/**
 * The uptime oracle at fleet scale: `npm run bench:oracle`. The fleet simulator (its own process)
 * serves `--gpus` GPUs, `--gpus-per-node` per node, one metrics path per node; operator, farms
 * (status active, probe interval `--interval` s) and one gpu_node row per simulated GPU are
 * written straight into a fresh database; then the BUILT worker probes them through its real
 * schedulers (one BullMQ job scheduler per farm), probe jobs and sample writer. A first cycle
 * (the slot under way when the worker's sync creates the schedulers, which it plans at once) warms
 * up, then `--cycles` cycles are measured (a slot whose plans were due before the previous cycle
 * ended is skipped)
 * from the database: a cycle is complete when its slot has one sample per GPU, committed (a
 * poll of the count sees it), and lasts from when its probes were due (the slot's start: the
 * plans run ORACLE_PLAN_LEAD_SECONDS before it and add them as delayed jobs; their times are shown
 * apart) until its last probe job ended (BullMQ's finishedOn, set after the job's samples were
 * committed). Then the worker stops and a raw HTTP loop (fetch, read and discard the body; same
 * concurrency) makes three passes over every node of the same simulator (the median counts). The
 * last line is one JSON object.
 *
 * Options: --gpus N (100000), --gpus-per-node N (8), --cycles N (3), --interval S (60),
 * --farms N (10), --concurrency N (ORACLE_PROBE_CONCURRENCY's default, 256), --farm-concurrency N
 * (same as --concurrency: ORACLE_FARM_PROBE_CONCURRENCY), --timeout-ms N (5000), --pool N (10:
 * DATABASE_POOL_SIZE), --cycle-timeout S (180), --workers N (1: worker processes, each with
 * those settings; the raw loop then runs N x --concurrency at once), --profile (the first
 * worker's CPU profile over the measured cycles, by code; costs it a few percent of CPU),
 * --plan-lead S (ORACLE_PLAN_LEAD_SECONDS' default, 10).
 */
const ROOT = path.resolve(__dirname, '..');
const WORK_DIR = path.resolve(ROOT, '.tmp/bench');
const BENCH_DATABASE = 'gpu_rwa_bench_oracle';
const CORES = 2;
const POLL_MS = 250;
const DB_POLL_MS = 2000;
const RAW_PASSES = 3;
const JOB_SAMPLE_MS = 1000;
const JOBS_PER_SAMPLE = 300;

interface Settings {
  gpus: number;
  gpusPerNode: number;
  cycles: number;
  interval: number;
  farms: number;
  concurrency: number;
  farmConcurrency: number;
  timeoutMs: number;
  pool: number;
  cycleTimeoutS: number;
  profile: boolean;
  workers: number;
  /** ORACLE_PLAN_LEAD_SECONDS: plans add their probes this long before the probes are due. */
  planLead: number;
}

/** One probe cycle (one slot) as the database saw it. */
interface Cycle {
  label: string;
  slotAt: number;
  /** When the cycle was due: the earliest plan job's scheduled time (from its BullMQ id). */
  dueAt: number;
  /** Polled time at which the slot's count first equalled the GPUs (an upper bound). */
  committedAt: number | null;
  /** The last time the slot was seen unfinished (a lower bound of the last commit). */
  committedAfter: number | null;
  /** When no probe job was left waiting or active (the end of an incomplete cycle). */
  drainedAt: number | null;
  samples: number;
  firstProbedAt: number;
  lastProbedAt: number;
  /** [ms since due, committed samples] at each poll. */
  progress: [number, number][];
  /** The cycle started before the previous one was complete. */
  overlapped: boolean;
  /** Samples of any slot whose probe ended between due and the end: the work done in the cycle. */
  probedInWindow: number;
  cpu: Record<string, number>;
  machine: MachineCpuFigures;
  /** CPU in the lead before the slot, when its plans ran (measured cycles that did not overlap). */
  planWindow: PlanWindow | null;
  windowFrom: number;
  windowTo: number;
}

interface PlanWindow {
  cpu: Record<string, number>;
  machine: MachineCpuFigures;
}

interface SampledJob {
  id: string;
  slotAt: number;
  gpuId: string;
  /** When the job was added, plus its delay. */
  dueAt: number;
  processedOn: number;
  finishedOn: number;
  /** The probe was not made: it ran after its slot had ended. */
  skipped: boolean;
}

const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  })();
  return cleaning;
}

async function main(): Promise<void> {
  const s: Settings = {
    gpus: option('gpus', 100_000),
    gpusPerNode: option('gpus-per-node', 8),
    cycles: option('cycles', 3),
    interval: option('interval', 60),
    farms: option('farms', 10),
    concurrency: option('concurrency', new AppConfig().ORACLE_PROBE_CONCURRENCY),
    farmConcurrency: 0,
    timeoutMs: option('timeout-ms', 5000),
    pool: option('pool', 10),
    cycleTimeoutS: option('cycle-timeout', 180),
    profile: process.argv.includes('--profile'),
    workers: option('workers', 1),
    planLead: option('plan-lead', new AppConfig().ORACLE_PLAN_LEAD_SECONDS),
  };
  s.farmConcurrency = option('farm-concurrency', s.concurrency);
  const say = new Narrator();
  mkdirSync(WORK_DIR, { recursive: true });
  const base = loadConfig(scriptEnvironment(process.env), {
    only: ['DATABASE_URL', 'REDIS_URL'],
  });
  const databaseUrl = withDatabaseName(base.DATABASE_URL, BENCH_DATABASE);
  const queuePrefix = `gpu-bench-oracle-${process.pid}`;

  const idle = new MachineCpu();
  await sleep(2000);
  const busyBefore = idle.end(CORES);
  if (busyBefore.busy > 20)
    say.warn(
      `the machine is already ${busyBefore.busy}% busy (of ${CORES * 100}) before the run: other work competes for the cores`,
    );
  say.section(
    `Set-up: ${s.gpus} GPUs (${s.gpusPerNode} per node) in ${s.farms} farms probed every ${s.interval} s`,
  );
  let started = Date.now();
  const fleetPort = await findFreePort();
  const fleetStarting = startFleetChild({
    gpus: s.gpus,
    gpusPerNode: s.gpusPerNode,
    port: fleetPort,
    logFile: path.join(WORK_DIR, 'oracle-fleet.log'),
  });
  fleetStarting.then((fleet) => cleanups.push(() => fleet.stop())).catch(() => undefined);
  cleanups.push(() => dropDatabase(databaseUrl));
  cleanups.push(() => deleteKeysWithPrefix(base.REDIS_URL, queuePrefix));
  const stack: LocalStack = await startLocalStack({
    databaseUrl,
    freshDatabase: true,
    redisUrl: base.REDIS_URL,
    queuePrefix,
    deploymentFile: path.join(WORK_DIR, 'oracle-deployment.json'),
  });
  cleanups.push(() => stack.stop());
  const fleet: FleetChild = await fleetStarting;
  const nodes = fleet.nodes;
  say.step(
    `stack (fresh database ${BENCH_DATABASE}, anvil, contracts) and fleet simulator (pid ${fleet.child.pid}, ${nodes.length} nodes at ${fleet.url}) up in ${seconds(Date.now() - started)} s`,
  );

  const db = new Client({ connectionString: databaseUrl, application_name: 'gpu-bench-oracle' });
  await db.connect();
  cleanups.push(() => db.end());
  started = Date.now();
  const farmIds = await seed(db, s, nodes);
  say.step(
    `operator, ${s.farms} active farms and ${s.gpus} gpu_node rows inserted in ${seconds(Date.now() - started)} s`,
  );

  const env = {
    ...process.env,
    ...stack.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATABASE_POOL_SIZE: String(s.pool),
    ORACLE_PROBE_CONCURRENCY: String(s.concurrency),
    ORACLE_FARM_PROBE_CONCURRENCY: String(s.farmConcurrency),
    ORACLE_PROBE_TIMEOUT_MS: String(s.timeoutMs),
    ORACLE_PLAN_LEAD_SECONDS: String(s.planLead),
    ORACLE_EPOCH_CHECK_INTERVAL_MS: '1000',
    ORACLE_EPOCH_SECONDS: '3600',
  };
  const profileFile = path.join(WORK_DIR, `oracle-worker-${process.pid}.cpuprofile`);
  if (s.profile) {
    Object.assign(env, {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${writeProfilerPreload(WORK_DIR)}`,
      BENCH_PROFILE_FILE: profileFile,
    });
  }
  const profiles: string[] = [];
  cleanups.push(async () => rmSync(`${profileFile}.control`, { force: true }));
  const redis = new IORedis(base.REDIS_URL, { maxRetriesPerRequest: 3 });
  cleanups.push(async () => redis.disconnect());
  const oracleQueue = new Queue('oracle', { connection: redis, prefix: queuePrefix });
  const probeQueue = new Queue('oracle-probes', { connection: redis, prefix: queuePrefix });
  cleanups.push(() => Promise.all([oracleQueue.close(), probeQueue.close()]));

  const plainEnv = { ...env, NODE_OPTIONS: process.env.NODE_OPTIONS ?? '' };
  const workers: AppProcess[] = Array.from({ length: s.workers }, (_, i) =>
    startApp(
      'worker',
      i === 0 ? env : plainEnv,
      path.join(WORK_DIR, `oracle-worker${i ? i + 1 : ''}.log`),
    ),
  );
  const workerLabels = workers.map((_, i) => (i ? `worker${i + 1}` : 'worker'));
  cleanups.push(() => Promise.all(workers.map((w) => w.stop())));
  const poller = new Client({
    connectionString: databaseUrl,
    application_name: 'gpu-bench-oracle-poll',
  });
  await poller.connect();
  cleanups.push(() => poller.end());
  const pollerPid = (await poller.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
    .pid;

  const cpu = new CpuSampler({
    ...Object.fromEntries(workers.map((w, i) => [workerLabels[i], { pid: w.child.pid! }])),
    simulator: { pid: fleet.child.pid! },
    postgres: { name: 'postgres' },
    pgBenchDb: { name: 'postgres', cmdline: BENCH_DATABASE },
    pgPoller: { pid: pollerPid },
    redis: { name: 'redis-server' },
    bench: { pid: process.pid },
  });
  const machine = new MachineCpu();
  const rss = new RssSampler({
    ...Object.fromEntries(workers.map((w, i) => [workerLabels[i], w.child.pid!])),
    simulator: fleet.child.pid!,
  });
  /** The largest RSS of any worker process in the window. */
  const workerPeak = (from = 0, to = Infinity) =>
    Math.max(...workerLabels.map((label) => rss.peak(label, from, to)));
  const workerRssAt = (at: number) => Math.max(...workerLabels.map((label) => rss.at(label, at)));
  rss.start();
  cleanups.push(async () => rss.stop());

  started = Date.now();
  await waitFor(
    async () => ((await planSchedulerCount(oracleQueue)) === s.farms ? true : undefined),
    { timeoutMs: 90_000, intervalMs: 100, what: `${s.farms} probe schedulers` },
  );
  say.step(
    `${s.workers} worker process(es) (pid ${workers.map((w) => w.child.pid).join(', ')}) up, its ${s.farms} probe schedulers created ${seconds(Date.now() - started)} s after its start`,
  );

  // ---- probe cycles ----------------------------------------------------------------------
  const jobs = new Map<string, SampledJob>();
  const plans = new Map<string, PlanRun>();
  let pollMs = 0;
  let polls = 0;
  const measureCycle = async (label: string, lastSlot: number, dueHint: number) => {
    cpu.begin();
    machine.begin();
    const windowFrom = Date.now();
    const deadline = windowFrom + s.cycleTimeoutS * 1000;
    const progress: [number, number][] = [];
    let slot: { slotAt: number; n: number; first: number; last: number } | undefined;
    let committedAt: number | null = null;
    let drainedAt: number | null = null;
    // Lower bound of the last commit: the last time something showed the slot unfinished.
    let unfinishedAt = windowFrom;
    let sawWork = false;
    let nextDbPoll = 0;
    let nextJobSample = 0;
    for (;;) {
      const at = Date.now();
      if (at >= nextJobSample) {
        nextJobSample = at + JOB_SAMPLE_MS;
        void sampleJobs(probeQueue, jobs);
      }
      // A probe job completes once its samples are committed: while any is waiting or active,
      // the cycle is not over. The count in the database decides, polled every 2 s and every
      // 250 ms once no probe waits any more (the tail).
      const counts = await probeQueue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      const waiting = (counts.wait ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
      const pending = waiting + (counts.active ?? 0);
      if (pending > 0) {
        sawWork = true;
        unfinishedAt = at;
        drainedAt = null;
      } else if (sawWork && drainedAt === null) {
        drainedAt = at;
      }
      if (at >= nextDbPoll || (sawWork && waiting === 0)) {
        const started = Date.now();
        const { rows } = await poller.query<{ slot_at: Date; n: number; first: Date; last: Date }>(
          `SELECT slot_at, count(*)::int AS n, min(probed_at) AS first, max(probed_at) AS last
             FROM gpu_sample WHERE farm_id = ANY($1::uuid[]) AND slot_at > $2
            GROUP BY slot_at ORDER BY slot_at LIMIT 1`,
          [farmIds, new Date(lastSlot)],
        );
        pollMs += Date.now() - started;
        polls += 1;
        nextDbPoll = at + DB_POLL_MS;
        if (rows[0]) {
          slot = {
            slotAt: rows[0].slot_at.getTime(),
            n: rows[0].n,
            first: rows[0].first.getTime(),
            last: rows[0].last.getTime(),
          };
          progress.push([at, slot.n]);
          if (slot.n >= s.gpus) {
            committedAt = at;
            break;
          }
          unfinishedAt = Math.max(unfinishedAt, at);
        }
        // Drained for 3 s and still short: some probes of the slot were never planned or failed.
        if (drainedAt !== null && at - drainedAt >= 3000) break;
      }
      if (Date.now() > deadline) break;
      await sleep(POLL_MS - ((Date.now() - at) % POLL_MS));
    }
    const windowTo = Date.now();
    // The poll saw the end up to a poll late: the slot's last probe job to complete (its samples
    // committed before it) tells when, by its finishedOn, the completed set's score.
    const finished =
      committedAt === null ? null : await lastFinishedOf(redis, probeQueue, slot!.slotAt);
    if (finished !== null && finished >= unfinishedAt && finished <= committedAt! + POLL_MS) {
      committedAt = finished;
    }
    const cycle: Cycle = {
      label,
      slotAt: slot?.slotAt ?? NaN,
      dueAt: dueHint,
      committedAt,
      committedAfter: committedAt === null ? null : unfinishedAt,
      drainedAt,
      samples: slot?.n ?? 0,
      firstProbedAt: slot?.first ?? NaN,
      lastProbedAt: slot?.last ?? NaN,
      progress,
      overlapped: false,
      planWindow: null,
      probedInWindow: 0,
      cpu: cpu.end(),
      machine: machine.end(CORES),
      windowFrom,
      windowTo,
    };
    return cycle;
  };

  say.section(
    `Probe cycles through ${s.workers} worker process(es) (concurrency ${s.concurrency} each, ${s.farmConcurrency} per farm, pool ${s.pool}); a cycle ends when its slot has ${s.gpus} committed samples`,
  );
  const all: Cycle[] = [];
  // The worker's schedule sync plans the current slot at once: that cycle warms up. Every slot
  // after it is planned ahead and due when it starts.
  const leadMs = planLeadMs(s.interval, s.planLead);
  all.push(await measureCycle('first (warm-up)', 0, Date.now()));
  await collectPlans(oracleQueue, plans, leadMs);
  report(say, all[0], s, nodes.length);
  const lastSlotOf = () =>
    Math.max(0, ...all.map((c) => c.slotAt).filter((slotAt) => !Number.isNaN(slotAt)));
  for (let k = 1; k <= s.cycles; k++) {
    // A slot whose plans are already due (the one before ran into it) is not measured: the next.
    let due = lastSlotOf() + s.interval * 1000;
    while (due - leadMs < Date.now()) due += s.interval * 1000;
    const overlapped = due < Date.now();
    // The lead before the slot, in which its plans run: CPU apart.
    let planCpu: PlanWindow | null = null;
    if (due - leadMs > Date.now()) {
      await sleep(due - leadMs - Date.now());
      cpu.begin();
      machine.begin();
      await sleep(due - Date.now());
      planCpu = { cpu: cpu.end(), machine: machine.end(CORES) };
    } else if (!overlapped) {
      await sleep(due - Date.now());
    }
    if (s.profile) profilerControl(profileFile, 'start');
    const cycle = await measureCycle(`cycle ${k}`, due - s.interval * 1000, due);
    if (s.profile) {
      profilerControl(profileFile, 'stop');
      profiles.push(`${profileFile}.${k - 1}`);
    }
    cycle.overlapped = overlapped;
    cycle.planWindow = planCpu;
    all.push(cycle);
    await collectPlans(oracleQueue, plans, leadMs);
    report(say, cycle, s, nodes.length);
  }
  await sampleJobs(probeQueue, jobs);
  await collectPlans(oracleQueue, plans, leadMs);

  // Each cycle's due time: its slot's start, or, when its first plan was due later (the slot the
  // worker's schedule sync found under way), that plan's due time.
  const planList = [...plans.values()];
  const plansOf = (slotAt: number) =>
    planList.filter((plan) => plan.meantSlotAt === slotAt || plan.plannedSlots.includes(slotAt));
  for (const cycle of all) {
    const meant = plansOf(cycle.slotAt);
    if (meant.length)
      cycle.dueAt = Math.max(cycle.slotAt, Math.min(...meant.map((plan) => plan.dueAt)));
  }
  for (const cycle of all) {
    const end = cycle.committedAt ?? cycle.drainedAt;
    if (end === null) continue;
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM gpu_sample WHERE probed_at BETWEEN $1 AND $2`,
      [new Date(cycle.dueAt), new Date(end)],
    );
    cycle.probedInWindow = rows[0].n;
  }
  // A scheduled plan plans its slot and nothing else, unless it ran late.
  const latePlans = planList.filter(
    (plan) =>
      plan.scheduled &&
      (plan.plannedSlots.length !== 1 || plan.plannedSlots[0] !== plan.meantSlotAt),
  );
  const farmIndex = new Map(farmIds.map((id, i) => [id, i]));
  const measured = all.slice(1);
  const failedProbeJobs = (await probeQueue.getJobCounts('failed')).failed ?? 0;
  const outcomes = await db.query<{ slot_at: Date; up: boolean; reason: string | null; n: number }>(
    `SELECT slot_at, up, reason, count(*)::int AS n FROM gpu_sample GROUP BY 1, 2, 3 ORDER BY 1, 2 DESC, 3`,
  );
  const perSlot = await db.query<{
    slot_at: Date;
    farms: number;
    transactions: number;
    mean_rows: number;
    max_rows: number;
    p: Date[];
  }>(
    `SELECT slot_at, count(DISTINCT farm_id)::int AS farms, count(DISTINCT xmin::text)::int AS transactions,
            count(*)::float / count(DISTINCT xmin::text) AS mean_rows,
            percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY probed_at) AS p
       FROM gpu_sample GROUP BY 1 ORDER BY 1`,
  );
  const samplesWritten = Number(
    (await db.query<{ n: string }>('SELECT count(*) AS n FROM gpu_sample')).rows[0].n,
  );
  const jobBreakdown = await breakdown(db, [...jobs.values()]);
  if (s.profile) {
    await waitFor(async () => (existsSync(profiles[profiles.length - 1]) ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the last CPU profile',
    }).catch(() => say.warn('the worker wrote no CPU profile'));
  }
  const profile = s.profile ? summarizeProfiles(profiles) : undefined;
  const workerExits = await Promise.all(workers.map((w) => w.stop()));

  // ---- raw HTTP loop -------------------------------------------------------------------------
  const rawConcurrency = s.concurrency * s.workers;
  say.section(
    `Raw loop: fetch and discard each node's metrics, ${rawConcurrency} at a time (workers stopped): ${RAW_PASSES} passes over all ${nodes.length} nodes, the median counts`,
  );
  const urls = nodes.map((node) => node.url);
  await rawPass(urls.slice(0, Math.min(urls.length, rawConcurrency * 4)), rawConcurrency);
  const passes: {
    seconds: number;
    perSec: number;
    raw: Awaited<ReturnType<typeof rawPass>>;
    cpu: Record<string, number>;
    machine: MachineCpuFigures;
  }[] = [];
  for (let pass = 0; pass < RAW_PASSES; pass++) {
    cpu.begin();
    machine.begin();
    const rawStarted = performance.now();
    const raw = await rawPass(urls, rawConcurrency);
    const seconds = (performance.now() - rawStarted) / 1000;
    passes.push({
      seconds,
      perSec: urls.length / seconds,
      raw,
      cpu: cpu.end(),
      machine: machine.end(CORES),
    });
  }
  say.table(
    ['pass', 'nodes', 'seconds', 'per s', 'failed', 'p50 ms', 'p99 ms', 'bytes/node'],
    passes.map((pass, i) => [
      `${i + 1}: fetch + arrayBuffer`,
      String(urls.length),
      pass.seconds.toFixed(2),
      pass.perSec.toFixed(0),
      String(pass.raw.failed),
      pass.raw.p50.toFixed(1),
      pass.raw.p99.toFixed(1),
      String(Math.round(pass.raw.bytes / Math.max(1, urls.length - pass.raw.failed))),
    ]),
  );
  const median = [...passes].sort((a, b) => a.perSec - b.perSec)[Math.floor(passes.length / 2)];
  const { raw, seconds: rawSeconds, cpu: rawCpu, machine: rawMachine } = median;
  const rawProbesPerSec = median.perSec;
  rss.stop();

  // ---- figures -------------------------------------------------------------------------------
  const cycleSecondsEach = measured.map((c) => cycleSeconds(c));
  const worst = Math.max(...cycleSecondsEach);
  // Endpoints probed and recorded per second: samples (of any slot) whose probe ended in the
  // cycle's window, over its length; the slowest cycle counts. For a complete cycle that is
  // nodes / cycleSeconds; a probe skipped as late records nothing and does not count.
  const probesPerSecEach = measured.map((c) => c.probedInWindow / s.gpusPerNode / cycleSeconds(c));
  const probesPerSec = Math.min(...probesPerSecEach);
  const ratio = probesPerSec / rawProbesPerSec;
  // The plans run before the slot, out of the cycle: counted in, from the first plan's start to
  // the last's end, the same probes over both spans.
  const planSecondsEach = measured.map((c) => {
    const group = plansOf(c.slotAt).filter((plan) => plan.scheduled);
    if (!group.length) return 0;
    const from = Math.min(...group.map((plan) => plan.startedAt));
    return (
      Math.max(0, Math.min(c.slotAt, Math.max(...group.map((plan) => plan.doneAt))) - from) / 1000
    );
  });
  const withPlansEach = measured.map(
    (c, i) => c.probedInWindow / s.gpusPerNode / (cycleSeconds(c) + planSecondsEach[i]),
  );
  const ratioCountingPlans = Math.min(...withPlansEach) / rawProbesPerSec;
  const rssPerCycleMb = measured.map((c) => round(workerPeak(c.windowFrom, c.windowTo)));
  const rssAfterCycleMb = measured.map((c) => round(workerRssAt(c.windowTo)));
  const peakRssMb = round(workerPeak());
  const complete = measured.length === s.cycles && measured.every((c) => c.samples === s.gpus);
  const memoryGrowth = rssPerCycleMb.length
    ? Math.max(...rssPerCycleMb) - rssPerCycleMb[0]
    : Infinity;
  const targets = {
    allCyclesComplete: complete,
    cycleWithin30s: complete && worst <= 30,
    ratioAtLeastHalf: ratio >= 0.5,
    memoryFlat: rssPerCycleMb.length > 1 && memoryGrowth <= 0.1 * rssPerCycleMb[0],
  };

  say.section(
    'Cycles (seconds from the cycle being due: when its plans made its probes due; "from slot_at" counts from the slot the samples are labelled with)',
  );
  say.table(
    [
      'cycle',
      'slot_at',
      'due-slot_at',
      'samples (farms)',
      'committed s',
      'from slot_at',
      'probed first/p50/p90/last',
      'probed in window',
      'nodes/s',
      'tx',
      'rows/tx',
      'worker RSS peak MB',
    ],
    all.map((c) => {
      const slot = perSlot.rows.find((r) => r.slot_at.getTime() === c.slotAt);
      const since = (t: number | Date | undefined) =>
        t === undefined ? '-' : seconds(new Date(t).getTime() - c.dueAt);
      const end = c.committedAt ?? c.drainedAt;
      return [
        c.label + (c.overlapped ? ' (overlapped)' : ''),
        Number.isNaN(c.slotAt) ? '-' : new Date(c.slotAt).toISOString().slice(11, 19),
        seconds(c.dueAt - c.slotAt),
        `${c.samples}/${s.gpus} (${slot?.farms ?? 0}/${s.farms})`,
        c.committedAt !== null
          ? `${seconds(c.committedAt - c.dueAt)} (>${seconds(c.committedAfter! - c.dueAt)})`
          : end !== null
            ? `incomplete; drained ${seconds(end - c.dueAt)}`
            : 'incomplete',
        c.committedAt === null ? '-' : seconds(c.committedAt - c.slotAt),
        `${since(c.firstProbedAt)}/${since(slot?.p[0])}/${since(slot?.p[1])}/${since(c.lastProbedAt)}`,
        String(c.probedInWindow),
        end === null ? '-' : (c.probedInWindow / s.gpusPerNode / cycleSeconds(c)).toFixed(0),
        String(slot?.transactions ?? '-'),
        slot ? slot.mean_rows.toFixed(0) : '-',
        round(workerPeak(c.windowFrom, c.windowTo)).toFixed(0),
      ];
    }),
  );
  say.section('Commit progress (samples of the slot committed, by seconds since due)');
  const marks = [2, 5, 10, 15, 20, 25, 30, 40, 60];
  say.table(
    ['cycle', ...marks.map((t) => `${t} s`)],
    all.map((c) => [
      c.label,
      ...marks.map((t) => {
        const seen = c.progress.filter(([at]) => at - c.dueAt <= t * 1000);
        return seen.length ? String(seen[seen.length - 1][1]) : '0';
      }),
    ]),
  );
  say.section(`CPU per cycle (percent of one core; ${CORES} cores = ${CORES * 100})`);
  const cpuLabels = Object.keys(all[0].cpu);
  const cpuRow = (
    label: string,
    secs: number,
    cpu: Record<string, number>,
    m: MachineCpuFigures,
  ) => [
    label,
    secs.toFixed(1),
    ...cpuLabels.map((l) => String(cpu[l])),
    String(m.busy),
    String(m.softirq),
    String(notOurs(cpu, m)),
  ];
  say.table(
    ['window', 'seconds', ...cpuLabels, 'machine', 'softirq', 'not ours'],
    [
      ...all.flatMap((c) => [
        ...(c.planWindow
          ? [
              cpuRow(
                `lead before ${c.label} (its plans)`,
                leadMs / 1000,
                c.planWindow.cpu,
                c.planWindow.machine,
              ),
            ]
          : []),
        cpuRow(c.label, (c.windowTo - c.windowFrom) / 1000, c.cpu, c.machine),
      ]),
      cpuRow('raw loop (median pass)', rawSeconds, rawCpu, rawMachine),
    ],
  );
  say.step(
    "'postgres' is every Postgres process (other databases too), 'pgBenchDb' the backends of the bench's database (the bench's poll included, also alone as 'pgPoller'); 'machine' is the whole machine's busy time, 'softirq' the part of it in soft interrupts (loopback TCP), charged to no process; 'not ours' = machine - softirq - worker - simulator - pgBenchDb - redis - bench: other work on the machine",
  );
  say.step(
    `the bench's own count of the slot: ${polls} queries, ${(pollMs / Math.max(1, polls)).toFixed(1)} ms each on average (pgPoller)`,
  );
  say.section(
    `Where a probe job's time goes (${jobBreakdown.jobs} completed jobs sampled across the cycles; ms)`,
  );
  if (jobBreakdown.skipped)
    say.warn(
      `${jobBreakdown.skipped} of the ${jobBreakdown.sampled} sampled probe jobs returned skipped: 'late' (started after their slot had ended: no probe, no sample)`,
    );
  say.table(
    ['stage', 'p50', 'p90', 'max'],
    jobBreakdown.stages.map((st) => [st.what, st.p50, st.p90, st.max].map(String)),
  );
  if (profile) {
    say.section(
      `The worker's CPU profile over the measured cycles (${profile.seconds.toFixed(1)} s of wall time; percent of it, idle included)`,
    );
    say.table(
      ['by code', '%'],
      profile.categories.map((c) => [c.what, c.percent.toFixed(1)]),
    );
    say.table(
      ['inclusive (the function and what it calls)', '%'],
      profile.inclusive.map((c) => [c.fn, c.percent.toFixed(1)]),
    );
    say.table(
      ['function (self time)', '%'],
      profile.topSelf.map((c) => [c.fn, c.percent.toFixed(1)]),
    );
    say.step(`profiles (Chrome DevTools can open them): ${profiles.join(', ')}`);
  }
  say.section('Outcomes per slot');
  say.table(
    ['slot_at', 'up', 'reason', 'samples'],
    outcomes.rows.map((r) => [
      r.slot_at.toISOString().slice(11, 19),
      String(r.up),
      r.reason ?? '',
      String(r.n),
    ]),
  );
  say.section(
    "Plans (oracle.plan-probes jobs: the schedulers' runs ahead of each slot, and the schedule sync's of the slot it found under way, which also plans the next within the lead), by slot; times from the slot's start (negative: before)",
  );
  const planSlots = [
    ...new Set(planList.flatMap((plan) => [plan.meantSlotAt, ...plan.plannedSlots])),
  ].sort((a, b) => a - b);
  say.table(
    [
      'slot',
      'plans (scheduled)',
      'first due ms',
      'first start ms',
      'last start ms',
      'last done ms',
      'probes planned',
      'planned another slot',
    ],
    planSlots.map((slotAt) => {
      const group = plansOf(slotAt);
      return [
        new Date(slotAt).toISOString().slice(11, 19),
        `${group.length} (${group.filter((plan) => plan.scheduled).length})`,
        String(Math.min(...group.map((plan) => plan.dueAt)) - slotAt),
        String(Math.min(...group.map((plan) => plan.startedAt)) - slotAt),
        String(Math.max(...group.map((plan) => plan.startedAt)) - slotAt),
        String(Math.max(...group.map((plan) => plan.doneAt)) - slotAt),
        String(group.reduce((sum, plan) => sum + plan.probes, 0)),
        String(group.filter((plan) => latePlans.includes(plan)).length),
      ];
    }),
  );
  const plansAfterSlot = measured.filter((c) =>
    plansOf(c.slotAt).some((plan) => plan.scheduled && plan.doneAt > c.slotAt),
  );
  if (plansAfterSlot.length)
    say.warn(
      `the plans of ${plansAfterSlot.length} measured cycle(s) ended after their slot started: their work is in the cycle`,
    );
  for (const plan of latePlans) {
    say.warn(
      `farm ${farmIndex.get(plan.farmId)}: plan due ${iso(plan.dueAt)} started ${iso(plan.startedAt)}: it planned slot(s) ${plan.plannedSlots.map(iso).join(', ') || 'none'}, not just slot ${iso(plan.meantSlotAt)}`,
    );
  }
  say.section('Targets');
  say.table(
    ['target', 'value', 'met'],
    [
      [
        'full cycle <= 30 s (worst measured)',
        `${worst.toFixed(2)} s`,
        String(targets.cycleWithin30s),
      ],
      [
        'ratio >= 0.5 (probesPerSec / rawProbesPerSec)',
        `${probesPerSec.toFixed(0)} / ${rawProbesPerSec.toFixed(0)} = ${ratio.toFixed(3)}`,
        String(targets.ratioAtLeastHalf),
      ],
      [
        'for information: the ratio with the plans (run before the slot) counted in',
        `${Math.min(...withPlansEach).toFixed(0)} / ${rawProbesPerSec.toFixed(0)} = ${ratioCountingPlans.toFixed(3)} (plans ${planSecondsEach.map((x) => x.toFixed(1)).join(' / ')} s)`,
        '-',
      ],
      [
        'worker memory flat (per-cycle RSS peak grows <= 10%)',
        `${rssPerCycleMb.join(' / ')} MB (after each: ${rssAfterCycleMb.join(' / ')})`,
        String(targets.memoryFlat),
      ],
      [
        'every cycle complete (one sample per GPU in its slot)',
        `${measured.map((c) => c.samples).join(' / ')} of ${s.gpus}; failed probe jobs ${failedProbeJobs}; plans that planned another slot ${latePlans.length}`,
        String(targets.allCyclesComplete),
      ],
    ],
  );
  if (workerExits.some((exit) => !exit.clean))
    say.warn(`a worker did not stop cleanly: ${JSON.stringify(workerExits)}`);
  if (measured.some((c) => c.overlapped)) say.warn('a cycle began before the previous ended');
  say.done();
  console.log(
    JSON.stringify({
      bench: 'oracle',
      gpus: s.gpus,
      nodes: nodes.length,
      farms: s.farms,
      workers: s.workers,
      cycles: measured.length,
      intervalSeconds: s.interval,
      concurrency: s.concurrency,
      farmConcurrency: s.farmConcurrency,
      poolSize: s.pool,
      cycleSeconds: round(worst, 2),
      cycleSecondsEach: cycleSecondsEach.map((x) => round(x, 2)),
      cycleComplete: measured.map((c) => c.committedAt !== null),
      firstCycleSeconds: round(cycleSeconds(all[0]), 2),
      cycleFromSlotSecondsEach: measured.map((c) =>
        c.committedAt === null ? null : round((c.committedAt - c.slotAt) / 1000, 2),
      ),
      lastProbedFromSlotSecondsEach: measured.map((c) =>
        round((c.lastProbedAt - c.slotAt) / 1000, 2),
      ),
      dueAfterSlotSecondsEach: measured.map((c) => round((c.dueAt - c.slotAt) / 1000, 2)),
      probesPerSec: round(probesPerSec),
      probesPerSecEach: probesPerSecEach.map((x) => round(x)),
      rawProbesPerSec: round(rawProbesPerSec),
      rawProbesPerSecEach: passes.map((pass) => round(pass.perSec)),
      rawConcurrency,
      ratio: round(ratio, 3),
      samplesWritten,
      samplesPerCycle: measured.map((c) => c.samples),
      failedProbeJobs,
      plansInAnotherSlot: latePlans.length,
      planLeadSeconds: leadMs / 1000,
      planSecondsEach: planSecondsEach.map((x) => round(x, 2)),
      probesPerSecCountingPlansEach: withPlansEach.map((x) => round(x)),
      ratioCountingPlans: round(ratioCountingPlans, 3),
      plansPerCycle: measured.map((c) => {
        const group = plansOf(c.slotAt).filter((plan) => plan.scheduled);
        return {
          firstStartFromSlotMs: Math.min(...group.map((plan) => plan.startedAt)) - c.slotAt,
          lastDoneFromSlotMs: Math.max(...group.map((plan) => plan.doneAt)) - c.slotAt,
          leadWindowCpu: c.planWindow && {
            ...c.planWindow.cpu,
            machine: c.planWindow.machine.busy,
          },
        };
      }),
      peakRssMb,
      rssPerCycleMb,
      rssAfterCycleMb,
      simulatorPeakRssMb: round(rss.peak('simulator')),
      machineBusyBefore: busyBefore.busy,
      cpuPerCycle: measured.map((c) => ({
        ...c.cpu,
        machine: c.machine.busy,
        softirq: c.machine.softirq,
        notOurs: notOurs(c.cpu, c.machine),
      })),
      cpuRaw: {
        ...rawCpu,
        machine: rawMachine.busy,
        softirq: rawMachine.softirq,
        notOurs: notOurs(rawCpu, rawMachine),
      },
      rawFailed: raw.failed,
      workerProfile: profile
        ? Object.fromEntries(profile.categories.map((c) => [c.what, c.percent]))
        : undefined,
      sampledJobsSkippedLate: jobBreakdown.skipped,
      sampledJobs: jobBreakdown.sampled,
      jobStagesMs: Object.fromEntries(
        jobBreakdown.stages.map((st) => [st.key, { p50: st.p50, p90: st.p90 }]),
      ),
      targets,
    }),
  );
}

// ---- helpers -----------------------------------------------------------------------------------

/** The operator, `farms` active farms and one gpu_node per simulated GPU; farms in node order. */
async function seed(
  db: Client,
  s: Settings,
  nodes: { host: string; url: string; gpus: { uuid: string; model: string; memoryMb: number }[] }[],
): Promise<string[]> {
  const {
    rows: [operator],
  } = await db.query<{ id: string }>(
    `INSERT INTO app_user (email, password_hash, role) VALUES ('operator@bench.gpu', 'not-a-hash', 'operator')
     RETURNING id`,
  );
  const { rows: farms } = await db.query<{ id: string; i: number }>(
    `WITH made AS (
       INSERT INTO farm (operator_id, name, legal_entity, jurisdiction, site_location, valuation,
                         revenue_share_bps, status, probe_interval_seconds)
       SELECT $1, 'Bench farm ' || i, 'Bench Compute GmbH', 276, 'Frankfurt, Germany', 2500000000000,
              7000, 'active', $2 FROM generate_series(0, $3 - 1) i
       RETURNING id, name)
     SELECT id, substring(name from 12)::int AS i FROM made ORDER BY 2`,
    [operator.id, s.interval, s.farms],
  );
  const farmOf = (node: number) => farms[Math.floor((node * s.farms) / nodes.length)].id;
  const rows: [string, string, string, number, string, string][] = [];
  nodes.forEach((node, i) => {
    for (const gpu of node.gpus)
      rows.push([farmOf(i), gpu.model, gpu.uuid, gpu.memoryMb, node.host, node.url]);
  });
  for (let start = 0; start < rows.length; start += 25_000) {
    const chunk = rows.slice(start, start + 25_000);
    await db.query(
      `INSERT INTO gpu_node (farm_id, gpu_model, gpu_uuid, memory_mb, host, metrics_url)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])`,
      [0, 1, 2, 3, 4, 5].map((c) => chunk.map((row) => row[c])),
    );
  }
  await db.query('ANALYZE farm; ANALYZE gpu_node');
  return farms.map((farm) => farm.id);
}

/** How many probe schedulers of farms the queue holds. */
async function planSchedulerCount(queue: Queue): Promise<number> {
  const schedulers = await queue.getJobSchedulers(0, -1, true);
  return schedulers.filter((x) => x.key.startsWith('oracle-probes.')).length;
}

interface PlanRun {
  farmId: string;
  /** A run of the farm's scheduler (not one of the schedule sync's). */
  scheduled: boolean;
  /** When it was meant to run: added, plus its delay. */
  dueAt: number;
  /** The slot it should plan: the one it names, or the one `lead` after it was due. */
  meantSlotAt: number;
  startedAt: number;
  doneAt: number;
  probes: number;
  /** The slots it planned, as it says. */
  plannedSlots: number[];
}

/**
 * Adds the completed plan jobs (kept: the last 1000 completed of the oracle queue, which the
 * epoch check and schedule sync also fill every second) to `into`.
 */
async function collectPlans(
  queue: Queue,
  into: Map<string, PlanRun>,
  leadMs: number,
): Promise<void> {
  const jobs = (await queue.getJobs(['completed'], 0, 999, false)) as Job[];
  for (const job of jobs) {
    if (job?.name !== 'oracle.plan-probes' || !job.id || into.has(job.id)) continue;
    const data = job.data as { farmId: string; slotAt?: string; leadMs?: number };
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    into.set(job.id, {
      farmId: data.farmId,
      scheduled: Boolean(job.repeatJobKey),
      dueAt,
      meantSlotAt:
        data.slotAt === undefined ? dueAt + (data.leadMs ?? leadMs) : Date.parse(data.slotAt),
      startedAt: job.processedOn ?? dueAt,
      doneAt: job.finishedOn ?? 0,
      probes: (job.returnvalue as { probes?: number } | null)?.probes ?? 0,
      plannedSlots: ((job.returnvalue as { slots?: string[] } | null)?.slots ?? []).map((slot) =>
        Date.parse(slot),
      ),
    });
  }
}

/** The latest completed probe jobs (BullMQ keeps the last 1000): their timestamps. */
async function sampleJobs(queue: Queue, into: Map<string, SampledJob>): Promise<void> {
  try {
    const jobs = (await queue.getJobs(['completed'], 0, JOBS_PER_SAMPLE - 1, false)) as Job[];
    for (const job of jobs) {
      if (!job?.id || into.has(job.id) || !job.processedOn || !job.finishedOn) continue;
      const data = job.data as { slotAt: string; gpus: { id: string }[] };
      into.set(job.id, {
        id: job.id,
        slotAt: new Date(data.slotAt).getTime(),
        gpuId: data.gpus[0].id,
        dueAt: job.timestamp + (job.opts.delay ?? 0),
        processedOn: job.processedOn,
        finishedOn: job.finishedOn,
        skipped: Boolean((job.returnvalue as { skipped?: string } | null)?.skipped),
      });
    }
  } catch {
    // a sample missed; the next one will do
  }
}

/**
 * Splits sampled jobs' time into: waiting in the queue (added -> taken by the worker), probing
 * (taken -> probed_at, which the processor stamps right after the fetch: per-farm limiter + fetch),
 * and recording (probed_at -> job completed: judging, the sample writer's batch and commit, and
 * BullMQ's completion).
 */
async function breakdown(
  db: Client,
  jobs: SampledJob[],
): Promise<{
  jobs: number;
  sampled: number;
  skipped: number;
  stages: { key: string; what: string; p50: number; p90: number; max: number }[];
}> {
  const { rows } = await db.query<{ gpu_node_id: string; slot_at: Date; probed_at: Date }>(
    `SELECT g.gpu_node_id, g.slot_at, g.probed_at FROM gpu_sample g
       JOIN unnest($1::uuid[], $2::timestamptz[]) AS k(id, slot) ON g.gpu_node_id = k.id AND g.slot_at = k.slot`,
    [jobs.map((j) => j.gpuId), jobs.map((j) => new Date(j.slotAt))],
  );
  const probed = new Map(
    rows.map((r) => [`${r.gpu_node_id}@${r.slot_at.getTime()}`, r.probed_at.getTime()]),
  );
  const stages = {
    queue: [] as number[],
    probe: [] as number[],
    record: [] as number[],
    total: [] as number[],
  };
  for (const job of jobs) {
    const at = probed.get(`${job.gpuId}@${job.slotAt}`);
    if (at === undefined) continue;
    stages.queue.push(job.processedOn - job.dueAt);
    stages.probe.push(at - job.processedOn);
    stages.record.push(job.finishedOn - at);
    stages.total.push(job.finishedOn - job.dueAt);
  }
  const q = (values: number[], p: number) => {
    if (!values.length) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  };
  const what = {
    queue: 'queued (due: added by the plan, plus its delay -> taken by the worker)',
    probe: 'probing (taken -> probed_at: per-farm limiter + fetch + body)',
    record: 'recording (probed_at -> completed: judge, batch wait, insert, commit)',
    total: 'total (due -> completed)',
  };
  return {
    jobs: stages.total.length,
    sampled: jobs.length,
    skipped: jobs.filter((job) => job.skipped).length,
    stages: (Object.keys(stages) as (keyof typeof stages)[]).map((key) => ({
      key,
      what: what[key],
      p50: q(stages[key], 0.5),
      p90: q(stages[key], 0.9),
      max: q(stages[key], 1),
    })),
  };
}

/**
 * When the last probe job of `slotAt` ended (completed, or failed for good): null when the latest
 * one is of another slot.
 */
async function lastFinishedOf(
  redis: IORedis,
  queue: Queue,
  slotAt: number,
): Promise<number | null> {
  const ends = await Promise.all(
    ['completed', 'failed'].map((set) => redis.zrevrange(queue.toKey(set), 0, 0, 'WITHSCORES')),
  );
  const latest = ends.filter(([id]) => id).sort((a, b) => Number(b[1]) - Number(a[1]))[0];
  return latest?.[0].endsWith(`.${slotAt / 1000}`) ? Number(latest[1]) : null;
}

/** One pass of `fetch(url).then(r => r.arrayBuffer())` over `urls`, `concurrency` at a time. */
async function rawPass(
  urls: string[],
  concurrency: number,
): Promise<{ failed: number; bytes: number; p50: number; p99: number }> {
  let failed = 0;
  let bytes = 0;
  const latencies: number[] = [];
  await mapLimit(urls, concurrency, async (url) => {
    const started = performance.now();
    try {
      const response = await fetch(url);
      const body = await response.arrayBuffer();
      if (!response.ok) failed += 1;
      bytes += body.byteLength;
    } catch {
      failed += 1;
    }
    latencies.push(performance.now() - started);
  });
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { failed, bytes, p50: at(0.5), p99: at(0.99) };
}

function report(say: Narrator, c: Cycle, s: Settings, nodes: number): void {
  const usage = `worker CPU ${workersCpu(c.cpu)}%, simulator ${c.cpu.simulator}%, postgres (bench db) ${c.cpu.pgBenchDb}%, redis ${c.cpu.redis}%, machine ${c.machine.busy}%`;
  if (c.committedAt === null) {
    say.warn(
      `${c.label}: only ${c.samples} of ${s.gpus} samples in slot ${iso(c.slotAt)}${c.drainedAt === null ? ` after ${s.cycleTimeoutS} s` : `; no probe left ${seconds(c.drainedAt - c.dueAt)} s after due`}; ${usage}`,
    );
    return;
  }
  say.step(
    `${c.label}: slot ${iso(c.slotAt)}, all ${s.gpus} samples committed ${seconds(c.committedAt - c.dueAt)} s after the cycle was due (${(nodes / cycleSeconds(c)).toFixed(0)} nodes/s); ${usage}`,
  );
}

/** Machine CPU not used by the processes of the run (other work on the machine). */
function notOurs(cpu: Record<string, number>, machine: MachineCpuFigures): number {
  return Math.max(
    0,
    machine.busy -
      machine.softirq -
      workersCpu(cpu) -
      cpu.simulator -
      cpu.pgBenchDb -
      cpu.redis -
      cpu.bench,
  );
}

/** The CPU of every worker process together. */
function workersCpu(cpu: Record<string, number>): number {
  return Object.entries(cpu)
    .filter(([label]) => /^worker\d*$/.test(label))
    .reduce((sum, [, percent]) => sum + percent, 0);
}

/** From due to the last commit (or, incomplete, to when no probe job was left). */
function cycleSeconds(c: Cycle): number {
  const end = c.committedAt ?? c.drainedAt;
  return end === null ? Infinity : (end - c.dueAt) / 1000;
}

function iso(ms: number): string {
  return Number.isNaN(ms) ? '-' : new Date(ms).toISOString().slice(11, 21);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

process.once('SIGINT', () => {
  console.log('\n   ! interrupted: stopping the worker and the simulator, dropping the database');
  void cleanup().finally(() => process.exit(130));
});

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
