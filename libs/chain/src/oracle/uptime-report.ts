import { type TypedDataDomain, TypedDataEncoder, type TypedDataField, type Wallet } from 'ethers';
import type { Deployment } from '../deployment/deployment';
import { UptimeOracle__factory } from '../generated/factories/UptimeOracle__factory';
import { type ChainIntent, encodeCall } from '../outbox/chain-intent';

/** An uptime report as the UptimeOracle contract takes and reporters sign it (EIP-712). */
export interface UptimeReport {
  farmId: string;
  epoch: bigint;
  /** 0 to 10,000. */
  uptimeBps: number;
  /** Thousandths of a GPU-hour. */
  gpuHoursAvailable: bigint;
  gpuHoursUsed: bigint;
  /** Stablecoin minor units. */
  revenue: bigint;
  samplesHash: string;
}

export const UPTIME_REPORT_TYPES: Record<string, TypedDataField[]> = {
  UptimeReport: [
    { name: 'farmId', type: 'bytes32' },
    { name: 'epoch', type: 'uint64' },
    { name: 'uptimeBps', type: 'uint16' },
    { name: 'gpuHoursAvailable', type: 'uint64' },
    { name: 'gpuHoursUsed', type: 'uint64' },
    { name: 'revenue', type: 'uint256' },
    { name: 'samplesHash', type: 'bytes32' },
  ],
};

/** The oracle's EIP-712 domain on `chainId` at `oracleAddress`. */
export function uptimeOracleDomain(
  chainId: bigint | number,
  oracleAddress: string,
): TypedDataDomain {
  return { name: 'GpuUptimeOracle', version: '1', chainId, verifyingContract: oracleAddress };
}

/**
 * The signatures of `reporters` over `report`, ordered by increasing signer address as the
 * oracle requires.
 */
export async function signUptimeReport(
  report: UptimeReport,
  reporters: Wallet[],
  domain: TypedDataDomain,
): Promise<string[]> {
  const ordered = [...reporters].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  return Promise.all(
    ordered.map((reporter) => reporter.signTypedData(domain, UPTIME_REPORT_TYPES, report)),
  );
}

/** The EIP-712 digest reporters sign and the oracle checks. */
export function uptimeReportDigest(report: UptimeReport, domain: TypedDataDomain): string {
  return TypedDataEncoder.hash(domain, UPTIME_REPORT_TYPES, report);
}

/** `UptimeOracle.submitReport(report, signatures)` of the deployment. */
export function submitUptimeReportCall(
  deployment: Deployment,
  report: UptimeReport,
  signatures: readonly string[],
): Pick<ChainIntent, 'to' | 'method' | 'data'> {
  return {
    to: deployment.contracts.UptimeOracle.address,
    ...encodeCall('UptimeOracle', UptimeOracle__factory.createInterface(), 'submitReport', [
      report,
      signatures,
    ]),
  };
}
