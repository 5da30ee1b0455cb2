import { createHash } from 'node:crypto';
import type { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import { chainFarmId, readDeploymentFile } from '@gpu/chain';
import { UptimeOracle__factory } from '../../libs/chain/src/generated';
import {
  type Fleet,
  listingNodesOf,
  NODE_MODES,
  type NodeMode,
  startFleet,
} from '../../scripts/lib/fleet/fleet-simulator';
import { waitFor } from '../../scripts/lib/wait-for';
import { type SignedIn, signInStaff, registerInvestor } from '../support/api-client';
import type { RunningApi } from '../support/apps';
import { type IsolatedApps, startIsolatedApps } from '../support/isolated-apps';
import type { IsolatedStack } from '../support/isolated-stack';
import type { IssuanceFixtures } from '../support/issuance-fixtures';
import { farmBody } from '../support/farm-fixtures';

const EPOCH_SECONDS = 4;
const INTERVAL_SECONDS = 1;

/**
 * The uptime oracle end to end, on a stack of its own (short epochs, fast probes): a simulated
 * fleet in dcgm-exporter format, every failure mode judged with its reason, epochs reported with
 * exact figures, signed by the reporters, accepted on chain, and recomputable from the export.
 */
describe('the uptime oracle probes every GPU and proves every epoch', () => {
  let apps: IsolatedApps;
  let iso: IsolatedStack;
  let api: RunningApi;
  let provider: JsonRpcProvider;
  let dataSource: DataSource;
  let operator: SignedIn;
  let officer: SignedIn;
  let fixtures: IssuanceFixtures;
  let fleet: Fleet;

  beforeAll(async () => {
    apps = await startIsolatedApps({
      ORACLE_EPOCH_SECONDS: String(EPOCH_SECONDS),
      ORACLE_EPOCH_CHECK_INTERVAL_MS: '300',
      ORACLE_PROBE_TIMEOUT_MS: '400',
    });
    ({ iso, api, provider, dataSource, operator, officer, fixtures } = apps);
    fleet = await startFleet({ gpus: 24, gpusPerNode: 2, slowMs: 2000, seed: `e2e-${Date.now()}` });
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await apps?.stop();
  });

  /** The fleet's nodes as a farm listing, tokenized (so monitored), probed every second. */
  async function monitoredFarm(nodes = fleet.nodes, terms: Record<string, unknown> = {}) {
    return fixtures.tokenizedFarm(
      {},
      {
        probeIntervalSeconds: INTERVAL_SECONDS,
        slaUptimeBps: 9000,
        ratePerGpuHour: '2000000',
        nodes: listingNodesOf(nodes),
        ...terms,
      },
    );
  }

  it('judges each failure mode of a node with its own reason', async () => {
    const modes = NODE_MODES;
    modes.forEach((mode, index) => fleet.setMode(index, mode));
    const farm = await monitoredFarm(fleet.nodes.slice(0, 8));
    const status = await waitFor(
      async () => {
        const body = (await operator.client.get(`/farms/${farm.farmId}/uptime`)).body;
        return body.notProbed === 0 ? body : undefined;
      },
      { what: 'every GPU probed', timeoutMs: 30_000 },
    );
    const verdictOf = (uuid: string) =>
      status.items.find((item: { gpuUuid: string }) => item.gpuUuid === uuid);
    const expected: Record<NodeMode, [string | null, string | null]> = {
      ok: [null, null],
      down: ['unreachable', 'unreachable'],
      slow: ['timeout', 'timeout'],
      'http-error': ['http_error', 'http_error'],
      'missing-gpu': [null, 'gpu_missing'],
      'swapped-model': [null, 'model_mismatch'],
      garbage: ['malformed', 'malformed'],
      stale: ['metrics_stale', 'metrics_stale'],
    };
    for (const [index, mode] of modes.entries()) {
      const node = fleet.nodes[index];
      const reasons = node.gpus.map((gpu) => verdictOf(gpu.uuid).reason);
      expect({ mode, reasons }).toEqual({ mode, reasons: expected[mode] });
    }
    const healthy = verdictOf(fleet.nodes[0].gpus[0].uuid);
    expect(healthy).toMatchObject({ up: true, reason: null, host: fleet.nodes[0].host });
    expect(healthy.utilization).toBeGreaterThanOrEqual(0);
    expect(healthy.utilization).toBeLessThanOrEqual(100);
    expect(healthy.powerMw).toBeGreaterThan(0);
    expect(verdictOf(fleet.nodes[5].gpus[1].uuid).detail).toMatch(/RTX 4090/);
    // ok: 2 up; missing-gpu and swapped-model: 1 up each.
    expect(status).toMatchObject({ gpus: 16, up: 4, down: 12, notProbed: 0 });
    modes.forEach((_, index) => fleet.setMode(index, 'ok'));
  });

  it('reports an epoch with exact figures, signed, accepted on chain and recomputable from its export', async () => {
    const nodes = fleet.nodes.slice(8, 10);
    fleet.setMode(9, 'down');
    const farm = await monitoredFarm(nodes);
    const report = await waitFor(
      async () => {
        const page = (await officer.client.get(`/farms/${farm.farmId}/uptime/epochs`)).body;
        const accepted = page.items?.find((item: { status: string }) => item.status === 'accepted');
        return accepted ?? undefined;
      },
      { what: 'an epoch report accepted on chain', timeoutMs: 25_000 },
    );
    fleet.setMode(9, 'ok');

    // 4 GPUs, a sample per second over a 4-second epoch: node 1 (2 GPUs) down throughout.
    expect(report).toMatchObject({
      gpus: 4,
      probeIntervalSeconds: 1,
      expectedSamples: 16,
      slaUptimeBps: 9000,
      slaMet: false,
      ratePerGpuHour: '2000000',
    });
    const slots = EPOCH_SECONDS / INTERVAL_SECONDS;
    // Node 8's two GPUs were up: every slot of the epoch probed (one may be lost to scheduling).
    expect(report.upSamples).toBeLessThanOrEqual(2 * slots);
    expect(report.upSamples).toBeGreaterThanOrEqual(2 * (slots - 1));
    expect(report.uptimeBps).toBe(Math.floor((report.upSamples * 10_000) / 16));
    // Each up sample is one GPU-second available: x 1000 / 3600 thousandths of a GPU-hour.
    expect(report.gpuHoursAvailable).toBe(String(Math.floor((report.upSamples * 1000) / 3600)));
    expect(BigInt(report.revenue)).toBe((BigInt(report.gpuHoursUsed) * 2_000_000n) / 1000n);
    expect(report.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(report.signatures).toHaveLength(3);

    const detail = (
      await operator.client.get(`/farms/${farm.farmId}/uptime/epochs/${report.epoch}`)
    ).body;
    const downUuids = new Set(nodes[1].gpus.map((gpu) => gpu.uuid));
    for (const gpu of detail.gpuEpochs) {
      expect(gpu.expectedSamples).toBe(slots);
      if (downUuids.has(gpu.gpuUuid)) expect(gpu.upSamples).toBe(0);
    }
    expect(
      detail.gpuEpochs.reduce((sum: number, gpu: { upSamples: number }) => sum + gpu.upSamples, 0),
    ).toBe(report.upSamples);

    const csv = await fetch(
      `${api.url}/farms/${farm.farmId}/uptime/epochs/${report.epoch}/samples?format=csv`,
      { headers: { authorization: `Bearer ${officer.client.credentials.accessToken}` } },
    );
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    expect('0x' + createHash('sha256').update(text, 'utf8').digest('hex')).toBe(report.samplesHash);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'gpu_uuid,slot,up,reason,utilization,temperature_c,power_mw,memory_used_mb',
    );
    expect(lines.length - 1).toBe(report.sampleCount);
    expect(lines.slice(1).filter((line) => line.split(',')[2] === '1')).toHaveLength(
      report.upSamples,
    );

    const ndjson = (
      await operator.client.get(
        `/farms/${farm.farmId}/uptime/epochs/${report.epoch}/samples?format=ndjson`,
      )
    ).body as string;
    const records = ndjson
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toHaveLength(report.sampleCount);
    expect(records.filter((record) => record.reason === 'unreachable')).not.toHaveLength(0);

    const deployment = readDeploymentFile(iso.env.DEPLOYMENT_FILE);
    const oracle = UptimeOracle__factory.connect(
      deployment.contracts.UptimeOracle.address,
      provider,
    );
    expect(await oracle.reportDigest(chainFarmId(farm.farmId), BigInt(report.epoch))).toBe(
      report.digest,
    );

    const flagged = (await officer.client.get(`/farms/${farm.farmId}`)).body;
    expect(BigInt(flagged.slaBreachEpoch)).toBeGreaterThanOrEqual(BigInt(report.epoch));
    const [breach] = await dataSource.query(
      `SELECT action FROM audit_entry WHERE subject = $1 AND action = 'oracle.sla-breach' LIMIT 1`,
      [`farm:${farm.farmId}`],
    );
    expect(breach).toEqual({ action: 'oracle.sla-breach' });
  });

  it('lets investors read the evidence of tokenized farms; refuses unknown epochs and bad input', async () => {
    const farm = await monitoredFarm(fleet.nodes.slice(10, 11));
    const investor = await registerInvestor(api);
    const seen = await investor.client.get(`/farms/${farm.farmId}/uptime`);
    expect(seen.status).toBe(200);
    const draft = (await operator.client.post('/farms', farmBody())).body;
    const hidden = await investor.client.get(`/farms/${draft.id}/uptime`);
    expect({ status: hidden.status, code: hidden.body.code }).toEqual({
      status: 404,
      code: 'FARM_NOT_FOUND',
    });
    expect((await operator.client.get(`/farms/${draft.id}/uptime`)).status).toBe(200);

    const unknown = await investor.client.get(`/farms/${farm.farmId}/uptime/epochs/1`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('UPTIME_EPOCH_NOT_REPORTED');
    for (const epoch of ['-1', 'abc', '1.5', '9223372036854775808', '18446744073709551616']) {
      const bad = await investor.client.get(`/farms/${farm.farmId}/uptime/epochs/${epoch}`);
      expect({ epoch, status: bad.status, code: bad.body.code }).toEqual({
        epoch,
        status: 400,
        code: 'INVALID_EPOCH',
      });
    }
    const beyond = await investor.client.get(
      `/farms/${farm.farmId}/uptime/epochs/9223372036854775807/samples`,
    );
    expect([beyond.status, beyond.body.code]).toEqual([404, 'UPTIME_EPOCH_NOT_REPORTED']);
    const badFormat = await investor.client.get(
      `/farms/${farm.farmId}/uptime/epochs/1/samples?format=xml`,
    );
    expect(badFormat.status).toBe(400);
    const tooSparse = await operator.client.post(
      '/farms',
      farmBody({ probeIntervalSeconds: EPOCH_SECONDS + 1 }),
    );
    expect([tooSparse.status, tooSparse.body.code]).toEqual([400, 'FARM_PROBE_INTERVAL_TOO_LONG']);
    const otherOperator = await signInStaff(api, 'operator');
    expect((await otherOperator.client.get(`/farms/${farm.farmId}/uptime`)).status).toBe(404);
  });
});
