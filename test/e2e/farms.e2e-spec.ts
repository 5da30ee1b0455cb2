import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import { readDeploymentFile } from '@gpu/chain';
import { DecideTokenization } from '@gpu/farms';
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

    /** The outbox transactions sent for the farm, by idempotency key. */
    const outboxKeys = async (farmId: string): Promise<string[]> =>
      (
        await dataSource.query<{ idempotency_key: string }[]>(
          `SELECT idempotency_key FROM chain_tx WHERE reference = $1 ORDER BY id`,
          [`farm:${farmId}`],
        )
      ).map((row) => row.idempotency_key);

    /** The tokenization review queue's item for the farm, if it is listed. */
    async function queued(farmId: string): Promise<Record<string, unknown> | undefined> {
      const response = await officer.client.get('/reports/review-queues?limit=200');
      expect(response.status).toBe(200);
      const oldest = response.body.tokenizations.oldest as Record<string, unknown>[];
      return oldest.find((item) => item.farmId === farmId);
    }

    it("the operator's request waits for compliance; approval sends one factory transaction through the outbox", async () => {
      const farm = await approvedFarm();
      const requested = await operator.client.post(`/farms/${farm.id}/tokenization`, terms());
      expect(requested.status).toBe(201);
      expect(requested.body).toMatchObject({
        status: 'requested',
        symbol: 'GPUREY',
        totalFractions: '1000000',
        allowedCountries: [250, 276, 352],
        maxBalance: '250000',
        maxHolders: 2000,
        lockupEnd: '2027-06-01T00:00:00.000Z',
        chainTxId: null,
        attempt: 1,
        requestedBy: operator.userId,
        decidedBy: null,
        decisionReason: null,
      });
      expect(requested.body.tokenAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
      const again = await operator.client.post(`/farms/${farm.id}/tokenization`, terms());
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        code: 'FARM_TOKENIZATION_REQUESTED',
        details: { status: 'requested' },
      });

      // Nothing goes to the chain until compliance decides; the request waits in the queue.
      expect(await outboxKeys(farm.id)).toEqual([]);
      expect((await operator.client.get(`/farms/${farm.id}`)).body.status).toBe('approved');
      const item = await queued(farm.id);
      expect(item).toMatchObject({
        farmId: farm.id,
        farmName: farm.name,
        operatorId: operator.userId,
        jurisdiction: 352,
        symbol: 'GPUREY',
        totalFractions: '1000000',
        allowedCountries: [250, 276, 352],
        maxBalance: '250000',
        maxHolders: 2000,
        lockupEnd: '2027-06-01T00:00:00.000Z',
        token: requested.body.tokenAddress.toLowerCase(),
        attempt: 1,
        requestedBy: operator.userId,
        requesterEmail: operator.email,
        requestedAt: requested.body.requestedAt,
      });
      expect(item?.ageSeconds).toEqual(expect.any(Number));
      expect(item?.ageSeconds).toBeGreaterThanOrEqual(0);
      expect(item?.ageSeconds).toBeLessThan(120);

      const approved = await officer.client.post(`/farms/${farm.id}/tokenization/approve`, {
        reason: 'terms match the approved listing',
      });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        status: 'pending',
        tokenAddress: requested.body.tokenAddress,
        decidedBy: officer.userId,
        decisionReason: 'terms match the approved listing',
        chainTxId: expect.any(String),
      });
      expect(await outboxKeys(farm.id)).toEqual([`tokenize-${farm.id}-1`]);
      expect(await queued(farm.id)).toBeUndefined();
      const twice = await officer.client.post(`/farms/${farm.id}/tokenization/reject`, {
        reason: 'too late',
      });
      expect(twice.status).toBe(409);
      expect(twice.body).toMatchObject({
        code: 'FARM_TOKENIZATION_NOT_PENDING',
        details: { status: 'pending' },
      });

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
        decisionReason: 'terms match the approved listing',
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
      const rules = await onChain.rules();
      expect([rules.maxHolders, rules.maxBalance]).toEqual([2000n, 250000n]);
      expect((await auditActions(farm.id)).slice(-3)).toEqual([
        'farm.tokenization-request',
        'farm.tokenization-approve',
        'farm.tokenized',
      ]);
      const [approval] = await dataSource.query<{ actor: string; role: string }[]>(
        `SELECT actor, role FROM audit_entry WHERE subject = $1 AND action = 'farm.tokenization-approve'`,
        [`farm:${farm.id}`],
      );
      expect(approval).toEqual({ actor: `user:${officer.userId}`, role: 'compliance' });
    });

    it('a rejected request keeps its reason, sends nothing, and the operator may request again', async () => {
      const farm = await approvedFarm();
      await operator.client.post(`/farms/${farm.id}/tokenization`, terms());
      const noReason = await officer.client.post(`/farms/${farm.id}/tokenization/reject`, {});
      expect(noReason.status).toBe(400);
      const rejected = await officer.client.post(`/farms/${farm.id}/tokenization/reject`, {
        reason: 'holder limit too high for the jurisdiction',
      });
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({
        status: 'rejected',
        chainTxId: null,
        decidedBy: officer.userId,
        decisionReason: 'holder limit too high for the jurisdiction',
      });
      expect(await queued(farm.id)).toBeUndefined();
      const late = await officer.client.post(`/farms/${farm.id}/tokenization/approve`, {
        reason: 'changed my mind',
      });
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({
        code: 'FARM_TOKENIZATION_NOT_PENDING',
        details: { status: 'rejected' },
      });
      expect(await outboxKeys(farm.id)).toEqual([]);

      const again = await operator.client.post(
        `/farms/${farm.id}/tokenization`,
        terms({ maxHolders: 500 }),
      );
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({
        status: 'requested',
        maxHolders: 500,
        attempt: 2,
        decidedBy: null,
        decisionReason: null,
      });
      expect(await queued(farm.id)).toMatchObject({ maxHolders: 500, attempt: 2 });
      const approved = await officer.client.post(`/farms/${farm.id}/tokenization/approve`, {
        reason: 'holder limit lowered',
      });
      expect(approved.body).toMatchObject({ status: 'pending', maxHolders: 500 });
      expect(await outboxKeys(farm.id)).toEqual([`tokenize-${farm.id}-2`]);
      expect((await auditActions(farm.id)).slice(-4)).toEqual([
        'farm.tokenization-request',
        'farm.tokenization-reject',
        'farm.tokenization-request',
        'farm.tokenization-approve',
      ]);
      await waitFor(
        async () =>
          (await operator.client.get(`/farms/${farm.id}/token`)).body.status === 'confirmed'
            ? true
            : undefined,
        { what: 'the token confirmed', timeoutMs: 20_000 },
      );
    });

    it('only the operator requests, only compliance decides, and never on its own request', async () => {
      const farm = await approvedFarm();
      const byOfficer = await officer.client.post(`/farms/${farm.id}/tokenization`, terms());
      expect({ status: byOfficer.status, code: byOfficer.body.code }).toEqual({
        status: 403,
        code: 'AUTH_ROLE_FORBIDDEN',
      });
      const nothing = await officer.client.post(`/farms/${farm.id}/tokenization/approve`, {
        reason: 'nothing requested',
      });
      expect({ status: nothing.status, code: nothing.body.code }).toEqual({
        status: 404,
        code: 'FARM_NOT_TOKENIZED',
      });
      const unknown = await officer.client.post(`/farms/${randomUUID()}/tokenization/approve`, {
        reason: 'no such farm',
      });
      expect({ status: unknown.status, code: unknown.body.code }).toEqual({
        status: 404,
        code: 'FARM_NOT_FOUND',
      });

      await operator.client.post(`/farms/${farm.id}/tokenization`, terms());
      const selfApproval = await operator.client.post(`/farms/${farm.id}/tokenization/approve`, {
        reason: 'my own',
      });
      expect({ status: selfApproval.status, code: selfApproval.body.code }).toEqual({
        status: 403,
        code: 'AUTH_ROLE_FORBIDDEN',
      });
      // Past the role guard too: the requester is refused as the decider.
      const decide = api.app.get(DecideTokenization);
      await expect(
        decide.execute({
          farmId: farm.id,
          decision: 'approve',
          reason: 'my own',
          officerId: operator.userId,
          actor: { id: `user:${operator.userId}`, role: 'compliance' },
        }),
      ).rejects.toMatchObject({ code: 'FARM_TOKENIZATION_OWN_REQUEST', kind: 'forbidden' });
      expect((await operator.client.get(`/farms/${farm.id}/token`)).body.status).toBe('requested');
      expect(await outboxKeys(farm.id)).toEqual([]);
      const rejected = await officer.client.post(`/farms/${farm.id}/tokenization/reject`, {
        reason: 'test over',
      });
      expect(rejected.body.status).toBe('rejected');
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
