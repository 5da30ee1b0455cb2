import { INestApplicationContext } from '@nestjs/common';
import { createHmac, randomUUID } from 'node:crypto';
import { type JsonRpcProvider, ZeroHash } from 'ethers';
import { DataSource } from 'typeorm';
import {
  type ChainTxOutcome,
  type Deployment,
  readDeploymentFile,
  registryInvestorId,
} from '@gpu/chain';
import { type IdentityRegistry, IdentityRegistry__factory } from '../../libs/chain/src/generated';
import { IdentityRegistryOutcomeListener } from '@gpu/kyc';
import { JobQueue } from '@gpu/queue';
import { waitFor } from '../../scripts/lib/wait-for';
import { type FakeSumsub, startFakeSumsub } from '../../scripts/lib/fake-sumsub';
import { type RunningApi, startApi, startWorker, testConfig } from '../support/apps';
import {
  type ApiClient,
  linkWallet,
  registerInvestor,
  signInStaff,
  type SignedIn,
} from '../support/api-client';
import { directProvider } from '../support/outbox-client';

const SECRET = process.env.KYC_WEBHOOK_SECRET!;
const GERMANY = 276;

describe('KYC over HTTP, onto the IdentityRegistry', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let rpc: JsonRpcProvider;
  let deployment: Deployment;
  let registry: IdentityRegistry;
  let dataSource: DataSource;
  let officer: SignedIn;
  let sumsub: FakeSumsub;

  beforeAll(async () => {
    sumsub = await startFakeSumsub();
    api = await startApi(
      testConfig({
        SUMSUB_API_URL: sumsub.url,
        SUMSUB_APP_TOKEN: sumsub.appToken,
        SUMSUB_SECRET_KEY: sumsub.secretKey,
      }),
    );
    worker = await startWorker();
    rpc = directProvider(process.env.RPC_URL!);
    deployment = readDeploymentFile(process.env.DEPLOYMENT_FILE!);
    registry = IdentityRegistry__factory.connect(
      deployment.contracts.IdentityRegistry.address,
      rpc,
    );
    dataSource = api.app.get(DataSource);
    officer = await signInStaff(api, 'compliance');
  });

  afterAll(async () => {
    rpc?.destroy();
    await worker?.close();
    await api?.close();
    await sumsub?.close();
  });

  const verified = (address: string) => registry.isVerified(address);
  const waitVerified = (address: string, expected: boolean, what: string) =>
    waitFor(async () => ((await verified(address)) === expected ? true : undefined), {
      what,
      timeoutMs: 20_000,
    });

  async function openCase(investor: ApiClient, provider: 'manual' | 'sumsub', country = GERMANY) {
    const opened = await investor.post('/kyc/cases', {
      provider,
      country,
      documents:
        provider === 'manual'
          ? [{ type: 'passport', name: 'passport.pdf', sha256: 'ab'.repeat(32) }]
          : undefined,
    });
    expect(opened.status).toBe(201);
    expect(opened.body.status).toBe('pending');
    return opened.body.id as string;
  }

  /** An investor with one wallet, approved by the officer and verified on chain. */
  async function approvedInvestor() {
    const investor = await registerInvestor(api);
    const { wallet } = await linkWallet(investor.client);
    const caseId = await openCase(investor.client, 'manual');
    await officer.client.post(`/kyc/cases/${caseId}/approve`, {
      country: GERMANY,
      level: 'basic',
      reason: 'ok',
    });
    await waitVerified(wallet.address, true, 'the wallet verified');
    return { investor, wallet, caseId };
  }

  async function outboxStates(investorId: string): Promise<string[]> {
    const rows: { state: string }[] = await dataSource.query(
      `SELECT state FROM chain_tx WHERE reference = $1 ORDER BY id`,
      [`investor:${investorId}`],
    );
    return rows.map((row) => row.state);
  }

  async function auditActions(subject: string): Promise<string[]> {
    const rows: { action: string }[] = await dataSource.query(
      `SELECT action FROM audit_entry WHERE subject = $1 ORDER BY sequence`,
      [subject],
    );
    return rows.map((row) => row.action);
  }

  describe('manual review', () => {
    it('an approval registers every wallet on chain, and a wallet linked later joins them', async () => {
      const investor = await registerInvestor(api);
      const first = await linkWallet(investor.client);
      const second = await linkWallet(investor.client);
      const caseId = await openCase(investor.client, 'manual', 250);
      expect(await verified(first.wallet.address)).toBe(false);

      const approved = await officer.client.post(`/kyc/cases/${caseId}/approve`, {
        country: GERMANY,
        level: 'basic-kyc-level',
        reason: 'passport checked',
      });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        status: 'approved',
        level: 'basic-kyc-level',
        decidedBy: `user:${officer.userId}`,
      });
      const expiresAt = Date.parse(approved.body.expiresAt);
      expect(expiresAt).toBeGreaterThan(Date.now() + 364 * 86_400_000);
      const seenByInvestor = (await investor.client.get(`/kyc/cases/${caseId}`)).body;
      expect(seenByInvestor).toMatchObject({ decidedBy: 'compliance', country: GERMANY });

      await waitVerified(first.wallet.address, true, 'the first wallet verified on chain');
      await waitVerified(second.wallet.address, true, 'the second wallet verified on chain');
      const [investorId, country, kycExpiry] = await registry.identityOf(first.wallet.address);
      expect(investorId).toBe(registryInvestorId(investor.userId));
      expect(Number(country)).toBe(GERMANY);
      expect(Number(kycExpiry)).toBe(Math.floor(expiresAt / 1000));

      const third = await linkWallet(investor.client);
      await waitVerified(
        third.wallet.address,
        true,
        'a wallet linked after approval verified on chain',
      );

      expect(await auditActions(`kyc-case:${caseId}`)).toEqual(['kyc.open', 'kyc.approve']);
      expect(await auditActions(`investor:${investor.userId}`)).toEqual([
        'identity-registry.register',
        'identity-registry.register',
      ]);
      const [entry]: { request_id: string; actor: string; role: string }[] = await dataSource.query(
        `SELECT request_id, actor, role FROM audit_entry WHERE subject = $1 AND action = 'kyc.approve'`,
        [`kyc-case:${caseId}`],
      );
      expect(entry).toEqual({
        request_id: approved.headers.get('x-request-id'),
        actor: `user:${officer.userId}`,
        role: 'compliance',
      });
    });

    it('a revocation removes the wallets from the registry', async () => {
      const { wallet, caseId } = await approvedInvestor();

      const revoked = await officer.client.post(`/kyc/cases/${caseId}/revoke`, {
        labels: ['FORGERY'],
        reason: 'document forged',
      });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ status: 'rejected', rejectLabels: ['FORGERY'] });
      await waitVerified(wallet.address, false, 'the wallet removed');
      const [investorId] = await registry.identityOf(wallet.address);
      expect(investorId).toBe(ZeroHash);
    });

    it('a rejection carries labels; decided cases refuse another decision; one pending case at a time', async () => {
      const investor = await registerInvestor(api);
      const caseId = await openCase(investor.client, 'manual');
      const second = await investor.client.post('/kyc/cases', {
        provider: 'manual',
        country: GERMANY,
      });
      expect(second.status).toBe(409);
      expect(second.body.code).toBe('KYC_CASE_ALREADY_PENDING');

      const rejected = await officer.client.post(`/kyc/cases/${caseId}/reject`, {
        labels: ['DOCUMENT_EXPIRED', 'BAD_PHOTO'],
        reason: 'expired passport',
      });
      expect(rejected.body).toMatchObject({
        status: 'rejected',
        rejectLabels: ['DOCUMENT_EXPIRED', 'BAD_PHOTO'],
      });
      const approveAfter = await officer.client.post(`/kyc/cases/${caseId}/approve`, {
        country: GERMANY,
        level: 'basic',
        reason: 'x',
      });
      expect(approveAfter.status).toBe(409);
      expect(approveAfter.body.code).toBe('KYC_INVALID_TRANSITION');
      expect((await openCase(investor.client, 'manual')).length).toBe(36);
    });

    it('an approval that runs out expires, and its wallets leave the registry', async () => {
      const { investor, wallet, caseId } = await approvedInvestor();

      // Time passes: the approval's expiry is now behind us (the registry still holds a year).
      await dataSource.query(
        `UPDATE kyc_case SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [caseId],
      );
      await waitVerified(wallet.address, false, 'the expired wallet removed by the expiry job');
      const status = await waitFor(
        async () => {
          const body = (await investor.client.get(`/kyc/cases/${caseId}`)).body;
          return body.status === 'expired' ? body.status : undefined;
        },
        { what: 'the case expired' },
      );
      expect(status).toBe('expired');
      expect(await auditActions(`kyc-case:${caseId}`)).toEqual([
        'kyc.open',
        'kyc.approve',
        'kyc.expire',
      ]);
      const [entry]: { actor: string }[] = await dataSource.query(
        `SELECT actor FROM audit_entry WHERE subject = $1 AND action = 'kyc.expire'`,
        [`kyc-case:${caseId}`],
      );
      expect(entry.actor).toBe('worker');
    });
    it("disabling an investor's account removes their wallets from the registry", async () => {
      const admin = await signInStaff(api, 'admin');
      const { investor, wallet } = await approvedInvestor();
      expect((await admin.client.post(`/users/${investor.userId}/disable`)).status).toBe(200);
      await waitVerified(wallet.address, false, 'the disabled investor removed');
    });

    it('a registry transaction that fails on a drift is corrected from the chain, and the next change lands', async () => {
      const { investor, wallet, caseId } = await approvedInvestor();
      await waitFor(
        async () =>
          (await outboxStates(investor.userId)).every((s) => s === 'confirmed') ? true : undefined,
        { what: 'the registration confirmed' },
      );

      // The platform loses track: it believes the wallet was never registered.
      await dataSource.query(
        `UPDATE wallet SET registry_expiry = NULL, registry_country = NULL WHERE address = $1`,
        [wallet.address.toLowerCase()],
      );
      await api.app
        .get(JobQueue)
        .enqueue(
          'kyc.sync-registry',
          { userId: investor.userId },
          { jobId: `drift-${investor.userId}` },
        );
      const failed = await waitFor(
        async () => {
          const rows: { change_digest: string }[] = await dataSource.query(
            `SELECT change_digest FROM audit_entry WHERE subject = $1 AND action = 'identity-registry.failed'`,
            [`investor:${investor.userId}`],
          );
          return rows.length ? rows : undefined;
        },
        { what: 'the failed registration noticed', timeoutMs: 20_000 },
      );
      expect(failed).toHaveLength(1);
      expect(await outboxStates(investor.userId)).toEqual(['confirmed', 'failed']);
      const [row]: { registry_expiry: Date | null }[] = await dataSource.query(
        `SELECT registry_expiry FROM wallet WHERE address = $1`,
        [wallet.address.toLowerCase()],
      );
      expect(row.registry_expiry).not.toBeNull();

      // Corrected from the chain, a revocation removes the wallet (a wrong belief would make it revert).
      await officer.client.post(`/kyc/cases/${caseId}/revoke`, {
        labels: ['FORGERY'],
        reason: 'x',
      });
      await waitVerified(wallet.address, false, 'the wallet removed after the correction');
    });
    it('after a failed registry transaction the rows hold the chain; only a drift is synced again', async () => {
      const { investor, wallet, caseId } = await approvedInvestor();
      // As if a removal had been asked and refused: the case is revoked, the rows say removed,
      // the chain still holds the wallet.
      await dataSource.query(`UPDATE kyc_case SET status = 'rejected' WHERE id = $1`, [caseId]);
      await dataSource.query(
        `UPDATE wallet SET registry_expiry = NULL, registry_country = NULL WHERE address = $1`,
        [wallet.address.toLowerCase()],
      );
      const listener = worker.get(IdentityRegistryOutcomeListener);
      const [{ id: lastTx }]: { id: string }[] = await dataSource.query(
        `SELECT max(id)::text AS id FROM chain_tx`,
      );
      const failed = (failureReason: string) => ({
        id: lastTx,
        reference: `investor:${investor.userId}`,
        state: 'failed' as ChainTxOutcome['state'],
        txHash: null,
        blockNumber: null,
        failureReason,
      });
      const before = (await outboxStates(investor.userId)).length;

      await listener.onOutcome(
        failed('IdentityRegistry.AccessControlUnauthorizedAccount(0x1, 0x2)'),
      );
      const [row]: { registry_expiry: Date | null }[] = await dataSource.query(
        `SELECT registry_expiry FROM wallet WHERE address = $1`,
        [wallet.address.toLowerCase()],
      );
      expect(row.registry_expiry).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await outboxStates(investor.userId)).length).toBe(before);
      expect(await verified(wallet.address)).toBe(true);

      await listener.onOutcome(failed(`IdentityRegistry.IdentityNotRegistered(${wallet.address})`));
      expect((await outboxStates(investor.userId)).length).toBe(before + 1);
      await waitVerified(wallet.address, false, 'the wallet removed once the drift is synced');
    });
  });

  describe('the report of cases expiring within N days', () => {
    /** Moves a case's expiry to `days` from now (time passing, as the expiry test does it). */
    const expireIn = (caseId: string, days: number) =>
      dataSource.query(
        `UPDATE kyc_case SET expires_at = now() + make_interval(days => $2) WHERE id = $1`,
        [caseId, days],
      );
    const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);

    it('lists approved cases expiring inside the window, soonest first; not those outside it, rejected or expired; only staff', async () => {
      const [inside, outside, revoked, renewed] = [
        await approvedInvestor(),
        await approvedInvestor(),
        await approvedInvestor(),
        await approvedInvestor(),
      ];
      // Revoked: rejected, its expiry kept.
      expect(
        (
          await officer.client.post(`/kyc/cases/${revoked.caseId}/revoke`, {
            labels: ['FORGERY'],
            reason: 'document forged',
          })
        ).body.status,
      ).toBe('rejected');
      // Renewed: the new approval supersedes the first, which becomes expired.
      const renewal = await openCase(renewed.investor.client, 'manual');
      const approvedAgain = await officer.client.post(`/kyc/cases/${renewal}/approve`, {
        country: GERMANY,
        level: 'basic',
        reason: 'renewed',
      });
      expect(approvedAgain.body.status).toBe('approved');
      expect((await officer.client.get(`/kyc/cases/${renewed.caseId}`)).body.status).toBe(
        'expired',
      );

      // By hand, for a 30-day window: renewal (2 days) and inside (10 days) are listed in that
      // order; outside (40 days) is not; the revoked (5 days) and the superseded (3 days) are not,
      // though their expiry falls inside the window.
      await expireIn(inside.caseId, 10);
      await expireIn(outside.caseId, 40);
      await expireIn(revoked.caseId, 5);
      await expireIn(renewed.caseId, 3);
      await expireIn(renewal, 2);

      const admin = await signInStaff(api, 'admin', 'kyc-expiring-admin');
      for (const staff of [officer.client, admin.client]) {
        const report = await staff.get('/kyc/cases?expiringWithinDays=30&limit=200');
        expect(report.status).toBe(200);
        expect(report.body.total).toBeLessThanOrEqual(200);
        const listed = ids(report.body);
        expect(listed).toEqual(expect.arrayContaining([renewal, inside.caseId]));
        expect(listed.indexOf(renewal)).toBeLessThan(listed.indexOf(inside.caseId));
        for (const absent of [outside.caseId, revoked.caseId, renewed.caseId])
          expect(listed).not.toContain(absent);
        const horizon = Date.now() + 30 * 86_400_000;
        for (const item of report.body.items as { status: string; expiresAt: string }[]) {
          expect(item.status).toBe('approved');
          expect(Date.parse(item.expiresAt)).toBeLessThanOrEqual(horizon);
        }
        const expiries = (report.body.items as { expiresAt: string }[]).map((item) =>
          Date.parse(item.expiresAt),
        );
        expect(expiries).toEqual([...expiries].sort((a, b) => a - b));
      }

      // Per investor, exactly.
      const expiring = async (investorId: string, days: number) => {
        const response = await officer.client.get(
          `/kyc/cases?investorId=${investorId}&expiringWithinDays=${days}`,
        );
        expect(response.status).toBe(200);
        expect(response.body.total).toBe(response.body.items.length);
        return ids(response.body);
      };
      expect(await expiring(inside.investor.userId, 30)).toEqual([inside.caseId]);
      expect(await expiring(inside.investor.userId, 9)).toEqual([]);
      expect(await expiring(outside.investor.userId, 30)).toEqual([]);
      expect(await expiring(outside.investor.userId, 45)).toEqual([outside.caseId]);
      expect(await expiring(revoked.investor.userId, 30)).toEqual([]);
      expect(await expiring(renewed.investor.userId, 30)).toEqual([renewal]);

      // An investor reads their own cases, but not the report.
      const refused = await inside.investor.client.get('/kyc/cases?expiringWithinDays=30');
      expect({ status: refused.status, code: refused.body.code }).toEqual({
        status: 403,
        code: 'AUTH_ROLE_FORBIDDEN',
      });
      const own = await inside.investor.client.get('/kyc/cases');
      expect(own.status).toBe(200);
      expect(ids(own.body)).toEqual([inside.caseId]);
      const operator = await signInStaff(api, 'operator', 'kyc-expiring-operator');
      expect((await operator.client.get('/kyc/cases?expiringWithinDays=30')).status).toBe(403);
    });
  });

  describe('Sumsub-compatible webhook', () => {
    const createdAt = (offsetMs: number) =>
      new Date(Date.now() + offsetMs).toISOString().replace('T', ' ').replace('Z', '');

    function reviewed(
      caseId: string,
      answer: 'GREEN' | 'RED',
      offsetMs = 0,
      correlationId = `req-${randomUUID()}`,
    ) {
      return {
        applicantId: applicantIdOf(caseId),
        inspectionId: randomUUID().replace(/-/g, '').slice(0, 24),
        correlationId,
        externalUserId: caseId,
        levelName: 'basic-kyc-level',
        type: 'applicantReviewed',
        reviewStatus: 'completed',
        reviewResult:
          answer === 'GREEN'
            ? { reviewAnswer: 'GREEN' }
            : {
                reviewAnswer: 'RED',
                rejectLabels: ['FORGERY'],
                reviewRejectType: 'FINAL',
                moderationComment: 'forged',
              },
        createdAtMs: createdAt(offsetMs),
      };
    }

    const sign = (raw: string, secret = SECRET) =>
      createHmac('sha256', secret).update(raw).digest('hex');

    async function deliver(payload: unknown, options: { digest?: string; raw?: string } = {}) {
      const raw = options.raw ?? JSON.stringify(payload);
      const response = await fetch(`${api.url}/kyc/webhooks/sumsub`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-payload-digest': options.digest ?? sign(raw),
          'x-payload-digest-alg': 'HMAC_SHA256_HEX',
        },
        body: raw,
      });
      return { status: response.status, body: (await response.json()) as any };
    }

    const applicantIdOf = (caseId: string) => caseId.replace(/-/g, '').slice(0, 24);

    /** An investor with a wallet and a sumsub case; Sumsub's applicant holds `verifiedCountry`. */
    async function sumsubInvestor(
      declaredCountry = GERMANY,
      verifiedCountry: string | null = 'DEU',
    ) {
      const investor = await registerInvestor(api);
      const { wallet } = await linkWallet(investor.client);
      const caseId = await openCase(investor.client, 'sumsub', declaredCountry);
      sumsub.applicants.set(applicantIdOf(caseId), {
        externalUserId: caseId,
        country: verifiedCountry ?? undefined,
      });
      return { investor, wallet, caseId };
    }

    it('GREEN approves the case and registers the wallet; a replay of the event changes nothing', async () => {
      const { investor, wallet, caseId } = await sumsubInvestor();
      const event = reviewed(caseId, 'GREEN');
      const first = await deliver(event);
      expect(first).toEqual({
        status: 200,
        body: {
          eventId: `sumsub:applicantReviewed:${event.correlationId}`,
          duplicate: false,
          outcome: 'applied',
        },
      });
      const kycCase = (await investor.client.get(`/kyc/cases/${caseId}`)).body;
      expect(kycCase).toMatchObject({
        status: 'approved',
        level: 'basic-kyc-level',
        decidedBy: 'provider:sumsub',
      });
      await waitVerified(wallet.address, true, 'the wallet verified after GREEN');

      const auditBefore = await auditActions(`kyc-case:${caseId}`);
      const replay = await deliver(event);
      expect(replay).toEqual({
        status: 200,
        body: {
          eventId: `sumsub:applicantReviewed:${event.correlationId}`,
          duplicate: true,
          outcome: 'applied',
        },
      });
      expect(await auditActions(`kyc-case:${caseId}`)).toEqual(auditBefore);

      const sameIdOtherBody = await deliver({ ...event, levelName: 'another-level' });
      expect(sameIdOtherBody.status).toBe(409);
      expect(sameIdOtherBody.body.code).toBe('KYC_WEBHOOK_EVENT_CONFLICT');
    });

    it("a compliance officer's revocation stands against a later GREEN from the provider", async () => {
      const { investor, wallet, caseId } = await sumsubInvestor();
      await deliver(reviewed(caseId, 'GREEN', -60_000));
      await waitVerified(wallet.address, true, 'the wallet verified after GREEN');
      await officer.client.post(`/kyc/cases/${caseId}/revoke`, {
        labels: ['SANCTIONS'],
        reason: 'hit',
      });
      await waitVerified(wallet.address, false, 'the wallet removed after the revocation');
      expect((await deliver(reviewed(caseId, 'GREEN', 60_000))).body.outcome).toBe('ignored');
      expect((await investor.client.get(`/kyc/cases/${caseId}`)).body.status).toBe('rejected');
    });

    it("an officer's revocation of another case stands against the provider's later GREEN", async () => {
      const { investor, wallet, caseId: providerCase } = await sumsubInvestor();
      expect((await deliver(reviewed(providerCase, 'RED', -120_000))).body.outcome).toBe('applied');
      expect((await investor.client.get(`/kyc/cases/${providerCase}`)).body).toMatchObject({
        status: 'rejected',
        rejectLabels: ['FORGERY'],
      });
      const manualCase = await openCase(investor.client, 'manual');
      await officer.client.post(`/kyc/cases/${manualCase}/approve`, {
        country: GERMANY,
        level: 'basic',
        reason: 'ok',
      });
      await waitVerified(wallet.address, true, 'the wallet verified by the manual case');
      await officer.client.post(`/kyc/cases/${manualCase}/revoke`, {
        labels: ['FRAUD'],
        reason: 'x',
      });
      await waitVerified(wallet.address, false, 'the wallet removed by the revocation');
      expect((await deliver(reviewed(providerCase, 'GREEN'))).body.outcome).toBe('ignored');
      expect((await investor.client.get(`/kyc/cases/${providerCase}`)).body.status).toBe(
        'rejected',
      );
    });

    it('a compliance officer may reject a pending provider case, but not approve it', async () => {
      const { investor, caseId } = await sumsubInvestor();
      const approve = await officer.client.post(`/kyc/cases/${caseId}/approve`, {
        country: GERMANY,
        level: 'x',
        reason: 'x',
      });
      expect(approve.body.code).toBe('KYC_INVALID_TRANSITION');
      const reject = await officer.client.post(`/kyc/cases/${caseId}/reject`, {
        labels: ['ABANDONED'],
        reason: 'the applicant never finished',
      });
      expect(reject.body.status).toBe('rejected');
      expect((await deliver(reviewed(caseId, 'GREEN'))).body.outcome).toBe('ignored');
      expect((await investor.client.get(`/kyc/cases/${caseId}`)).body.status).toBe('rejected');
      expect(
        (await investor.client.post('/kyc/cases', { provider: 'sumsub', country: GERMANY })).status,
      ).toBe(201);
    });

    it('registers the country Sumsub verified, not the one the investor declared', async () => {
      const { investor, wallet, caseId } = await sumsubInvestor(250, 'DEU');
      expect((await deliver(reviewed(caseId, 'GREEN'))).body.outcome).toBe('applied');
      expect((await investor.client.get(`/kyc/cases/${caseId}`)).body.country).toBe(GERMANY);
      await waitVerified(wallet.address, true, 'the wallet verified');
      const [, country] = await registry.identityOf(wallet.address);
      expect(Number(country)).toBe(GERMANY);
      expect(sumsub.refused).toBe(0);
    });

    it('refuses to approve without a verified country, or without the provider API', async () => {
      const { investor, caseId } = await sumsubInvestor(GERMANY, null);
      const unverified = await deliver(reviewed(caseId, 'GREEN'));
      expect(unverified.status).toBe(400);
      expect(unverified.body.code).toBe('KYC_COUNTRY_UNVERIFIED');
      expect((await investor.client.get(`/kyc/cases/${caseId}`)).body.status).toBe('pending');

      const unconfigured = await startApi();
      try {
        const raw = JSON.stringify(reviewed(caseId, 'GREEN'));
        const response = await fetch(`${unconfigured.url}/kyc/webhooks/sumsub`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-payload-digest': sign(raw) },
          body: raw,
        });
        expect(response.status).toBe(503);
        expect(((await response.json()) as { code: string }).code).toBe(
          'KYC_PROVIDER_NOT_CONFIGURED',
        );
      } finally {
        await unconfigured.close();
      }
    });

    it('refuses a bad signature, a body changed after signing, and another algorithm, with nothing written', async () => {
      const { investor, caseId } = await sumsubInvestor();
      const event = reviewed(caseId, 'GREEN');
      const raw = JSON.stringify(event);

      const wrongSecret = await deliver(event, { digest: sign(raw, 'another-secret-entirely') });
      expect(wrongSecret.status).toBe(401);
      expect(wrongSecret.body.code).toBe('KYC_WEBHOOK_SIGNATURE_INVALID');

      const changed = await deliver(event, {
        raw: raw.replace('"GREEN"', '"GREEN" '),
        digest: sign(raw),
      });
      expect(changed.status).toBe(401);

      const missing = await fetch(`${api.url}/kyc/webhooks/sumsub`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: raw,
      });
      expect(missing.status).toBe(401);

      const sha1 = await fetch(`${api.url}/kyc/webhooks/sumsub`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-payload-digest': sign(raw),
          'x-payload-digest-alg': 'HMAC_SHA1_HEX',
        },
        body: raw,
      });
      expect(sha1.status).toBe(401);

      expect((await investor.client.get(`/kyc/cases/${caseId}`)).body.status).toBe('pending');
      const events: unknown[] = await dataSource.query(
        `SELECT 1 FROM kyc_provider_event WHERE id = $1`,
        [`sumsub:applicantReviewed:${event.correlationId}`],
      );
      expect(events).toHaveLength(0);
      // The genuine delivery still goes through afterwards.
      expect((await deliver(event)).body.outcome).toBe('applied');
    });

    it('RED after GREEN revokes the approval and removes the wallet', async () => {
      const { investor, wallet, caseId } = await sumsubInvestor();
      await deliver(reviewed(caseId, 'GREEN', -60_000));
      await waitVerified(wallet.address, true, 'the wallet verified after GREEN');
      const red = await deliver(reviewed(caseId, 'RED'));
      expect(red.body.outcome).toBe('applied');
      const kycCase = (await investor.client.get(`/kyc/cases/${caseId}`)).body;
      expect(kycCase).toMatchObject({
        status: 'rejected',
        rejectLabels: ['FORGERY'],
        reason: 'forged',
      });
      await waitVerified(wallet.address, false, 'the wallet removed after RED');
    });

    it('an older event delivered late is recorded as stale and changes nothing', async () => {
      const { investor, wallet, caseId } = await sumsubInvestor();
      const olderRed = reviewed(caseId, 'RED', -120_000);
      const newerGreen = reviewed(caseId, 'GREEN', -60_000);
      expect((await deliver(newerGreen)).body.outcome).toBe('applied');
      expect((await deliver(olderRed)).body.outcome).toBe('stale');
      expect((await investor.client.get(`/kyc/cases/${caseId}`)).body.status).toBe('approved');
      await waitVerified(wallet.address, true, 'the wallet stays verified');
    });

    it('answers malformed payloads with 400 and unknown applicants with a recorded no-op', async () => {
      const notJsonObject = await deliver([1, 2, 3]);
      expect(notJsonObject.status).toBe(400);
      expect(notJsonObject.body.code).toBe('KYC_WEBHOOK_PAYLOAD_INVALID');
      const noAnswer = await deliver({
        ...reviewed(randomUUID(), 'GREEN'),
        reviewResult: { reviewAnswer: 'MAYBE' },
      });
      expect(noAnswer.body.code).toBe('KYC_WEBHOOK_PAYLOAD_INVALID');
      const unknown = await deliver(reviewed(randomUUID(), 'RED'));
      expect(unknown).toMatchObject({ status: 200, body: { outcome: 'unknown-case' } });
      // An approval of an unknown case is recorded without asking the provider anything.
      const unknownGreen = await deliver(reviewed(randomUUID(), 'GREEN'));
      expect(unknownGreen).toMatchObject({ status: 200, body: { outcome: 'unknown-case' } });
    });
  });
});
