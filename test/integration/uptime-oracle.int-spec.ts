import {
  type BaseWallet,
  type TypedDataDomain,
  TypedDataEncoder,
  Wallet,
  ZeroAddress,
  ZeroHash,
  id,
  recoverAddress,
} from 'ethers';
import { UPTIME_REPORT_TYPES, type UptimeReport } from '@gpu/chain';
import { eventsOf } from '../support/chain-events';
import {
  type ContractsFixture,
  expectRevert,
  revertAfterEach,
  send,
  startContractsFixture,
} from '../support/contracts-fixture';

const REPORT_TYPES = UPTIME_REPORT_TYPES;

const FARM = id('farm:oracle');
const OTHER_FARM = id('farm:oracle-other');

function report(overrides: Partial<UptimeReport> = {}): UptimeReport {
  return {
    farmId: FARM,
    epoch: 1n,
    uptimeBps: 9_950,
    gpuHoursAvailable: 168_000n,
    gpuHoursUsed: 150_250n,
    revenue: 4_321_000_000n,
    samplesHash: id('samples:1'),
    ...overrides,
  };
}

/** Orders wallets by increasing address, as the oracle wants the signatures. */
function byAddress<T extends { address: string }>(wallets: T[]): T[] {
  return [...wallets].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}

describe('UptimeOracle (k-of-n EIP-712 reports)', () => {
  let f: ContractsFixture;
  let domain: TypedDataDomain;
  let oracleAdminRole: string;
  /** The three registered reporters in increasing address order. */
  let r: Wallet[];
  let outsider: Wallet;

  beforeAll(async () => {
    f = await startContractsFixture();
    r = byAddress(f.reporters);
    outsider = f.investors[0];
    oracleAdminRole = await f.oracle.ORACLE_ADMIN_ROLE();
    domain = {
      name: 'GpuUptimeOracle',
      version: '1',
      chainId: BigInt(f.deployment.chainId),
      verifyingContract: await f.oracle.getAddress(),
    };
  });

  afterAll(async () => {
    await f?.stop();
  });

  revertAfterEach(() => f.provider);

  /** Signatures of `signers` over `value`, in the order given. */
  function sign(
    signers: BaseWallet[],
    value: UptimeReport,
    signingDomain: TypedDataDomain = domain,
  ): Promise<string[]> {
    return Promise.all(signers.map((s) => s.signTypedData(signingDomain, REPORT_TYPES, value)));
  }

  /** Submitted by an account with no role: the signatures are the authority. */
  const submit = (value: UptimeReport, signatures: string[]) =>
    f.oracle.connect(outsider).submitReport(value, signatures);

  describe('EIP-712', () => {
    it('hashes a report exactly as ethers’ signTypedData signs it', async () => {
      const value = report();
      const digest = await f.oracle.hashReport(value);
      expect(digest).toBe(TypedDataEncoder.hash(domain, REPORT_TYPES, value));
      const [signature] = await sign([r[0]], value);
      expect(recoverAddress(digest, signature)).toBe(r[0].address);
      expect(await f.oracle.REPORT_TYPEHASH()).toBe(
        id(
          'UptimeReport(bytes32 farmId,uint64 epoch,uint16 uptimeBps,uint64 gpuHoursAvailable,uint64 gpuHoursUsed,uint256 revenue,bytes32 samplesHash)',
        ),
      );
      const [, name, version, chainId, verifyingContract] = await f.oracle.eip712Domain();
      expect([name, version, chainId, verifyingContract]).toEqual([
        domain.name,
        domain.version,
        domain.chainId,
        domain.verifyingContract,
      ]);
    });
  });

  describe('submitReport', () => {
    it('accepts 2 of 3 signatures, emits ReportAccepted with the digest and records the epoch', async () => {
      const value = report({ epoch: 7n });
      const digest = TypedDataEncoder.hash(domain, REPORT_TYPES, value);
      const receipt = await send(submit(value, await sign([r[0], r[2]], value)));
      expect(await eventsOf(receipt, f.oracle, 'ReportAccepted')).toEqual([
        [
          FARM,
          7n,
          BigInt(value.uptimeBps),
          value.gpuHoursAvailable,
          value.gpuHoursUsed,
          value.revenue,
          value.samplesHash,
          digest,
        ],
      ]);
      expect(await f.oracle.lastEpoch(FARM)).toBe(7n);
      expect(await f.oracle.reportDigest(FARM, 7n)).toBe(digest);
      expect(await f.oracle.lastEpoch(OTHER_FARM)).toBe(0n);
    });

    it('accepts 3 of 3 signatures', async () => {
      const value = report();
      const receipt = await send(submit(value, await sign(r, value)));
      expect(await eventsOf(receipt, f.oracle, 'ReportAccepted')).toHaveLength(1);
      expect(await f.oracle.reportDigest(FARM, 1n)).toBe(await f.oracle.hashReport(value));
    });

    it('refuses fewer signatures than the threshold with InsufficientSignatures(given, threshold)', async () => {
      const value = report();
      expect(await f.oracle.threshold()).toBe(2n);
      for (const reporter of r) {
        await expectRevert(
          submit(value, await sign([reporter], value)),
          f.oracle,
          'InsufficientSignatures',
          [1n, 2n],
        );
      }
      await expectRevert(submit(value, []), f.oracle, 'InsufficientSignatures', [0n, 2n]);
      expect(await f.oracle.lastEpoch(FARM)).toBe(0n);
    });

    it('refuses the same reporter’s signature twice with SignersNotStrictlyIncreasing', async () => {
      const value = report();
      const [s0, s1] = await sign([r[0], r[1]], value);
      await expectRevert(submit(value, [s0, s0]), f.oracle, 'SignersNotStrictlyIncreasing', [
        r[0].address,
      ]);
      await expectRevert(submit(value, [s0, s1, s1]), f.oracle, 'SignersNotStrictlyIncreasing', [
        r[1].address,
      ]);
      expect(await f.oracle.lastEpoch(FARM)).toBe(0n);
    });

    it('refuses signatures in decreasing signer order with SignersNotStrictlyIncreasing', async () => {
      const value = report();
      const [s0, s1, s2] = await sign(r, value);
      await expectRevert(submit(value, [s1, s0]), f.oracle, 'SignersNotStrictlyIncreasing', [
        r[0].address,
      ]);
      await expectRevert(submit(value, [s2, s1, s0]), f.oracle, 'SignersNotStrictlyIncreasing', [
        r[1].address,
      ]);
      await expectRevert(submit(value, [s0, s2, s1]), f.oracle, 'SignersNotStrictlyIncreasing', [
        r[1].address,
      ]);
      await send(submit(value, [s0, s1, s2]));
    });

    it('refuses a signature of a non-reporter with NotAReporter, even next to enough valid ones', async () => {
      const value = report();
      const intruders = [outsider, f.agent, f.admin, Wallet.createRandom()];
      for (const intruder of intruders) {
        const signers = byAddress([r[0], r[1], intruder]);
        await expectRevert(submit(value, await sign(signers, value)), f.oracle, 'NotAReporter', [
          intruder.address,
        ]);
        const pair = byAddress([r[2], intruder]);
        await expectRevert(submit(value, await sign(pair, value)), f.oracle, 'NotAReporter', [
          intruder.address,
        ]);
      }
      expect(await f.oracle.lastEpoch(FARM)).toBe(0n);
    });

    it('refuses malformed signatures with the ECDSA errors', async () => {
      const value = report();
      const [s0, s1] = await sign([r[0], r[1]], value);
      const short = s1.slice(0, 2 + 64 * 2);
      await expectRevert(submit(value, [s0, short]), f.oracle, 'ECDSAInvalidSignatureLength', [
        64n,
      ]);
      // v = 0 is neither 27 nor 28: no signer can be recovered.
      const badV = s1.slice(0, -2) + '00';
      await expectRevert(submit(value, [s0, badV]), f.oracle, 'ECDSAInvalidSignature', []);
    });

    it('refuses a replayed report and any other report for an accepted epoch with ReportAlreadyAccepted', async () => {
      const value = report({ epoch: 3n });
      const signatures = await sign([r[0], r[1]], value);
      await send(submit(value, signatures));
      await expectRevert(submit(value, signatures), f.oracle, 'ReportAlreadyAccepted', [FARM, 3n]);
      const corrected = report({ epoch: 3n, revenue: 1n });
      await expectRevert(
        submit(corrected, await sign(r, corrected)),
        f.oracle,
        'ReportAlreadyAccepted',
        [FARM, 3n],
      );
      expect(await f.oracle.reportDigest(FARM, 3n)).toBe(await f.oracle.hashReport(value));
    });

    it('refuses an older epoch with StaleEpoch(farmId, epoch, lastEpoch); farms are independent', async () => {
      await expectRevert(
        submit(report({ epoch: 0n }), await sign([r[0], r[1]], report({ epoch: 0n }))),
        f.oracle,
        'StaleEpoch',
        [FARM, 0n, 0n],
      );
      const five = report({ epoch: 5n });
      await send(submit(five, await sign([r[1], r[2]], five)));
      const three = report({ epoch: 3n });
      await expectRevert(submit(three, await sign([r[0], r[1]], three)), f.oracle, 'StaleEpoch', [
        FARM,
        3n,
        5n,
      ]);
      expect(await f.oracle.reportDigest(FARM, 3n)).toBe(ZeroHash);

      const otherFarm = report({ farmId: OTHER_FARM, epoch: 3n });
      await send(submit(otherFarm, await sign([r[0], r[1]], otherFarm)));
      const six = report({ epoch: 6n });
      await send(submit(six, await sign([r[0], r[1]], six)));
      expect(await f.oracle.lastEpoch(FARM)).toBe(6n);
      expect(await f.oracle.lastEpoch(OTHER_FARM)).toBe(3n);
    });

    it('refuses signatures over another EIP-712 domain: they recover non-reporters (NotAReporter)', async () => {
      const value = report();
      const digest = await f.oracle.hashReport(value);
      const otherDomains: TypedDataDomain[] = [
        { ...domain, chainId: BigInt(f.deployment.chainId) + 1n },
        { ...domain, chainId: 1n },
        { ...domain, verifyingContract: await f.sale.getAddress() },
        { ...domain, verifyingContract: Wallet.createRandom().address },
        { ...domain, name: 'GpuUptimeOracle2' },
        { ...domain, version: '2' },
      ];
      for (const otherDomain of otherDomains) {
        const signatures = await sign([r[0], r[1]], value, otherDomain);
        const recovered = recoverAddress(digest, signatures[0]);
        expect(recovered).not.toBe(r[0].address);
        await expectRevert(submit(value, signatures), f.oracle, 'NotAReporter', [recovered]);
      }
      expect(await f.oracle.lastEpoch(FARM)).toBe(0n);
    });

    it('refuses a report changed in any field after signing (NotAReporter)', async () => {
      const signed = report({ epoch: 2n });
      const signatures = await sign([r[0], r[1]], signed);
      const tampered: Partial<UptimeReport>[] = [
        { farmId: OTHER_FARM },
        { epoch: 3n },
        { uptimeBps: signed.uptimeBps - 1 },
        { gpuHoursAvailable: signed.gpuHoursAvailable + 1n },
        { gpuHoursUsed: signed.gpuHoursUsed - 1n },
        { revenue: signed.revenue * 10n },
        { samplesHash: id('samples:forged') },
      ];
      for (const change of tampered) {
        const value = { ...signed, ...change };
        const recovered = recoverAddress(await f.oracle.hashReport(value), signatures[0]);
        expect([...r.map((w) => w.address), ZeroAddress]).not.toContain(recovered);
        await expectRevert(submit(value, signatures), f.oracle, 'NotAReporter', [recovered]);
      }
      // The report as signed is accepted.
      await send(submit(signed, signatures));
      expect(await f.oracle.lastEpoch(FARM)).toBe(2n);
    });

    it('refuses uptime above 10000 bps or more GPU-hours used than available with InvalidReport', async () => {
      for (const invalid of [
        report({ uptimeBps: 10_001 }),
        report({ uptimeBps: 65_535 }),
        report({ gpuHoursAvailable: 100n, gpuHoursUsed: 101n }),
      ]) {
        await expectRevert(submit(invalid, await sign(r, invalid)), f.oracle, 'InvalidReport', []);
      }
      const full = report({ uptimeBps: 10_000, gpuHoursAvailable: 100n, gpuHoursUsed: 100n });
      await send(submit(full, await sign([r[0], r[1]], full)));
      expect(await f.oracle.lastEpoch(FARM)).toBe(1n);
    });
  });

  describe('reporter administration', () => {
    it('refuses addReporters, removeReporters and setThreshold to accounts without ORACLE_ADMIN_ROLE', async () => {
      expect(await f.oracle.hasRole(oracleAdminRole, f.agent.address)).toBe(true);
      for (const caller of [outsider, r[0]]) {
        const oracle = f.oracle.connect(caller);
        const refused = [caller.address, oracleAdminRole];
        await expectRevert(
          oracle.addReporters([caller.address]),
          f.oracle,
          'AccessControlUnauthorizedAccount',
          refused,
        );
        await expectRevert(
          oracle.removeReporters([r[0].address]),
          f.oracle,
          'AccessControlUnauthorizedAccount',
          refused,
        );
        await expectRevert(
          oracle.setThreshold(1),
          f.oracle,
          'AccessControlUnauthorizedAccount',
          refused,
        );
      }
      expect(await f.oracle.reporterCount()).toBe(3n);
      expect(await f.oracle.threshold()).toBe(2n);
      expect(await f.oracle.isReporter(outsider.address)).toBe(false);
    });

    it('adds a reporter whose signature then counts, and raises the threshold', async () => {
      const newcomer = outsider;
      const value = report();
      await expectRevert(
        submit(value, await sign(byAddress([r[0], newcomer]), value)),
        f.oracle,
        'NotAReporter',
        [newcomer.address],
      );
      const receipt = await send(f.oracle.addReporters([newcomer.address]));
      expect(await eventsOf(receipt, f.oracle, 'ReporterAdded')).toEqual([[newcomer.address]]);
      expect(await f.oracle.reporterCount()).toBe(4n);
      expect(await f.oracle.isReporter(newcomer.address)).toBe(true);

      const thresholdReceipt = await send(f.oracle.setThreshold(3));
      expect(await eventsOf(thresholdReceipt, f.oracle, 'ThresholdChanged')).toEqual([[3n]]);
      await expectRevert(
        submit(value, await sign(byAddress([r[0], newcomer]), value)),
        f.oracle,
        'InsufficientSignatures',
        [2n, 3n],
      );
      await send(submit(value, await sign(byAddress([r[0], r[1], newcomer]), value)));
      expect(await f.oracle.lastEpoch(FARM)).toBe(1n);
    });

    it('refuses to add a registered reporter or the zero address', async () => {
      await expectRevert(
        f.oracle.addReporters([r[1].address]),
        f.oracle,
        'ReporterAlreadyRegistered',
        [r[1].address],
      );
      await expectRevert(
        f.oracle.addReporters([outsider.address, outsider.address]),
        f.oracle,
        'ReporterAlreadyRegistered',
        [outsider.address],
      );
      await expectRevert(
        f.oracle.addReporters([ZeroAddress]),
        f.oracle,
        'ReporterAlreadyRegistered',
        [ZeroAddress],
      );
      expect(await f.oracle.reporterCount()).toBe(3n);
      expect(await f.oracle.isReporter(outsider.address)).toBe(false);
    });

    it('removes a reporter whose signature then no longer counts', async () => {
      const receipt = await send(f.oracle.removeReporters([r[0].address]));
      expect(await eventsOf(receipt, f.oracle, 'ReporterRemoved')).toEqual([[r[0].address]]);
      expect(await f.oracle.reporterCount()).toBe(2n);
      expect(await f.oracle.isReporter(r[0].address)).toBe(false);

      const value = report();
      await expectRevert(submit(value, await sign([r[0], r[1]], value)), f.oracle, 'NotAReporter', [
        r[0].address,
      ]);
      await expectRevert(
        submit(value, await sign([r[0], r[1], r[2]], value)),
        f.oracle,
        'NotAReporter',
        [r[0].address],
      );
      await send(submit(value, await sign([r[1], r[2]], value)));
      await expectRevert(
        f.oracle.removeReporters([r[0].address]),
        f.oracle,
        'ReporterNotRegistered',
        [r[0].address],
      );
      await expectRevert(
        f.oracle.removeReporters([outsider.address]),
        f.oracle,
        'ReporterNotRegistered',
        [outsider.address],
      );
    });

    it('refuses to remove reporters below the threshold with InvalidThreshold and changes nothing', async () => {
      await expectRevert(
        f.oracle.removeReporters([r[0].address, r[1].address]),
        f.oracle,
        'InvalidThreshold',
        [2n, 1n],
      );
      await expectRevert(
        f.oracle.removeReporters([r[0].address, r[1].address, r[2].address]),
        f.oracle,
        'InvalidThreshold',
        [2n, 0n],
      );
      expect(await f.oracle.reporterCount()).toBe(3n);
      for (const reporter of r) expect(await f.oracle.isReporter(reporter.address)).toBe(true);

      // After lowering the threshold the same removal passes.
      await send(f.oracle.setThreshold(1));
      await send(f.oracle.removeReporters([r[0].address, r[1].address]));
      expect(await f.oracle.reporterCount()).toBe(1n);
      const value = report();
      await send(submit(value, await sign([r[2]], value)));
    });

    it('refuses setThreshold(0) and a threshold above the reporter count with InvalidThreshold', async () => {
      await expectRevert(f.oracle.setThreshold(0), f.oracle, 'InvalidThreshold', [0n, 3n]);
      await expectRevert(f.oracle.setThreshold(4), f.oracle, 'InvalidThreshold', [4n, 3n]);
      expect(await f.oracle.threshold()).toBe(2n);
      await send(f.oracle.setThreshold(3));
      expect(await f.oracle.threshold()).toBe(3n);
      const value = report();
      await expectRevert(
        submit(value, await sign([r[0], r[1]], value)),
        f.oracle,
        'InsufficientSignatures',
        [2n, 3n],
      );
      await send(submit(value, await sign(r, value)));
    });
  });
});
