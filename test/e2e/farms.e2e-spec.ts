import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import { readDeploymentFile } from '@gpu/chain';
import {
  GpuFarmToken__factory,
  GpuFarmTokenFactory__factory,
} from '../../libs/chain/src/generated';
import { waitFor } from '../../scripts/lib/wait-for';
import { type RunningApi, startApi, startWorker } from '../support/apps';
import { directProvider } from '../support/outbox-client';
import { ApiClient, type SignedIn, signInStaff } from '../support/api-client';
import { farmBody, gpu } from '../support/farm-fixtures';

describe('farms over HTTP: onboarding, review, ownership', () => {
  let api: RunningApi;
  let operator: SignedIn;
  let otherOperator: SignedIn;
  let officer: SignedIn;
  let dataSource: DataSource;
  let worker: INestApplicationContext;
  let rpc: JsonRpcProvider;

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker();
    rpc = directProvider(process.env.RPC_URL!);
    [operator, otherOperator, officer] = await Promise.all([
      signInStaff(api, 'operator'),
      signInStaff(api, 'operator', 'other-operator'),
      signInStaff(api, 'compliance'),
    ]);
    dataSource = api.app.get(DataSource);
  });

  afterAll(async () => {
    rpc?.destroy();
    await worker?.close();
    await api?.close();
  });

  async function createFarm(client: ApiClient = operator.client, overrides = {}) {
    const created = await client.post('/farms', farmBody(overrides));
    expect(created.status).toBe(201);
    return created.body;
  }

  const auditActions = async (farmId: string): Promise<string[]> =>
    (
      await dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_entry WHERE subject = $1 ORDER BY sequence`,
        [`farm:${farmId}`],
      )
    ).map((row) => row.action);

  it('an operator onboards a farm with GPUs and documents; compliance approves it', async () => {
    const farm = await createFarm();
    expect(farm).toMatchObject({
      operatorId: operator.userId,
      status: 'draft',
      valuation: '2500000000000',
      revenueShareBps: 7000,
      jurisdiction: 352,
    });
    expect(farm.nodes).toHaveLength(1);
    expect(farm.documents[0].sha256).toBe('ab'.repeat(32));

    const submitted = await operator.client.post(`/farms/${farm.id}/submit`);
    expect(submitted.body).toMatchObject({ status: 'submitted', submittedAt: expect.any(String) });
    const approved = await officer.client.post(`/farms/${farm.id}/approve`, {
      reason: 'title and valuation checked',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      decidedBy: `user:${officer.userId}`,
    });
    expect(await auditActions(farm.id)).toEqual(['farm.create', 'farm.submit', 'farm.approve']);
  });

  it('a rejected farm carries the reason; editing it sends it back to draft, and it can be resubmitted', async () => {
    const farm = await createFarm();
    await operator.client.post(`/farms/${farm.id}/submit`);
    const rejected = await officer.client.post(`/farms/${farm.id}/reject`, {
      reason: 'valuation report unsigned',
    });
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      rejectionReason: 'valuation report unsigned',
    });

    const edited = await operator.client.request('PATCH', `/farms/${farm.id}`, {
      documents: [
        {
          type: 'valuation-report',
          uri: 'https://docs.example.com/signed.pdf',
          sha256: 'cd'.repeat(32),
        },
      ],
    });
    expect(edited.status).toBe(200);
    expect(edited.body.status).toBe('draft');
    expect(edited.body.documents.map((d: { sha256: string }) => d.sha256)).toEqual([
      'cd'.repeat(32),
    ]);
    expect(edited.body.nodes).toHaveLength(1);
    expect((await operator.client.post(`/farms/${farm.id}/submit`)).body.status).toBe('submitted');
  });

  it('refuses edits after submission and illegal transitions with 409 and a code', async () => {
    const farm = await createFarm();
    const early = await officer.client.post(`/farms/${farm.id}/approve`, { reason: 'x' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({
      code: 'FARM_INVALID_TRANSITION',
      details: { from: 'draft', to: 'approved' },
    });

    await operator.client.post(`/farms/${farm.id}/submit`);
    const edit = await operator.client.request('PATCH', `/farms/${farm.id}`, { name: 'renamed' });
    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe('FARM_NOT_EDITABLE');
    const twice = await operator.client.post(`/farms/${farm.id}/submit`);
    expect(twice.body.code).toBe('FARM_INVALID_TRANSITION');
    await officer.client.post(`/farms/${farm.id}/approve`, { reason: 'ok' });
    const rejectApproved = await officer.client.post(`/farms/${farm.id}/reject`, { reason: 'x' });
    expect(rejectApproved.body).toMatchObject({
      code: 'FARM_INVALID_TRANSITION',
      details: { from: 'approved', to: 'rejected' },
    });
  });

  it('refuses to submit a farm without GPU nodes or documents', async () => {
    const farm = await createFarm(operator.client, { nodes: [], documents: [] });
    const refused = await operator.client.post(`/farms/${farm.id}/submit`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'FARM_INCOMPLETE',
      details: { missing: ['GPU nodes', 'documents'] },
    });
  });

  it('a GPU belongs to one farm', async () => {
    const farm = await createFarm();
    const again = await otherOperator.client.post(
      '/farms',
      farmBody({ nodes: [{ ...farm.nodes[0], id: undefined }] }),
    );
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('FARM_GPU_ALREADY_LISTED');
  });

  it('an operator sees and changes only their own farms; compliance sees all', async () => {
    const farm = await createFarm();
    const other = otherOperator.client;
    expect((await other.get(`/farms/${farm.id}`)).body.code).toBe('FARM_NOT_FOUND');
    expect((await other.request('PATCH', `/farms/${farm.id}`, { name: 'mine now' })).status).toBe(
      404,
    );
    expect((await other.post(`/farms/${farm.id}/submit`)).status).toBe(404);
    const listed = (await other.get('/farms?limit=200')).body.items.map(
      (f: { id: string }) => f.id,
    );
    expect(listed).not.toContain(farm.id);
    expect((await officer.client.get(`/farms/${farm.id}`)).body.id).toBe(farm.id);
    expect((await operator.client.get(`/farms/${farm.id}`)).body.name).toBe(
      'Reykjavik A100 cluster',
    );
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const before = await dataSource.query<{ n: string }[]>(`SELECT count(*)::text AS n FROM farm`);
    const cases: Record<string, unknown>[] = [
      { valuation: '-5' },
      { valuation: '0' },
      { valuation: '1.5' },
      { valuation: 2500 },
      { valuation: '1'.repeat(80) },
      { revenueShareBps: 0 },
      { revenueShareBps: 10_001 },
      { revenueShareBps: 70.5 },
      { jurisdiction: 999 },
      { jurisdiction: '352' },
      { name: '' },
      { operatorId: otherOperator.userId },
      { status: 'approved' },
      {
        nodes: [
          { gpuModel: 'x', gpuUuid: 'not-a-gpu', memoryMb: 1, host: 'h', metricsUrl: 'http://h/m' },
        ],
      },
      {
        nodes: [
          {
            gpuModel: 'x',
            gpuUuid: gpu(),
            memoryMb: 1,
            host: 'h',
            metricsUrl: 'file:///etc/passwd',
          },
        ],
      },
      { documents: [{ type: 'x', uri: 'https://a.b/c', sha256: 'XYZ' }] },
      { probeIntervalSeconds: 0 },
      { probeIntervalSeconds: 3601 },
      { probeIntervalSeconds: 1.5 },
      { slaUptimeBps: 10_001 },
      { slaUptimeBps: -1 },
      { ratePerGpuHour: '-1' },
      { ratePerGpuHour: '1.5' },
      { ratePerGpuHour: 100 },
      { ratePerGpuHour: '1' + '0'.repeat(30) },
    ];
    for (const overrides of cases) {
      const response = await operator.client.post('/farms', farmBody(overrides));
      expect([JSON.stringify(overrides), response.status, response.body.code]).toEqual([
        JSON.stringify(overrides),
        400,
        'VALIDATION_FAILED',
      ]);
    }
    const nulls = await operator.client.request('PATCH', `/farms/${randomUUID()}`, {
      valuation: null,
    });
    expect(nulls.status).toBe(404);
    const after = await dataSource.query<{ n: string }[]>(`SELECT count(*)::text AS n FROM farm`);
    expect(after).toEqual(before);
  });

  it("an operator's API key reads and writes farms only with the farms scopes", async () => {
    const readOnly = await operator.client.post('/api-keys', {
      name: 'reader',
      scopes: ['farms:read'],
    });
    const reader = new ApiClient(api.url).withApiKey(readOnly.body.key);
    const farm = await createFarm();
    expect((await reader.get(`/farms/${farm.id}`)).status).toBe(200);
    const write = await reader.post('/farms', farmBody());
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('AUTH_API_KEY_SCOPE_MISSING');
  });

  describe('tokenization', () => {
    const terms = (overrides: Record<string, unknown> = {}) => ({
      symbol: 'GPUREY',
      totalFractions: '1000000',
      allowedCountries: [352, 276, 250, 276],
      maxBalance: '250000',
      maxHolders: 2000,
      lockupEnd: '2027-06-01T00:00:00Z',
      ...overrides,
    });

    async function approvedFarm() {
      const farm = await createFarm();
      await operator.client.post(`/farms/${farm.id}/submit`);
      await officer.client.post(`/farms/${farm.id}/approve`, { reason: 'ok' });
      return farm;
    }

    it('one factory transaction through the outbox makes an approved farm a token', async () => {
      const farm = await approvedFarm();
      const requested = await operator.client.post(`/farms/${farm.id}/tokenization`, terms());
      expect(requested.status).toBe(201);
      expect(requested.body).toMatchObject({
        status: 'pending',
        symbol: 'GPUREY',
        totalFractions: '1000000',
        allowedCountries: [250, 276, 352],
        maxBalance: '250000',
        maxHolders: 2000,
      });
      const again = await operator.client.post(`/farms/${farm.id}/tokenization`, terms());
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('FARM_TOKENIZATION_REQUESTED');

      await waitFor(
        async () =>
          (await operator.client.get(`/farms/${farm.id}`)).body.status === 'tokenized'
            ? true
            : undefined,
        { what: 'the farm tokenized', timeoutMs: 20_000 },
      );
      const token = (await operator.client.get(`/farms/${farm.id}/token`)).body;
      expect(token).toMatchObject({
        status: 'confirmed',
        tokenAddress: requested.body.tokenAddress,
      });
      const deployment = readDeploymentFile(process.env.DEPLOYMENT_FILE!);
      const factory = GpuFarmTokenFactory__factory.connect(
        deployment.contracts.GpuFarmTokenFactory.address,
        rpc,
      );
      expect(await factory.tokenOf(token.chainFarmId)).toBe(token.tokenAddress);
      const onChain = GpuFarmToken__factory.connect(token.tokenAddress, rpc);
      expect(await onChain.symbol()).toBe('GPUREY');
      expect(await onChain.name()).toBe(farm.name);
      expect(await auditActions(farm.id)).toEqual(
        expect.arrayContaining(['farm.tokenize', 'farm.tokenized']),
      );
    });

    it('refuses a farm that is not approved, and bad terms, with nothing requested', async () => {
      const draft = await createFarm();
      const early = await operator.client.post(`/farms/${draft.id}/tokenization`, terms());
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({
        code: 'FARM_INVALID_TRANSITION',
        details: { from: 'draft', to: 'tokenized' },
      });
      const farm = await approvedFarm();
      for (const overrides of [
        { symbol: 'gpu' },
        { totalFractions: '0' },
        { totalFractions: 1000 },
        { allowedCountries: [] },
        { allowedCountries: [999] },
        { maxBalance: '-1' },
        { maxHolders: -1 },
        { lockupEnd: 'tomorrow' },
      ]) {
        const response = await operator.client.post(
          `/farms/${farm.id}/tokenization`,
          terms(overrides),
        );
        expect([JSON.stringify(overrides), response.status]).toEqual([
          JSON.stringify(overrides),
          400,
        ]);
      }
      expect((await operator.client.get(`/farms/${farm.id}/token`)).body.code).toBe(
        'FARM_NOT_TOKENIZED',
      );
      const foreign = await otherOperator.client.post(`/farms/${farm.id}/tokenization`, terms());
      expect(foreign.status).toBe(404);
    });
  });
});
