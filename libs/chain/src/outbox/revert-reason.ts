import { type Interface, type Result, isError, isHexString } from 'ethers';
import {
  AuditAnchor__factory,
  GpuFarmTokenFactory__factory,
  GpuFarmToken__factory,
  IdentityRegistry__factory,
  MockStablecoin__factory,
  PrimarySale__factory,
  UptimeOracle__factory,
} from '../generated';

let known: [string, Interface][] | undefined;

/** Every product contract's interface, by contract name: whose custom errors we can read. */
function interfaces(): [string, Interface][] {
  known ??= [
    ['IdentityRegistry', IdentityRegistry__factory.createInterface()],
    ['GpuFarmToken', GpuFarmToken__factory.createInterface()],
    ['GpuFarmTokenFactory', GpuFarmTokenFactory__factory.createInterface()],
    ['PrimarySale', PrimarySale__factory.createInterface()],
    ['UptimeOracle', UptimeOracle__factory.createInterface()],
    ['AuditAnchor', AuditAnchor__factory.createInterface()],
    ['Stablecoin', MockStablecoin__factory.createInterface()],
  ];
  return known;
}

function formatArgs(args: Result): string {
  return [...args]
    .map((arg: unknown) =>
      typeof arg === 'string' && arg.startsWith('0x') ? arg.toLowerCase() : String(arg),
    )
    .join(', ');
}

/**
 * Revert data as a person reads it: `GpuFarmToken.SenderFrozen(0xabc...)`, `Error("...")`,
 * `Panic(17)`, or the raw selector when no product contract declares it.
 */
export function describeRevertData(data: string | null | undefined): string {
  if (!data || data === '0x') return 'reverted without a reason';
  for (const [contract, iface] of interfaces()) {
    try {
      const error = iface.parseError(data);
      if (!error) continue;
      if (error.name === 'Error') return `Error(${JSON.stringify(String(error.args[0]))})`;
      if (error.name === 'Panic') return `Panic(${String(error.args[0])})`;
      return `${contract}.${error.name}(${formatArgs(error.args)})`;
    } catch {
      continue;
    }
  }
  return `unknown error ${data.slice(0, 10)}`;
}

/**
 * The revert data of a call that really reverted, or undefined for anything else (RPC trouble).
 * ethers reports every error answer to eth_call/eth_estimateGas as CALL_EXCEPTION, "header not
 * found" and "rate limited" included: only revert data, or a node message that says "revert",
 * makes it a revert.
 */
export function revertDataOf(error: unknown): string | undefined {
  if (!isError(error, 'CALL_EXCEPTION')) return undefined;
  if (error.data) return error.data;
  const nodeError = (error.info as { error?: { message?: unknown } } | undefined)?.error;
  return revertDataOfRpcError({ message: String(nodeError?.message ?? '') });
}

/** The same for a JSON-RPC error answer (of a batch): revert data, '0x' for a bare revert, else undefined. */
export function revertDataOfRpcError(error: {
  message: string;
  data?: unknown;
}): string | undefined {
  if (typeof error.data === 'string' && isHexString(error.data)) return error.data;
  return /revert/i.test(error.message) ? '0x' : undefined;
}
