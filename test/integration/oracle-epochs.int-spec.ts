import { createHash, randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import { chainFarmId, readDeploymentFile } from '@gpu/chain';
import { AppConfig } from '@gpu/config';
import {
  CloseEpochs,
  type DownReason,
  PROBE_PLAN_PREFIX,
  probePlanId,
  UptimeService,
} from '@gpu/oracle';
import { JobQueue, QueueName } from '@gpu/queue';
import { UptimeOracle__factory } from '../../libs/chain/src/generated';
import { PlanProbesProcessor } from '../../libs/oracle/src/jobs/plan-probes.processor';
import { ProbeNodeProcessor } from '../../libs/oracle/src/jobs/probe-node.processor';
import { ProbeSchedulesProcessor } from '../../libs/oracle/src/jobs/probe-schedules.processor';
import { type SampleRow, SampleWriter } from '../../libs/oracle/src/samples/sample-writer';
import { type Fleet, startFleet } from '../../scripts/lib/fleet/fleet-simulator';
import { waitFor } from '../../scripts/lib/wait-for';
import type { RunningApi } from '../support/apps';
import { type IsolatedApps, startIsolatedApps } from '../support/isolated-apps';
import type { IsolatedStack } from '../support/isolated-stack';

/** One-minute epochs; the scheduled close and schedule sync run once at boot, then hourly. */
const EPOCH_SECONDS = 60;
const PROBE_TIMEOUT_MS = 400;
const HEADER = 'gpu_uuid,slot,up,reason,utilization,temperature_c,power_mw,memory_used_mb\n';
/** Nothing listens there: probes the worker schedules for these farms fail fast. */
const DEAD_URL = 'http://127.0.0.1:9/metrics';
const H100 = 'NVIDIA H100 80GB HBM3';

const sha256 = (text: string): string =>
  '0x' + createHash('sha256').update(text, 'utf8').digest('hex');
const epochOfMs = (ms: number): bigint => BigInt(Math.floor(ms / 1000 / EPOCH_SECONDS));
/** Start of `epoch` in Unix seconds. */
const startOf = (epoch: bigint): number => Number(epoch) * EPOCH_SECONDS;
/**
 * The first instant CloseEpochs may report `epoch` of a farm probed every `interval` s: its end,
 * plus a probe interval and the probe timeout for the last slot's probes to land.
 */
const closableAt = (epoch: bigint, interval: number): Date =>
  new Date((startOf(epoch + 1n) + interval) * 1000 + PROBE_TIMEOUT_MS);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A GPU UUID whose first group is `prefix` (8 hex digits), the rest random. */
const uuidWith = (prefix: string): string => `GPU-${prefix}-${randomUUID().slice(9)}`;

/** A test's own sample: up when `reason` is null, readings null when absent. */
interface Scripted {
  uuid: string;
  slot: number;
  reason: DownReason | null;
  utilization: number | null;
  temperatureC: number | null;
  powerMw: number | null;
  memoryUsedMb: number | null;
}

/** The canonical CSV of `samples`, built here from the README's definition. */
function canonicalCsv(samples: readonly Scripted[]): string {
  const sorted = [...samples].sort(
    (a, b) => Buffer.compare(Buffer.from(a.uuid), Buffer.from(b.uuid)) || a.slot - b.slot,
  );
  const field = (value: string | number | null) => (value === null ? '' : String(value));
  return (
    HEADER +
    sorted
      .map(
        (s) =>
          [
            s.uuid,
            s.slot,
            s.reason === null ? 1 : 0,
            field(s.reason),
            field(s.utilization),
            field(s.temperatureC),
            field(s.powerMw),
            field(s.memoryUsedMb),
          ].join(',') + '\n',
      )
      .join('')
  );
}

describe('uptime epochs: exact figures, idempotent samples, reported epochs closed to samples', () => {
  let apps: IsolatedApps;
  let iso: IsolatedStack;
  let api: RunningApi;
  let worker: INestApplicationContext;
  let provider: JsonRpcProvider;
  let dataSource: DataSource;
  let closeEpochs: CloseEpochs;
  let writer: SampleWriter;
  let uptime: UptimeService;
  let fleet: Fleet;
  const viewer = { userId: randomUUID(), role: 'compliance' };
  /** Farm ids by test. */
  const farms: Record<'scripted' | 'fleet' | 'refusal' | 'race', string> = {
    scripted: '',
    fleet: '',
    refusal: '',
    race: '',
  };
  /** The scripted farm's GPUs, listed in this order (not the byte order of their UUIDs). */
  const scriptedUuids = {
    a: uuidWith('aaaaaaaa'),
    nine: uuidWith('99999999'),
    b: uuidWith('BBBBBBBB'),
  };
  const RACE_GPUS = 120;

  beforeAll(async () => {
    apps = await startIsolatedApps({
      ORACLE_EPOCH_SECONDS: String(EPOCH_SECONDS),
      ORACLE_EPOCH_CHECK_INTERVAL_MS: '3600000',
      ORACLE_PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS),
    });
    ({ iso, api, worker, provider } = apps);
    fleet = await startFleet({ gpus: 2, gpusPerNode: 2, seed: `oracle-epochs-${Date.now()}` });
    dataSource = worker.get(DataSource);
    closeEpochs = worker.get(CloseEpochs);
    writer = worker.get(SampleWriter);
    uptime = api.app.get(UptimeService);
    const { fixtures } = apps;
    const node = (uuid: string, host = 'rack-a-node-01', url = DEAD_URL) => ({
      gpuModel: H100,
      gpuUuid: uuid,
      memoryMb: 81_559,
      host,
      metricsUrl: url,
    });
    const [scripted, fleetFarm, refusal, race] = await Promise.all([
      fixtures.tokenizedFarm(
        {},
        {
          probeIntervalSeconds: 10,
          slaUptimeBps: 6666,
          ratePerGpuHour: '1234567',
          nodes: [scriptedUuids.a, scriptedUuids.nine, scriptedUuids.b].map((uuid) => node(uuid)),
        },
      ),
      fixtures.tokenizedFarm(
        {},
        {
          probeIntervalSeconds: 10,
          nodes: fleet.nodes[0].gpus.map((gpu) => ({
            ...node(gpu.uuid, fleet.nodes[0].host, fleet.nodes[0].url),
            gpuModel: gpu.model,
            memoryMb: gpu.memoryMb,
          })),
        },
      ),
      fixtures.tokenizedFarm(
        {},
        {
          probeIntervalSeconds: 10,
          nodes: [node(uuidWith('cccccccc')), node(uuidWith('dddddddd'))],
        },
      ),
      fixtures.tokenizedFarm(
        {},
        {
          probeIntervalSeconds: 1,
          slaUptimeBps: 9000,
          ratePerGpuHour: '1000',
          nodes: Array.from({ length: RACE_GPUS }, (_, i) =>
            node(uuidWith(i.toString(16).padStart(8, '0')), `rack-r-node-${i}`),
          ),
        },
      ),
    ]);
    farms.scripted = scripted.farmId;
    farms.fleet = fleetFarm.farmId;
    farms.refusal = refusal.farmId;
    farms.race = race.farmId;
    // What makes a tokenized farm monitored: its row in monitored_farm (first epoch: the next one).
    await worker.get(ProbeSchedulesProcessor).handle();
    const monitored: { farm_id: string; first_epoch: string }[] = await dataSource.query(
      `SELECT farm_id, first_epoch::text FROM monitored_farm WHERE farm_id = ANY($1)`,
      [Object.values(farms)],
    );
    expect(monitored).toHaveLength(4);
    for (const row of monitored) {
      expect(BigInt(row.first_epoch)).toBeGreaterThan(epochOfMs(Date.now()) - 1n);
    }
  }, 90_000);

  afterAll(async () => {
    await fleet?.stop();
    await apps?.stop();
  });

  /** Makes `epoch` the first epoch the farm reports (as if it had been watched since then). */
  const startReportingAt = (farmId: string, epoch: bigint) =>
    dataSource.query(`UPDATE monitored_farm SET first_epoch = $2 WHERE farm_id = $1`, [
      farmId,
      epoch.toString(),
    ]);

  async function gpuIds(farmId: string): Promise<Map<string, string>> {
    const rows: { id: string; gpu_uuid: string }[] = await dataSource.query(
      `SELECT id, gpu_uuid FROM gpu_node WHERE farm_id = $1`,
      [farmId],
    );
    return new Map(rows.map((row) => [row.gpu_uuid, row.id]));
  }

  function sampleRows(farmId: string, ids: Map<string, string>, samples: Scripted[]): SampleRow[] {
    return samples.map((s) => ({
      farmId,
      gpuNodeId: ids.get(s.uuid)!,
      slotAt: new Date(s.slot * 1000),
      probedAt: new Date((s.slot + 2) * 1000),
      up: s.reason === null,
      reason: s.reason,
      detail: s.reason === null ? null : `scripted ${s.reason}`,
      utilization: s.utilization,
      temperatureC: s.temperatureC,
      powerMw: s.powerMw,
      memoryUsedMb: s.memoryUsedMb,
    }));
  }

  async function reports(farmId: string) {
    return dataSource.query<
      {
        id: string;
        epoch: string;
        starts_at: Date;
        ends_at: Date;
        probe_interval_seconds: number;
        gpus: number;
        expected_samples: number;
        sample_count: number;
        up_samples: number;
        uptime_bps: number;
        gpu_hours_available: string;
        gpu_hours_used: string;
        revenue: string;
        rate_per_gpu_hour: string;
        sla_uptime_bps: number;
        sla_met: boolean;
        samples_hash: string;
        digest: string;
        status: string;
        chain_tx_id: string | null;
      }[]
    >(
      `SELECT id, epoch::text, starts_at, ends_at, probe_interval_seconds, gpus, expected_samples,
          sample_count, up_samples, uptime_bps, gpu_hours_available::text, gpu_hours_used::text,
          revenue::text, rate_per_gpu_hour::text, sla_uptime_bps, sla_met, samples_hash, digest,
          status, chain_tx_id::text
        FROM uptime_epoch WHERE farm_id = $1 ORDER BY epoch`,
      [farmId],
    );
  }

  async function gpuEpochs(farmId: string, epoch: bigint) {
    return dataSource.query<Record<string, unknown>[]>(
      `SELECT n.gpu_uuid AS uuid, g.expected_samples AS expected, g.up_samples AS up,
          g.uptime_bps AS bps, g.gpu_hours_available::text AS available,
          g.gpu_hours_used::text AS used
        FROM gpu_epoch g JOIN gpu_node n ON n.id = g.gpu_node_id
        WHERE g.farm_id = $1 AND g.epoch = $2 ORDER BY n.gpu_uuid COLLATE "C"`,
      [farmId, epoch.toString()],
    );
  }

  async function exportedCsv(farmId: string, epoch: bigint): Promise<string> {
    let text = '';
    for await (const chunk of await uptime.exportSamples(viewer, farmId, epoch, 'csv')) {
      text += chunk;
    }
    return text;
  }

  async function storedInEpoch(farmId: string, epoch: bigint): Promise<number> {
    const [{ count }]: { count: number }[] = await dataSource.query(
      `SELECT count(*)::int AS count FROM gpu_sample
        WHERE farm_id = $1 AND slot_at >= to_timestamp($2) AND slot_at < to_timestamp($3)`,
      [farmId, startOf(epoch), startOf(epoch + 1n)],
    );
    return count;
  }

  it('reports a scripted epoch with exact figures, per-GPU shares and the hash of its canonical CSV, then every later epoch in order', async () => {
    const farmId = farms.scripted;
    const epoch = epochOfMs(Date.UTC(2025, 0, 1));
    await startReportingAt(farmId, epoch);
    const t0 = startOf(epoch);
    // 60 s epoch, a slot every 10 s: 6 slots x 3 GPUs = 18 expected samples.
    const { a, nine, b } = scriptedUuids;
    const up = (
      uuid: string,
      slot: number,
      u: number,
      t: number | null,
      p: number | null,
      m: number | null,
    ): Scripted => ({
      uuid,
      slot: t0 + slot * 10,
      reason: null,
      utilization: u,
      temperatureC: t,
      powerMw: p,
      memoryUsedMb: m,
    });
    const down = (uuid: string, slot: number, reason: DownReason): Scripted => ({
      uuid,
      slot: t0 + slot * 10,
      reason,
      utilization: null,
      temperatureC: null,
      powerMw: null,
      memoryUsedMb: null,
    });
    const samples: Scripted[] = [
      // a: 5 up, utilization 33 + 67 + 99 + 100 + 0 = 299.
      up(a, 0, 33, 61, 312_500, 40_000),
      up(a, 1, 67, 62, 298_000, 40_960),
      down(a, 2, 'timeout'),
      up(a, 3, 99, 70, 350_125, 81_000),
      up(a, 4, 100, 71, 400_000, 81_559),
      up(a, 5, 0, 35, 60_000, 0),
      // nine: slot 1 never sampled; 4 up, utilization 33 + 67 + 99 + 1 = 200.
      up(nine, 0, 33, 58, 301_000, 20_480),
      up(nine, 2, 67, null, null, null),
      down(nine, 3, 'unreachable'),
      up(nine, 4, 99, 80, 699_999, 79_000),
      up(nine, 5, 1, 45, 75_000, 512),
      // b: 3 up, utilization 50 + 99 + 67 = 216.
      down(b, 0, 'metrics_stale'),
      down(b, 1, 'gpu_missing'),
      up(b, 2, 50, 66, 250_000, 30_000),
      up(b, 3, 99, 79, 690_000, 80_000),
      down(b, 4, 'http_error'),
      up(b, 5, 67, 65, 420_000, 40_000),
    ];
    const ids = await gpuIds(farmId);
    const rows = sampleRows(farmId, ids, samples);
    await Promise.all([writer.write(rows.slice(0, 7)), writer.write(rows.slice(7))]);

    // One millisecond before the last slot's probes have had their interval and timeout: nothing.
    await closeEpochs.execute(new Date(closableAt(epoch, 10).getTime() - 1));
    expect(await reports(farmId)).toEqual([]);

    // Closable up to epoch + 2: the scripted epoch and two without samples.
    const round = await closeEpochs.execute(closableAt(epoch + 2n, 10));
    expect(round).toEqual({ reported: 3, breaches: 2, failed: 0 });
    const [scripted, ...empty] = await reports(farmId);
    const csv = canonicalCsv(samples);
    expect(scripted).toMatchObject({
      epoch: epoch.toString(),
      starts_at: new Date(t0 * 1000),
      ends_at: new Date((t0 + 60) * 1000),
      probe_interval_seconds: 10,
      gpus: 3,
      expected_samples: 18,
      sample_count: 17,
      up_samples: 12,
      // floor(12 x 10000 / 18) = floor(6666.67)
      uptime_bps: 6666,
      // floor(12 x 10 x 1000 / 3600) = floor(33.33)
      gpu_hours_available: '33',
      // floor((299 + 200 + 216) x 10 x 10 / 3600) = floor(71500 / 3600) = floor(19.86)
      gpu_hours_used: '19',
      // floor(19 x 1234567 / 1000) = floor(23456.773)
      revenue: '23456',
      rate_per_gpu_hour: '1234567',
      sla_uptime_bps: 6666,
      sla_met: true,
      samples_hash: sha256(csv),
    });
    expect(['submitted', 'accepted']).toContain(scripted.status);
    // Byte order: '9' (0x39) < 'B' (0x42) < 'a' (0x61); a linguistic collation would put a before B.
    expect(csv.split('\n')[1]).toBe(`${nine},${t0},1,,33,58,301000,20480`);
    expect(csv).toContain(`\n${nine},${t0 + 20},1,,67,,,\n`);
    expect(csv).toContain(`\n${b},${t0},0,metrics_stale,,,,\n`);
    expect(csv.split('\n')[17]).toBe(`${a},${t0 + 50},1,,0,35,60000,0`);
    const exported = await exportedCsv(farmId, epoch);
    expect(exported).toBe(csv);
    expect(sha256(exported)).toBe(scripted.samples_hash);

    expect(await gpuEpochs(farmId, epoch)).toEqual([
      // 4 up: floor(40000 / 6), floor(4 x 10000 / 3600), floor(200 x 100 / 3600)
      { uuid: nine, expected: 6, up: 4, bps: 6666, available: '11', used: '5' },
      // 3 up: 5000, floor(30000 / 3600), 216 x 100 / 3600 = 6 exactly
      { uuid: b, expected: 6, up: 3, bps: 5000, available: '8', used: '6' },
      // 5 up: floor(50000 / 6), floor(50000 / 3600), floor(29900 / 3600)
      { uuid: a, expected: 6, up: 5, bps: 8333, available: '13', used: '8' },
    ]);

    const headerOnly = sha256(HEADER);
    expect(empty.map((report) => report.epoch)).toEqual([
      (epoch + 1n).toString(),
      (epoch + 2n).toString(),
    ]);
    for (const report of empty) {
      expect(report).toMatchObject({
        gpus: 3,
        expected_samples: 18,
        sample_count: 0,
        up_samples: 0,
        uptime_bps: 0,
        gpu_hours_available: '0',
        gpu_hours_used: '0',
        revenue: '0',
        sla_met: false,
        samples_hash: headerOnly,
      });
      expect(await exportedCsv(farmId, BigInt(report.epoch))).toBe(HEADER);
      const shares = await gpuEpochs(farmId, BigInt(report.epoch));
      expect(shares.map(({ expected, up, bps }) => [expected, up, bps])).toEqual([
        [6, 0, 0],
        [6, 0, 0],
        [6, 0, 0],
      ]);
    }
    const [flagged]: { sla_breach_epoch: string }[] = await dataSource.query(
      `SELECT sla_breach_epoch::text FROM farm WHERE id = $1`,
      [farmId],
    );
    expect(flagged.sla_breach_epoch).toBe((epoch + 2n).toString());

    // The same round again (a retried job, a second worker): nothing more is reported.
    expect(await closeEpochs.execute(closableAt(epoch + 2n, 10))).toEqual({
      reported: 0,
      breaches: 0,
      failed: 0,
    });
    const all = await reports(farmId);
    expect(all.map((report) => BigInt(report.epoch))).toEqual([epoch, epoch + 1n, epoch + 2n]);

    // One outbox transaction per report.
    const txs: { epoch: string; method: string; reference: string; key: string; topic: string }[] =
      await dataSource.query(
        `SELECT e.epoch::text, t.method, t.reference, t.idempotency_key AS key, t.topic
          FROM uptime_epoch e JOIN chain_tx t ON t.id = e.chain_tx_id
          WHERE e.farm_id = $1 ORDER BY e.epoch`,
        [farmId],
      );
    expect(txs).toEqual(
      all.map((report) => ({
        epoch: report.epoch,
        method: 'UptimeOracle.submitReport',
        reference: `uptime-epoch:${report.id}`,
        key: `uptime-report-${farmId}-${report.epoch}`,
        topic: 'oracle.report',
      })),
    );

    // The scripted report is accepted on chain with the digest the reporters signed.
    const accepted = await waitFor(
      async () => {
        const [first] = await reports(farmId);
        return first.status === 'accepted' ? first : undefined;
      },
      { what: 'the scripted epoch accepted on chain', timeoutMs: 15_000 },
    );
    const deployment = readDeploymentFile(iso.env.DEPLOYMENT_FILE);
    const oracle = UptimeOracle__factory.connect(
      deployment.contracts.UptimeOracle.address,
      provider,
    );
    expect(await oracle.reportDigest(chainFarmId(farmId), epoch)).toBe(accepted.digest);
  });

  it('stores one sample per GPU and slot however often a probe or a write is delivered', async () => {
    const farmId = farms.fleet;
    const node = fleet.nodes[0];
    const ids = await gpuIds(farmId);
    // Recent slots of a long interval: a probe started later than its interval is skipped.
    const recent = Math.floor(Date.now() / 10_000) * 10_000 - 20_000;
    const payload = {
      farmId,
      url: node.url,
      slotAt: new Date(recent).toISOString(),
      startBy: new Date(recent + 3600_000).toISOString(),
      gpus: node.gpus.map((gpu) => ({ id: ids.get(gpu.uuid)!, uuid: gpu.uuid, model: gpu.model })),
    };
    const probe = worker.get(ProbeNodeProcessor);
    const slotSamples = () =>
      dataSource.query<{ gpu_node_id: string; probed_at: Date; up: boolean }[]>(
        `SELECT gpu_node_id, probed_at, up FROM gpu_sample WHERE farm_id = $1 AND slot_at = $2
          ORDER BY gpu_node_id`,
        [farmId, new Date(payload.slotAt)],
      );

    expect(await probe.handle(payload)).toEqual({ up: 2, down: 0 });
    const first = await slotSamples();
    const between = new Date();
    expect(await probe.handle(payload)).toEqual({ up: 2, down: 0 });
    const afterRedelivery = await slotSamples();
    expect(afterRedelivery).toHaveLength(2);
    expect(afterRedelivery).toEqual(first);
    for (const sample of afterRedelivery) {
      expect(sample.up).toBe(true);
      expect(sample.probed_at.getTime()).toBeLessThanOrEqual(between.getTime());
    }

    // Two deliveries at once of another slot: their samples go in one batch, one statement.
    const concurrent = {
      ...payload,
      slotAt: new Date(recent + 10_000).toISOString(),
    };
    await Promise.all([probe.handle(concurrent), probe.handle(concurrent)]);
    const [{ count: concurrentCount }]: { count: number }[] = await dataSource.query(
      `SELECT count(*)::int AS count FROM gpu_sample WHERE farm_id = $1 AND slot_at = $2`,
      [farmId, new Date(concurrent.slotAt)],
    );
    expect(concurrentCount).toBe(2);

    // A probe that could not start within its slot's interval is not made: no backlog grows.
    const late = { ...payload, slotAt: new Date(recent - 7200_000).toISOString() };
    expect(
      await probe.handle({ ...late, startBy: new Date(recent - 60_000).toISOString() }),
    ).toEqual({
      up: 0,
      down: 0,
      skipped: 'late',
    });
    const [{ count: lateCount }]: { count: number }[] = await dataSource.query(
      `SELECT count(*)::int AS count FROM gpu_sample WHERE farm_id = $1 AND slot_at = $2`,
      [farmId, new Date(late.slotAt)],
    );
    expect(lateCount).toBe(0);

    // SampleWriter: the same rows twice in a row, twice at once, and once more with other values.
    const t = Date.UTC(2025, 1, 2) / 1000;
    const [g0, g1] = node.gpus.map((gpu) => gpu.uuid);
    const scripted: Scripted[] = [
      {
        uuid: g0,
        slot: t,
        reason: null,
        utilization: 40,
        temperatureC: 50,
        powerMw: 1,
        memoryUsedMb: 2,
      },
      {
        uuid: g1,
        slot: t,
        reason: 'timeout',
        utilization: null,
        temperatureC: null,
        powerMw: null,
        memoryUsedMb: null,
      },
      {
        uuid: g0,
        slot: t + 10,
        reason: null,
        utilization: 41,
        temperatureC: 51,
        powerMw: 3,
        memoryUsedMb: 4,
      },
      {
        uuid: g1,
        slot: t + 10,
        reason: null,
        utilization: 42,
        temperatureC: 52,
        powerMw: 5,
        memoryUsedMb: 6,
      },
    ];
    const rows = sampleRows(farmId, ids, scripted);
    await writer.write(rows);
    await expect(writer.write(rows)).resolves.toBeUndefined();
    await expect(Promise.all([writer.write(rows), writer.write(rows)])).resolves.toEqual([
      undefined,
      undefined,
    ]);
    await writer.write(rows.map((row) => ({ ...row, utilization: row.up ? 99 : null })));
    const stored: { uuid: string; slot: number; utilization: number | null }[] =
      await dataSource.query(
        `SELECT n.gpu_uuid AS uuid, extract(epoch from s.slot_at)::int AS slot, s.utilization
          FROM gpu_sample s JOIN gpu_node n ON n.id = s.gpu_node_id
          WHERE s.farm_id = $1 AND s.slot_at >= to_timestamp($2) AND s.slot_at < to_timestamp($3)
          ORDER BY n.gpu_uuid COLLATE "C", s.slot_at`,
        [farmId, t, t + 60],
      );
    const expected = scripted
      .map(({ uuid, slot, utilization }) => ({ uuid, slot, utilization }))
      .sort((x, y) => Buffer.compare(Buffer.from(x.uuid), Buffer.from(y.uuid)) || x.slot - y.slot);
    expect(stored).toEqual(expected);
  });

  it('schedules each farm’s plan the lead before each slot, and plans the slot under way when it makes a scheduler', async () => {
    const jobs = worker.get(JobQueue);
    const schedules = () => jobs.schedules('oracle.plan-probes', PROBE_PLAN_PREFIX);
    // 10 s by default, at most half the interval.
    expect((await schedules()).get(probePlanId(farms.scripted))).toEqual({
      everyMs: 10_000,
      offsetMs: 5_000,
    });
    expect((await schedules()).get(probePlanId(farms.race))).toEqual({
      everyMs: 1_000,
      offsetMs: 500,
    });

    // A scheduler out of line (as an earlier release made them: from when it was created) is
    // made anew in line, and a plan of the slot under way (and of the next when its plan is due
    // before the scheduler's first run) is added.
    const farmId = farms.scripted;
    await jobs.unschedule('oracle.plan-probes', probePlanId(farmId));
    await jobs.schedule('oracle.plan-probes', 10_000, { farmId }, probePlanId(farmId));
    expect((await schedules()).get(probePlanId(farmId))?.offsetMs).not.toBe(5_000);
    const before = Date.now();
    const sync = await worker.get(ProbeSchedulesProcessor).handle();
    expect(sync).toMatchObject({ started: 0, changed: 1, stopped: 0 });
    expect((await schedules()).get(probePlanId(farmId))).toEqual({
      everyMs: 10_000,
      offsetMs: 5_000,
    });
    // Its runs are 5 s before each slot.
    const scheduler = await jobs.queue(QueueName.Oracle).getJobScheduler(probePlanId(farmId));
    expect((Number(scheduler?.next) + 5_000) % 10_000).toBe(0);
    const thisSlot = Math.floor(before / 10_000) * 10_000;
    const named = (await jobs.queue(QueueName.Oracle).getJobs())
      .filter((job) => job?.data.farmId === farmId && job.data.slotAt && job.timestamp >= before)
      .map((job) => job.data);
    expect(named).toEqual([{ farmId, slotAt: new Date(thisSlot).toISOString(), leadMs: 5_000 }]);
  });

  it('plans each slot ahead: its probes wait, delayed, until the slot starts, and must start within it', async () => {
    const farmId = farms.refusal;
    // Ten minutes ahead, out of reach of the worker's own plans of this farm (every 10 s).
    const boundary = Math.ceil(Date.now() / 10_000) * 10_000 + 600_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const plan = (dueAt: number, slotAt?: number) =>
      worker
        .get(PlanProbesProcessor)
        .handle(slotAt === undefined ? { farmId } : { farmId, slotAt: iso(slotAt) }, {
          timestamp: dueAt,
          opts: {},
        } as unknown as Job);
    const probes = worker.get(JobQueue).queue(QueueName.OracleProbes);
    const ofFarm = (jobs: Job[], from: number, to = from + 3_600_000) =>
      jobs.filter(
        (job) =>
          job?.data.farmId === farmId && job.data.slotAt >= iso(from) && job.data.slotAt < iso(to),
      );
    try {
      // The scheduler runs the lead (10 s by default, at most half the interval: 5 s) before a
      // slot, for that slot; planned twice, it gets each probe once.
      expect(await plan(boundary - 5_000)).toEqual({ probes: 1, slots: [iso(boundary)] });
      expect(await plan(boundary - 5_000)).toEqual({ probes: 1, slots: [iso(boundary)] });
      // A run not ahead of a slot (a scheduler of an earlier release) plans the slot it is due in.
      expect(await plan(boundary + 12_500)).toEqual({
        probes: 1,
        slots: [iso(boundary + 10_000)],
      });
      // The schedule sync names the slot.
      expect(await plan(Date.now(), boundary + 20_000)).toEqual({
        probes: 1,
        slots: [iso(boundary + 20_000)],
      });

      const planned = ofFarm(await probes.getJobs(['delayed']), boundary);
      expect(planned.map((job) => job.data.slotAt).sort()).toEqual(
        [0, 10_000, 20_000].map((offset) => iso(boundary + offset)),
      );
      for (const job of planned) {
        const slotAt = Date.parse(job.data.slotAt);
        expect(job.id).toMatch(new RegExp(`^probe\\.${farmId}\\.[0-9a-f]{16}\\.${slotAt / 1000}$`));
        expect(job.timestamp + job.opts.delay!).toBe(slotAt);
        expect(job.data).toMatchObject({ url: DEAD_URL, startBy: iso(slotAt + 10_000) });
        expect(job.data.gpus).toHaveLength(2);
      }
    } finally {
      const left = ofFarm(await probes.getJobs(['delayed', 'wait']), boundary);
      await Promise.all(left.map((job) => job.remove()));
    }
  });

  it('plans late: the slot under way unless it was probed, and the next when its plan is due', async () => {
    const { farmId } = await apps.fixtures.tokenizedFarm(
      {},
      {
        probeIntervalSeconds: 10,
        nodes: [
          {
            gpuModel: H100,
            gpuUuid: uuidWith('eeeeeeee'),
            memoryMb: 81_559,
            host: 'rack-l-node-01',
            metricsUrl: DEAD_URL,
          },
        ],
      },
    );
    // A run of its scheduler (which the sync has not made) due 25 s before the slot under way,
    // for the slot 20 s before it: over.
    const late = async () => {
      const slot = Math.floor(Date.now() / 10_000) * 10_000;
      const job = { timestamp: slot - 25_000, opts: {} } as unknown as Job;
      return { slot, planned: await worker.get(PlanProbesProcessor).handle({ farmId }, job) };
    };
    /** Waits until the slot under way is between `from` and `to` ms old. */
    const intoSlot = async (from: number, to: number) => {
      const age = Date.now() % 10_000;
      if (age < from || age > to) await sleep((from - age + 10_000) % 10_000);
    };
    const iso = (ms: number) => new Date(ms).toISOString();
    const probes = worker.get(JobQueue).queue(QueueName.OracleProbes);
    try {
      // More than the lead (5 s) before the next slot: the slot under way only, probed at once.
      await intoSlot(1_000, 3_000);
      const before = Date.now();
      const first = await late();
      expect(first.planned).toEqual({ probes: 1, slots: [iso(first.slot)] });
      // Planned once its slot had started: it may start until an interval after its plan.
      const endpoint = createHash('sha256').update(DEAD_URL).digest('hex').slice(0, 16);
      const probe = await probes.getJob(`probe.${farmId}.${endpoint}.${first.slot / 1000}`);
      const startBy = Date.parse(probe!.data.startBy);
      expect(startBy).toBeGreaterThanOrEqual(before + 10_000);
      expect(startBy).toBeLessThanOrEqual(Date.now() + 10_000);
      await waitFor(
        async () =>
          (
            await dataSource.query(`SELECT 1 FROM gpu_sample WHERE farm_id = $1 AND slot_at = $2`, [
              farmId,
              new Date(first.slot),
            ])
          ).length || undefined,
        { timeoutMs: 5_000, what: 'the slot’s sample' },
      );
      // Within the lead: the next slot too, but not the one under way, which has its sample.
      await intoSlot(6_000, 8_000);
      const second = await late();
      expect(second.slot).toBe(first.slot);
      expect(second.planned).toEqual({ probes: 1, slots: [iso(first.slot + 10_000)] });
    } finally {
      const left = (await probes.getJobs(['delayed', 'wait'])).filter(
        (job) => job?.data.farmId === farmId,
      );
      await Promise.all(left.map((job) => job.remove()));
    }
  }, 40_000);

  it('refuses a sample for an epoch already reported: stored nothing, same export and hash', async () => {
    const farmId = farms.refusal;
    const epoch = epochOfMs(Date.UTC(2024, 11, 1));
    await startReportingAt(farmId, epoch);
    const t0 = startOf(epoch);
    const ids = await gpuIds(farmId);
    const [c, d] = [...ids.keys()].sort();
    const sample = (uuid: string, slot: number, utilization: number): Scripted => ({
      uuid,
      slot,
      reason: null,
      utilization,
      temperatureC: 60,
      powerMw: 300_000,
      memoryUsedMb: 1024,
    });
    const before = [sample(c, t0, 10), sample(c, t0 + 10, 20), sample(d, t0 + 30, 30)];
    await writer.write(sampleRows(farmId, ids, before));
    expect(await closeEpochs.execute(closableAt(epoch, 10))).toEqual({
      reported: 1,
      breaches: 1,
      failed: 0,
    });
    const [report] = await reports(farmId);
    expect(report).toMatchObject({
      epoch: epoch.toString(),
      sample_count: 3,
      up_samples: 3,
      samples_hash: sha256(canonicalCsv(before)),
    });
    const csvBefore = await exportedCsv(farmId, epoch);

    const late = [
      // The epoch's first slot (taken), a free slot, and its last slot.
      sample(c, t0, 99),
      sample(d, t0, 99),
      sample(d, t0 + 50, 99),
    ];
    // The next epoch's first slot is not reported: it is stored, in the same batch.
    const next = sample(c, t0 + 60, 77);
    await expect(writer.write(sampleRows(farmId, ids, late))).resolves.toBeUndefined();
    await expect(writer.write(sampleRows(farmId, ids, [next]))).resolves.toBeUndefined();
    await expect(
      Promise.all([
        writer.write(sampleRows(farmId, ids, late)),
        writer.write(sampleRows(farmId, ids, [{ ...next, slot: t0 + 70 }])),
      ]),
    ).resolves.toEqual([undefined, undefined]);

    expect(await storedInEpoch(farmId, epoch)).toBe(3);
    expect(await storedInEpoch(farmId, epoch + 1n)).toBe(2);
    const csvAfter = await exportedCsv(farmId, epoch);
    expect(csvAfter).toBe(csvBefore);
    expect(sha256(csvAfter)).toBe(report.samples_hash);
    const [again] = await reports(farmId);
    expect(again.samples_hash).toBe(report.samples_hash);
    expect(again.sample_count).toBe(3);
  });

  it('counts in the report exactly the samples stored when writes race the close', async () => {
    const farmId = farms.race;
    const epoch = epochOfMs(Date.UTC(2024, 10, 1));
    await startReportingAt(farmId, epoch);
    const t0 = startOf(epoch);
    const ids = await gpuIds(farmId);
    const uuids = [...ids.keys()];
    expect(uuids).toHaveLength(RACE_GPUS);
    // A sample a second for 60 s of 120 GPUs: 7,200, one batch of 120 per slot.
    const bySlot: Scripted[][] = Array.from({ length: 60 }, (_, k) =>
      uuids.map((uuid, g) =>
        (g * 7 + k) % 11 === 0
          ? {
              uuid,
              slot: t0 + k,
              reason: 'timeout',
              utilization: null,
              temperatureC: null,
              powerMw: null,
              memoryUsedMb: null,
            }
          : {
              uuid,
              slot: t0 + k,
              reason: null,
              utilization: (g * 13 + k * 7) % 101,
              temperatureC: 40 + ((g + k) % 40),
              powerMw: 100_000 + g * 1000 + k,
              memoryUsedMb: g * 100 + k,
            },
      ),
    );
    const config = worker.get(AppConfig);
    // The worker's writer and two more, as other worker processes would have.
    const writers = [
      writer,
      new SampleWriter(dataSource, config),
      new SampleWriter(dataSource, config),
    ];
    const now = closableAt(epoch, 1);
    // 45 slots (5,400 samples, more than an export page) are in before the close starts.
    await Promise.all(
      bySlot.slice(0, 45).map((slot, i) => writers[i % 3].write(sampleRows(farmId, ids, slot))),
    );
    const pending: Promise<void>[] = [];
    const closing = Promise.all([closeEpochs.execute(now), closeEpochs.execute(now)]);
    for (const [i, slot] of bySlot.slice(45).entries()) {
      pending.push(writers[i % 3].write(sampleRows(farmId, ids, slot)));
      await sleep(i % 3);
    }
    const [rounds] = await Promise.all([closing, Promise.all(pending)]);
    // Two workers closing at once report the epoch once.
    expect(rounds[0].reported + rounds[1].reported).toBe(1);

    const [report] = await reports(farmId);
    expect(report.epoch).toBe(epoch.toString());
    const stored: { uuid: string; slot: number }[] = await dataSource.query(
      `SELECT n.gpu_uuid AS uuid, extract(epoch from s.slot_at)::int AS slot
        FROM gpu_sample s JOIN gpu_node n ON n.id = s.gpu_node_id
        WHERE s.farm_id = $1 AND s.slot_at >= to_timestamp($2) AND s.slot_at < to_timestamp($3)`,
      [farmId, t0, t0 + 60],
    );
    expect(stored.length).toBeGreaterThanOrEqual(5400);
    expect(report.sample_count).toBe(stored.length);

    // The figures of exactly the stored samples, computed here.
    const keys = new Set(stored.map(({ uuid, slot }) => `${uuid}/${slot}`));
    const counted = bySlot.flat().filter(({ uuid, slot }) => keys.has(`${uuid}/${slot}`));
    const upCounted = counted.filter((s) => s.reason === null);
    const utilizationSum = upCounted.reduce((sum, s) => sum + s.utilization!, 0);
    expect(report).toMatchObject({
      expected_samples: 7200,
      sample_count: counted.length,
      up_samples: upCounted.length,
      uptime_bps: Math.floor((upCounted.length * 10_000) / 7200),
      gpu_hours_available: String(Math.floor((upCounted.length * 1000) / 3600)),
      gpu_hours_used: String(Math.floor((utilizationSum * 10) / 3600)),
      samples_hash: sha256(canonicalCsv(counted)),
    });
    const exported = await exportedCsv(farmId, epoch);
    expect(exported.split('\n')).toHaveLength(counted.length + 2);
    expect(sha256(exported)).toBe(report.samples_hash);

    // Whatever missed the close stays out: writing every sample again stores nothing more.
    await Promise.all(bySlot.map((slot, i) => writers[i % 3].write(sampleRows(farmId, ids, slot))));
    expect(await storedInEpoch(farmId, epoch)).toBe(report.sample_count);
    const shares = await dataSource.query<{ up: number }[]>(
      `SELECT up_samples AS up FROM gpu_epoch WHERE farm_id = $1 AND epoch = $2`,
      [farmId, epoch.toString()],
    );
    expect(shares).toHaveLength(RACE_GPUS);
    expect(shares.reduce((sum, share) => sum + share.up, 0)).toBe(upCounted.length);
  });

  it('stores each row with its own farm, slot, probe time and state, whatever one write mixes', async () => {
    const [g0, g1] = [...(await gpuIds(farms.fleet)).values()];
    const [other] = [...(await gpuIds(farms.refusal)).values()];
    // Two days ago: no epoch there is reported, and no other test writes there.
    const t = (Math.floor(Date.now() / 3_600_000) - 48) * 3600;
    const row = (
      farmId: string,
      gpuNodeId: string,
      slot: number,
      probed: number,
      down = false,
    ) => ({
      farmId,
      gpuNodeId,
      slotAt: new Date(slot * 1000),
      probedAt: new Date(probed * 1000),
      up: !down,
      reason: down ? ('timeout' as const) : null,
      detail: down ? 'no answer in 5000 ms' : null,
      utilization: down ? null : 10,
      temperatureC: down ? null : 50,
      powerMw: down ? null : 300_000,
      memoryUsedMb: down ? null : 1024,
    });
    const rows = [
      row(farms.fleet, g0, t, t + 2),
      row(farms.fleet, g1, t, t + 3, true), // same slot, another probe time
      row(farms.fleet, g0, t + 10, t + 3), // same probe time, another slot
      row(farms.refusal, other, t + 10, t + 3), // same slot and time, another farm
      row(farms.fleet, g1, t + 10, t + 3, true),
    ];
    // The same GPU and slot again in the same statement, from a later probe: the first is kept.
    await writer.write([...rows, row(farms.fleet, g0, t, t + 5, true)]);
    const stored: Record<string, unknown>[] = await dataSource.query(
      `SELECT gpu_node_id AS "gpuNodeId", farm_id AS "farmId", slot_at AS "slotAt",
          probed_at AS "probedAt", up, reason, detail, utilization,
          temperature_c AS "temperatureC", power_mw AS "powerMw", memory_used_mb AS "memoryUsedMb"
        FROM gpu_sample WHERE slot_at >= to_timestamp($1) AND slot_at < to_timestamp($2)`,
      [t, t + 20],
    );
    const key = (r: Record<string, unknown>) =>
      `${String(r.gpuNodeId)}/${(r.slotAt as Date).getTime()}`;
    const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      key(a).localeCompare(key(b));
    expect(stored.sort(byKey)).toEqual([...rows].sort(byKey));
  });
});
